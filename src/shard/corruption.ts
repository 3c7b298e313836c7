/**
 * What a shard reports when it meets bytes it cannot use, as LevelDB's log reader reports to its Reporter: which
 * file, where, how many bytes were dropped, and one of a fixed set of kinds (check() decides on the kind, never on
 * the text). Reporting never throws and never stops the reader.
 */

/** The kinds of problem a shard reports. */
export type CorruptionKind =
  /** A frame cut short, with good frames after it (a writer died mid-write): its bytes are dropped. */
  | 'torn-frame'
  /** A frame whose magic, length or CRC does not check out: dropped up to the next good frame. */
  | 'checksum'
  /** A value's frame that no longer checks out when read for a get. */
  | 'checksum-on-read'
  /** A good frame whose body is not a record that applies (or a base-only record in a segment). */
  | 'malformed-record'
  /** A file header that is not ours (magic, version, kind, id). */
  | 'bad-file-header'
  /** A segment cut inside its header: replaced by a fresh, empty one. */
  | 'short-segment'
  /** A base that cannot be loaded (shorter than its header, or no trailer): an older one is tried. */
  | 'bad-base'
  /** No readable base, and the segments before the first one left are gone. */
  | 'missing-base';

/** Kinds about frames of a log file: history once a compaction has removed that file. */
export const FRAME_KINDS: ReadonlySet<CorruptionKind> = new Set(['torn-frame', 'checksum', 'checksum-on-read', 'malformed-record']);

/** The text of each kind where the kind alone says it (the others carry their detail). */
const REASONS: Partial<Record<CorruptionKind, string>> = {
  'torn-frame': 'torn frame',
  checksum: 'checksum mismatch',
  'checksum-on-read': 'checksum mismatch on read',
  'malformed-record': 'malformed record',
  'short-segment': 'segment shorter than its header',
  'missing-base': 'no readable base; older segments are gone',
};

/** A problem found while reading the log: bytes skipped, of what kind, and its text for people. */
export interface CorruptionReport {
  file: string;
  offset: number;
  bytes: number;
  kind: CorruptionKind;
  reason: string;
}

/** Collects a shard's reports since open (or the last clear). */
export class CorruptionReporter {
  readonly reports: CorruptionReport[] = [];

  /** Records a problem; `detail` is the text when the kind alone does not say it. */
  report(kind: CorruptionKind, file: string, offset: number, bytes: number, detail?: string): void {
    this.reports.push({ file, offset, bytes, kind, reason: detail ?? REASONS[kind] ?? kind });
  }

  clear(): void {
    this.reports.length = 0;
  }
}
