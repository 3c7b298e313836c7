/** Queues, FanoutCache, Deque and Index: diskcache's rules for them, one test per rule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cache, Deque, FanoutCache, Index, IndexError, KeyError } from '../../src/index.js';
import { encodeKey, hashEncodedKey } from '../../src/format/keys.js';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-coll-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('push on an empty queue starts at 500000000000000 on either side', (t) => {
  const c = new Cache(tmp(t));
  assert.equal(c.push('a', { side: 'front' }), 500000000000000);
  assert.equal(c.push('b', { side: 'front' }), 499999999999999);
  assert.equal(c.push('c'), 500000000000001);
  assert.deepEqual(c.pull(), [499999999999999, 'b']);
  assert.deepEqual(c.pull({ side: 'back' }), [500000000000001, 'c']);
  assert.deepEqual(c.peek(), [500000000000000, 'a']);
  assert.deepEqual(c.check(), []);
  c.close();
});

test('prefixed queues use text keys and stay apart', (t) => {
  const c = new Cache(tmp(t));
  assert.equal(c.push(1, { prefix: 'jobs' }), 'jobs-500000000000000');
  assert.equal(c.push(2, { prefix: 'jobs' }), 'jobs-500000000000001');
  c.push('x');
  assert.deepEqual(c.pull({ prefix: 'jobs' }), ['jobs-500000000000000', 1]);
  assert.deepEqual(c.pull({ prefix: 'other' }), [null, null]);
  c.close();
});

test('the prefix "\\u0000" is a text prefix like any other, apart from the queue without a prefix', (t) => {
  const c = new Cache(tmp(t));
  assert.equal(c.push('a'), 500000000000000);
  assert.equal(c.push('b', { prefix: '\u0000' }), '\u0000-500000000000000');
  assert.deepEqual(c.pull(), [500000000000000, 'a']);
  assert.deepEqual(c.pull(), [null, null]);
  assert.deepEqual(c.pull({ prefix: '\u0000' }), ['\u0000-500000000000000', 'b']);
  c.close();
});

test('queue order survives reopen and compaction', (t) => {
  const dir = tmp(t);
  const c = new Cache(dir);
  for (let i = 0; i < 5; i++) c.push(i);
  for (let i = 0; i < 20; i++) c.set('dead', 'x'.repeat(i)); // dead records, so that compaction writes a base
  c.delete('dead');
  assert.ok(c.compact().base > 0);
  c.close();
  const d = new Cache(dir);
  assert.equal(d.push(5), 500000000000005);
  assert.deepEqual(d.pull(), [500000000000000, 0]);
  d.close();
});

test('pushes inside a transaction keep the queue in order', (t) => {
  const c = new Cache(tmp(t));
  c.transact(() => { c.push('a'); c.push('b'); });
  c.transact(() => c.push('c'));
  assert.deepEqual([...c], [500000000000000, 500000000000001, 500000000000002]);
  c.close();
});

test('FanoutCache routes keys to shards and aggregates size, volume and check', (t) => {
  const f = new FanoutCache(tmp(t), { shards: 4 });
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
  const f = new FanoutCache(tmp(t), { shards: 7 });
  const keys = ['', 'a', 'key:42', 'é☃😀', 'x'.repeat(85), 'y'.repeat(86), 'z'.repeat(5000), 0, -1, 2 ** 53, -(2 ** 63),
    1.5, 7n, 2n ** 80n, true, null, Buffer.from('a'), ['a', 1], [[2]]];
  for (const k of keys) {
    assert.equal(f.shardFor(k), f.shards[hashEncodedKey(encodeKey(k)) % 7], String(k));
  }
  f.close();
});

test('FanoutCache sub-collection names may not leave the directory', (t) => {
  const f = new FanoutCache(tmp(t), { shards: 2 });
  for (const name of ['../x', '/abs', 'a/../b', 'nul\0']) assert.throws(() => f.cache(name), /name/);
  assert.equal(f.cache('a/b'), f.cache('a/b'));
  f.close();
});

test('Deque: append, appendleft, pop, popleft, rotate and indexing', (t) => {
  const d = new Deque<number>([1, 2, 3], { directory: tmp(t) });
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
  const d = new Deque<number>([0, 1, 2], { directory: tmp(t), maxlen: 2 });
  assert.deepEqual([...d], [1, 2]);
  d.appendleft(-1);
  assert.deepEqual([...d], [-1, 1]);
  d.close();
});

test('Index keeps insertion order, implements Map and raises KeyError like diskcache', (t) => {
  const dir = tmp(t);
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
  const { runWorker } = await import('../fixtures/spawn.js');
  const dir = tmp(t);
  new FanoutCache(dir, { shards: 8 }).close();
  const results = await Promise.all([0, 1, 2, 3].map((me) => runWorker('fanout-core', dir, me, 4, 20000)));
  const f = new FanoutCache(dir, { shards: 8 });
  let checked = 0;
  for (const lines of results) {
    for (const [key, value] of JSON.parse(lines[0]) as [string, string | null][]) {
      assert.equal(f.get(key), value, `key ${key}`);
      checked++;
    }
  }
  assert.ok(checked > 50);
  assert.deepEqual(f.check(), []);
  f.close();
});
