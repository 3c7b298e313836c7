/**
 * Promise-returning methods wait for another process asynchronously (issue 14): while another process holds a
 * transaction window open, the event loop keeps running (a timer fires) until the write goes through. A blocking
 * wait would hold the timer back until the write's own timeout, and the window (released by that timer) would never
 * close: the write would fail with Timeout instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { Cache, FanoutCache } from '../../src/index.js';
import { KeyvLogcache } from '../../src/integrations/keyv.js';
import { Timeout } from '../../src/errors.js';
import { holdWindow } from '../fixtures/hold-window.js';
import { tmpdir } from '../torture/harness.js';

for (const kind of ['Cache', 'FanoutCache'] as const) {
  test(`the Keyv store on a ${kind} waits out another process's transaction without blocking the event loop`, async (t) => {
    const dir = tmpdir(t, 'async-wait');
    // The worker opens a Cache on the directory: a FanoutCache(1) routes every key to shard 000.
    const shardDir = kind === 'Cache' ? dir : path.join(dir, '000');
    const cache = kind === 'Cache' ? new Cache(dir, { timeout: 60 }) : new FanoutCache(dir, { shards: 1, timeout: 60 });
    t.after(() => cache.close());
    cache.set('warm', 1);
    const held = await holdWindow(t, shardDir);
    const store = new KeyvLogcache(cache);
    // The only thing that closes the window: a timer, which runs only if the write below waits asynchronously.
    held.releaseByTimer();
    assert.equal(await store.set('k', 'v'), true);
    assert.equal(held.timerRan, true, 'the timer ran while the write waited');
    assert.equal(await store.get('k'), 'v');
    assert.equal(cache.get('held'), 1, 'the other process committed first');
    assert.equal(await held.exited, 0);
  });
}

test("the Keyv store's set on a FanoutCache still returns false when another process's transaction outlasts the timeout", async (t) => {
  const dir = tmpdir(t, 'async-wait-fanout-timeout');
  const cache = new FanoutCache(dir, { shards: 1, timeout: 0.05 });
  t.after(() => cache.close());
  const held = await holdWindow(t, path.join(dir, '000'));
  held.releaseByTimer(1000);
  assert.equal(await new KeyvLogcache(cache).set('k', 'v'), false, "diskcache's rule: a timed-out FanoutCache set gives false");
  assert.equal(held.timerRan, false);
  assert.equal(cache.get('k'), undefined);
  held.release();
  assert.equal(await held.exited, 0);
});

test('Cache.whenWritable is undefined with no window open, and a Promise rejecting with Timeout past its timeout with one', async (t) => {
  const dir = tmpdir(t, 'async-wait-timeout');
  const cache = new Cache(dir, { timeout: 0.2 });
  t.after(() => cache.close());
  assert.equal(cache.whenWritable(), undefined, 'nothing to wait for: no Promise, the write may run at once');
  const held = await holdWindow(t, dir);
  const wait = cache.whenWritable();
  assert.ok(wait instanceof Promise);
  await assert.rejects(wait, (err: unknown) => err instanceof Timeout);
  held.release();
  assert.equal(await held.exited, 0);
  await cache.whenWritable();
});

test("a stream's set, add and push (read: true, a Promise) wait out another process's transaction without blocking the event loop", async (t) => {
  const dir = tmpdir(t, 'async-wait-stream');
  const cache = new Cache(dir, { timeout: 60 });
  t.after(() => cache.close());
  cache.set('warm', 1);
  const held = await holdWindow(t, dir);
  held.releaseByTimer();
  const body = (s: string) => Readable.from([Buffer.from(s.repeat(40_000))]); // a value file (over diskMinFileSize)
  const [set, add, pushed] = await held.afterRelease(Promise.all([
    cache.set('s', body('a'), { read: true }),
    cache.add('a', body('b'), { read: true }),
    cache.push(body('c'), { read: true }),
  ]));
  assert.equal(set, true);
  assert.equal(add, true);
  assert.equal(typeof pushed, 'number');
  assert.equal(cache.get('held'), 1, 'the other process committed first');
  assert.equal((cache.get('s') as Buffer).length, 40_000);
  assert.equal((cache.get('a') as Buffer).length, 40_000);
  assert.equal((cache.get(pushed) as Buffer).length, 40_000);
  assert.equal(await held.exited, 0);
});

test("a stream's set whose wait times out rejects with Timeout, writes nothing and leaves no value file", async (t) => {
  const dir = tmpdir(t, 'async-wait-stream-timeout');
  const cache = new Cache(dir, { timeout: 0.2 });
  t.after(() => cache.close());
  const held = await holdWindow(t, dir);
  const files = () => fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.val'));
  const before = files().length;
  await assert.rejects(async () => cache.set('s', Readable.from([Buffer.alloc(40_000, 1)]), { read: true }), (err: unknown) => err instanceof Timeout);
  assert.equal(files().length, before, 'the value file is removed');
  held.release();
  assert.equal(await held.exited, 0);
  assert.equal(cache.get('s'), undefined);
});
