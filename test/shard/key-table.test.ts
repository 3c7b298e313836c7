/** The keydir's key → slot table (src/shard/key-table.ts): an open-addressing table over encoded key bytes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyTable, hashBytes } from '../../src/shard/key-table.js';
import { mulberry32, randomBytes } from '../fixtures/prng.js';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** The table starts with this many buckets; a key's home bucket is its hash masked by it. */
const FIRST_BUCKETS = 1024;

const hash = (b: Uint8Array): number => hashBytes(b, 0, b.length);
const home = (b: Uint8Array): number => hash(b) & (FIRST_BUCKETS - 1);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const find = (t: KeyTable, b: Uint8Array): number => t.find(b, 0, b.length);
const add = (t: KeyTable, slot: number, b: Uint8Array): void => t.add(slot, b, 0, b.length);

/** A table with room for `capacity` slots. */
function table(capacity = 64): KeyTable {
  const t = new KeyTable();
  t.resize(capacity);
  return t;
}

/** `b` copied into a larger buffer of other bytes at `offset`: [buffer, start, end]. */
function embedded(b: Uint8Array, offset: number, fill = 0xa5): [Buffer, number, number] {
  const big = Buffer.alloc(offset + b.length + 17, fill);
  big.set(b, offset);
  return [big, offset, offset + b.length];
}

/** Keys grouped by their home bucket in a fresh table: the way to build probe runs on purpose. */
const byHome = (() => {
  const groups = new Map<number, Buffer[]>();
  for (let i = 0; i < 60_000; i++) {
    const k = Buffer.from(`\u0003probe-${i}`, 'latin1');
    const h = home(k);
    let g = groups.get(h);
    if (!g) groups.set(h, (g = []));
    g.push(k);
  }
  return (h: number, n: number): Buffer[] => {
    const g = groups.get(h) ?? [];
    assert.ok(g.length >= n, `${n} keys with home ${h}`);
    return g.slice(0, n);
  };
})();

function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Adds `keys` (key i in slot i) in a random order, then deletes them in a random order: after every step each
 * present key is found at its slot and each deleted key is not. Half way through, the deleted keys come back.
 */
function churnRun(keys: Buffer[], seed: number): void {
  const next = mulberry32(seed);
  const t = table();
  const present = new Set<number>();
  const check = (when: string) => {
    for (let s = 0; s < keys.length; s++) {
      assert.equal(find(t, keys[s]), present.has(s) ? s : -1, `seed ${seed}, ${when}: key ${s} (${hex(keys[s])})`);
      assert.equal(t.has(s), present.has(s));
    }
    assert.equal(t.count, present.size);
  };
  for (const s of shuffled(keys.map((_, i) => i), next)) {
    add(t, s, keys[s]);
    present.add(s);
    check(`after adding ${s}`);
  }
  const order = shuffled([...present], next);
  const half = order.slice(0, order.length >> 1);
  for (const s of half) {
    t.delete(s);
    present.delete(s);
    check(`after deleting ${s}`);
  }
  for (const s of shuffled(half, next)) {
    add(t, s, keys[s]);
    present.add(s);
    check(`after adding ${s} again`);
  }
  for (const s of shuffled([...present], next)) {
    t.delete(s);
    present.delete(s);
    check(`after deleting ${s} at the end`);
  }
}

// ---- hashBytes --------------------------------------------------------------------------------------------------

test('hashBytes is deterministic and an unsigned 32-bit integer', () => {
  const next = mulberry32(1);
  for (let i = 0; i < 200; i++) {
    const b = randomBytes(next, Math.floor(next() * 70));
    const h = hash(b);
    assert.ok(Number.isInteger(h) && h >= 0 && h < 2 ** 32, String(h));
    assert.equal(hash(Buffer.from(b)), h, 'the same bytes in another Buffer');
    assert.equal(hash(new Uint8Array(b)), h, 'the same bytes in a plain Uint8Array');
  }
});

