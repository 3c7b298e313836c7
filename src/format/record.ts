/**
 * Records: the body of a frame (docs/format.md, "Records"). One layout serves every op:
 *
 *   writer u32 | seq u32 | time f64 | num1 f64 | num2 f64 | flags u16 | mode u8 |
 *   keyLength u32 | tagLength u32 | valueLength u32 | key | tag | value             (little-endian)
 *
 * `writer`+`seq` name the handle that wrote the record, so a writer finds its own command when it replays the log.
 * `time` is the command's "now" (epoch seconds): every process judges expiry at replay with it, so a conditional
 * command has one outcome everywhere. What num1, num2, flags, mode and the three byte fields mean depends on op.
 */
import { FRAME_HEADER_BYTES, FrameSalt, PLAIN_SALT, sealFrame, startFrame } from './frame.js';
import { copyBytes } from './bytes.js';

export const OP_SET = 1; // key, tag, value; num1 expireTime (HAS_EXPIRE), num2 file size
export const OP_ADD = 2; // as SET, applied only when the key is absent or expired at `time`
export const OP_DELETE = 3; // key; removes a live item
export const OP_DELV = 4; // value = list of (key, version) (encodeTxnValue, no commands): removes each item still at that version
export const OP_INCR = 5; // key; num1 delta, num2 default (DEFAULT_NULL: none)
export const OP_TOUCH = 6; // key; num1 expireTime (HAS_EXPIRE)
export const OP_CLEAR = 7; // removes every item
export const OP_PUSH = 8; // key = prefix (HAS_PREFIX), value, tag; SIDE_FRONT; the key is chosen at replay
export const OP_TXN = 9; // value = nested commands (see encodeTxnValue): commits the writer's open transaction
export const OP_SETTING = 10; // key = setting name (UTF-8), value = JSON (UTF-8)
export const OP_SEAL = 11; // num1 reason, num2 base id: records after a seal in the same segment are void
export const OP_ENTRY = 12; // compacted item (base files): time storeTime, num1 expire, num2 file size, value = meta + value (base.ts)
export const OP_BASE = 13; // last record of a base: num1 sequence, num2 rowid counter, value = the trailer (base.ts)
export const OP_BEGIN = 14; // num1 pid, num2 lease deadline (epoch s), value = owner identity [+ group id]: opens a transaction window; other writers' records inside it are void
export const OP_ABORT = 15; // num1 the window owner's writer id: closes its window with nothing applied
export const OP_LEASE = 16; // num1 new lease deadline (epoch seconds): the window's owner renews its lease
export const OP_ITEM = 17; // compacted item (bases of version 3): its own compact body, not this layout (base.ts)
export const OP_TOMB = 18; // (chain links, version 4) key: the item is gone as of this base's seal (base.ts, "Chains")
export const OP_CHAIN = 19; // (chain links, version 4, first record) value = the earlier bases this one builds on (base.ts)

/** A base's item (ITEM, or ENTRY in older bases). */
export const isBaseItem = (op: number): boolean => op === OP_ITEM || op === OP_ENTRY;
/** Records only a base holds: its items and its trailer (malformed in a segment, or nested in a TXN). */
export const baseOnly = (op: number): boolean => isBaseItem(op) || op === OP_BASE || op === OP_TOMB || op === OP_CHAIN;

export const FLAG_HAS_EXPIRE = 1;
export const FLAG_DEFAULT_NULL = 2;
export const FLAG_SIDE_FRONT = 4;
export const FLAG_HAS_PREFIX = 8;
/** Reserved: no writer sets it and readers ignore it (docs/format.md). */
export const FLAG_SCAN = 16;
export const FLAG_HAS_TAG = 32;
/** The value field holds a value file's name (UTF-8); num2 is the file's size in bytes. */
export const FLAG_FILE = 64;

export const SEAL_ROLLOVER = 1;
export const SEAL_COMPACTION_START = 2;
export const SEAL_COMPACTION_DONE = 3;

const WRITER = 0;
const SEQ = WRITER + 4;
const TIME = SEQ + 4;
const NUM1 = TIME + 8;
const NUM2 = NUM1 + 8;
const FLAGS = NUM2 + 8;
const MODE = FLAGS + 2;
const KEY_LEN = MODE + 1;
const TAG_LEN = KEY_LEN + 4;
const VAL_LEN = TAG_LEN + 4;
export const RECORD_FIXED_BYTES = VAL_LEN + 4;

const EMPTY = Buffer.alloc(0);
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

