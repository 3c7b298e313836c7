/**
 * What only a base holds (docs/format.md, "Bases"): each live item as an ITEM record (or, for an item whose numbers
 * an ITEM cannot hold, an ENTRY record whose value starts with the item's meta), and the BASE trailer record that
 * closes the file (a base without it is incomplete, never loaded).
 *
 *   ITEM body    := head u8 | keyLength v | [tagLength v] | slot v | rowid − slot v | version − rowid z |
 *                   storeTime f64 | [expireTime f64] | [file size v] | key | tag | value (to the body's end)
 *   ENTRY value  := rowid f64 | version f64 | slot u32 | the item's value bytes            meta = 20 bytes
 *   BASE value   := slotHighWater u32 | txnOwner u32 | txnPid u32 | txnLease f64 | window   = 20 bytes + window
 *
 * An ITEM's `head` holds the value's mode (low four bits) and which optional fields follow (HAS_EXPIRE, HAS_TAG,
 * FILE); `v` is an unsigned LEB128 varint (bytes.ts), `z` a signed one (zigzag: 2d for d ≥ 0, −2d − 1 below). An
 * item's rowid is above its slot (the lowest free slot at its insertion, below the count of insertions), and its
 * version near its rowid (records counted, against insertions; a transaction's commands share one version, so it
 * may be below): each is stored as the difference, in fewer bytes. An ENTRY is a record (record.ts) with the meta
 * prefix: 80 bytes of framing per item, against about 31 for an ITEM.
 *
 * `window` is the open window's owner identity and group id as its BEGIN stated them (src/shard/owner.ts,
 * group-commit.ts; empty when no window is open). A BASE value of 4 or 8 bytes (no window owner, no pid) reads those
 * fields as 0; one of 12 bytes has no lease (0: a reader gives the window a default lease from the base's time).
 * Slots and the high-water mark are below MAX_SLOTS (checked by the reader, state.ts).
 */
import { FLAG_FILE, FLAG_HAS_EXPIRE, FLAG_HAS_TAG, OP_ENTRY, OP_ITEM, RecordView, readRecord } from './record.js';
import { readVarint, varintBytes, writeVarint } from './bytes.js';

const ROWID = 0;
const VERSION = ROWID + 8;
const SLOT = VERSION + 8;
/** ENTRY value prefix: rowid f64 | version f64 | slot u32, then the item's value bytes. */
export const ENTRY_META_BYTES = SLOT + 4;

const HIGH_WATER = 0;
const TXN_OWNER = HIGH_WATER + 4;
const TXN_PID = TXN_OWNER + 4;
const TXN_LEASE = TXN_PID + 4;
const WINDOW = TXN_LEASE + 8;
export const BASE_TRAILER_BYTES = WINDOW;
/** The shortest BASE value a reader accepts (the high-water mark alone). */
export const BASE_TRAILER_MIN_BYTES = TXN_OWNER;

/**
 * Slots a shard may use (2^24: 16,777,216 items at once, ~1.8 GB of keydir per process at ~107 bytes a key; a
 * FanoutCache spreads more over its shards). A slot or high-water mark read from disk beyond it is damage: it would
 * size the keydir's arrays and the loop that rebuilds the free slots.
 */
export const MAX_SLOTS = 2 ** 24;

export interface EntryMeta {
  rowid: number;
  version: number;
  slot: number;
}

// ---- ITEM -------------------------------------------------------------------------------------------------------
const ITEM_MODE = 0x0f;
const ITEM_EXPIRE = 0x10;
const ITEM_TAG = 0x20;
const ITEM_FILE = 0x40;
/** Bytes of an ITEM's fixed fields: head and store time. */
const ITEM_FIXED_BYTES = 1 + 8;

const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;

/** Zigzag: a signed difference as an unsigned number (0, -1, 1, -2 … → 0, 1, 2, 3 …). */
const zigzag = (d: number) => (d >= 0 ? 2 * d : -2 * d - 1);
const unzigzag = (z: number) => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

/**
 * Whether an item's numbers fit an ITEM (else a base stores it as an ENTRY): a mode below 16, a slot below
 * MAX_SLOTS, slot ≤ rowid, and those, the version, the zigzag of version − rowid and the value file size
 * (`fileSize` < 0: none) non-negative safe integers.
 */
export function fitsItem(mode: number, slot: number, rowid: number, version: number, fileSize: number): boolean {
  return mode >= 0 && mode <= ITEM_MODE && slot < MAX_SLOTS && isCount(slot) && isCount(rowid) && isCount(version)
    && slot <= rowid && isCount(zigzag(version - rowid)) && (fileSize < 0 || isCount(fileSize));
}