test('hashBytes depends on every byte, in the 4-byte blocks and in the 1 to 3 byte tail', () => {
  const next = mulberry32(2);
  for (const length of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 31, 32, 33, 64]) {
    const b = randomBytes(next, length);
    const h = hash(b);
    for (let p = 0; p < length; p++) {
      for (const bit of [0x01, 0x80]) {
        const c = Buffer.from(b);
        c[p] ^= bit;
        assert.notEqual(hash(c), h, `length ${length}, byte ${p}, bit ${bit}`);
      }
    }
  }
});

test('hashBytes depends on the length: runs of zero bytes of different lengths differ', () => {
  // A zero byte adds nothing to the mixed blocks, so only the length tells these apart.
  const hashes = [0, 1, 2, 3, 4, 5, 8].map((n) => hash(Buffer.alloc(n)));
  assert.equal(new Set(hashes).size, hashes.length, hashes.join(' '));
});

test('hashBytes reads only b[start, end)', () => {
  const next = mulberry32(3);
  const buf = randomBytes(next, 100);
  for (let i = 0; i < 200; i++) {
    const start = 1 + Math.floor(next() * 49);
    const end = start + Math.floor(next() * 49);
    const h = hashBytes(buf, start, end);
    assert.equal(h, hash(Buffer.from(buf.subarray(start, end))), `[${start}, ${end})`);
    const other = Buffer.from(buf);
    other[start - 1] ^= 0xff;
    other[end] ^= 0xff;
    assert.equal(hashBytes(other, start, end), h, 'the bytes either side do not count');
  }
});

// ---- find, add, delete ------------------------------------------------------------------------------------------

test('an empty table finds nothing and holds no slot', () => {
  const t = table();
  assert.equal(t.count, 0);
  for (const k of [[1], [3], [3, 0x61], [1, 0, 0, 0, 0, 0, 0, 0, 1]]) assert.equal(find(t, Buffer.from(k)), -1);
  for (let s = 0; s < 64; s++) assert.equal(t.has(s), false);
  assert.equal(new KeyTable().has(0), false, 'a slot past the per-slot arrays is not held');
});

test('a key is found by equal bytes at any offset of any buffer', () => {
  const t = table();
  const key = Buffer.from('\u0003hello', 'latin1');
  const [src, s0, e0] = embedded(key, 5);
  t.add(7, src, s0, e0);
  src.fill(0, s0, e0); // the table keeps its own copy
  assert.equal(t.count, 1);
  assert.equal(t.has(7), true);
  assert.deepEqual(t.bytes(7), key);
  const [other, s1, e1] = embedded(key, 1000, 0x03);
  assert.equal(t.find(other, s1, e1), 7);
  assert.equal(t.find(new Uint8Array(key), 0, key.length), 7, 'a plain Uint8Array finds it too');
  assert.equal(t.find(other, s1, e1 - 1), -1, 'a prefix of the key is another key');
  assert.equal(t.find(other, s1 - 1, e1), -1, 'so is the key with one more byte in front');
});

test('keys that differ only in their last byte are different keys', () => {
  const t = table(4096);
  let slot = 0;
  const keys: Buffer[] = [];
  for (const length of [1, 2, 3, 4, 5, 8, 31, 32, 33, 100]) {
    for (const last of [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff]) {
      const k = Buffer.alloc(length, 0x61);
      k[length - 1] = last;
      keys.push(k);
      add(t, slot++, k);
    }
  }
  keys.forEach((k, s) => assert.equal(find(t, k), s, hex(k)));
  const missing = Buffer.alloc(33, 0x61);
  missing[32] = 0x02;
  assert.equal(find(t, missing), -1);
});

