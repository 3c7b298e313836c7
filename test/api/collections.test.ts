/**
 * FanoutCache's own rules (routing, placement, sub-collections, many processes), Deque and Index: diskcache's rules
 * for them, one test per rule. The Cache surface FanoutCache shares (queues included) is in test/conformance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Deque, FanoutCache, Index, IndexError, KeyError } from '../../src/index.js';
import { encodeKey, hashEncodedKey } from '../../src/format/keys.js';
import { runWorker } from '../fixtures/spawn.js';
import { tempDir } from '../fixtures/tmp.js';


test('FanoutCache routes keys to shards and aggregates size, volume and check', (t) => {
  const f = new FanoutCache(tempDir(t), { shards: 4 });
  for (let i = 0; i < 40; i++) f.set(i, i);
  assert.equal(f.size, 40);
  assert.equal(f.get(7), 7);
  assert.ok(new Set(Array.from({ length: 40 }, (_, i) => f.shardFor(i))).size > 1);
  assert.equal(f.sizeLimit, 2 ** 30 / 4);
  assert.ok(f.volume() > 0);
  assert.equal(f.clear(), 40);
  assert.deepEqual(f.check(), []);
  f.close();
});

test('a key lives in shard CRC32C(encoded key) mod shards, whatever its type or length (placement is on disk)', (t) => {
  const f = new FanoutCache(tempDir(t), { shards: 7 });
  const keys = ['', 'a', 'key:42', 'é☃😀', 'x'.repeat(85), 'y'.repeat(86), 'z'.repeat(5000), 0, -1, 2 ** 53, -(2 ** 63),
    1.5, 7n, 2n ** 80n, true, null, Buffer.from('a'), ['a', 1], [[2]]];
  for (const k of keys) {
    assert.equal(f.shardFor(k), f.shards[hashEncodedKey(encodeKey(k)) % 7], String(k));
  }
  f.close();
});

test('FanoutCache sub-collection names may not leave the directory', (t) => {
  const f = new FanoutCache(tempDir(t), { shards: 2 });
  for (const name of ['../x', '/abs', 'a/../b', 'nul\0']) assert.throws(() => f.cache(name), /name/);
  assert.equal(f.cache('a/b'), f.cache('a/b'));
  f.close();
});

test('Deque: append, appendleft, pop, popleft, rotate and indexing', (t) => {
  const d = new Deque<number>([1, 2, 3], { directory: tempDir(t) });
  d.appendleft(0);
  assert.deepEqual([...d], [0, 1, 2, 3]);
  assert.equal(d.pop(), 3);
  assert.equal(d.popleft(), 0);
  d.extend([4, 5]);
  d.rotate(1);
  assert.deepEqual([...d], [5, 1, 2, 4]);
  d.rotate(-1);
  assert.deepEqual([...d], [1, 2, 4, 5]);
  assert.equal(d.get(-1), 5);
  d.set(0, 9);
  assert.deepEqual([...d.reversed()], [5, 4, 2, 9]);
  assert.throws(() => d.get(10), IndexError);
  d.clear();
  assert.throws(() => d.pop(), /pop from an empty deque/);
  d.close();
});

test('Deque with maxlen drops from the other end', (t) => {
  const d = new Deque<number>([0, 1, 2], { directory: tempDir(t), maxlen: 2 });
  assert.deepEqual([...d], [1, 2]);
  d.appendleft(-1);
  assert.deepEqual([...d], [-1, 1]);
  d.close();
});

test('Index keeps insertion order, implements Map and raises KeyError like diskcache', (t) => {
  const dir = tempDir(t);
  const x = new Index<string, number>(dir, [['b', 2], ['a', 1]]);
  x.set('b', 3);
  assert.deepEqual([...x.keys()], ['b', 'a']);
  assert.equal(x.get('zz'), undefined);
  assert.throws(() => x.getItem('zz'), KeyError);
  assert.throws(() => x.pop('zz'), KeyError);
  assert.equal(x.pop('zz', 0), 0);
  assert.ok(x.equals({ a: 1, b: 3 }));
  assert.deepEqual(x.popitem({ last: false }), ['b', 3]);
  x.close();
  const y = new Index<string, number>(dir);
  assert.deepEqual([...y], [['a', 1]]);
  y.close();
});

test('FanoutCache with 4 processes on the core workload ends with the contents their operations imply', async (t) => {
  const dir = tempDir(t);
  new FanoutCache(dir, { shards: 8 }).close();
  const results = await Promise.all([0, 1, 2, 3].map((me) => runWorker('fanout-core', dir, me, 4, 20000)));
  const f = new FanoutCache(dir, { shards: 8 });
  let checked = 0;
  for (const lines of results) {
    for (const [key, value] of JSON.parse(lines[0]) as [string, string | null][]) {
      assert.equal(f.get(key), value ?? undefined, `key ${key}`);
      checked++;
    }
  }
  assert.ok(checked > 50);
  assert.deepEqual(f.check(), []);
  f.close();
});
