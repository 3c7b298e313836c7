/** The shard's cache of small values by slot (src/shard/value-cache.ts): bounded, oldest insertion evicted first. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARENA_MAX_BYTES, ValueCache } from '../../src/shard/value-cache.js';
import { mulberry32 } from '../fixtures/prng.js';

const bytes = (s: string): Buffer => Buffer.from(s);

/** The slots among `slots` that the cache holds (at the version each was last set with, `versions`). */
function held(c: ValueCache, versions: Map<number, number>): number[] {
  return [...versions].filter(([slot, v]) => c.get(slot, v) !== undefined).map(([slot]) => slot).sort((a, b) => a - b);
}

test('get returns the bytes only for the version they were set with', () => {
  const c = new ValueCache(8);
  const b = bytes('one');
  c.set(1, 5, b);
  assert.deepEqual(c.get(1, 5), b);
  assert.equal(c.get(1, 4), undefined, 'an older version');
  assert.equal(c.get(1, 6), undefined, 'a newer version');
  assert.equal(c.get(2, 5), undefined, 'another slot');
  const b2 = bytes('two');
  c.set(1, 6, b2);
  assert.deepEqual(c.get(1, 6), b2);
  assert.equal(c.get(1, 5), undefined, 'setting a slot again replaces its version');
  assert.equal(c.size, 1);
});

test('an empty cache has nothing', () => {
  const c = new ValueCache(4);
  assert.equal(c.size, 0);
  assert.equal(c.get(0, 0), undefined);
  assert.equal(c.capacity, 4);
});

test('the oldest insertion is evicted first', () => {
  const c = new ValueCache(4);
  const versions = new Map<number, number>();
  for (const slot of [10, 11, 12, 13]) {
    c.set(slot, slot * 100, bytes(`v${slot}`));
    versions.set(slot, slot * 100);
  }
  assert.deepEqual(held(c, versions), [10, 11, 12, 13]);
  c.set(14, 1400, bytes('v14'));
  versions.set(14, 1400);
  assert.deepEqual(held(c, versions), [11, 12, 13, 14]);
  c.set(15, 1500, bytes('v15'));
  versions.set(15, 1500);
  assert.deepEqual(held(c, versions), [12, 13, 14, 15]);
  assert.equal(c.size, 4);
});

test('a capacity of 1 keeps only the last value', () => {
  const c = new ValueCache(1);
  c.set(1, 1, bytes('a'));
  c.set(2, 1, bytes('b'));
  assert.equal(c.get(1, 1), undefined);
  assert.deepEqual(c.get(2, 1), bytes('b'));
  assert.equal(c.size, 1);
});

test('a slot set again is not evicted when the ring reaches its older position', () => {
  const capacity = 4;
  const c = new ValueCache(capacity);
  c.set(1, 1, bytes('first')); // ring position 0
  c.set(2, 1, bytes('x')); //     1
  c.set(1, 2, bytes('again')); // 2: slot 1's newer position
  c.set(3, 1, bytes('x')); //     3
  c.set(4, 1, bytes('x')); //     0 again: it held slot 1's older entry, which must not evict the newer one
  assert.deepEqual(c.get(1, 2), bytes('again'));
  c.set(5, 1, bytes('x')); //     1: evicts slot 2
  assert.equal(c.get(2, 1), undefined);
  assert.deepEqual(c.get(1, 2), bytes('again'));
  c.set(6, 1, bytes('x')); //     2: slot 1's newer position comes round: now it goes
  assert.equal(c.get(1, 2), undefined);
  assert.deepEqual(held(c, new Map([[3, 1], [4, 1], [5, 1], [6, 1]])), [3, 4, 5, 6]);
});

test('a slot set again after a full round of others outlives the next insertion', () => {
  const capacity = 5;
  const c = new ValueCache(capacity);
  c.set(1, 1, bytes('first'));
  for (let s = 2; s <= capacity; s++) c.set(s, 1, bytes('x'));
  c.set(1, 2, bytes('again'));
  c.set(100, 1, bytes('x'));
  assert.deepEqual(c.get(1, 2), bytes('again'));
  assert.equal(c.get(2, 1), undefined, 'the oldest other slot went instead');
});