/** Bytes of an ITEM body before its key (`tagLength` 0: no tag; `fileSize` < 0: no value file). */
export function itemHeadBytes(keyLength: number, tagLength: number, slot: number, rowid: number, version: number,
  hasExpire: boolean, fileSize: number): number {
  return ITEM_FIXED_BYTES + varintBytes(keyLength) + (tagLength > 0 ? varintBytes(tagLength) : 0) + varintBytes(slot)
    + varintBytes(rowid - slot) + varintBytes(zigzag(version - rowid)) + (hasExpire ? 8 : 0) + (fileSize >= 0 ? varintBytes(fileSize) : 0);
}

/**
 * Writes an ITEM body's fields before its key at `buf[at]` (`dv`: a view of the whole buffer), for numbers that
 * fitsItem accepts; `expire` NaN: none. Returns the offset of the key; the key, tag and value bytes follow.
 */
export function writeItemHead(buf: Uint8Array, dv: DataView, at: number, mode: number, keyLength: number, tagLength: number,
  slot: number, rowid: number, version: number, storeTime: number, expire: number, fileSize: number): number {
  const hasExpire = expire === expire;
  buf[at++] = mode | (hasExpire ? ITEM_EXPIRE : 0) | (tagLength > 0 ? ITEM_TAG : 0) | (fileSize >= 0 ? ITEM_FILE : 0);
  at = writeVarint(buf, at, keyLength);
  if (tagLength > 0) at = writeVarint(buf, at, tagLength);
  at = writeVarint(buf, at, slot);
  at = writeVarint(buf, at, rowid - slot);
  at = writeVarint(buf, at, zigzag(version - rowid));
  dv.setFloat64(at, storeTime, true);
  at += 8;
  if (hasExpire) {
    dv.setFloat64(at, expire, true);
    at += 8;
  }
  if (fileSize >= 0) at = writeVarint(buf, at, fileSize);
  return at;
}

/** The read position of readItem's varints (one object, no allocation per item). */
const cursor = { at: 0 };

/**
 * Decodes the ITEM body at `buf[body, body+length)` into `out` as the record it stands for (op ITEM, writer and seq
 * 0, time the store time, num1 the expire time, num2 the file size, the record flags) and `meta`. Returns false when
 * it is malformed: a varint that is not one, a reserved head bit, a slot at or over MAX_SLOTS, a rowid or version
 * that is no safe non-negative integer, or lengths that do not fit the body.
 */
