/**
 * Small values recently read from the log, by slot, so the next get of a just-written or just-replayed item needs
 * no pread (frames never change once written). Bounded by entries and by bytes; the oldest insertion goes first.
 *
 * No JavaScript object per value: the bytes are copied into one arena Buffer used as a ring, and each entry is a
 * row of typed arrays (slot, version, where its bytes start, their length), found by slot through an
 * open-addressing table of Int32 pairs. A Map of Buffers kept every cached value alive long enough to be promoted
 * to V8's old generation and then dropped it there: at 20,000 sets of 1 KiB a second that meant a full
 * mark-compact every half second in every process (each one a pause of 10–30 ms on this 2-core machine), where
 * the ring leaves nothing behind for the collector.
 *
 *   entries  a FIFO ring of `capacity` rows; `#tail` is the oldest live row, `#count` the rows in use.
 *   arena    grows by doubling up to ARENA_MAX_BYTES while it has not wrapped, then wraps: a value that does not
 *            fit before the end starts again at 0 (the tail bytes are skipped). Positions are logical (bytes ever
 *            placed, skips included); a row's bytes are at `start mod arena length` and are overwritten once the
 *            logical end passes `start + arena length`, so every row older than that is evicted first.
 *   index    pairs (row + 1, hash of the slot) in an open-addressing table (probe.ts, as the key table's); a slot
 *            stored again points at its newest row, and evicting an older row of it leaves the index alone.
 *
 * The bytes get() returns are a view of the arena, valid until the next set() or clear(): a caller that keeps
 * them past that (or hands them to code that might) copies them.
 */

import { EMPTY, removeAt } from './probe.js';

/** The arena's largest size, and its first. Values over a quarter of the largest are not cached. */
export const ARENA_MAX_BYTES = 2 * 1024 * 1024;
const ARENA_FIRST_BYTES = 64 * 1024;

export class ValueCache {
  readonly #slot: Int32Array;
  readonly #version: Float64Array;
  readonly #start: Float64Array;
  readonly #length: Int32Array;
  #tail = 0;
  #count = 0;
  /** The index: pairs (row + 1, hash of the slot); see probe.ts. */
  readonly #index: Int32Array;
  readonly #mask: number;
  #arena: Buffer = Buffer.alloc(0);
  /** Logical end: bytes ever placed in the arena, skips included. */
  #end = 0;
  /** Whether the arena has wrapped (it no longer grows, and logical offsets are taken modulo its length). */
  #wrapped = false;
  #bytes = 0;
  /** Slots in the index. */
  #slots = 0;

  constructor(readonly capacity: number) {
    this.#slot = new Int32Array(capacity);
    this.#version = new Float64Array(capacity);
    this.#start = new Float64Array(capacity);
    this.#length = new Int32Array(capacity);
    let buckets = 1;
    while (buckets < 2 * capacity) buckets *= 2;
    this.#index = new Int32Array(2 * buckets);
    this.#mask = buckets - 1;
  }

  /** Slots held (a slot stored twice holds one: its newest row). */
  get size(): number {
    return this.#slots;
  }

  /** Bytes of the values held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The cached bytes of `slot` if they are of `version` (a view of the arena: see the module's doc). */
  get(slot: number, version: number): Buffer | undefined {
    const row = this.#find(slot);
    if (row < 0 || this.#version[row] !== version) return undefined;
    const at = this.#wrapped ? this.#start[row] % this.#arena.length : this.#start[row];
    return this.#arena.subarray(at, at + this.#length[row]);
  }

  /** Caches a copy of `bytes` (at most ARENA_MAX_BYTES ÷ 4: larger values are not cached). */
  set(slot: number, version: number, bytes: Uint8Array): void {
    const n = bytes.length;
    if (n > ARENA_MAX_BYTES >> 2) return;
    const at = this.#place(n);
    if (this.#count === this.capacity) this.#evictOldest();
    const row = (this.#tail + this.#count) % this.capacity;
    this.#count++;
    this.#arena.set(bytes, at);
    this.#slot[row] = slot;
    this.#version[row] = version;
    this.#start[row] = this.#end;
    this.#length[row] = n;
    this.#end += n;
    this.#bytes += n;
    this.#indexSet(slot, row);
  }

  clear(): void {
    this.#index.fill(0);
    this.#slots = 0;
    this.#tail = 0;
    this.#count = 0;
    this.#end = 0;
    this.#wrapped = false;
    this.#bytes = 0;
  }

  /** Makes room for `n` bytes at the logical end (growing, or wrapping and evicting what they overwrite); returns
   * the physical offset where they go. */
  #place(n: number): number {
    let size = this.#arena.length;
    let at = this.#wrapped ? this.#end % size : this.#end;
    if (at + n > size && !this.#wrapped && size < ARENA_MAX_BYTES) {
      // Never wrapped yet: grow (logical and physical offsets are still the same).
      let grown = Math.max(size * 2, ARENA_FIRST_BYTES);
      while (grown < at + n) grown *= 2;
      const arena = Buffer.allocUnsafe(Math.min(grown, ARENA_MAX_BYTES));
      this.#arena.copy(arena, 0, 0, at);
      this.#arena = arena;
      size = arena.length;
    }
    if (at + n > size) {
      this.#end += size - at; // the bytes before the end are skipped
      this.#wrapped = true;
      at = 0;
    }
    // Rows whose bytes [start, start + length) the new ones overwrite: everything starting before end + n − size.
    const limit = this.#end + n - size;
    while (this.#count > 0 && this.#start[this.#tail] < limit) this.#evictOldest();
    return at;
  }

  #evictOldest(): void {
    const row = this.#tail;
    const i = this.#bucketOf(this.#slot[row]);
    if (this.#index[2 * i] === row + 1) {
      removeAt(this.#index, this.#mask, i);
      this.#slots--;
    }
    this.#bytes -= this.#length[row];
    this.#tail = (row + 1) % this.capacity;
    this.#count--;
  }

  #hash(slot: number): number {
    return Math.imul(slot, 0x9e3779b1) >> 7;
  }

  /** The bucket holding `slot`'s newest row, or the empty bucket that ends its probe run. */
  #bucketOf(slot: number): number {
    const ix = this.#index;
    const h = this.#hash(slot);
    let i = h & this.#mask;
    for (; ix[2 * i] !== EMPTY; i = (i + 1) & this.#mask) {
      if (ix[2 * i + 1] === h && this.#slot[ix[2 * i] - 1] === slot) break;
    }
    return i;
  }

  #find(slot: number): number {
    return this.#index[2 * this.#bucketOf(slot)] - 1;
  }

  #indexSet(slot: number, row: number): void {
    const i = this.#bucketOf(slot);
    if (this.#index[2 * i] === EMPTY) {
      this.#index[2 * i + 1] = this.#hash(slot);
      this.#slots++;
    }
    this.#index[2 * i] = row + 1;
  }
}
