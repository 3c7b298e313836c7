/** The keydir's slot arrays (src/shard/keydir.ts): fit() after a load keeps every item and leaves room to grow. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyDir, NIL } from '../../src/shard/keydir.js';

const key = (i: number) => Buffer.from(`\u0003key:${i}`, 'latin1');

function fill(kd: KeyDir, n: number): void {
  for (let i = 0; i < n; i++) {
    const k = key(i);
    const s = kd.insert(k, 0, k.length);
    kd.version[s] = i + 1;
    kd.offset[s] = i * 1000;
  }
}

test('fit shrinks the slot arrays to the slots in use plus an eighth, and every item stays as it was', () => {
  const kd = new KeyDir();
  kd.clear();
  fill(kd, 5000);
  for (let i = 0; i < 5000; i += 3) kd.remove(kd.find(key(i)));
  assert.equal(kd.capacity, 8192, 'growth by doubling');
  kd.fit();
  assert.equal(kd.capacity, 5000 + 625);
  assert.equal(kd.version.length, kd.capacity);
  assert.equal(kd.keys.keyStart.length, kd.capacity);
  for (let i = 0; i < 5000; i++) {
    const s = kd.find(key(i));
    if (i % 3 === 0) assert.equal(s, NIL, `key:${i} was removed`);
    else {
      assert.notEqual(s, NIL, `key:${i}`);
      assert.equal(kd.version[s], i + 1);
      assert.equal(kd.offset[s], i * 1000);
      assert.deepEqual(kd.keyBytes(s), key(i));
    }
  }
  assert.deepEqual([...kd.slots()].length, kd.count);
});

test('after fit, inserts reuse the free slots first and grow the arrays again past the capacity', () => {
  const kd = new KeyDir();
  kd.clear();
  fill(kd, 3000);
  kd.remove(kd.find(key(10)));
  kd.fit();
  const cap = kd.capacity;
  const k = key(99999);
  assert.equal(kd.insert(k, 0, k.length), kd.find(k));
  assert.equal(kd.find(k) < 3000, true, 'a freed slot, not a new one');
  for (let i = 3000; i < 3000 + cap; i++) {
    const b = key(i);
    kd.insert(b, 0, b.length);
  }
  assert.ok(kd.capacity > cap);
  for (let i = 0; i < 3000 + cap; i++) if (i !== 10) assert.notEqual(kd.find(key(i)), NIL, `key:${i}`);
});

test('fit on a small keydir keeps the 1,024-slot minimum', () => {
  const kd = new KeyDir();
  kd.clear();
  fill(kd, 10);
  kd.fit();
  assert.equal(kd.capacity, 1024);
  assert.equal(kd.count, 10);
});
