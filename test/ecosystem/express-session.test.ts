/** logcache/express-session: the Store contract, then two express processes sharing sessions through one directory. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import type { SessionData } from 'express-session';
import { Cache, FanoutCache } from '../../src/index.js';
import { setClock } from '../../src/clock.js';
import { LogcacheSessionStore } from '../../src/integrations/express-session.js';
import { sleep, tempDir } from './helpers.js';
import { startServer } from './servers.js';

/** The store's callback methods as promises. */
function promised(store: LogcacheSessionStore) {
  return {
    get: promisify(store.get.bind(store)) as (sid: string) => Promise<SessionData | null>,
    set: promisify(store.set.bind(store)) as (sid: string, s: SessionData) => Promise<void>,
    destroy: promisify(store.destroy.bind(store)) as (sid: string) => Promise<void>,
    touch: (sid: string, s: SessionData) => new Promise<void>((r) => store.touch(sid, s, () => r())),
    all: promisify(store.all.bind(store)) as () => Promise<Record<string, SessionData>>,
    length: promisify(store.length.bind(store)) as () => Promise<number>,
    clear: promisify(store.clear.bind(store)) as () => Promise<void>,
  };
}

const session = (user: string, expires: Date | null): SessionData => ({ cookie: { originalMaxAge: null, expires, path: '/', httpOnly: true }, user } as unknown as SessionData);

test('get/set/destroy/all/length/clear, the cookie expiry as the item expiry, touch extends and keeps the data', async (t) => {
  let now = 1_700_000_000; // the cache's clock, epoch seconds; the cookie's Date follows it
  t.after(setClock(() => now));
  const realNow = Date.now;
  Date.now = () => now * 1000;
  t.after(() => { Date.now = realNow; });
  const cache = new Cache(tempDir(t));
  t.after(() => cache.close());
  const store = promised(new LogcacheSessionStore({ cache, ttl: 100 }));
  const other = promised(new LogcacheSessionStore({ cache, prefix: 'other:' }));

  assert.equal(await store.get('a'), null);
  await store.set('a', session('ada', new Date((now + 60) * 1000)));
  await store.set('b', session('bob', null)); // a browser-session cookie: ttl (100 s)
  await other.set('a', session('eve', null));
  assert.equal((await store.get('a'))!.user as unknown, 'ada');
  assert.equal(typeof (await store.get('a'))!.cookie.expires, 'string', 'stored as JSON, as express-session expects');
  const [, expireA] = cache.get(['sess', 'sess:', 'a'], { expireTime: true }) as [string, number];
  assert.equal(expireA, now + 60);
  const [, expireB] = cache.get(['sess', 'sess:', 'b'], { expireTime: true }) as [string, number];
  assert.equal(expireB, now + 100);
  assert.equal(await store.length(), 2);
  assert.deepEqual(Object.keys(await store.all()).sort(), ['a', 'b']);
  assert.equal((await other.get('a'))!.user as unknown, 'eve', 'prefixes apart');

  now += 30;
  // touch: a new cookie expiry; the stored data stays what was stored (another process may have changed it).
  await store.set('a', session('ada2', new Date((now + 30) * 1000)));
  await store.touch('a', session('stale-copy', new Date((now + 120) * 1000)));
  assert.equal((await store.get('a'))!.user as unknown, 'ada2');
  assert.equal(new Date((await store.get('a'))!.cookie.expires!).getTime(), (now + 120) * 1000);
  await store.touch('missing', session('x', new Date((now + 120) * 1000)));
  assert.equal(await store.get('missing'), null, 'touch creates nothing');

  now += 90; // b (100 s) is gone, a (touched to +120) lives
  assert.equal(await store.get('b'), null);
  assert.equal((await store.get('a'))!.user as unknown, 'ada2');
  assert.equal(await store.length(), 1);
  await store.destroy('a');
  assert.equal(await store.get('a'), null);
  await store.set('c', session('cy', null));
  await store.clear();
  assert.equal(await store.length(), 0);
  assert.equal((await other.get('a'))!.user as unknown, 'eve', "clear leaves another prefix's sessions");
});

test('a cookie already expired is stored expired; errors reach the callback; bad options throw', async (t) => {
  const cache = new FanoutCache(tempDir(t), { shards: 2 });
  t.after(() => cache.close());
  const store = new LogcacheSessionStore({ cache });
  const p = promised(store);
  await p.set('old', session('x', new Date(Date.now() - 1000)));
  assert.equal(await p.get('old'), null);
  await assert.rejects(p.get(5 as unknown as string), TypeError);
  const bad = new LogcacheSessionStore({ cache, serializer: { stringify: JSON.stringify, parse: () => { throw new SyntaxError('bad'); } } });
  await p.set('s', session('y', null));
  await assert.rejects(promisify(bad.get.bind(bad))('s'), SyntaxError);
  assert.throws(() => new LogcacheSessionStore({ ttl: 0 }), RangeError);
  assert.throws(() => new LogcacheSessionStore({ prefix: 1 as unknown as string }), TypeError);
  assert.throws(() => new LogcacheSessionStore({ serializer: {} as never }), TypeError);
});

/** A client with one cookie jar (`jar.cookie` holds it). */
function client(jar = { cookie: '' }) {
  return async (url: string, method = 'GET') => {
    const { cookie } = jar;
    const r = await fetch(url, { method, headers: cookie ? { cookie } : {} });
    const set = r.headers.get('set-cookie');
    if (set) jar.cookie = set.split(';')[0];
    return { status: r.status, body: await r.json() as { user: string | null; pid: number } };
  };
}

test('two express processes on one directory: a login on one is seen by the other, logout logs out both, an expired session is gone', async (t) => {
  const dir = tempDir(t);
  const [a, b] = await Promise.all([startServer(t, 'session-app.ts', [dir]), startServer(t, 'session-app.ts', [dir])]);
  const ada = client();
  assert.equal((await ada(`${a.url}/me`)).body.user, null);
  const login = await ada(`${a.url}/login?user=ada`, 'POST');
  assert.equal(login.body.user, 'ada');
  const seen = await ada(`${b.url}/me`);
  assert.equal(seen.body.user, 'ada', b.stderr());
  assert.notEqual(seen.body.pid, login.body.pid, 'another process');
  await ada(`${b.url}/logout`, 'POST');
  assert.equal((await ada(`${a.url}/me`)).body.user, null, 'logged out on the first process too');
  assert.equal((await ada(`${b.url}/me`)).body.user, null);

  // A session whose cookie lives 1 s: gone from both processes (and from disk) once it has run out.
  const bobJar = { cookie: '' };
  const bob = client(bobJar);
  assert.equal((await bob(`${b.url}/login?user=bob&maxAge=1000`, 'POST')).body.user, 'bob');
  assert.match(bobJar.cookie, /^connect\.sid=/, 'the session was saved (express-session sets the cookie after the store took it)');
  await sleep(1500);
  assert.equal((await bob(`${a.url}/me`)).body.user, null);
  assert.equal((await bob(`${b.url}/me`)).body.user, null);
  const cache = new Cache(dir);
  try {
    assert.deepEqual([...cache.keys()].filter((k) => Array.isArray(k) && k[0] === 'sess').filter((k) => cache.has(k)), []);
  } finally {
    cache.close();
  }
});
