/**
 * Segment and base files (docs/format.md, "Files"). Every file of a shard's log starts with a 16-byte header:
 *
 *   magic "LOGCACHE" (8) | version u16 | kind u16 | id u32          (little-endian)
 *
 * then frames. `NNNNNNNNNN.log` (kind 1) are the append-only segments, in id order; `NNNNNNNNNN.base` (kind 2) is
 * the compacted state as of the seal of segment NNNNNNNNNN. Files appear whole: written under a temporary name and
 * linked into place, so a reader never sees a header half-written.
 */
export const FILE_MAGIC = Buffer.from('LOGCACHE', 'latin1');
export const FORMAT_VERSION = 1;
export const KIND_SEGMENT = 1;
export const KIND_BASE = 2;
export const FILE_HEADER_BYTES = 8 + 2 + 2 + 4;

const ID_DIGITS = 10;
const NAME_RE = /^(\d{10})\.(log|base)$/;

export function segmentName(id: number): string {
  return String(id).padStart(ID_DIGITS, '0') + '.log';
}
export function baseName(id: number): string {
  return String(id).padStart(ID_DIGITS, '0') + '.base';
}

/** Parses a log file name: `{ id, kind }`, or null for any other file. */
export function parseLogFileName(name: string): { id: number; kind: number } | null {
  const m = NAME_RE.exec(name);
  if (!m) return null;
  return { id: Number(m[1]), kind: m[2] === 'log' ? KIND_SEGMENT : KIND_BASE };
}

export function fileHeader(kind: number, id: number): Buffer {
  const buf = Buffer.alloc(FILE_HEADER_BYTES);
  FILE_MAGIC.copy(buf, 0);
  buf.writeUInt16LE(FORMAT_VERSION, 8);
  buf.writeUInt16LE(kind, 10);
  buf.writeUInt32LE(id, 12);
  return buf;
}

/** Checks a file header; returns a reason when it is not one of ours, else null. */
export function checkFileHeader(buf: Buffer, kind: number, id: number): string | null {
  if (buf.length < FILE_HEADER_BYTES) return 'short header';
  if (!buf.subarray(0, 8).equals(FILE_MAGIC)) return 'bad magic';
  const version = buf.readUInt16LE(8);
  if (version !== FORMAT_VERSION) return `unsupported format version ${version}`;
  if (buf.readUInt16LE(10) !== kind) return 'wrong file kind';
  if (buf.readUInt32LE(12) !== id) return 'id does not match file name';
  return null;
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