export function readItem(buf: Buffer, body: number, length: number, out: RecordView, meta: EntryMeta): boolean {
  const end = body + length;
  if (length < ITEM_FIXED_BYTES) return false;
  const head = buf[body];
  if (head > (ITEM_MODE | ITEM_EXPIRE | ITEM_TAG | ITEM_FILE)) return false;
  cursor.at = body + 1;
  const keyLength = readVarint(buf, cursor, end);
  const tagLength = head & ITEM_TAG ? readVarint(buf, cursor, end) : 0;
  const slot = readVarint(buf, cursor, end);
  const rowidAfterSlot = readVarint(buf, cursor, end);
  const versionFromRowid = readVarint(buf, cursor, end);
  if (keyLength < 0 || tagLength < 0 || slot < 0 || slot >= MAX_SLOTS || rowidAfterSlot < 0 || versionFromRowid < 0) return false;
  const rowid = slot + rowidAfterSlot;
  const version = rowid + unzigzag(versionFromRowid);
  if (!isCount(rowid) || !isCount(version)) return false;
  let at = cursor.at;
  const numbers = 8 + (head & ITEM_EXPIRE ? 8 : 0);
  if (at + numbers > end) return false;
  if (out.buf !== buf) {
    out.buf = buf;
    out.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  out.time = out.dv.getFloat64(at, true);
  at += 8;
  out.num1 = head & ITEM_EXPIRE ? out.dv.getFloat64(at, true) : 0;
  if (head & ITEM_EXPIRE) at += 8;
  let fileSize = 0;
  if (head & ITEM_FILE) {
    cursor.at = at;
    fileSize = readVarint(buf, cursor, end);
    if (fileSize < 0) return false;
    at = cursor.at;
  }
  if (at + keyLength + tagLength > end) return false;
  out.op = OP_ITEM;
  out.writer = 0;
  out.seq = 0;
  out.num2 = fileSize;
  out.flags = (head & ITEM_EXPIRE ? FLAG_HAS_EXPIRE : 0) | (head & ITEM_TAG ? FLAG_HAS_TAG : 0) | (head & ITEM_FILE ? FLAG_FILE : 0);
  out.mode = head & ITEM_MODE;
  out.keyStart = at;
  out.keyLength = keyLength;
  out.tagStart = at + keyLength;
  out.tagLength = tagLength;
  out.valueStart = out.tagStart + tagLength;
  out.valueLength = end - out.valueStart;
  meta.rowid = rowid;
  meta.version = version;
  meta.slot = slot;
  return true;
}

/**
 * Decodes a base's item, an ITEM or an ENTRY frame body (`op`), into `out` (the value fields: the item's value
 * bytes, past an ENTRY's meta) and `meta`. Returns false when it is malformed.
 */
export function readBaseItem(buf: Buffer, op: number, body: number, length: number, out: RecordView, meta: EntryMeta): boolean {
  if (op === OP_ITEM) return readItem(buf, body, length, out, meta);
  if (op !== OP_ENTRY || !readRecord(buf, op, body, length, out) || out.valueLength < ENTRY_META_BYTES) return false;
  readEntryMeta(buf, out.valueStart, meta);
  if (meta.slot >= MAX_SLOTS) return false;
  out.valueStart += ENTRY_META_BYTES;
  out.valueLength -= ENTRY_META_BYTES;
  return true;
}

/** Writes an ENTRY value's meta prefix at `buf[at]` (through `dv`, a view of the whole buffer); returns the offset
 * after it, where the item's value bytes go. */
export function writeEntryMeta(dv: DataView, at: number, rowid: number, version: number, slot: number): number {
  dv.setFloat64(at + ROWID, rowid, true);
  dv.setFloat64(at + VERSION, version, true);
  dv.setUint32(at + SLOT, slot, true);
  return at + ENTRY_META_BYTES;
}

/** Reads the meta prefix of an ENTRY value at `buf[at]` (the caller checked it has ENTRY_META_BYTES) into `out`. */
function readEntryMeta(buf: Buffer, at: number, out: EntryMeta): EntryMeta {
  out.rowid = buf.readDoubleLE(at + ROWID);
  out.version = buf.readDoubleLE(at + VERSION);
  out.slot = buf.readUInt32LE(at + SLOT);
  return out;
}

export interface BaseTrailer {
  highWater: number;
  txnOwner: number;
  txnPid: number;
  /** Lease deadline of the open window (epoch seconds), 0 when none is stated. */
  txnLease: number;
  /** The open window's owner identity and group id bytes (empty when none). */
  window: Buffer;
}

/** The BASE record's value. */
export function encodeBaseTrailer(t: BaseTrailer): Buffer {
  const b = Buffer.allocUnsafe(BASE_TRAILER_BYTES + t.window.length);
  b.writeUInt32LE(t.highWater, HIGH_WATER);
  b.writeUInt32LE(t.txnOwner, TXN_OWNER);
  b.writeUInt32LE(t.txnPid, TXN_PID);
  b.writeDoubleLE(t.txnLease, TXN_LEASE);
  t.window.copy(b, WINDOW);
  return b;
}

/** Reads a BASE value of `length` bytes at `buf[at]`; null when it is shorter than BASE_TRAILER_MIN_BYTES. */
export function readBaseTrailer(buf: Buffer, at: number, length: number): BaseTrailer | null {
  if (length < BASE_TRAILER_MIN_BYTES) return null;
  return {
    highWater: buf.readUInt32LE(at + HIGH_WATER),
    txnOwner: length >= TXN_OWNER + 4 ? buf.readUInt32LE(at + TXN_OWNER) : 0,
    txnPid: length >= TXN_PID + 4 ? buf.readUInt32LE(at + TXN_PID) : 0,
    txnLease: length >= WINDOW ? buf.readDoubleLE(at + TXN_LEASE) : 0,
    window: length > WINDOW ? Buffer.from(buf.subarray(at + WINDOW, at + length)) : Buffer.alloc(0),
  };
}

// ---- Chains (version 4) -----------------------------------------------------------------------------------------
/**
 * A chain link (a base of version 4) holds the items that changed since the bases it builds on, not every item:
 *
 *   CHAIN value := count u32 | id u32 × count      the earlier bases, oldest first (first record of the file)
 *   TOMB        := a record (record.ts) with the key alone: the item is gone as of this base's seal
 *
 * A load applies the bases of the newest link's CHAIN in order, then the link: an item of a later base replaces the
 * same key's item of an earlier one (and takes its slot from any item left there by an earlier base: that item is
 * stale), a TOMB removes the key's item of an earlier base. No base, more than MAX_CHAIN, ids not strictly ascending, or
 * one not below the link's own id is damage: the link is not loaded.
 */
export const MAX_CHAIN = 256;

/** A CHAIN record's value. */
export function encodeChain(ids: readonly number[]): Buffer {
  const b = Buffer.allocUnsafe(4 + 4 * ids.length);
  b.writeUInt32LE(ids.length, 0);
  ids.forEach((id, i) => b.writeUInt32LE(id, 4 + 4 * i));
  return b;
}

/** Reads a CHAIN value of `length` bytes at `buf[at]` for base `self`: its ids, or null when it is not a valid one. */
export function readChain(buf: Buffer, at: number, length: number, self: number): number[] | null {
  if (length < 4) return null;
  const count = buf.readUInt32LE(at);
  // (A link always builds on at least one base: one that names none would load alone, its earlier bases unread.)
  if (count === 0 || count > MAX_CHAIN || length !== 4 + 4 * count) return null;
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const id = buf.readUInt32LE(at + 4 + 4 * i);
    if (id === 0 || id >= self || (i > 0 && id <= ids[i - 1]!)) return null;
    ids.push(id);
  }
  return ids;
}
