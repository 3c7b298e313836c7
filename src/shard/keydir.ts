/**
 * The keydir: an in-memory index from key id to slot, with the item's metadata in parallel typed arrays
 * (Bitcask's keydir, laid out as lru-cache lays out its entries). A slot's number is the same in every process
 * (lowest free slot first, derived only from the log), so the access sidecar can be addressed by slot.
 *
 * Two doubly linked lists thread the live slots: insertion order (diskcache's rowid order: iteration, peekitem)
 * and store order (least-recently-stored eviction). Rare fields (tags, value files, numbers) live in sparse maps.
 */
import { NumberHeap, PairHeap } from './heap.js';
import { KeyTable } from './key-table.js';
import { resized } from './slot-arrays.js';

export const NIL = -1;
/** Expiry of an item that never expires. */
export const NEVER = Infinity;

export interface ValueFile {
  name: string;
  size: number;
}

export class KeyDir {
  /** Encoded key bytes → slot. */
  readonly keys = new KeyTable();
  capacity = 0;
  /** One past the highest slot ever used: with the free heap, it fixes future slot numbers. */
  highWater = 0;
  readonly free = new NumberHeap();

  // Where the item's value lies: the frame (file number local to this process, offset, length) and the value
  // bytes inside it, so a read verifies the frame's CRC and slices the value.
  file = new Uint32Array(0);
  offset = new Float64Array(0);
  frameLength = new Uint32Array(0);
  valueOffset = new Uint32Array(0);
  valueLength = new Uint32Array(0);
  mode = new Uint8Array(0);
  expire = new Float64Array(0);
  storeTime = new Float64Array(0);
  rowid = new Float64Array(0);
  version = new Float64Array(0);
  insPrev = new Int32Array(0);
  insNext = new Int32Array(0);
  stoPrev = new Int32Array(0);
  stoNext = new Int32Array(0);
  insHead = NIL;
  insTail = NIL;
  stoHead = NIL;
  stoTail = NIL;

  readonly tags = new Map<number, string>();
  readonly files = new Map<number, ValueFile>();
  /** Values of MODE_RAW_NUMBER items: kept in memory so incr and get need no read. */
  readonly numbers = new Map<number, number>();
  /** Bytes an item counts for when its value lives inside a larger frame (a command of a TXN): its own record's
   * size, not the whole frame's (else every item of a transaction counts the whole transaction). */
  readonly itemBytes = new Map<number, number>();

  /** Bytes of the frames live items point into (what compaction keeps). */
  liveFrameBytes = 0;
  /** Bytes of live items' value files. */
  liveFileBytes = 0;
  /** Items with a finite expiry. */
  expiring = 0;
  /** (expire time, slot) of items with a finite expiry, soonest first; stale entries are dropped when met. */
  readonly expiries = new PairHeap();

  get count(): number {
    return this.keys.count;
  }

  /** The slot of the encoded key `b[start, end)`, or NIL. */
  find(b: Uint8Array, start = 0, end = b.length): number {
    return this.keys.find(b, start, end);
  }

  /** Whether a live item holds `slot`. */
  has(slot: number): boolean {
    return this.keys.has(slot);
  }

  /** Expiry of a live slot (epoch seconds; NEVER when it does not expire). */
  expireOf(slot: number): number {
    return this.expire[slot];
  }

  /** Version of a live slot: the record count at its last change. */
  versionOf(slot: number): number {
    return this.version[slot];
  }

  /** Disk mode of a live slot's value. */
  modeOf(slot: number): number {
    return this.mode[slot];
  }

  /** A live MODE_RAW_NUMBER slot's number, else undefined. */
  numberOf(slot: number): number | undefined {
    return this.numbers.get(slot);
  }

  /** The value file of a live slot, else undefined. */
  valueFileOf(slot: number): ValueFile | undefined {
    return this.files.get(slot);
  }

  /** The tag (key id) of a live slot, else undefined. */
  tagOf(slot: number): string | undefined {
    return this.tags.get(slot);
  }

  /** The first (or, `last`, the last) live slot in insertion order, or NIL. */
  first(last = false): number {
    return last ? this.insTail : this.insHead;
  }

  /** Live slots whose tag is `tagId`. */
  tagged(tagId: string): number[] {
    const out: number[] = [];
    for (const [s, t] of this.tags) if (t === tagId) out.push(s);
    return out;
  }

  /** (slot, value file) of every live item with a value file. */
  valueFiles(): IterableIterator<[number, ValueFile]> {
    return this.files.entries();
  }

  /** A copy of the encoded key of a live slot. */
  keyBytes(slot: number): Buffer {
    return this.keys.bytes(slot);
  }

  clear(): void {
    this.keys.clear();
    this.capacity = 0;
    this.highWater = 0;
    this.free.clear();
    this.tags.clear();
    this.files.clear();
    this.numbers.clear();
    this.itemBytes.clear();
    this.insHead = this.insTail = this.stoHead = this.stoTail = NIL;
    this.liveFrameBytes = 0;
    this.liveFileBytes = 0;
    this.expiring = 0;
    this.expiries.clear();
    this.#grow(0, true);
  }