test('keys of every length keep their bytes, through the byte loop (≤ 32) and the native copy (> 32)', () => {
  const next = mulberry32(4);
  const t = table();
  const lengths = [1, 3, 4, 5, 31, 32, 33, 10 * 1024];
  const keys = lengths.map((n) => randomBytes(next, n));
  // Twice each (the second time with its first byte changed): the second 10 KiB key outgrows the first arena.
  const all = [...keys, ...keys.map((k) => { const c = Buffer.from(k); c[0] ^= 1; return c; })];
  all.forEach((k, s) => {
    const [src, start, end] = embedded(k, 3 + s);
    t.add(s, src, start, end);
  });
  all.forEach((k, s) => {
    assert.equal(find(t, k), s, `length ${k.length}`);
    assert.deepEqual(t.view(s), k, `view of length ${k.length}`);
    assert.deepEqual(t.bytes(s), k, `bytes of length ${k.length}`);
    assert.deepEqual(t.arena.subarray(t.keyStart[s], t.keyStart[s] + t.keyLength[s]), k);
    const last = Buffer.from(k);
    last[last.length - 1] ^= 0x10;
    assert.equal(find(t, last), -1, `length ${k.length}, last byte changed`);
  });
});

test('bytes() is a copy; view() is the table\'s own bytes', () => {
  const t = table();
  const key = Buffer.from('\u0003abc', 'latin1');
  add(t, 0, key);
  const copy = t.bytes(0);
  copy.fill(0);
  assert.equal(find(t, key), 0);
  assert.deepEqual(t.view(0), key);
  assert.equal(t.view(0).buffer, t.arena.buffer);
});

test('an empty key is a RangeError', () => {
  const t = table();
  assert.throws(() => t.add(0, Buffer.from([1, 2]), 1, 1), RangeError);
  assert.equal(t.count, 0);
});

test('deleting a key: find misses it, count drops, the slot is free, and it can be added again', () => {
  const t = table();
  const a = Buffer.from('\u0003a', 'latin1');
  const b = Buffer.from('\u0003b', 'latin1');
  add(t, 0, a);
  add(t, 1, b);
  t.delete(0);
  assert.equal(find(t, a), -1);
  assert.equal(find(t, b), 1);
  assert.equal(t.count, 1);
  assert.equal(t.has(0), false);
  add(t, 5, a);
  assert.equal(find(t, a), 5);
  assert.equal(t.count, 2);
});

test('deleting a slot that holds no key throws instead of corrupting the table', () => {
  const t = table();
  add(t, 0, Buffer.from('\u0003a', 'latin1'));
  t.delete(0);
  assert.throws(() => t.delete(0), /slot 0 is not indexed/);
  assert.throws(() => t.delete(3), /slot 3 is not indexed/);
});

test('keys with the same home bucket form one probe run; any of them can be deleted', () => {
  const keys = byHome(500, 8);
  assert.equal(new Set(keys.map(home)).size, 1);
  for (let seed = 1; seed <= 30; seed++) churnRun(keys, seed);
});

test('a run holding keys of several homes stays findable through backward-shift deletion', () => {
  // Homes h, h+1, h+2 interleave: a deletion may move a later key back, but never before its own home.
  const keys = [...byHome(700, 4), ...byHome(701, 3), ...byHome(702, 2), ...byHome(704, 2)];
  for (let seed = 100; seed < 160; seed++) churnRun(keys, seed);
});

test('a probe run wraps from the last bucket to the first, and deletion shifts across the wrap', () => {
  const last = FIRST_BUCKETS - 1;
  const keys = [...byHome(last - 1, 2), ...byHome(last, 4), ...byHome(0, 3), ...byHome(1, 1)];
  for (let seed = 200; seed < 260; seed++) churnRun(keys, seed);
});