export interface RecordInput {
  writer: number;
  seq: number;
  time: number;
  num1?: number;
  num2?: number;
  flags?: number;
  mode?: number;
  key?: Uint8Array;
  tag?: Uint8Array | null;
  /** The value, possibly in parts (written one after the other, no concatenation). */
  value?: Uint8Array | readonly Uint8Array[] | null;
}

/** The fixed fields of a record (what RECORD_FIXED_BYTES holds besides the three lengths). */
export type RecordFields = Pick<RecordInput, 'writer' | 'seq' | 'time' | 'num1' | 'num2' | 'flags' | 'mode'>;

/** Length of a record's value field (the sum of its parts). */
function valueLength(value: RecordInput['value']): number {
  if (!value) return 0;
  if (value instanceof Uint8Array) return value.length;
  let v = 0;
  for (const part of value) v += part.length;
  return v;
}

/** Body length of a record with these byte fields. */
function bodyLength(r: RecordInput): number {
  return RECORD_FIXED_BYTES + (r.key?.length ?? 0) + (r.tag?.length ?? 0) + valueLength(r.value);
}

/** Bytes of the whole frame (header + body) encodeRecord makes of `r`. */
export function recordFrameBytes(r: RecordInput): number {
  return FRAME_HEADER_BYTES + bodyLength(r);
}

/**
 * Writes the fixed part of a record body at `at` (through `dv`, a view of the whole buffer), for byte fields of
 * the given lengths; returns the offset of the key, where the key, tag and value bytes follow one another.
 */
export function writeRecordFields(dv: DataView, at: number, r: RecordFields, writer: number, seq: number, keyLength: number, tagLength: number, valueLength: number): number {
  dv.setUint32(at + WRITER, writer >>> 0, true);
  dv.setUint32(at + SEQ, seq >>> 0, true);
  dv.setFloat64(at + TIME, r.time, true);
  dv.setFloat64(at + NUM1, r.num1 ?? 0, true);
  dv.setFloat64(at + NUM2, r.num2 ?? 0, true);
  dv.setUint16(at + FLAGS, r.flags ?? 0, true);
  dv.setUint8(at + MODE, r.mode ?? 0);
  dv.setUint32(at + KEY_LEN, keyLength, true);
  dv.setUint32(at + TAG_LEN, tagLength, true);
  dv.setUint32(at + VAL_LEN, valueLength, true);
  return at + RECORD_FIXED_BYTES;
}

/** Writes the record body at `at` in `buf` (`writer` and `seq` in place of the input's); returns the offset after it. */
export function writeRecordBody(buf: Buffer, at: number, r: RecordInput, writer = r.writer, seq = r.seq): number {
  const key = r.key ?? EMPTY;
  const tag = r.tag ?? EMPTY;
  // A DataView's setters are inlined by V8; Buffer's writeDoubleLE and friends are not.
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  let p = writeRecordFields(dv, at, r, writer, seq, key.length, tag.length, valueLength(r.value));
  p = copyBytes(buf, p, key);
  p = copyBytes(buf, p, tag);
  if (r.value) {
    if (r.value instanceof Uint8Array) p = copyBytes(buf, p, r.value);
    else for (const part of r.value) p = copyBytes(buf, p, part);
  }
  return p;
}

/**
 * Encodes a whole frame (header + record body) at `at` in `buf`, which has recordFrameBytes(r) bytes of room there,
 * salted with `salt` (the file's it goes to); returns the offset after it. `writer` and `seq`, when given, override
 * the input's (so a caller need not copy the input object to stamp them).
 */
export function encodeRecordInto(buf: Buffer, at: number, op: number, r: RecordInput, writer = r.writer, seq = r.seq, salt: FrameSalt = PLAIN_SALT): number {
  const end = writeRecordBody(buf, at + FRAME_HEADER_BYTES, r, writer, seq);
  sealFrame(startFrame(buf, at, op, end - at - FRAME_HEADER_BYTES, salt), at, salt);
  return end;
}

/** Encodes a whole frame (header + record body) ready for one append (PLAIN_SALT: segments.ts salts it for its file). */
export function encodeRecord(op: number, r: RecordInput, writer = r.writer, seq = r.seq): Buffer {
  const buf = Buffer.allocUnsafe(recordFrameBytes(r));
  encodeRecordInto(buf, 0, op, r, writer, seq);
  return buf;
}

/** Field offsets of a record body inside a buffer; reused to avoid an allocation per record. */
export interface RecordView {
  buf: Buffer;
  /** A DataView of `buf` (its getters are inlined by V8; Buffer's readDoubleLE is not), kept while buf stays. */
  dv: DataView;
  op: number;
  writer: number;
  seq: number;
  time: number;
  num1: number;
  num2: number;
  flags: number;
  mode: number;
  keyStart: number;
  keyLength: number;
  tagStart: number;
  tagLength: number;
  valueStart: number;
  valueLength: number;
}