  #grow(min: number, reset = false): void {
    this.#resize(reset ? 1024 : Math.max(min + 1, this.capacity * 2, 1024), reset);
  }

  /**
   * After a load: shrinks the per-slot arrays to the slots in use plus an eighth, the key table to at most three
   * quarters full, and the key arena to its keys.
   * Growth by doubling leaves up to half of each unused, and a reopened cache may never grow again.
   */
  fit(): void {
    const cap = Math.max(1024, this.highWater + (this.highWater >>> 3));
    if (cap < this.capacity) this.#resize(cap, false);
    this.keys.fitTable();
    this.keys.trim();
  }

  /** Reallocates every per-slot array at `cap` slots, keeping the first `cap` (all below highWater) unless `reset`. */
  #resize(cap: number, reset: boolean): void {
    const keep = !reset;
    this.file = resized(this.file, cap, keep);
    this.offset = resized(this.offset, cap, keep);
    this.frameLength = resized(this.frameLength, cap, keep);
    this.valueOffset = resized(this.valueOffset, cap, keep);
    this.valueLength = resized(this.valueLength, cap, keep);
    this.mode = resized(this.mode, cap, keep);
    this.expire = resized(this.expire, cap, keep);
    this.storeTime = resized(this.storeTime, cap, keep);
    this.rowid = resized(this.rowid, cap, keep);
    this.version = resized(this.version, cap, keep);
    this.insPrev = resized(this.insPrev, cap, keep);
    this.insNext = resized(this.insNext, cap, keep);
    this.stoPrev = resized(this.stoPrev, cap, keep);
    this.stoNext = resized(this.stoNext, cap, keep);
    this.keys.resize(cap);
    this.capacity = cap;
  }

  /**
   * Allocates the lowest free slot (or `slot`, when loading a base) for the encoded key `b[start, end)` (absent:
   * the caller looked) and links it at both tails.
   */
  insert(b: Uint8Array, start: number, end: number, slot = -1): number {
    if (slot < 0) slot = this.free.size > 0 ? this.free.pop()! : this.highWater;
    if (slot >= this.highWater) this.highWater = slot + 1;
    if (slot >= this.capacity) this.#grow(slot);
    this.keys.add(slot, b, start, end);
    this.insNext[slot] = NIL;
    this.insPrev[slot] = this.insTail;
    if (this.insTail !== NIL) this.insNext[this.insTail] = slot;
    else this.insHead = slot;
    this.insTail = slot;
    this.stoNext[slot] = NIL;
    this.stoPrev[slot] = this.stoTail;
    if (this.stoTail !== NIL) this.stoNext[this.stoTail] = slot;
    else this.stoHead = slot;
    this.stoTail = slot;
    this.expire[slot] = NEVER;
    // Holds no bytes yet: the store that follows takes nothing away from the live totals.
    this.frameLength[slot] = 0;
    return slot;
  }

  /**
   * Points live `slot` (just inserted, or replaced) at its value's frame and takes the item's metadata. The live
   * byte totals lose what the slot held and gain what it holds now. Sparse fields: `undefined` clears them.
   */
  store(
    slot: number, file: number, offset: number, frameLength: number, valueOffset: number, valueLength: number, mode: number,
    storeTime: number, version: number, expire: number, tag: string | undefined, valueFile: ValueFile | undefined,
    number: number | undefined, itemBytes?: number,
  ): void {
    this.#account(slot, -1);
    this.file[slot] = file;
    this.offset[slot] = offset;
    this.frameLength[slot] = frameLength;
    this.valueOffset[slot] = valueOffset;
    this.valueLength[slot] = valueLength;
    this.mode[slot] = mode;
    this.storeTime[slot] = storeTime;
    this.version[slot] = version;
    this.setExpire(slot, expire);
    // The sparse maps are usually empty: skip the delete then (a Map.delete costs ~0.1 µs).
    if (tag !== undefined) this.tags.set(slot, tag);
    else if (this.tags.size > 0) this.tags.delete(slot);
    if (valueFile !== undefined) this.files.set(slot, valueFile);
    else if (this.files.size > 0) this.files.delete(slot);
    if (number !== undefined) this.numbers.set(slot, number);
    else if (this.numbers.size > 0) this.numbers.delete(slot);
    if (itemBytes !== undefined) this.itemBytes.set(slot, itemBytes);
    else if (this.itemBytes.size > 0) this.itemBytes.delete(slot);
    this.#account(slot, 1);
  }

  /**
   * Moves live `slot`'s value to another frame (the same bytes, now found there): the live totals follow the new
   * frame's length.
   */
  relocate(slot: number, file: number, offset: number, frameLength: number, valueOffset: number): void {
    this.#account(slot, -1);
    this.file[slot] = file;
    this.offset[slot] = offset;
    this.frameLength[slot] = frameLength;
    this.valueOffset[slot] = valueOffset;
    this.#account(slot, 1);
  }

  /** incr of a live number: its new value, stored at `storeTime` with `version` (no frame bytes change). */
  updateNumber(slot: number, value: number, storeTime: number, version: number): void {
    this.numbers.set(slot, value);
    this.storeTime[slot] = storeTime;
    this.version[slot] = version;
    this.touchStored(slot);
  }

  /** touch of a live item: its new expiry, with `version`. */
  retouch(slot: number, expire: number, version: number): void {
    this.setExpire(slot, expire);
    this.version[slot] = version;
  }

  /** After a base is loaded: every slot below highWater that no item holds is free. */
  rebuildFree(): void {
    this.free.clear();
    for (let s = 0; s < this.highWater; s++) if (!this.keys.has(s)) this.free.push(s);
  }

  /** Moves a slot to the tail of the store-order list (it was just stored). */
  touchStored(slot: number): void {
    if (this.stoTail === slot) return;
    this.#unlinkStored(slot);
    this.stoNext[slot] = NIL;
    this.stoPrev[slot] = this.stoTail;
    if (this.stoTail !== NIL) this.stoNext[this.stoTail] = slot;
    else this.stoHead = slot;
    this.stoTail = slot;
  }

  #unlinkStored(slot: number): void {
    const p = this.stoPrev[slot];
    const n = this.stoNext[slot];
    if (p !== NIL) this.stoNext[p] = n;
    else this.stoHead = n;
    if (n !== NIL) this.stoPrev[n] = p;
    else this.stoTail = p;
  }

  /** Frees a slot; its bytes leave the live totals. */
  remove(slot: number): void {
    this.#account(slot, -1);
    this.keys.delete(slot);
    const p = this.insPrev[slot];
    const n = this.insNext[slot];
    if (p !== NIL) this.insNext[p] = n;
    else this.insHead = n;
    if (n !== NIL) this.insPrev[n] = p;
    else this.insTail = p;
    this.#unlinkStored(slot);
    if (this.expire[slot] !== NEVER) this.expiring--;
    if (this.tags.size > 0) this.tags.delete(slot);
    if (this.files.size > 0) this.files.delete(slot);
    if (this.numbers.size > 0) this.numbers.delete(slot);
    if (this.itemBytes.size > 0) this.itemBytes.delete(slot);
    this.free.push(slot);
  }

  /** The bytes the item of `slot` counts for: its frame's, or its own record's inside a larger frame (a TXN). */
  itemBytesOf(slot: number): number {
    const own = this.itemBytes.size > 0 ? this.itemBytes.get(slot) : undefined;
    return own ?? this.frameLength[slot];
  }

  /** Adds (sign 1) or removes (sign -1) an item's bytes from the live totals. */
  #account(slot: number, sign: 1 | -1): void {
    this.liveFrameBytes += sign * this.itemBytesOf(slot);
    if (this.files.size > 0) this.liveFileBytes += sign * (this.files.get(slot)?.size ?? 0);
  }

  /** What volume() reports: live frames plus live value files (it shrinks as items go). */
  get liveBytes(): number {
    return this.liveFrameBytes + this.liveFileBytes;
  }

  setExpire(slot: number, expire: number): void {
    const was = this.expire[slot] !== NEVER;
    const is = expire !== NEVER;
    if (was !== is) this.expiring += is ? 1 : -1;
    if (is && this.expire[slot] !== expire) this.expiries.push(expire, slot);
    this.expire[slot] = expire;
  }

  /** Live slots in insertion order (or reverse). Safe against removal of the slot just yielded. */
  *slots(reverse = false): Generator<number> {
    let s = reverse ? this.insTail : this.insHead;
    while (s !== NIL) {
      const next = reverse ? this.insPrev[s] : this.insNext[s];
      yield s;
      s = next;
    }
  }
}

