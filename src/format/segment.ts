/**
 * Segment and base files (docs/format.md, "Files"; their names are in files.ts). Every file of a shard's log starts
 * with a 16-byte header:
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
const MAGIC_BYTES = 8;
const VERSION_BYTES = 2;
const KIND_BYTES = 2;
const ID_BYTES = 4;
const VERSION_AT = MAGIC_BYTES;
const KIND_AT = VERSION_AT + VERSION_BYTES;
const ID_AT = KIND_AT + KIND_BYTES;
export const FILE_HEADER_BYTES = MAGIC_BYTES + VERSION_BYTES + KIND_BYTES + ID_BYTES;

export function fileHeader(kind: number, id: number): Buffer {
  const buf = Buffer.alloc(FILE_HEADER_BYTES);
  FILE_MAGIC.copy(buf, 0);
  buf.writeUInt16LE(FORMAT_VERSION, VERSION_AT);
  buf.writeUInt16LE(kind, KIND_AT);
  buf.writeUInt32LE(id, ID_AT);
  return buf;
}

/** Checks a file header; returns a reason when it is not one of ours, else null. */
export function checkFileHeader(buf: Buffer, kind: number, id: number): string | null {
  if (buf.length < FILE_HEADER_BYTES) return 'short header';
  if (!buf.subarray(0, MAGIC_BYTES).equals(FILE_MAGIC)) return 'bad magic';
  const version = buf.readUInt16LE(VERSION_AT);
  if (version !== FORMAT_VERSION) return `unsupported format version ${version}`;
  if (buf.readUInt16LE(KIND_AT) !== kind) return 'wrong file kind';
  if (buf.readUInt32LE(ID_AT) !== id) return 'id does not match file name';
  return null;
}