test('keys whose 32-bit hashes are equal are still told apart by their bytes', () => {
  // Search for a full-hash collision among same-length keys (~5 expected in 300,000).
  const seen = new Map<number, Buffer>();
  let pair: [Buffer, Buffer] | undefined;
  for (let i = 0; i < 300_000 && !pair; i++) {
    const k = Buffer.from(`\u0003k${String(i).padStart(8, '0')}`, 'latin1');
    const h = hash(k);
    const other = seen.get(h);
    if (other) pair = [other, k];
    else seen.set(h, k);
  }
  assert.ok(pair, 'a collision was found');
  const [a, b] = pair;
  assert.equal(hash(a), hash(b));
  assert.notDeepEqual(a, b);
  const t = table();
  add(t, 0, a);
  assert.equal(find(t, b), -1);
  add(t, 1, b);
  assert.equal(find(t, a), 0);
  assert.equal(find(t, b), 1);
  t.delete(0);
  assert.equal(find(t, a), -1);
  assert.equal(find(t, b), 1);
});

// ---- growth, the arena, trim, clear ------------------------------------------------------------------------------

test('the bucket array doubles when it would pass half full, and every key stays findable', () => {
  const capacity = 8192;
  const t = table(capacity);
  // 3-byte keys: 5,000 of them fit the first 16 KiB arena, so byteSize changes only with the buckets.
  const key = (i: number) => Buffer.from([0x01, i >> 8, i & 255]);
  const bucketBytes = () => t.byteSize - 2 * 4 * capacity - 16 * 1024;
  assert.equal(bucketBytes(), 8 * FIRST_BUCKETS);
  assert.equal(t.bucketCount, FIRST_BUCKETS);
  const expected = new Map([[512, 1024], [513, 2048], [1024, 2048], [1025, 4096], [2048, 4096], [2049, 8192], [4096, 8192], [4097, 16384]]);
  for (let i = 0; i < 5000; i++) {
    add(t, i, key(i));
    const buckets = expected.get(t.count);
    if (buckets === undefined) continue;
    assert.equal(t.bucketCount, buckets, `${t.count} keys`);
    // Right after a doubling the old table is still held while it is moved, a few buckets per add.
    assert.equal(bucketBytes(), 8 * buckets + (t.growing ? 4 * buckets : 0), `${t.count} keys: bytes`);
    for (let j = 0; j <= i; j++) assert.equal(find(t, key(j)), j, `${t.count} keys: key ${j}`);
    assert.equal(find(t, key(i + 1)), -1);
  }
});

test('fitTable() shrinks the buckets to at most three quarters full; the next add grows them back to half', () => {
  const capacity = 8192;
  const t = table(capacity);
  const key = (i: number) => Buffer.from([0x01, i >> 8, i & 255]);
  const bucketBytes = () => t.byteSize - 2 * 4 * capacity - 16 * 1024;
  for (let i = 0; i < 3000; i++) add(t, i, key(i));
  assert.equal(bucketBytes(), 8 * 8192, '3,000 keys: half full would pass at 4,096 buckets');
  t.fitTable();
  assert.equal(bucketBytes(), 8 * 4096, '3,000 ≤ ¾ × 4,096');
  for (let i = 0; i < 3000; i++) assert.equal(find(t, key(i)), i, `key ${i} after the fit`);
  for (let i = 3000; i < 3100; i++) assert.equal(find(t, key(i)), -1, `absent key ${i} after the fit`);
  for (let i = 0; i < 3000; i += 7) t.delete(i);
  for (let i = 0; i < 3000; i++) assert.equal(find(t, key(i)), i % 7 === 0 ? -1 : i, `key ${i} after deletes in the fuller table`);
  add(t, 0, key(0));
  assert.equal(t.bucketCount, 8192, 'the first add regrows to half full');
  assert.ok(t.growing, 'the 4,096 old buckets are moved over the next adds');
  assert.equal(bucketBytes(), 8 * 8192 + 8 * 4096);
  for (let i = 0; i < 3000; i++) assert.equal(find(t, key(i)), i % 7 === 0 && i !== 0 ? -1 : i, `key ${i} after the regrowth`);
  const small = table(16);
  for (let i = 0; i < 10; i++) add(small, i, key(i));
  small.fitTable();
  assert.equal(small.byteSize - 2 * 4 * 16 - 16 * 1024, 8 * FIRST_BUCKETS, 'never below the first size');
});

