/** Settings, keys and values: what is stored, what comes back, and what is refused before anything is written. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { DEFAULT_SETTINGS, JSONDisk, KeyError } from '../../../src/index.js';
import { MISS, type RuleContext } from '../suite.js';

export function registerCore({ rule, fresh, reopen, supports }: RuleContext): void {
  const share = (limit: number) => limit / supports.shards;

  rule("defaults are diskcache's and are stored", (t) => {
    const c = fresh(t);
    assert.equal(c.sizeLimit, share(DEFAULT_SETTINGS.sizeLimit));
    assert.equal(c.cullLimit, 10);
    assert.equal(c.evictionPolicy, 'least-recently-stored');
    assert.equal(c.statistics, false);
    assert.equal(c.diskMinFileSize, 2 ** 15);
  });

  rule('settings persist across reopen; given settings win and are stored', (t) => {
    const c = fresh(t, { sizeLimit: 1000, cullLimit: 3 });
    const again = reopen(t, c.directory);
    assert.equal(again.cullLimit, 3);
    assert.equal(again.sizeLimit, supports.storesSizeLimit ? 1000 : share(2 ** 30), 'sizeLimit on a reopen without it');
    reopen(t, c.directory, { sizeLimit: 5000 });
    assert.equal(c.sizeLimit, share(1000), 'an open handle keeps its stale value');
    assert.equal(c.reset('sizeLimit'), share(5000));
  });

  rule('an unknown eviction policy or a bad setting is rejected before anything is written', (t) => {
    const dir = path.join(os.tmpdir(), `lc-conf-none-${process.pid}-${Date.now()}`);
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    assert.throws(() => reopen(t, dir, { evictionPolicy: 'nope' as never }), RangeError);
    assert.throws(() => reopen(t, dir, { sizeLimit: -1 }), RangeError);
    assert.throws(() => reopen(t, dir, { timeout: Number.NaN }), RangeError);
    assert.equal(fs.existsSync(dir), false);
  });

  rule('get returns the default on a miss and the value on a hit', (t) => {
    const c = fresh(t);
    assert.equal(c.get('a'), MISS);
    assert.equal(c.get('a', { default: 5 }), 5);
    c.set('a', 'x');
    assert.equal(c.get('a'), 'x');
  });

  rule('integers and integer-valued floats are one key; strings, bytes and numbers differ', (t) => {
    const c = fresh(t);
    c.set(1, 'one');
    assert.equal(c.get(1.0), 'one');
    assert.equal(c.get(1n), 'one');
    assert.equal(c.get('1'), MISS);
    c.set('k', 'text');
    c.set(Buffer.from('k'), 'bytes');
    assert.equal(c.get('k'), 'text');
    assert.equal(c.size, 3);
  });

  rule('arrays are keys (tuples), compared by content', (t) => {
    const c = fresh(t);
    c.set(['a', 1, [true, null]], 'v');
    assert.equal(c.get(['a', 1, [true, null]]), 'v');
    assert.equal(c.get(['a', 1]), MISS);
  });

  rule('bad keys and values throw a TypeError naming the argument and write nothing', (t) => {
    const c = fresh(t);
    assert.throws(() => c.set((() => 1) as never, 1), /key/);
    assert.throws(() => c.set('k', () => 1), /value/);
    assert.throws(() => c.set(Number.NaN, 1), /key/);
    assert.throws(() => c.set('k', 1, { expire: Number.NaN }), /expire/);
    assert.throws(() => c.set('\ud800', 1), /key/);
    assert.equal(c.size, 0);
  });

  rule('values round-trip: strings, numbers, bytes, CBOR structures', (t) => {
    const c = fresh(t);
    const values: unknown[] = ['s', '', 0, -0, 1.5, Infinity, Buffer.from([1, 2]), null, true, undefined,
      { a: [1, { b: 2 }] }, new Map([[1, 'x']]), new Set([1, 2]), new Date(0), 2n ** 70n, new Float64Array([1, 2])];
    values.forEach((v, i) => c.set(i, v));
    values.forEach((v, i) => assert.deepEqual(c.get(i), v));
    assert.ok(Object.is(c.get(3), -0));
  });

  rule('large values go to their own files and the files go with the item', (t) => {
    const c = fresh(t);
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

  rule('read mode stores a stream in a file and reads it back as a stream', async (t) => {
    const c = fresh(t);
    await c.set('s', Readable.from([Buffer.from('hello '), Buffer.from('world')]), { read: true });
    const stream = c.read('s') as Readable;
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'hello world');
    assert.deepEqual(c.get('s'), Buffer.from('hello world'));
    assert.throws(() => c.read('missing'), KeyError);
  });

  rule('JSONDisk stores JSON values and keys', (t) => {
    const c = fresh(t, { disk: JSONDisk });
    c.set({ a: 1 } as never, [1, 2]);
    assert.deepEqual(c.get({ a: 1 } as never), [1, 2]);
  });

  rule('extra settings are stored and readable as properties', (t) => {
    const c = fresh(t, { foo: 7 });
    assert.equal((c as unknown as { foo: number }).foo, 7);
    assert.equal((reopen(t, c.directory) as unknown as { foo: number }).foo, 7);
  }, 'extraSettingProperties');

  rule('extra settings are stored and survive a reopen', (t) => {
    const c = fresh(t, { foo: 7 });
    assert.equal((c.settings as unknown as { foo: number }).foo, 7);
    assert.equal((reopen(t, c.directory).settings as unknown as { foo: number }).foo, 7);
  });
}
