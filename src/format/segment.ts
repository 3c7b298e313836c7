/**
 * Segment and base files (docs/format.md, "Files"; their names are in files.ts). Every file of a shard's log starts
 * with a header:
 *
 *   format 2, 3:  magic "LOGCACHE" (8) | version u16 | kind u16 | id u32 | frame magic u32 | crc mask u32   = 24 bytes
 *   format 1:     magic "LOGCACHE" (8) | version u16 (=1) | kind u16 | id u32                               = 16 bytes
 *
 * then frames (little-endian). `NNNNNNNNNN.log` (kind 1) are the append-only segments, in id order;
 * `NNNNNNNNNN.base` (kind 2) is the compacted state as of the seal of segment NNNNNNNNNN. Files appear whole:
 * written under a temporary name and linked into place, so a reader never sees a header half-written. A format-2
 * file's salt (frame magic and crc mask, see frame.ts) is drawn at random when the file is made and exists nowhere
 * else. Format-1 files are still read (their frames use PLAIN_SALT). Format 3 added the ITEM record (base.ts): new
 * bases are format 3; new segments are still format 2, whose layout format 3 did not change (so a format-2 reader
 * keeps reading them, and stops with NewerFormatError at a format-3 base).
 */
import { randomBytes } from '../builtin.js';
import { FrameSalt, PLAIN_SALT } from './frame.js';
import { NewerFormatError } from '../errors.js';

export const FILE_MAGIC = Buffer.from('LOGCACHE', 'latin1');
/** The newest version read: chain links (bases that build on earlier ones) are written in it. */
export const FORMAT_VERSION = 4;
/** The version a whole base (one that builds on no other) is written in: a release that reads version 3 reads it. */
export const WHOLE_BASE_FORMAT_VERSION = 3;
/** The first version whose bases may be chain links (CHAIN and TOMB records: format.md, "Chains"). */
export const CHAIN_FORMAT_VERSION = 4;
/** The version new segments are written in (format 3 changed only bases). */
export const SEGMENT_FORMAT_VERSION = 2;
/** The first version whose bases hold ITEM records (format.md, "Bases"). */
export const ITEM_FORMAT_VERSION = 3;
/** The oldest version still read. */
export const FORMAT_VERSION_MIN = 1;
export const KIND_SEGMENT = 1;
export const KIND_BASE = 2;
const MAGIC_BYTES = 8;
const VERSION_BYTES = 2;
const KIND_BYTES = 2;
const ID_BYTES = 4;
const SALT_MAGIC_BYTES = 4;
const SALT_MASK_BYTES = 4;
const VERSION_AT = MAGIC_BYTES;
const KIND_AT = VERSION_AT + VERSION_BYTES;
const ID_AT = KIND_AT + KIND_BYTES;
const SALT_MAGIC_AT = ID_AT + ID_BYTES;
const SALT_MASK_AT = SALT_MAGIC_AT + SALT_MAGIC_BYTES;
/** Header bytes of a format-1 file: the least a header can be. */
export const FILE_HEADER_V1_BYTES = MAGIC_BYTES + VERSION_BYTES + KIND_BYTES + ID_BYTES;
/** Header bytes of a format-2 file (the salt follows the format-1 fields): what a reader reads first. */
export const FILE_HEADER_BYTES = FILE_HEADER_V1_BYTES + SALT_MAGIC_BYTES + SALT_MASK_BYTES;

/** A fresh random salt for a new file: a frame magic that no zeroed or filled region can look like, and a mask. */
export function newSalt(): FrameSalt {
  for (;;) {
    const b = randomBytes(SALT_MAGIC_BYTES + SALT_MASK_BYTES);
    // Not a byte a zeroed region is full of (a reader scans for the first byte when it resynchronises), nor four
    // equal bytes.
    if (b[0] === 0 || (b[0] === b[1] && b[1] === b[2] && b[2] === b[3])) continue;
    return { magic: b.readUInt32LE(0), mask: b.readUInt32LE(SALT_MAGIC_BYTES) };
  }
}

/** The header of a new file (a whole base in WHOLE_BASE_FORMAT_VERSION, a chain link in CHAIN_FORMAT_VERSION, a
 * segment in SEGMENT_FORMAT_VERSION). */
export function fileHeader(kind: number, id: number, salt: FrameSalt, chainLink = false): Buffer {
  const buf = Buffer.alloc(FILE_HEADER_BYTES);
  FILE_MAGIC.copy(buf, 0);
  buf.writeUInt16LE(kind !== KIND_BASE ? SEGMENT_FORMAT_VERSION : chainLink ? CHAIN_FORMAT_VERSION : WHOLE_BASE_FORMAT_VERSION, VERSION_AT);
  buf.writeUInt16LE(kind, KIND_AT);
  buf.writeUInt32LE(id, ID_AT);
  buf.writeUInt32LE(salt.magic >>> 0, SALT_MAGIC_AT);
  buf.writeUInt32LE(salt.mask >>> 0, SALT_MASK_AT);
  return buf;
}

/** What a valid header says: its version, where the frames start, and the salt they carry. */
export interface FileHeader {
  version: number;
  /** Offset of the first frame (the header's length). */
  start: number;
  salt: FrameSalt;
}

/**
 * Reads a file header from the first bytes of file `name` (`buf`: FILE_HEADER_BYTES of them, or fewer when the file
 * is shorter). Returns the header, or a reason when it is not one of ours (or not this file's). NewerFormatError when
 * a newer logcache wrote it: not damage (format.md, "Newer versions").
 */
export function parseFileHeader(buf: Buffer, kind: number, id: number, name: string): FileHeader | string {
  // Judged from the magic and the version alone: past them, a newer format's header may hold anything.
  const ours = buf.length >= VERSION_AT + VERSION_BYTES && buf.subarray(0, MAGIC_BYTES).equals(FILE_MAGIC);
  const version = ours ? buf.readUInt16LE(VERSION_AT) : 0;
  // The newest version of this kind: no release wrote a segment in version 3 (format 3 changed bases only), so one
  // that says so comes from a newer release (or a flipped bit, which a header without a checksum cannot tell apart).
  const newest = kind === KIND_BASE ? FORMAT_VERSION : SEGMENT_FORMAT_VERSION;
  if (version > newest) throw new NewerFormatError(name, version, newest);
  if (buf.length < FILE_HEADER_V1_BYTES) return 'short header';
  if (!ours) return 'bad magic';
  if (version < FORMAT_VERSION_MIN) return `unsupported format version ${version}`;
  if (buf.readUInt16LE(KIND_AT) !== kind) return 'wrong file kind';
  if (buf.readUInt32LE(ID_AT) !== id) return 'id does not match file name';
  if (version === 1) return { version, start: FILE_HEADER_V1_BYTES, salt: PLAIN_SALT };
  if (buf.length < FILE_HEADER_BYTES) return 'short header';
  return { version, start: FILE_HEADER_BYTES, salt: saltAt(buf) };
}

function saltAt(buf: Buffer): FrameSalt {
  return { magic: buf.readUInt32LE(SALT_MAGIC_AT), mask: buf.readUInt32LE(SALT_MASK_AT) };
}

/** How to read on past a damaged header (reported): with the salt where formats 2 and 3 keep it, if there is room. */
export function damagedFileHeader(buf: Buffer): FileHeader {
  if (buf.length < FILE_HEADER_BYTES) return { version: 1, start: FILE_HEADER_V1_BYTES, salt: PLAIN_SALT };
  return { version: FORMAT_VERSION, start: FILE_HEADER_BYTES, salt: saltAt(buf) };
}