export function newRecordView(): RecordView {
  return {
    buf: EMPTY, dv: EMPTY_VIEW, op: 0, writer: 0, seq: 0, time: 0, num1: 0, num2: 0, flags: 0, mode: 0,
    keyStart: 0, keyLength: 0, tagStart: 0, tagLength: 0, valueStart: 0, valueLength: 0,
  };
}

/** Drops the view's hold on its buffer (a large read buffer must not stay alive through it). */
export function releaseRecordView(out: RecordView): void {
  out.buf = EMPTY;
  out.dv = EMPTY_VIEW;
}

/**
 * Decodes the record body at `buf[body, body+length)`. Returns false when the lengths inside do not add up (a
 * frame whose CRC matched but whose body is not a record: treated as corruption by the caller).
 */
export function readRecord(buf: Buffer, op: number, body: number, length: number, out: RecordView): boolean {
  if (length < RECORD_FIXED_BYTES) return false;
  if (out.buf !== buf) {
    out.buf = buf;
    out.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  const dv = out.dv;
  out.op = op;
  out.writer = dv.getUint32(body + WRITER, true);
  out.seq = dv.getUint32(body + SEQ, true);
  out.time = dv.getFloat64(body + TIME, true);
  out.num1 = dv.getFloat64(body + NUM1, true);
  out.num2 = dv.getFloat64(body + NUM2, true);
  out.flags = dv.getUint16(body + FLAGS, true);
  out.mode = buf[body + MODE];
  out.keyLength = dv.getUint32(body + KEY_LEN, true);
  out.tagLength = dv.getUint32(body + TAG_LEN, true);
  out.valueLength = dv.getUint32(body + VAL_LEN, true);
  out.keyStart = body + RECORD_FIXED_BYTES;
  out.tagStart = out.keyStart + out.keyLength;
  out.valueStart = out.tagStart + out.tagLength;
  return out.valueStart + out.valueLength === body + length;
}

// ---- transactions ---------------------------------------------------------------------------------------------
// TXN value: readCount u32 | (keyLength u32 | key | version f64)* | opCount u32 | (op u8 | bodyLength u32 | body)*
// Nested bodies use the record layout above (their writer/seq are the TXN's).

export interface TxnRead {
  key: Uint8Array;
  version: number;
}
export interface TxnOp {
  op: number;
  record: RecordInput;
}

export function encodeTxnValue(reads: readonly TxnRead[], ops: readonly TxnOp[]): Buffer {
  let size = 4 + 4;
  for (const r of reads) size += 4 + r.key.length + 8;
  for (const o of ops) size += 1 + 4 + bodyLength(o.record);
  const buf = Buffer.allocUnsafe(size);
  let p = 0;
  buf.writeUInt32LE(reads.length, p);
  p += 4;
  for (const r of reads) {
    buf.writeUInt32LE(r.key.length, p);
    buf.set(r.key, p + 4);
    p += 4 + r.key.length;
    buf.writeDoubleLE(r.version, p);
    p += 8;
  }
  buf.writeUInt32LE(ops.length, p);
  p += 4;
  for (const o of ops) {
    buf[p] = o.op;
    const start = p + 5;
    const end = writeRecordBody(buf, start, o.record);
    buf.writeUInt32LE(end - start, p + 1);
    p = end;
  }
  return buf;
}

/** Walks a TXN value: calls `onRead` per read, then `onOp` per nested command. Returns false if malformed. */
export function walkTxnValue(
  buf: Buffer,
  start: number,
  length: number,
  onRead: (keyStart: number, keyLength: number, version: number) => void,
  onOp: (op: number, body: number, bodyLength: number) => void,
): boolean {
  const end = start + length;
  let p = start;
  if (p + 4 > end) return false;
  const reads = buf.readUInt32LE(p);
  p += 4;
  for (let i = 0; i < reads; i++) {
    if (p + 4 > end) return false;
    const kl = buf.readUInt32LE(p);
    if (p + 4 + kl + 8 > end) return false;
    onRead(p + 4, kl, buf.readDoubleLE(p + 4 + kl));
    p += 4 + kl + 8;
  }
  if (p + 4 > end) return false;
  const ops = buf.readUInt32LE(p);
  p += 4;
  for (let i = 0; i < ops; i++) {
    if (p + 5 > end) return false;
    const op = buf[p];
    const bl = buf.readUInt32LE(p + 1);
    if (p + 5 + bl > end) return false;
    onOp(op, p + 5, bl);
    p += 5 + bl;
  }
  return p === end;
}
