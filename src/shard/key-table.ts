/**
 * The keydir's key → slot index: an open-addressing hash table over the encoded key bytes, with every key's bytes
 * in one arena Buffer. No JavaScript object or string per key: a Map<string, number> cost ~70 heap bytes per key
 * and ~0.85 µs per key to build at open (a string per key, hashed, then a Map insert); this table costs ~25 bytes
 * beyond the key's own and is filled straight from the bytes of a segment.
 *
 *   hash     HalfSipHash-1-3 keyed at random per process (key-hash.ts): keys chosen by an outsider cannot be aimed
 *            at one bucket, so every operation costs O(1) expected whatever the keys.
 *   buckets  Int32Array pairs (slot + 1, hash), a power of two of them, 0: empty; linear probing, at most half
 *            full (at three quarters, a million-key reopen took 0.4 s longer: a load mostly looks up absent keys,
 *            and those probe to the end of a run); deletion shifts the run back (no tombstones), so a lookup stops
 *            at the first empty bucket. The hash beside the slot means a probe compares key bytes only when the
 *            hashes agree, and a resize rehashes nothing.
 *   growth   incremental: the full table becomes `old` and every add moves MOVE_PER_ADD of its buckets into the
 *            new one (twice the size), so no add re-places every key (at 512 Ki keys that took ~70 ms in one call).
 *            While `old` exists a lookup that misses in the new table looks in the old one, and a deletion there
 *            leaves a tombstone (a backward shift could carry a key into the part already moved, where it would
 *            never be moved). The move is done long before the new table is half full: it has twice the buckets to
 *            fill as the old one has to move.
 *   per slot keyStart/keyLength into the arena (length 0: no key, the slot is free).
 *   arena    the keys' bytes, appended; a removed key leaves a hole. The arena lies on a resizable ArrayBuffer
 *            (address space reserved, pages committed as written: slot-arrays.ts): when it is full and holes are
 *            under a quarter of it, it grows in place (no copy: copying 9 MB of keys at 770,000 keys took 25 ms in
 *            one set); with more holes it is repacked into a new one twice the live keys (a copy, once per that
 *            many deleted bytes). trim() fits it to its keys after a load.
 */
import { constants as bufferConstants } from 'node:buffer';
import { copyBytes } from '../format/bytes.js';
import { reservedBuffer, resized } from './slot-arrays.js';
import { EMPTY, place, removeAt } from './probe.js';
import { hashBytes as hashKeyed, keyHashReady } from './key-hash.js';

/** The keydir's hash of `b[start, end)` under this process's key (drawn at the first call if no table drew it). */
export function hashBytes(b: Uint8Array, start: number, end: number): number {
  keyHashReady();
  return hashKeyed(b, start, end);
}

/** A deleted entry of the old table during a move (never in the current table). */
const TOMB = -1;
const MIN_BUCKETS = 1024;
/** Old buckets moved per add while the table grows (2 would do: see the module's doc). */
const MOVE_PER_ADD = 64;
const MIN_ARENA = 16 * 1024;

/** Address space a key arena reserves to grow into in place (capped at Buffer's largest length). */
const ARENA_RESERVE = 2 ** 32;

/** A key arena of `size` bytes on a resizable buffer (a plain one where none is reserved). */
function newArena(size: number): Buffer {
  const buffer = reservedBuffer(size, Math.min(bufferConstants.MAX_LENGTH, Math.max(ARENA_RESERVE, 2 * size)));
  return buffer === null ? Buffer.allocUnsafe(size) : Buffer.from(buffer, 0, size);
}

export class KeyTable {
  constructor() {
    keyHashReady(); // the process's hash key, before the first hash (hashKeyed below needs it drawn)
  }

  #buckets = new Int32Array(2 * MIN_BUCKETS);
  #mask = MIN_BUCKETS - 1;
  /** The table being moved into #buckets while growing (null when none), and the next bucket of it to move. */
  #old: Int32Array | null = null;
  #oldMask = 0;
  #moveAt = 0;
  #count = 0;
  keyStart = new Uint32Array(0);
  keyLength = new Uint32Array(0);
  #arena = newArena(MIN_ARENA);
  #arenaUsed = 0;
  #arenaHoles = 0;

  get count(): number {
    return this.#count;
  }

  clear(): void {
    this.#buckets = new Int32Array(2 * MIN_BUCKETS);
    this.#mask = MIN_BUCKETS - 1;
    this.#old = null;
    this.#count = 0;
    this.#arena = newArena(MIN_ARENA);
    this.#arenaUsed = 0;
    this.#arenaHoles = 0;
    this.resize(0);
  }

