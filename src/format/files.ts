/**
 * The names of a shard's files (docs/format.md, "Files"): the log's segments and bases, the access sidecar, the
 * temporary names files are written under before they are linked into place, and the lock files of the structural
 * steps. Every name a shard reads or writes is made or recognised here.
 */
import { KIND_BASE, KIND_SEGMENT } from './segment.js';

/** Digits of a segment or base id in its file name. */
const ID_DIGITS = 10;
const LOG_NAME_RE = /^(\d{10})\.(log|base)$/;

/** `NNNNNNNNNN.log`: segment `id`. */
export function segmentName(id: number): string {
  return String(id).padStart(ID_DIGITS, '0') + '.log';
}

/** `NNNNNNNNNN.base`: the base written at the seal of segment `id`. */
export function baseName(id: number): string {
  return String(id).padStart(ID_DIGITS, '0') + '.base';
}

/** Parses a log file name: `{ id, kind }`, or null for any other file. */
export function parseLogFileName(name: string): { id: number; kind: number } | null {
  const m = LOG_NAME_RE.exec(name);
  if (!m) return null;
  return { id: Number(m[1]), kind: m[2] === 'log' ? KIND_SEGMENT : KIND_BASE };
}

/** The access sidecar (access.ts). */
export const ACCESS_FILE = 'access.bin';

/** Files being written start with this; they are linked into place whole, so no reader ever opens one. */
export const TMP_PREFIX = '.tmp-';

/** A segment being created by process `pid`, handle `writer`: `.tmp-<pid>-<writer hex>-<id>`. */
export function tmpSegmentName(pid: number, writer: number, id: number): string {
  return `${TMP_PREFIX}${pid}-${writer.toString(16)}-${id}`;
}

/** A base being written by process `pid`, handle `writer`: `.tmp-base-<pid>-<writer hex>-<id>`. */
export function tmpBaseName(pid: number, writer: number, id: number): string {
  return `${TMP_PREFIX}base-${pid}-${writer.toString(16)}-${id}`;
}

/** The lock of a structural step: proper-lockfile's directory is `<name>.lock`. */
export const COMPACT_LOCK = 'compact';
/** Held by the one background compactor that keeps the shard read and caught up between compactions (warm-shards.ts). */
export const WARM_LOCK = 'warm';
export const LOCK_DIR_SUFFIX = '.lock';

/** Names the lock's holder: its pid, once it holds the lock. */
export function lockOwnerName(lock: string): string {
  return `${lock}.owner`;
}

/** Prefix of `<lock>.want-<pid>`: a process about to take the lock (read while it holds none yet). */
export function lockIntentPrefix(lock: string): string {
  return `${lock}.want-`;
}

/** `<lock>.want-<pid>`. */
export function lockIntentName(lock: string, pid: number): string {
  return `${lockIntentPrefix(lock)}${pid}`;
}

/** Files of the engine itself in a shard directory, never "unknown" to check(). */
export function isEngineFile(name: string): boolean {
  return parseLogFileName(name) !== null || name === ACCESS_FILE || name.startsWith(TMP_PREFIX) || name.endsWith(LOCK_DIR_SUFFIX)
    || /\.(owner|want-\d+)$/.test(name);
}

/** The pid that wrote a temporary file (`.tmp-<pid>-…`, `.tmp-base-<pid>-…`) or lock intent (`<lock>.want-<pid>`), else null. */
export function writerPidOf(name: string): number | null {
  const m = /^\.tmp-(?:base-)?(\d+)-|\.want-(\d+)$/.exec(name);
  return m ? Number(m[1] ?? m[2]) : null;
}

/** The file-system calls logFilesBytes needs (node:fs, or a Cache's `fs` layer). */
interface DirReader {
  readdirSync(dir: string): string[];
  statSync(file: string): { size: number };
}

/**
 * Bytes the log files (segments and bases) in `dir` take on disk now; 0 for a directory that holds none or
 * cannot be read. A file removed while it is counted (by a compaction) counts 0.
 */
export function logFilesBytes(fs: DirReader, dir: string): number {
  let names: string[];
  try { names = fs.readdirSync(dir); } catch { return 0; }
  let total = 0;
  for (const name of names) {
    if (parseLogFileName(name) === null) continue;
    try { total += fs.statSync(`${dir}/${name}`).size; } catch { /* removed meanwhile */ }
  }
  return total;
}

/** Whether `dir` holds a log file (is a shard's directory). */
export function hasLogFiles(fs: Pick<DirReader, 'readdirSync'>, dir: string): boolean {
  try { return fs.readdirSync(dir).some((n) => parseLogFileName(n) !== null); } catch { return false; }
}
