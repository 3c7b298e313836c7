/** diskcache's Cache behaviours (tests/test_core.py), re-expressed for logcache's API: one test per rule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { Cache, ClosedError, DEFAULT_SETTINGS, JSONDisk, KeyError } from '../../src/index.js';

function open(t: { after(fn: () => void): void }, options = {}): Cache {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-core-'));
  const cache = new Cache(dir, options);
  t.after(() => { cache.close(); fs.rmSync(dir, { recursive: true, force: true }); });
  return cache;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('defaults are diskcache\'s and are stored', (t) => {
  const c = open(t);
  assert.equal(c.sizeLimit, DEFAULT_SETTINGS.sizeLimit);
  assert.equal(c.cullLimit, 10);
  assert.equal(c.evictionPolicy, 'least-recently-stored');
  assert.equal(c.statistics, false);
  assert.equal(c.diskMinFileSize, 2 ** 15);
});

test('settings persist across reopen; given settings win and are stored', (t) => {
  const c = open(t, { sizeLimit: 1000 });
  assert.equal(new Cache(c.directory).sizeLimit, 1000);
  const d = new Cache(c.directory, { sizeLimit: 5000 });
  assert.equal(c.sizeLimit, 1000, 'an open handle keeps its stale value');
  assert.equal(c.reset('sizeLimit'), 5000);
  d.close();
});

test('an unknown eviction policy or a bad setting is rejected before anything is written', (t) => {
  const dir = path.join(os.tmpdir(), `lc-core-none-${process.pid}`);
  assert.throws(() => new Cache(dir, { evictionPolicy: 'nope' as never }), RangeError);
  assert.throws(() => new Cache(dir, { sizeLimit: -1 }), RangeError);
  assert.throws(() => new Cache(dir, { timeout: Number.NaN }), RangeError);
  assert.equal(fs.existsSync(dir), false);
});

test('get returns the default on a miss and the value on a hit', (t) => {
  const c = open(t);
  assert.equal(c.get('a'), null);
  assert.equal(c.get('a', { default: 5 }), 5);
  c.set('a', 'x');
  assert.equal(c.get('a'), 'x');
});

test('get with expireTime and tag returns tuples, and wraps the default on a miss', (t) => {
  const c = open(t);
  c.set('a', 1, { expire: 100, tag: 'T' });
  const [v, e, tag] = c.get('a', { expireTime: true, tag: true }) as [number, number, string];
  assert.equal(v, 1);
  assert.ok(e > Date.now() / 1000 + 90);
  assert.equal(tag, 'T');
  assert.deepEqual(c.get('zz', { expireTime: true, tag: true }), [null, null, null]);
  assert.deepEqual(c.get('zz', { tag: true, default: 3 }), [3, null]);
});

test('integers and integer-valued floats are one key; strings, bytes and numbers differ', (t) => {
  const c = open(t);
  c.set(1, 'one');
  assert.equal(c.get(1.0), 'one');
  assert.equal(c.get(1n), 'one');
  assert.equal(c.get('1'), null);
  c.set('k', 'text');
  c.set(Buffer.from('k'), 'bytes');
  assert.equal(c.get('k'), 'text');
  assert.equal(c.size, 3);
});

test('arrays are keys (tuples), compared by content', (t) => {
  const c = open(t);
  c.set(['a', 1, [true, null]], 'v');
  assert.equal(c.get(['a', 1, [true, null]]), 'v');
  assert.equal(c.get(['a', 1]), null);
});

test('bad keys and values throw a TypeError naming the argument and write nothing', (t) => {
  const c = open(t);
  assert.throws(() => c.set((() => 1) as never, 1), /key/);
  assert.throws(() => c.set('k', () => 1), /value/);
  assert.throws(() => c.set(Number.NaN, 1), /key/);
  assert.throws(() => c.set('k', 1, { expire: Number.NaN }), /expire/);
  assert.throws(() => c.set('\ud800', 1), /key/);
  assert.equal(c.size, 0);
});

test('values round-trip: strings, numbers, bytes, CBOR structures', (t) => {
  const c = open(t);
  const values: unknown[] = ['s', '', 0, -0, 1.5, Infinity, Buffer.from([1, 2]), null, true, undefined,
    { a: [1, { b: 2 }] }, new Map([[1, 'x']]), new Set([1, 2]), new Date(0), 2n ** 70n, new Float64Array([1, 2])];
  values.forEach((v, i) => c.set(i, v));
  values.forEach((v, i) => assert.deepEqual(c.get(i), v));
  assert.ok(Object.is(c.get(3), -0));
});

test('large values go to their own files and the files go with the item', (t) => {
  const c = open(t);
  const big = Buffer.alloc(100_000, 7);
  c.set('big', big);
  c.set('text', 'x'.repeat(40_000));
  assert.deepEqual(c.get('big'), big);
  assert.equal(c.get('text'), 'x'.repeat(40_000));
  const files = () => fs.readdirSync(c.directory, { recursive: true }).filter((n) => String(n).endsWith('.val'));
  assert.equal(files().length, 2);
  c.set('big', Buffer.alloc(50_000, 1));
  c.delete('text');
  assert.equal(files().length, 1);
  c.clear();
  assert.equal(files().length, 0);
  assert.deepEqual(c.check(), []);
});

test('read mode stores a stream in a file and reads it back as a stream', async (t) => {
  const c = open(t);
  await c.set('s', Readable.from([Buffer.from('hello '), Buffer.from('world')]), { read: true });
  const stream = c.read('s') as Readable;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), 'hello world');
  assert.deepEqual(c.get('s'), Buffer.from('hello world'));
  assert.throws(() => c.read('missing'), KeyError);
});

test('expired items behave as absent everywhere but still count in size', async (t) => {
  const c = open(t, { cullLimit: 0 });
  c.set('a', 1, { expire: 0.02 });
  c.set('b', 2, { expire: -1 });
  await sleep(40);
  assert.equal(c.get('a'), null);
  assert.equal(c.has('a'), false);
  assert.equal(c.touch('a', { expire: 10 }), false);
  assert.equal(c.delete('b'), false);
  assert.equal(c.pop('b', { default: 'd' }), 'd');
  assert.equal(c.size, 2, 'expired rows stay until removed');
  assert.equal(c.add('a', 3), true, 'add replaces an expired item');
  assert.equal(c.expire(), 1);
  assert.equal(c.size, 1);
});

test('add stores only when the key is absent or expired', (t) => {
  const c = open(t);
  assert.equal(c.add('k', 1), true);
  assert.equal(c.add('k', 2), false);
  assert.equal(c.get('k'), 1);
});

test('touch sets a new expiry on a live item', (t) => {
  const c = open(t);
  c.set('k', 1);
  assert.equal(c.touch('k', { expire: 100 }), true);
  assert.ok((c.get('k', { expireTime: true }) as [number, number])[1] > Date.now() / 1000);
  assert.equal(c.touch('k', { expire: null }), true);
  assert.equal((c.get('k', { expireTime: true }) as [number, number | null])[1], null);
  assert.equal(c.touch('missing'), false);
});

test('incr and decr: atomic counters that keep expiry and tag; default null raises KeyError', (t) => {
  const c = open(t);
  assert.equal(c.incr('n'), 1);
  assert.equal(c.incr('n', { delta: 5 }), 6);
  assert.equal(c.decr('n', { delta: 2 }), 4);
  assert.equal(c.incr('m', { default: 10 }), 11);
  assert.throws(() => c.incr('missing', { default: null }), KeyError);
  c.set('f', 1.5, { tag: 'x', expire: 100 });
  assert.equal(c.incr('f'), 2.5);
  assert.equal((c.get('f', { tag: true }) as [number, string])[1], 'x');
  c.set('s', 'text');
  assert.throws(() => c.incr('s'), TypeError);
});

test('pop removes and returns a live item, with tuple forms', (t) => {
  const c = open(t);
  c.set('k', 'v', { tag: 't' });
  assert.deepEqual(c.pop('k', { tag: true }), ['v', 't']);
  assert.equal(c.has('k'), false);
  assert.deepEqual(c.pop('k', { expireTime: true, tag: true }), [null, null, null]);
});

test('getItem and deleteItem raise KeyError on a miss', (t) => {
  const c = open(t);
  assert.throws(() => c.getItem('k'), KeyError);
  assert.throws(() => c.deleteItem('k'), KeyError);
  c.setItem('k', 1);
  assert.equal(c.getItem('k'), 1);
  assert.equal(c.deleteItem('k'), true);
});

test('peekitem follows insertion order; an update keeps the position', (t) => {
  const c = open(t);
  for (const k of ['a', 'b', 'c']) c.set(k, k);
  c.set('a', 'A');
  assert.deepEqual(c.peekitem(), ['c', 'c']);
  assert.deepEqual(c.peekitem({ last: false }), ['a', 'A']);
  c.delete('a');
  c.set('a', 'again');
  assert.deepEqual(c.peekitem(), ['a', 'again']);
  c.clear();
  assert.throws(() => c.peekitem(), /dictionary is empty/);
});

test('iteration is insertion order; iterkeys is sort order (numbers, text, bytes, others)', (t) => {
  const c = open(t);
  const keys = [Buffer.from('a'), 'b', 2, [1], -3, 'a', Buffer.from([0]), 1.5];
  for (const k of keys) c.set(k, 0);
  assert.deepEqual([...c], keys);
  assert.deepEqual([...c.reversed()], [...keys].reverse());
  assert.deepEqual([...c.iterkeys()], [-3, 1.5, 2, 'a', 'b', Buffer.from([0]), Buffer.from('a'), [1]]);
});

test('evict removes items by tag; evict(null) removes nothing', (t) => {
  const c = open(t);
  for (let i = 0; i < 10; i++) c.set(i, i, { tag: i % 2 === 0 ? 'even' : 'odd' });
  assert.equal(c.evict(null), 0);
  assert.equal(c.evict('even'), 5);
  assert.equal(c.size, 5);
});

test('culling after set keeps the size limit: least-recently-stored, diskcache\'s example', (t) => {
  const c = open(t, { cullLimit: 0 });
  for (let i = 0; i < 6; i++) c.set(i, i);
  c.reset('sizeLimit', 0);
  c.reset('cullLimit', 2);
  c.set('new', 'n');
  assert.deepEqual([...c], [2, 3, 4, 5, 'new']);
});

for (const policy of ['least-recently-used', 'least-frequently-used'] as const) {
  test(`culling under ${policy} keeps what was read`, (t) => {
    const c = open(t, { evictionPolicy: policy, cullLimit: 0 });
    for (let i = 0; i < 6; i++) c.set(i, i);
    c.reset('sizeLimit', 0);
    c.reset('cullLimit', 2);
    for (const k of [3, 3, 1, 0]) c.get(k);
    c.set('new', 'n');
    assert.deepEqual([...c], [0, 1, 3, 5, 'new']);
  });
}

test('eviction policy none never evicts for size', (t) => {
  const c = open(t, { evictionPolicy: 'none', sizeLimit: 0 });
  for (let i = 0; i < 20; i++) c.set(i, i);
  assert.equal(c.size, 20);
  assert.equal(c.cull(), 0);
});

test('cull removes until volume is under the size limit, and volume shrinks as items go', (t) => {
  const c = open(t);
  for (let i = 0; i < 200; i++) c.set(i, 'x'.repeat(1000));
  const before = c.volume();
  c.reset('sizeLimit', before / 2);
  assert.ok(c.cull() > 0);
  assert.ok(c.volume() <= before / 2);
  assert.ok(c.volume() < before);
});

test('stats counts get hits and misses only while enabled', (t) => {
  const c = open(t);
  c.set('a', 1);
  c.get('a');
  assert.deepEqual(c.stats(), [0, 0], 'stats() returns the counters, then enables them');
  c.get('a');
  c.get('b');
  c.has('a');
  c.pop('zz');
  assert.deepEqual(c.stats({ reset: true }), [1, 1]);
  assert.deepEqual(c.stats({ enable: false }), [0, 0]);
  c.get('a');
  assert.deepEqual(c.stats({ enable: false }), [0, 0]);
});

test('transact: nested calls join; an exception rolls back every change', (t) => {
  const c = open(t);
  assert.equal(c.transact(() => { c.set('a', 1); return c.transact(() => { c.set('b', 2); return c.get('a'); }); }), 1);
  assert.throws(() => c.transact(() => { c.set('a', 99); c.delete('b'); throw new Error('boom'); }), /boom/);
  assert.equal(c.get('a'), 1);
  assert.equal(c.get('b'), 2);
});

test('check finds a missing value file and an unknown file; fix repairs', (t) => {
  const c = open(t);
  c.set('big', Buffer.alloc(50_000));
  const val = fs.readdirSync(c.directory, { recursive: true }).map(String).find((n) => n.endsWith('.val'))!;
  fs.unlinkSync(path.join(c.directory, val));
  fs.writeFileSync(path.join(c.directory, 'stray.txt'), 'x');
  const warnings = c.check();
  assert.ok(warnings.some((w) => w.message.startsWith('file not found')));
  assert.ok(warnings.some((w) => w.category === 'UnknownFileWarning'));
  c.check({ fix: true });
  assert.deepEqual(c.check(), []);
  assert.equal(c.get('big'), null);
});

test('memoize caches sync and async results, by name, with typed keys and ignored arguments', async (t) => {
  const c = open(t);
  let calls = 0;
  const add = c.memoize({ name: 'add', typed: true, ignore: [2] })((a: number, b: number, _log?: string) => { calls++; return a + b; });
  assert.equal(add(1, 2, 'x'), 3);
  assert.equal(add(1, 2, 'y'), 3);
  assert.equal(calls, 1);
  assert.deepEqual(add.cacheKey(1, 2, 'z'), ['add', 1, 2, '\u0000typed', 'number', 'number']);
  const slow = c.memoize({ expire: 60 })(async (x: number) => { calls++; return x * 2; });
  assert.equal(await slow(4), 8);
  assert.equal(await slow(4), 8);
  assert.equal(calls, 2);
});

test('JSONDisk stores JSON values and keys', (t) => {
  const c = open(t, { disk: JSONDisk });
  c.set({ a: 1 } as never, [1, 2]);
  assert.deepEqual(c.get({ a: 1 } as never), [1, 2]);
});

test('extra settings are stored and readable as properties', (t) => {
  const c = open(t, { foo: 7 });
  assert.equal((c as unknown as { foo: number }).foo, 7);
  assert.equal((new Cache(c.directory) as unknown as { foo: number }).foo, 7);
});

test('a closed cache throws ClosedError', (t) => {
  const c = open(t);
  c.close();
  assert.throws(() => c.get('a'), ClosedError);
  c.close();
});

test('a key stored twice in one transaction holds its last value, before and after a reopen and a compaction', (t) => {
  const cache = open(t);
  const dir = cache.directory;
  cache.transact(() => {
    cache.set('k', 1.25);
    cache.set('k', Buffer.from('x'));
    cache.set('s', 'first');
    cache.set('s', 'second, longer than the first');
  });
  assert.deepEqual(cache.get('k'), Buffer.from('x'));
  assert.equal(cache.get('s'), 'second, longer than the first');
  assert.ok(cache.compact().base > 0, 'the first values are dead: a base was written');
  assert.deepEqual(cache.get('k'), Buffer.from('x'));
  cache.close();
  const again = new Cache(dir);
  assert.deepEqual(again.get('k'), Buffer.from('x'));
  assert.equal(again.get('s'), 'second, longer than the first');
  assert.deepEqual(again.check(), []);
  again.close();
});