test('the size never exceeds the capacity, and a slot stays for exactly `capacity` insertions after its last set', () => {
  const next = mulberry32(7);
  for (const capacity of [1, 2, 3, 8, 64]) {
    const c = new ValueCache(capacity);
    const versions = new Map<number, number>(); // slot → the insertion that last set it (also its version)
    for (let i = 0; i < 5000; i++) {
      // Few slots (many repeats) or many slots (mostly new ones), by turns.
      const slot = Math.floor(next() * (i % 1000 < 500 ? capacity + 2 : 10 * capacity));
      c.set(slot, i, bytes(String(i)));
      versions.set(slot, i);
      assert.ok(c.size <= capacity, `capacity ${capacity}, insertion ${i}: size ${c.size}`);
      // A slot is held, with its latest bytes, exactly when it was last set within the last `capacity` insertions.
      for (const [s, v] of versions) {
        if (i - v < capacity) assert.deepEqual(c.get(s, v), bytes(String(v)), `capacity ${capacity}, insertion ${i}: slot ${s}`);
        else assert.equal(c.get(s, v), undefined, `capacity ${capacity}, insertion ${i}: slot ${s} set at ${v}`);
      }
    }
    assert.ok(c.size > 0);
  }
});

test('distinct slots fill the cache to its capacity and no further', () => {
  const c = new ValueCache(100);
  for (let s = 0; s < 100; s++) c.set(s, 0, bytes('x'));
  assert.equal(c.size, 100);
  for (let s = 0; s < 100; s++) assert.notEqual(c.get(s, 0), undefined, `slot ${s}`);
  for (let s = 100; s < 350; s++) {
    c.set(s, 0, bytes('x'));
    assert.equal(c.size, 100);
    assert.equal(c.get(s - 100, 0), undefined, `slot ${s - 100} was the oldest`);
    assert.notEqual(c.get(s - 99, 0), undefined, `slot ${s - 99} is still there`);
  }
});

test('clear() empties the cache, and eviction starts afresh after it', () => {
  const c = new ValueCache(3);
  c.set(1, 1, bytes('a'));
  c.set(2, 1, bytes('b'));
  c.set(1, 2, bytes('c'));
  c.clear();
  assert.equal(c.size, 0);
  assert.equal(c.get(1, 2), undefined);
  assert.equal(c.get(2, 1), undefined);
  // Three new values fit; the fourth evicts the first of them, not anything from before the clear.
  c.set(7, 1, bytes('x'));
  c.set(8, 1, bytes('y'));
  c.set(9, 1, bytes('z'));
  assert.equal(c.size, 3);
  assert.deepEqual(held(c, new Map([[7, 1], [8, 1], [9, 1]])), [7, 8, 9]);
  c.set(10, 1, bytes('w'));
  assert.deepEqual(held(c, new Map([[7, 1], [8, 1], [9, 1], [10, 1]])), [8, 9, 10]);
});

test('the cache keeps a copy: changing the bytes it was given changes nothing', () => {
  const c = new ValueCache(4);
  const b = bytes('value');
  c.set(1, 1, b);
  b.fill(0x7a);
  assert.deepEqual(c.get(1, 1), bytes('value'));
});

test('a value over a quarter of the arena is not cached; an empty one is', () => {
  const c = new ValueCache(4);
  c.set(1, 1, Buffer.alloc(ARENA_MAX_BYTES / 4 + 1, 1));
  assert.equal(c.get(1, 1), undefined);
  assert.equal(c.size, 0);
  c.set(2, 1, Buffer.alloc(ARENA_MAX_BYTES / 4, 2));
  assert.deepEqual(c.get(2, 1), Buffer.alloc(ARENA_MAX_BYTES / 4, 2));
  c.set(3, 1, Buffer.alloc(0));
  assert.deepEqual(c.get(3, 1), Buffer.alloc(0));
});