test('resize keeps the keys of the slots it keeps', () => {
  const t = table(4);
  const keys = [0, 1, 2, 3].map((i) => Buffer.from(`\u0003key-${i}`, 'latin1'));
  keys.forEach((k, s) => add(t, s, k));
  t.resize(1000);
  keys.forEach((k, s) => {
    assert.equal(find(t, k), s);
    assert.deepEqual(t.bytes(s), k);
    assert.equal(t.has(s), true);
  });
  assert.equal(t.has(4), false);
  add(t, 999, Buffer.from('\u0003far', 'latin1'));
  assert.equal(find(t, Buffer.from('\u0003far', 'latin1')), 999);
});

test('the arena is reused: adds and deletes of a bounded set of keys do not grow the table', () => {
  const next = mulberry32(5);
  const t = table(256);
  const live: Buffer[] = [];
  const slotOf = new Map<Buffer, number>();
  const free = Array.from({ length: 256 }, (_, i) => 255 - i);
  for (let i = 0; i < 100; i++) {
    const k = randomBytes(next, 20);
    const s = free.pop()!;
    add(t, s, k);
    live.push(k);
    slotOf.set(k, s);
  }
  const before = t.byteSize;
  // 100,000 replacements write 2 MB of keys through an arena of 16 KiB.
  for (let i = 0; i < 100_000; i++) {
    const j = Math.floor(next() * live.length);
    const s = slotOf.get(live[j])!;
    t.delete(s);
    slotOf.delete(live[j]);
    let k: Buffer;
    do k = randomBytes(next, 1 + Math.floor(next() * 40));
    while (find(t, k) !== -1); // a short random key may be live already
    add(t, s, k);
    live[j] = k;
    slotOf.set(k, s);
  }
  assert.ok(t.byteSize <= before * 2, `${t.byteSize} bytes after the churn, ${before} before`);
  for (const k of live) {
    assert.equal(find(t, k), slotOf.get(k), hex(k));
    assert.deepEqual(t.view(slotOf.get(k)!), k);
  }
  assert.equal(t.count, 100);
});

test('trim() gives back the arena deleted keys left and keeps every key findable', () => {
  const next = mulberry32(6);
  const n = 5000;
  const t = table(n);
  const keys = Array.from({ length: n }, (_, i) => Buffer.concat([Buffer.from([3]), Buffer.from(String(i)), randomBytes(next, 40)]));
  keys.forEach((k, s) => add(t, s, k));
  const loaded = t.byteSize;
  t.trim();
  assert.ok(t.byteSize <= loaded);
  keys.forEach((k, s) => assert.equal(find(t, k), s));
  for (let s = 0; s < n; s++) if (s % 50 !== 0) t.delete(s);
  const before = t.byteSize;
  t.trim();
  const after = t.byteSize;
  assert.ok(after < before - 100_000, `trim shrank the arena: ${before} → ${after} bytes`);
  keys.forEach((k, s) => {
    assert.equal(find(t, k), s % 50 === 0 ? s : -1, `key ${s}`);
    if (s % 50 === 0) assert.deepEqual(t.view(s), k);
  });
  t.trim();
  assert.equal(t.byteSize, after, 'a second trim has nothing to give back');
  // The table takes new keys after a trim.
  for (let s = 0; s < n; s++) if (s % 50 !== 0) add(t, s, keys[s]);
  keys.forEach((k, s) => assert.equal(find(t, k), s));
  assert.equal(t.count, n);
});

