/**
 * The framework stores' asynchronous writes wait for another process's transaction with timers (issue 14; the Keyv
 * store's test is test/api/async-wait.test.ts): while another process holds a transaction window open, each write
 * resolves only after a timer of this process closed it, so the event loop ran meanwhile. A write that blocked in
 * the synchronous Cache call would hold the timer back until its own timeout (a Timeout, or for a FanoutCache
 * transaction, which retries, the holder's bound): the timer would not have run when it settled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Options } from 'express-rate-limit';
import type { SessionData } from 'express-session';
import { Cache, FanoutCache } from '../../src/index.js';
import { LogcacheRateLimitStore } from '../../src/integrations/rate-limit.js';
import { LogcacheSessionStore } from '../../src/integrations/express-session.js';
import { LogcacheCacheStore } from '../../src/integrations/undici.js';
import type { CacheKey, CacheValue } from '../../src/integrations/undici.js';
import { createCacheHandler } from '../../src/integrations/next.js';
import type { NextCacheValue } from '../../src/integrations/next.js';
import { holdWindow } from '../fixtures/hold-window.js';
import { tempDir } from './helpers.js';

type T = Parameters<typeof tempDir>[0];
const KINDS = ['Cache', 'FanoutCache'] as const;
/** The caches' timeout (s): a blocking write fails in it. The holder's bound (ms): a FanoutCache transaction waits it out. */
const TIMEOUT = 10;
const HOLD_MS = 15_000;

/**
 * A Cache, or a FanoutCache of one shard (every key on shard 000), on a new directory; `hold()` has another process
 * hold a transaction window open on it.
 */
function open(t: T, kind: (typeof KINDS)[number]) {
  const dir = tempDir(t);
  const cache = kind === 'Cache' ? new Cache(dir, { timeout: TIMEOUT }) : new FanoutCache(dir, { shards: 1, timeout: TIMEOUT });
  t.after(() => cache.close());
  return { cache, hold: () => holdWindow(t, kind === 'Cache' ? dir : path.join(dir, '000'), HOLD_MS) };
}

for (const kind of KINDS) {
  test(`rate-limit on a ${kind}: increment, decrement, resetKey and resetAll wait out another process's transaction with timers`, async (t) => {
    const { cache, hold } = open(t, kind);
    const store = new LogcacheRateLimitStore({ cache });
    const other = new LogcacheRateLimitStore({ cache, prefix: 'other:' });
    for (const s of [store, other]) s.init({ windowMs: 60_000 } as Options);
    for (const k of ['b', 'b', 'c']) await store.increment(k);
    await other.increment('d');
    const held = await hold();
    held.releaseByTimer();
    const [a] = await Promise.all([
      held.afterRelease(store.increment('a')),
      held.afterRelease(store.decrement('b')),
      held.afterRelease(store.resetKey('c')),
      held.afterRelease(other.resetAll()),
    ]);
    assert.equal(a.totalHits, 1);
    assert.equal((await store.get('b'))?.totalHits, 1);
    assert.equal(await store.get('c'), undefined);
    assert.equal(await other.get('d'), undefined);
    assert.equal(cache.get('held'), 1, 'the other process committed first');
    assert.equal(await held.exited, 0);
  });
}

test("rate-limit on a FanoutCache: increment, a transaction over every shard, waits for a window on a shard other than its key's, past the timeout", async (t) => {
  const dir = tempDir(t);
  // diskcache's FanoutCache.transact never times out: neither does the wait before it (the window outlasts 10 ms).
  const cache = new FanoutCache(dir, { shards: 2, timeout: 0.01 });
  t.after(() => cache.close());
  const store = new LogcacheRateLimitStore({ cache });
  const mine = cache.shards.indexOf(cache.shardFor(['rate-limit', 'rl:', 'a']));
  const held = await holdWindow(t, path.join(dir, String(1 - mine).padStart(3, '0')), HOLD_MS);
  held.releaseByTimer();
  assert.equal((await held.afterRelease(store.increment('a'))).totalHits, 1);
  assert.equal(await held.exited, 0);
});

const session = (user: string, expires: Date): SessionData => ({ cookie: { originalMaxAge: null, expires, path: '/', httpOnly: true }, user } as unknown as SessionData);