test('bounded by bytes: the arena wraps, and a value whose bytes were overwritten is gone, never wrong', () => {
  const next = mulberry32(11);
  const c = new ValueCache(4096);
  const latest = new Map<number, [number, Buffer]>(); // slot → (version, bytes)
  let version = 0;
  for (let i = 0; i < 20_000; i++) {
    const slot = Math.floor(next() * 3000);
    const n = Math.floor(next() * next() * 20_000); // mostly small, some up to ~20 KB
    const b = Buffer.alloc(n, (i * 7) & 0xff);
    if (n >= 4) b.writeUInt32LE(i, 0);
    c.set(slot, ++version, b);
    latest.set(slot, [version, b]);
    assert.ok(c.bytes <= ARENA_MAX_BYTES, `insertion ${i}: ${c.bytes} bytes held`);
    if (i % 97 === 0) {
      let heldBytes = 0;
      for (const [s, [v, want]] of latest) {
        const got = c.get(s, v);
        if (got !== undefined) {
          assert.deepEqual(got, want, `insertion ${i}: slot ${s}`);
          heldBytes += got.length;
        }
      }
      assert.ok(heldBytes <= c.bytes);
    }
  }
  // The newest value is always held, and the last ~1 MiB of insertions are too.
  const [v, want] = latest.get([...latest.keys()].at(-1)!)!;
  assert.ok(v > 0 && want !== undefined);
});

test('a value written just before the arena wraps and one right after are both right', () => {
  const c = new ValueCache(64);
  const big = ARENA_MAX_BYTES / 4;
  for (let i = 0; i < 3; i++) c.set(i, 1, Buffer.alloc(big, i)); // 3/4 of the arena
  c.set(3, 1, Buffer.alloc(big - 10, 3)); // fits before the end
  c.set(4, 1, Buffer.alloc(20, 4)); // does not: wraps to 0 and overwrites slot 0's bytes
  assert.equal(c.get(0, 1), undefined);
  for (let i = 1; i < 4; i++) assert.deepEqual(c.get(i, 1), Buffer.alloc(i === 3 ? big - 10 : big, i), `slot ${i}`);
  assert.deepEqual(c.get(4, 1), Buffer.alloc(20, 4));
});

// Through a Cache: what get returns is the caller's own, whatever the cache's arena holds later.
test('a value read through a Cache stays as read while the value cache wraps, with Disk and with a subclass that keeps its bytes', async (t) => {
  const { Cache } = await import('../../src/index.js');
  const { Disk, MODE_RAW_BYTES } = await import('../../src/format/disk.js');
  const { tempDir } = await import('../fixtures/tmp.js');
  /** A Disk whose fetch hands back the very bytes it is given, as a subclass may (diskcache's fetch gets a copy). */
  class KeepingDisk extends Disk {
    override fetch(mode: number, filename: string | null, inline: Uint8Array | null, read: boolean): unknown {
      return mode === MODE_RAW_BYTES && inline !== null ? inline : super.fetch(mode, filename, inline, read);
    }
  }
  for (const disk of [Disk, KeepingDisk]) {
    const cache = new Cache(tempDir(t), { disk });
    try {
      // The arena grows to its largest first (a view into a smaller one would only be left behind when it grows).
      for (let i = 0; i < 3000; i++) cache.set(`before ${i}`, Buffer.alloc(1000, 3));
      cache.set('first', Buffer.alloc(1000, 1));
      const got = cache.get('first') as Uint8Array;
      assert.deepEqual(Buffer.from(got), Buffer.alloc(1000, 1));
      // 3 MiB of other small values: more than the arena holds, so its bytes at `first`'s place are overwritten.
      for (let i = 0; i < 3000; i++) cache.set(`other ${i}`, Buffer.alloc(1000, 2));
      assert.deepEqual(Buffer.from(got), Buffer.alloc(1000, 1), disk.name);
      assert.deepEqual(Buffer.from(cache.get('first') as Uint8Array), Buffer.alloc(1000, 1), disk.name);
    } finally {
      cache.close();
    }
  }
});
