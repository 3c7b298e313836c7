/** logcache/rate-limit: the store contract, then two express processes sharing one limit through one directory. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Options } from 'express-rate-limit';
import { Cache, FanoutCache } from '../../src/index.js';
import { setClock } from '../../src/clock.js';
import { LogcacheRateLimitStore } from '../../src/integrations/rate-limit.js';
import { tempDir } from './helpers.js';
import { startServer } from './servers.js';

const init = (store: LogcacheRateLimitStore, windowMs: number) => store.init({ windowMs } as Options);

test('increment counts hits in a window that starts at the first hit and resets for everyone when it runs out', async (t) => {
  let now = 1_000_000;
  t.after(setClock(() => now));
  const dir = tempDir(t);
  const a = new LogcacheRateLimitStore({ directory: dir });
  const b = new LogcacheRateLimitStore({ directory: dir });
  t.after(async () => { await a.shutdown(); await b.shutdown(); });
  init(a, 60_000);
  init(b, 60_000);
  assert.equal(await a.get('1.2.3.4'), undefined);
  const first = await a.increment('1.2.3.4');
  assert.deepEqual(first, { totalHits: 1, resetTime: new Date((1_000_000 + 60) * 1000) });
  now += 10;
  assert.deepEqual(await b.increment('1.2.3.4'), { totalHits: 2, resetTime: first.resetTime }, 'a later hit keeps the window');
  assert.deepEqual(await a.increment('5.6.7.8'), { totalHits: 1, resetTime: new Date((1_000_010 + 60) * 1000) }, 'clients apart');
  assert.deepEqual(await a.get('1.2.3.4'), { totalHits: 2, resetTime: first.resetTime });
  now += 51; // past the first client's window
  assert.equal(await b.get('1.2.3.4'), undefined);
  assert.deepEqual(await b.increment('1.2.3.4'), { totalHits: 1, resetTime: new Date((1_000_061 + 60) * 1000) });
});

test('decrement takes back one hit and never goes below zero; resetKey and resetAll forget hits (resetAll: this prefix only)', async (t) => {
  const cache = new Cache(tempDir(t));
  t.after(() => cache.close());
  const store = new LogcacheRateLimitStore({ cache });
  const other = new LogcacheRateLimitStore({ cache, prefix: 'login:' });
  for (let i = 0; i < 3; i++) await store.increment('k');
  await other.increment('k');
  await store.decrement('k');
  assert.equal((await store.get('k'))!.totalHits, 2);
  await store.decrement('k');
  await store.decrement('k');
  await store.decrement('k');
  assert.equal((await store.get('k'))!.totalHits, 0);
  await store.decrement('missing');
  assert.equal(await store.get('missing'), undefined, 'decrement creates nothing');
  await store.increment('j');
  await store.resetKey('j');
  assert.equal(await store.get('j'), undefined);
  await store.increment('j');
  await store.resetAll();
  assert.equal(await store.get('j'), undefined);
  assert.equal(await store.get('k'), undefined);
  assert.equal((await other.get('k'))!.totalHits, 1, "another prefix's counters stay");
  await store.shutdown();
  assert.equal(cache.has(['rate-limit', 'login:', 'k']), true, 'a cache passed in stays open');
});

test('on a FanoutCache, and bad arguments are refused', async (t) => {
  const cache = new FanoutCache(tempDir(t), { shards: 2 });
  t.after(() => cache.close());
  const store = new LogcacheRateLimitStore({ cache });
  assert.equal((await store.increment('x')).totalHits, 1);
  assert.equal((await store.increment('x')).totalHits, 2);
  assert.throws(() => new LogcacheRateLimitStore({ prefix: 7 as unknown as string }), TypeError);
  assert.throws(() => new LogcacheRateLimitStore({ cache: {} as never }), TypeError);
  assert.throws(() => init(store, 0), RangeError);
  await assert.rejects(store.increment(3 as unknown as string), TypeError);
  assert.equal(store.localKeys, false);
});

test('two express processes with rateLimit({ limit: 10 }) on one directory: of 30 alternating requests exactly 10 pass', async (t) => {
  const dir = tempDir(t);
  const servers = await Promise.all([startServer(t, 'rate-limit-app.ts', [dir]), startServer(t, 'rate-limit-app.ts', [dir])]);
  const statuses: number[] = [];
  const pids = new Set<string>();
  for (let i = 0; i < 30; i++) {
    const r = await fetch(servers[i % 2].url + '/');
    const body = await r.text();
    statuses.push(r.status);
    if (r.status === 200) pids.add(body);
  }
  assert.equal(statuses.filter((s) => s === 200).length, 10, statuses.join(' '));
  assert.equal(statuses.filter((s) => s === 429).length, 20, statuses.join(' '));
  assert.deepEqual(statuses.slice(0, 10), Array(10).fill(200), 'the first ten pass');
  assert.equal(pids.size, 2, 'both processes served');
});