for (const kind of KINDS) {
  test(`express-session on a ${kind}: set, destroy, touch and clear wait out another process's transaction, then call back`, async (t) => {
    const { cache, hold } = open(t, kind);
    const store = new LogcacheSessionStore({ cache });
    const other = new LogcacheSessionStore({ cache, prefix: 'other:' });
    const get = promisify(store.get.bind(store)) as (sid: string) => Promise<SessionData | null>;
    const set = (s: LogcacheSessionStore, sid: string, sess: SessionData) => promisify(s.set.bind(s))(sid, sess) as Promise<void>;
    const later = new Date(Date.now() + 3_600_000);
    await set(store, 's2', session('bob', later));
    await set(store, 's3', session('cy', later));
    await set(other, 's4', session('di', later));
    const held = await hold();
    held.releaseByTimer();
    const touched = new Date(Date.now() + 7_200_000);
    await Promise.all([
      held.afterRelease(set(store, 's1', session('ada', later))),
      held.afterRelease(promisify(store.destroy.bind(store))('s2') as Promise<void>),
      held.afterRelease(new Promise<void>((r) => store.touch('s3', session('not stored', touched), () => r()))),
      held.afterRelease(promisify(other.clear.bind(other))() as Promise<void>),
    ]);
    assert.equal((await get('s1') as { user?: string })?.user, 'ada');
    assert.equal(await get('s2'), null);
    const s3 = await get('s3') as SessionData & { user: string };
    assert.equal(s3.user, 'cy', 'touch keeps the stored data');
    assert.equal(new Date(s3.cookie.expires!).getTime(), touched.getTime(), 'and stores the new cookie');
    assert.equal(await promisify(other.get.bind(other))('s4'), null);
    assert.equal(cache.get('held'), 1, 'the other process committed first');
    assert.equal(await held.exited, 0);
  });
}

const keyOf = (p: string): CacheKey => ({ origin: 'localhost', path: p, method: 'GET', headers: {} });
function valueOf(now = Date.now()): CacheValue {
  return { statusCode: 200, statusMessage: '', headers: {}, cacheControlDirectives: {}, cachedAt: now, staleAt: now + 60_000, deleteAt: now + 120_000 };
}

for (const kind of KINDS) {
  test(`undici on a ${kind}: a write stream's response and delete wait out another process's transaction with timers`, async (t) => {
    const { cache, hold } = open(t, kind);
    const errors: Error[] = [];
    const store = new LogcacheCacheStore({ cache, errorCallback: (err) => errors.push(err) });
    store.createWriteStream(keyOf('/old'), valueOf()).end('old');
    await store.flush();
    const held = await hold();
    held.releaseByTimer();
    const w = store.createWriteStream(keyOf('/new'), valueOf());
    w.end('new');
    const deleted = store.delete(keyOf('/old'));
    assert.ok(deleted instanceof Promise, 'delete waits: it returns a Promise');
    await Promise.all([held.afterRelease(once(w, 'finish')), held.afterRelease(deleted)]);
    assert.deepEqual(errors, []);
    assert.deepEqual(store.get(keyOf('/new'))?.body, Buffer.from('new'));
    assert.equal(store.get(keyOf('/old')), undefined);
    assert.equal(cache.get('held'), 1, 'the other process committed first');
    assert.equal(await held.exited, 0);
  });
}

const fetched = (body: string): NextCacheValue => ({ kind: 'FETCH', data: { headers: {}, body, status: 200 }, revalidate: 60 } as NextCacheValue);
const GET_FETCH = { kind: 'FETCH' };

for (const kind of KINDS) {
  test(`next on a ${kind}: the handler's set, revalidateTag and a revalidated entry's removal wait out another process's transaction`, async (t) => {
    const { cache, hold } = open(t, kind);
    const Handler = createCacheHandler({ cache });
    const h = new Handler();
    await h.set('/old', fetched('old'), { fetchCache: true, tags: ['t'] });
    await h.set('/gone', fetched('gone'), { fetchCache: true, tags: ['g'] });
    Handler.store.revalidateTag('g'); // '/gone' is a miss from now on, removed by the next get
    assert.equal(cache.has(['next', 'e', '/gone']), true);
    const held = await hold();
    held.releaseByTimer();
    const [, , gone] = await Promise.all([
      held.afterRelease(h.set('/new', fetched('new'), { fetchCache: true, tags: ['n'] })),
      held.afterRelease(h.revalidateTag('t')),
      held.afterRelease(h.get('/gone', GET_FETCH)),
    ]);
    assert.equal(gone, null);
    assert.equal(cache.has(['next', 'e', '/gone']), false, 'removed on that read');
    assert.deepEqual((await h.get('/new', GET_FETCH))?.value, fetched('new'));
    assert.equal(await h.get('/old', GET_FETCH), null);
    assert.equal(cache.get('held'), 1, 'the other process committed first');
    assert.equal(await held.exited, 0);
  });
}