/** After loading a base (written in insertion order): relinks the store-order list by (storeTime, rowid). */
export function rebuildStoreOrder(kd: KeyDir): void {
  const slots = [...kd.slots()];
  slots.sort((a, b) => kd.storeTime[a] - kd.storeTime[b] || kd.rowid[a] - kd.rowid[b]);
  [kd.stoHead, kd.stoTail] = relink(slots, kd.stoPrev, kd.stoNext);
}

/** After loading a chain of bases (whose later bases replace items of earlier ones): relinks the insertion-order list
 * by rowid, the order in which the items were first inserted. */
export function rebuildInsertionOrder(kd: KeyDir): void {
  const slots = [...kd.slots()];
  slots.sort((a, b) => kd.rowid[a] - kd.rowid[b]);
  [kd.insHead, kd.insTail] = relink(slots, kd.insPrev, kd.insNext);
}

/** Links `slots` in that order through `prev`/`next`; returns the list's head and tail. */
function relink(slots: readonly number[], prev: Int32Array, next: Int32Array): [number, number] {
  let head = NIL;
  let tail = NIL;
  for (const s of slots) {
    prev[s] = tail;
    next[s] = NIL;
    if (tail !== NIL) next[tail] = s;
    else head = s;
    tail = s;
  }
  return [head, tail];
}