test('clear() forgets every key and returns the table to its first size', () => {
  const t = table(4096);
  const keys = Array.from({ length: 3000 }, (_, i) => Buffer.from(`\u0003clear-${i}-${'x'.repeat(i % 50)}`, 'latin1'));
  keys.forEach((k, s) => add(t, s, k));
  t.clear();
  assert.equal(t.count, 0);
  assert.equal(t.byteSize, new KeyTable().byteSize);
  for (const k of keys) assert.equal(find(t, k), -1);
  assert.equal(t.has(0), false);
  t.resize(16);
  for (let s = 0; s < 16; s++) assert.equal(t.has(s), false, `slot ${s}`);
  add(t, 3, keys[10]);
  assert.equal(find(t, keys[10]), 3);
  assert.equal(find(t, keys[3]), -1);
  assert.equal(t.count, 1);
});

// ---- against a model ---------------------------------------------------------------------------------------------

test('50,000 random adds, deletes and finds agree with a Map (growth past 4096 keys, shrink, regrowth, trims)', () => {
  const seed = 20240611;
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);

  // A pool of distinct keys: mostly short, some past 32 bytes, a few long; some differ from another only at the end.
  const pool: Buffer[] = [];
  const inPool = new Set<string>();
  while (pool.length < 8000) {
    let k: Buffer;
    if (pool.length > 0 && next() < 0.15) {
      k = Buffer.from(pool[int(pool.length)]);
      k[k.length - 1] = int(256);
    } else {
      const r = next();
      const length = r < 0.6 ? 1 + int(16) : r < 0.85 ? 17 + int(24) : r < 0.97 ? 41 + int(160) : 200 + int(1800);
      k = randomBytes(next, length);
    }
    const id = k.toString('latin1');
    if (inPool.has(id)) continue;
    inPool.add(id);
    pool.push(k);
  }

  const t = new KeyTable();
  let capacity = 0;
  let highWater = 0;
  const free: number[] = []; // descending: pop() gives the lowest free slot, as the keydir's heap does
  const model = new Map<string, number>(); // key (latin1) → slot
  const keyOfSlot = new Map<number, Buffer>();
  const live: Buffer[] = []; // the present keys, for picking one at random
  const liveIndex = new Map<Buffer, number>();
  const scratch = Buffer.alloc(4096);

  const findAt = (k: Buffer): number => {
    // At a random offset of a shared scratch buffer, as the engine looks keys up in a record or a scratch buffer.
    if (k.length + 64 > scratch.length) return find(t, k);
    const at = int(64);
    k.copy(scratch, at);
    return t.find(scratch, at, at + k.length);
  };
  const addKey = (k: Buffer) => {
    const s = free.length > 0 ? free.pop()! : highWater++;
    if (s >= capacity) {
      capacity = Math.max(16, capacity * 2, s + 1);
      t.resize(capacity);
    }
    add(t, s, k);
    model.set(k.toString('latin1'), s);
    keyOfSlot.set(s, k);
    liveIndex.set(k, live.length);
    live.push(k);
    return s;
  };
  const deleteKey = (k: Buffer) => {
    const s = model.get(k.toString('latin1'))!;
    t.delete(s);
    model.delete(k.toString('latin1'));
    keyOfSlot.delete(s);
    const i = liveIndex.get(k)!;
    const moved = live.pop()!;
    if (moved !== k) {
      live[i] = moved;
      liveIndex.set(moved, i);
    }
    liveIndex.delete(k);
    let lo = 0;
    let hi = free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (free[mid] > s) lo = mid + 1;
      else hi = mid;
    }
    free.splice(lo, 0, s);
    return s;
  };
  const presentKey = (): Buffer => live[int(live.length)];
  const absentKey = (): Buffer => {
    for (;;) {
      const k = pool[int(pool.length)];
      if (!model.has(k.toString('latin1'))) return k;
    }
  };
  const fullCheck = (when: string) => {
    assert.equal(t.count, model.size, when);
    for (const [id, s] of model) {
      const k = Buffer.from(id, 'latin1');
      assert.equal(find(t, k), s, `${when}: ${hex(k)}`);
      assert.deepEqual(t.view(s), k, `${when}: view of slot ${s}`);
      assert.deepEqual(t.bytes(s), k, `${when}: bytes of slot ${s}`);
    }
    for (let s = 0; s < capacity; s++) assert.equal(t.has(s), keyOfSlot.has(s), `${when}: has(${s})`);
  };

  // Target sizes by phase: grow past 4096 keys (buckets 1024 → 16384), shrink to a few (holes), regrow, then mix.
  const target = (op: number) => (op < 15_000 ? 5000 : op < 27_000 ? 30 : op < 40_000 ? 3000 : 1500);
  let maxCount = 0;
  let trims = 0;
  for (let op = 0; op < 50_000; op++) {
    const size = model.size;
    const wantAdd = size === 0 || (size < pool.length - 100 && next() < (size < target(op) ? 0.8 : 0.2));
    let slot: number;
    if (wantAdd) {
      const k = absentKey();
      assert.equal(findAt(k), -1, `op ${op}: absent before its add`);
      slot = addKey(k);
      assert.equal(findAt(k), slot, `op ${op}: found right after its add`);
    } else {
      const k = presentKey();
      slot = deleteKey(k);
      assert.equal(findAt(k), -1, `op ${op}: deleted key still found`);
    }
    assert.equal(t.has(slot), wantAdd, `op ${op}: has(${slot})`);
    maxCount = Math.max(maxCount, t.count);
    if (next() < 0.0005 || op === 27_000) {
      t.trim();
      trims++;
    }
    if (op % 4 === 0) {
      assert.equal(t.count, model.size, `op ${op}: count`);
      if (model.size > 0) {
        const k = presentKey();
        const s = model.get(k.toString('latin1'))!;
        assert.equal(findAt(k), s, `op ${op}: present ${hex(k)}`);
        assert.deepEqual(t.view(s), k, `op ${op}: view(${s})`);
      }
      assert.equal(findAt(absentKey()), -1, `op ${op}: absent`);
    }
    if (op % 2500 === 2499) fullCheck(`op ${op}`);
  }
  t.trim();
  fullCheck('after the last trim');
  assert.ok(maxCount > 4096, `the table grew past 4096 keys (${maxCount})`);
  assert.ok(trims > 5, `trims ran (${trims})`);
  for (const [id, s] of [...model]) {
    t.delete(s);
    model.delete(id);
  }
  assert.equal(t.count, 0);
  for (const k of pool) assert.equal(find(t, k), -1);
});

