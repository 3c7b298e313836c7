/**
 * What only a base holds (docs/format.md, "Bases"): each live item as an ENTRY record whose value starts with the
 * item's meta, and the BASE trailer record that closes the file (a base without it is incomplete, never loaded).
 *
 *   ENTRY value  := rowid f64 | version f64 | slot u32 | the item's value bytes            meta = 20 bytes
 *   BASE value   := slotHighWater u32 | txnOwner u32 | txnPid u32 | txnLease f64 | window   = 20 bytes + window
 *
 * `window` is the open window's owner identity and group id as its BEGIN stated them (src/shard/owner.ts,
 * group-commit.ts; empty when no window is open). A BASE value of 4 or 8 bytes (no window owner, no pid) reads those
 * fields as 0; one of 12 bytes has no lease (0: a reader gives the window a default lease from the base's time).
 * Slots and the high-water mark are below MAX_SLOTS (checked by the reader, state.ts).
 */
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

/** Writes an ENTRY value's meta prefix at `buf[at]` (through `dv`, a view of the whole buffer); returns the offset
 * after it, where the item's value bytes go. */
export function writeEntryMeta(dv: DataView, at: number, rowid: number, version: number, slot: number): number {
  dv.setFloat64(at + ROWID, rowid, true);
  dv.setFloat64(at + VERSION, version, true);
  dv.setUint32(at + SLOT, slot, true);
  return at + ENTRY_META_BYTES;
}

/** Reads the meta prefix of an ENTRY value at `buf[at]` (the caller checked it has ENTRY_META_BYTES) into `out`. */
export function readEntryMeta(buf: Buffer, at: number, out: EntryMeta): EntryMeta {
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
