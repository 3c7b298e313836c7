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

/** Distinct places kept; check() reads the files afresh anyway, so reports are hints, not the record of damage. */
export const MAX_REPORTS = 1000;

/**
 * Collects a shard's reports since open (or the last clear). Bounded: one report per place (file and offset),
 * however often it is met (every get of a key whose frame was damaged after it was indexed meets it again), and at
 * most MAX_REPORTS places; the rest are only counted. A million such gets cost one report, not 78 MiB.
 */
export class CorruptionReporter {
  readonly reports: CorruptionReport[] = [];
  /** Reports not kept: distinct places past MAX_REPORTS. */
  dropped = 0;
  readonly #places = new Set<string>();

  /** Records a problem; `detail` is the text when the kind alone does not say it. */
  report(kind: CorruptionKind, file: string, offset: number, bytes: number, detail?: string): void {
    const place = `${offset}@${file}`;
    if (this.#places.has(place)) return;
    if (this.reports.length >= MAX_REPORTS) {
      this.dropped++;
      return;
    }
    this.#places.add(place);
    this.reports.push({ file, offset, bytes, kind, reason: detail ?? REASONS[kind] ?? kind });
  }

  clear(): void {
    this.reports.length = 0;
    this.#places.clear();
    this.dropped = 0;
  }
}