// ---- hash flooding (issue 13, item 10) --------------------------------------------------------------------------

/** The keydir's former hash: MurmurHash3 (x86, 32-bit) with the fixed public seed 0x9747b28c: the attacker's model. */
function murmurFixedSeed(b: Uint8Array): number {
  let h = 0x9747b28c;
  let i = 0;
  for (; i + 4 <= b.length; i += 4) {
    h ^= mixBlock(b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i !== b.length) throw new Error('whole blocks only');
  return fmix(h ^ b.length) >>> 0;
}
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
function mixBlock(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
/** The inverse of an odd number modulo 2^32 (Newton's iteration). */
function inverse(x: number): number {
  let y = x;
  for (let i = 0; i < 5; i++) y = Math.imul(y, 2 - Math.imul(x, y));
  return y;
}
function unfmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, inverse(0xc2b2ae35));
  h ^= (h >>> 13) ^ (h >>> 26);
  h = Math.imul(h, inverse(0x85ebca6b));
  return h ^ (h >>> 16);
}

/**
 * An 8-byte key whose fixed-seed MurmurHash3 is `target`: any first block, then the second block solved for it
 * (every step of MurmurHash3 can be undone). What an outsider does to make keys that all land in one bucket.
 */
function collidingKey(first: number, target: number): Buffer {
  let h = 0x9747b28c ^ mixBlock(first);
  h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  const h2 = unfmix(target) ^ 8;
  let x = Math.imul((h2 - 0xe6546b64) | 0, inverse(5));
  x = ((x >>> 13) | (x << 19)) ^ h;
  x = Math.imul(x, inverse(C2));
  const k = Math.imul((x >>> 15) | (x << 17), inverse(C1));
  const key = Buffer.alloc(8);
  key.writeInt32LE(first | 0, 0);
  key.writeInt32LE(k | 0, 4);
  return key;
}

