/** The keydir's per-slot arrays grow in place (src/shard/slot-arrays.ts): no copy proportional to the slots. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESERVE_SLOTS, resized } from '../../src/shard/slot-arrays.js';

test('an array grows and shrinks in place, keeping its elements, and comes back zeroed when not kept', () => {
  for (const Type of [Float64Array, Uint32Array, Int32Array, Uint8Array]) {
    let a = resized(new Type(0), 1024);
    for (let i = 0; i < 1024; i++) a[i] = i % 200;
    const first = a;
    a = resized(a, 1 << 20);
    assert.ok(a === first, `${Type.name}: the same array, grown in place`);
    assert.equal(a.length, 1 << 20);
    for (let i = 0; i < 1024; i++) assert.equal(a[i], i % 200);
    assert.equal(a[1024], 0, 'new elements are zero');
    assert.equal(a[(1 << 20) - 1], 0);
    a = resized(a, 2048);
    assert.ok(a === first, 'shrunk in place');
    assert.equal(a.length, 2048);
    assert.equal(a[1023], 1023 % 200);
    a = resized(a, 4096, false);
    assert.equal(a.length, 4096);
    assert.ok(a.every((x) => x === 0), `${Type.name}: not kept: all zero`);
  }
});

test('past the reserved slots an array is copied into a larger one, elements kept', () => {
  const a = resized(new Uint8Array(0), 16);
  a.set([1, 2, 3]);
  const b = resized(a, RESERVE_SLOTS + 1);
  assert.ok(b !== a);
  assert.equal(b.length, RESERVE_SLOTS + 1);
  assert.deepEqual([...b.subarray(0, 4)], [1, 2, 3, 0]);
  const c = resized(b, RESERVE_SLOTS + 100);
  assert.ok(c === b, 'the larger one reserves twice its size');
});

test('a plain array (not resizable) is copied into a resizable one', () => {
  const a = new Float64Array([1.5, 2.5]);
  const b = resized(a, 8);
  assert.ok(b !== a);
  assert.deepEqual([...b], [1.5, 2.5, 0, 0, 0, 0, 0, 0]);
  assert.equal((b.buffer as ArrayBuffer & { resizable: boolean }).resizable, true);
});