  /** Gives the per-slot arrays room for `capacity` slots (the keydir grows all its arrays together). */
  resize(capacity: number): void {
    this.keyStart = resized(this.keyStart, capacity);
    this.keyLength = resized(this.keyLength, capacity);
  }

  /** The slot holding the key `b[start, end)`, or -1. */
  find(b: Uint8Array, start: number, end: number): number {
    const h = hashKeyed(b, start, end) | 0;
    const slot = this.#findIn(this.#buckets, this.#mask, h, b, start, end);
    return slot >= 0 || this.#old === null ? slot : this.#findIn(this.#old, this.#oldMask, h, b, start, end);
  }

  #findIn(buckets: Int32Array, mask: number, h: number, b: Uint8Array, start: number, end: number): number {
    const len = end - start;
    const arena = this.#arena;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = buckets[2 * i];
      if (e === EMPTY) return -1;
      if (e === TOMB || buckets[2 * i + 1] !== h) continue;
      const slot = e - 1;
      if (this.keyLength[slot] !== len) continue;
      const at = this.keyStart[slot];
      let j = 0;
      while (j < len && arena[at + j] === b[start + j]) j++;
      if (j === len) return slot;
    }
  }

  /** Records the key `b[start, end)` (not present: the caller looked) for a free slot. */
  add(slot: number, b: Uint8Array, start: number, end: number): void {
    const len = end - start;
    if (len === 0) throw new RangeError('an encoded key has at least its type byte');
    if (this.#old !== null) this.#move(MOVE_PER_ADD);
    if ((this.#count + 1) * 2 > this.#mask + 1) this.#grow();
    const at = this.#reserve(len);
    // Inline, not copyBytes: at this one site the shared helper (which sees every caller's array types) made a
    // million-key reopen ~25% slower, measured side by side with the inline loop.
    const arena = this.#arena;
    if (len <= 32) for (let j = 0; j < len; j++) arena[at + j] = b[start + j];
    else arena.set(b.subarray(start, end), at);
    this.keyStart[slot] = at;
    this.keyLength[slot] = len;
    place(this.#buckets, this.#mask, slot + 1, hashKeyed(b, start, end) | 0);
    this.#count++;
  }

  /** Forgets the key of `slot`. */
  delete(slot: number): void {
    const at = this.keyStart[slot];
    const h = hashKeyed(this.#arena, at, at + this.keyLength[slot]) | 0;
    const inNew = this.#unindex(h, slot);
    const inOld = this.#old !== null && this.#tombstone(h, slot);
    if (!inNew && !inOld) throw new Error(`key table: slot ${slot} is not indexed`);
    this.#arenaHoles += this.keyLength[slot];
    this.keyLength[slot] = 0;
    this.#count--;
  }

  /** Removes slot's entry from the current table, shifting its run back; false when it is not there. */
  #unindex(h: number, slot: number): boolean {
    const mask = this.#mask;
    const buckets = this.#buckets;
    let i = h & mask;
    while (buckets[2 * i] !== slot + 1) {
      if (buckets[2 * i] === EMPTY) return false;
      i = (i + 1) & mask;
    }
    removeAt(buckets, mask, i);
    return true;
  }

  /** Marks slot's entry in the old table deleted (during a move); false when it is not there. */
  #tombstone(h: number, slot: number): boolean {
    const old = this.#old!;
    const mask = this.#oldMask;
    for (let i = h & mask; old[2 * i] !== EMPTY; i = (i + 1) & mask) {
      if (old[2 * i] === slot + 1) {
        old[2 * i] = TOMB;
        return true;
      }
    }
    return false;
  }

  /** Starts a move into a table twice the size (the current one becomes the old one). */
  #grow(): void {
    if (this.#old !== null) this.#move(Infinity); // cannot happen (see the module's doc); kept correct anyway
    this.#old = this.#buckets;
    this.#oldMask = this.#mask;
    this.#moveAt = 0;
    this.#mask = 2 * (this.#mask + 1) - 1;
    this.#buckets = new Int32Array(2 * (this.#mask + 1));
  }

  /** Moves up to `n` buckets of the old table into the current one; drops the old table when all are moved. */
  #move(n: number): void {
    const old = this.#old!;
    const size = this.#oldMask + 1;
    const end = Math.min(size, this.#moveAt + n);
    for (let k = this.#moveAt; k < end; k++) {
      const e = old[2 * k];
      if (e !== EMPTY && e !== TOMB) place(this.#buckets, this.#mask, e, old[2 * k + 1]);
    }
    this.#moveAt = end;
    if (end === size) this.#old = null;
  }

  /** The arena the key of a slot lies in at keyStart (valid until the next add). */
  get arena(): Buffer {
    return this.#arena;
  }

  has(slot: number): boolean {
    return slot < this.keyLength.length && this.keyLength[slot] !== 0;
  }

  /** The key's bytes: a view valid until the next add (copy it to keep it). */
  view(slot: number): Buffer {
    const at = this.keyStart[slot];
    return this.#arena.subarray(at, at + this.keyLength[slot]);
  }

  /** A copy of the key's bytes. */
  bytes(slot: number): Buffer {
    return Buffer.from(this.view(slot));
  }

  /**
   * Probes a lookup of every key makes beyond its first bucket, summed (0: no key is displaced). For tests and
   * diagnostics: it walks the whole table.
   */
  get displacement(): number {
    if (this.#old !== null) this.#move(Infinity);
    const buckets = this.#buckets;
    const mask = this.#mask;
    let total = 0;
    for (let i = 0; i <= mask; i++) if (buckets[2 * i] !== EMPTY) total += (i - (buckets[2 * i + 1] & mask)) & mask;
    return total;
  }

  /** Buckets of the current table, and whether an old one is still being moved into it (for tests). */
  get bucketCount(): number {
    return this.#mask + 1;
  }

  get growing(): boolean {
    return this.#old !== null;
  }

  /** Bytes held: the table (and the old one while it is moved), the per-slot arrays and the arena (for memory
   * reports and tests). */
  get byteSize(): number {
    return this.#buckets.byteLength + (this.#old?.byteLength ?? 0) + this.keyStart.byteLength * 2 + this.#arena.length;
  }

  /**
   * After a load: the smallest table at most three quarters full. Kept half full while it grows, a table can end a
   * load with three quarters of its buckets empty (28 bytes a key at 600,000 keys); a lookup in a fuller table
   * probes a little further. The first add after this grows it back to half full (one rehash).
   */
  fitTable(): void {
    let size = MIN_BUCKETS;
    while (this.#count * 4 > size * 3) size *= 2;
    if (size < this.#mask + 1) this.#rehash(size);
  }

  /** Repacks the arena to fit its keys (after a load: growth by doubling leaves up to half of it unused). */
  trim(): void {
    const live = this.#arenaUsed - this.#arenaHoles;
    if (this.#arena.length - live > live / 4 + MIN_ARENA) this.#repack(Math.max(MIN_ARENA, Math.ceil(live * 1.125)));
  }

  #reserve(len: number): number {
    if (this.#arenaUsed + len > this.#arena.length) {
      const live = this.#arenaUsed - this.#arenaHoles;
      // Room to double: in place when holes are few, else holes dropped into a new arena (twice the live keys).
      const size = Math.max(MIN_ARENA, (this.#arenaHoles * 4 <= this.#arena.length ? this.#arenaUsed + len : live + len) * 2);
      if (size > bufferConstants.MAX_LENGTH) throw new RangeError(`the keys of one shard exceed ${bufferConstants.MAX_LENGTH} bytes`);
      if (this.#arenaHoles * 4 > this.#arena.length || !this.#growArena(size)) this.#repack(size);
    }
    const at = this.#arenaUsed;
    this.#arenaUsed += len;
    return at;
  }

  /** Grows the arena in place to `size` bytes; false when its buffer cannot (not resizable, or past its reserve). */
  #growArena(size: number): boolean {
    const buffer = this.#arena.buffer as ArrayBuffer & { resizable?: boolean; maxByteLength?: number; resize?(n: number): void };
    if (buffer.resizable !== true || size > buffer.maxByteLength!) return false;
    buffer.resize!(size);
    this.#arena = Buffer.from(buffer, 0, size);
    return true;
  }

  #repack(size: number): void {
    const old = this.#arena;
    const arena = newArena(size);
    if (this.#arenaHoles === 0) {
      old.copy(arena, 0, 0, this.#arenaUsed); // no holes: offsets stay
      this.#arena = arena;
      return;
    }
    let p = 0;
    for (let s = 0; s < this.keyLength.length; s++) {
      const len = this.keyLength[s];
      if (len === 0) continue;
      const from = this.keyStart[s];
      this.keyStart[s] = p;
      p = copyBytes(arena, p, old, from, from + len);
    }
    this.#arena = arena;
    this.#arenaUsed = p;
    this.#arenaHoles = 0;
  }

  #rehash(size: number): void {
    if (this.#old !== null) this.#move(Infinity);
    const buckets = new Int32Array(2 * size);
    const mask = size - 1;
    const old = this.#buckets;
    for (let k = 0; k < old.length; k += 2) if (old[k] !== EMPTY) place(buckets, mask, old[k], old[k + 1]);
    this.#buckets = buckets;
    this.#mask = mask;
  }
}