test('hash flooding: keys made to collide under the former fixed-seed hash spread out (probes counted)', () => {
  const n = 3000;
  const keys = Array.from({ length: n }, (_, i) => collidingKey(i * 2654435761, 0x5eed));
  // The attack works against a fixed public seed: every key has one hash, so one bucket and one probe run.
  assert.equal(new Set(keys.map(murmurFixedSeed)).size, 1);
  assert.equal(new Set(keys.map(hex)).size, n);
  const t = table(n);
  keys.forEach((k, slot) => add(t, slot, k));
  keys.forEach((k, slot) => assert.equal(find(t, k), slot));
  // Linear probing at most half full displaces a key ~0.5 buckets on average; one shared bucket makes it ~n/2.
  assert.ok(t.displacement < 4 * n, `total displacement ${t.displacement} for ${n} keys (flooded: ~${(n * n) / 2})`);
  assert.ok(new Set(keys.map(hash)).size > n - 10, 'the keydir hash still collides on them');
});

test('the keydir hash is keyed per process: another process hashes the same key differently', () => {
  const key = Buffer.from('the same key in two processes');
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
    import { hashBytes } from ${JSON.stringify(path.resolve('src/shard/key-hash.ts'))};
    const k = Buffer.from(${JSON.stringify(key.toString())});
    console.log(hashBytes(k, 0, k.length));`], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  assert.notEqual(Number(child.stdout.trim()), hash(key));
  // Within one process it is a function of the bytes alone, wherever they lie.
  assert.equal(hashBytes(...embedded(key, 5)), hash(key));
});

test('growth moves the old buckets a few per add: no add re-places every key, and every key stays findable meanwhile', () => {
  const capacity = 1 << 16;
  const t = table(capacity);
  const key = (i: number) => Buffer.from(`key ${i}`);
  const live = new Set<number>();
  let i = 0;
  // Up to the doubling from 16,384 to 32,768 buckets (at 8,193 keys).
  for (; t.bucketCount < 32768; i++) {
    add(t, i, key(i));
    live.add(i);
  }
  assert.ok(t.growing, 'the doubling add left the old table to be moved');
  // 16,384 old buckets at 64 per add: 256 adds. Meanwhile deletes (of moved and unmoved keys), finds and re-adds.
  let adds = 0;
  while (t.growing) {
    assert.ok(adds < 300, 'the move ends after old buckets ÷ 64 adds');
    const gone = (adds * 7919 + 13) % i;
    if (live.has(gone)) {
      t.delete(gone);
      live.delete(gone);
      assert.equal(find(t, key(gone)), -1, `deleted key ${gone}`);
    }
    add(t, i, key(i));
    live.add(i);
    i++;
    adds++;
    for (const k of [0, gone, i - 1, Math.floor(i / 2)]) assert.equal(find(t, key(k)), live.has(k) ? k : -1, `key ${k} during the move`);
  }
  for (let k = 0; k < i; k++) assert.equal(find(t, key(k)), live.has(k) ? k : -1, `key ${k} after the move`);
  assert.equal(t.count, live.size);
  // A deleted key's slot given to another key, and the first key's again: both found, nothing stale.
  const [first] = live;
  t.delete(first!);
  add(t, first!, key(-1));
  assert.equal(find(t, key(-1)), first);
  assert.equal(find(t, key(first!)), -1);
});
