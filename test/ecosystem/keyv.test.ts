/**
 * The Keyv adapter (`logcache/keyv`): its store contract, then the real keyv 5 and keyv 6 and cache-manager 7
 * driving it through one application (keyv-app.ts, which redis.test.ts also runs on Redis).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import KeyvV5 from 'keyv';
import { createCache } from 'cache-manager';
import { Cache } from '../../src/index.js';
import { KeyvLogcache } from '../../src/integrations/keyv.js';
import type { KeyvBackend } from '../../src/integrations/keyv.js';
import { runKeyvApp, KeyvClass } from './keyv-app.js';
import { NODE_SOURCE_ARGS, explain, runNode, tempDir } from './helpers.js';
import { fakeClock } from '../fixtures/clock.js';

/** keyv 6 (installed as `keyv6`): its engines field asks for Node >= 22.19; it is loaded wherever it loads. */
async function loadKeyv6(): Promise<{ Keyv: KeyvClass } | { skip: string }> {
  try {
    const m = (await import('keyv6')) as unknown as { Keyv: KeyvClass };
    return { Keyv: m.Keyv };
  } catch (err) {
    return { skip: `keyv 6 does not load on Node ${process.version}: ${(err as Error).message}` };
  }
}

/** FanoutCache, once src/api/fanout.ts can be imported (it waits on deque.ts and index-map.ts). */
type FanoutLike = KeyvBackend & { check(): unknown[] };
async function loadFanout(): Promise<{ FanoutCache: new (dir?: string, opts?: { shards?: number }) => FanoutLike } | { skip: string }> {
  try {
    const path = '../../src/api/fanout.js';
    return (await import(path)) as { FanoutCache: new (dir?: string, opts?: { shards?: number }) => FanoutLike };
  } catch (err) {
    return { skip: `FanoutCache is not importable yet: ${(err as Error).message.split('\n')[0]}` };
  }
}

function assertHealthy(dir: string): void {
  const c = new Cache(dir);
  try {
    assert.deepEqual(c.check(), []);
  } finally {
    c.close();
  }
}

test('the adapter stores each item under [namespace, key] with the TTL as its expiry, tagged for clear()', async (t) => {
  const cache = new Cache(tempDir(t));
  t.after(() => cache.close());
  const store = new KeyvLogcache(cache, { namespace: 'ns' });
  const clock = fakeClock(t);
  assert.equal(await store.set('k', 'v', 60_000), true);
  assert.deepEqual(cache.get(['ns', 'k'], { expireTime: true, tag: true }), ['v', clock.now() + 60, ['keyv', 'ns']]);
  await store.set('forever', 1);
  assert.deepEqual(cache.get(['ns', 'forever'], { expireTime: true }), [1, null]);
  assert.equal(await store.set('zero', 1, 0), true, 'ttl 0 means no expiry, as in Keyv');
  assert.deepEqual(cache.get(['ns', 'zero'], { expireTime: true }), [1, null]);
});

test('a TTL runs out for every reader, and a negative TTL stores an item already expired', async (t) => {
  const dir = tempDir(t);
  const a = new KeyvLogcache(dir);
  const b = new KeyvLogcache(dir);
  t.after(() => { void a.disconnect(); void b.disconnect(); });
  const clock = fakeClock(t);
  await a.set('short', 'x', 50);
  await a.set('gone', 'x', -1);
  clock.advance(0.049);
  assert.equal(await b.get('short'), 'x');
  assert.equal(await b.get('gone'), undefined);
  clock.advance(0.002);
  assert.equal(await b.get('short'), undefined);
  assert.equal(await b.has('short'), false);
});

test('namespaces keep the same key apart; clear() removes its own namespace and nothing else', async (t) => {
  const cache = new Cache(tempDir(t));
  t.after(() => cache.close());
  const users = new KeyvLogcache(cache, { namespace: 'users' });
  const jobs = new KeyvLogcache(cache, { namespace: 'jobs' });
  const bare = new KeyvLogcache(cache);
  await users.set('1', 'ada');
  await jobs.set('1', 'build');
  await bare.set('1', 'no namespace');
  cache.set('not-keyv', 'kept');
  assert.deepEqual(await Promise.all([users.get('1'), jobs.get('1'), bare.get('1')]), ['ada', 'build', 'no namespace']);
  await jobs.clear();
  assert.deepEqual(await Promise.all([users.get('1'), jobs.get('1'), bare.get('1')]), ['ada', undefined, 'no namespace']);
  await bare.clear();
  assert.deepEqual(await Promise.all([users.get('1'), bare.get('1')]), ['ada', undefined]);
  assert.equal(cache.get('not-keyv'), 'kept');
  // Characters that a string prefix would mix up stay apart: namespace 'a' key 'b::c' vs namespace 'a::b' key 'c'.
  const a = new KeyvLogcache(cache, { namespace: 'a' });
  const ab = new KeyvLogcache(cache, { namespace: 'a::b' });
  await a.set('b::c', 1);
  await ab.set('c', 2);
  assert.deepEqual([await a.get('b::c'), await ab.get('c')], [1, 2]);
});

test('the namespace follows the property Keyv sets, so one adapter can be re-pointed', async (t) => {
  const store = new KeyvLogcache(tempDir(t));
  t.after(() => store.disconnect());
  store.namespace = 'one';
  await store.set('k', 1);
  store.namespace = 'two';
  assert.equal(await store.get('k'), undefined);
  store.namespace = 'one';
  assert.equal(await store.get('k'), 1);
});

test('batches: getMany/hasMany keep order, setMany returns one boolean per entry, deleteMany is true only if all were there', async (t) => {
  const store = new KeyvLogcache(tempDir(t), { namespace: 'n' });
  t.after(() => store.disconnect());
  assert.deepEqual(await store.setMany([{ key: 'a', value: 1 }, { key: 'b', value: 2, ttl: 60_000 }]), [true, true]);
  assert.deepEqual(await store.getMany(['b', 'x', 'a']), [2, undefined, 1]);
  assert.deepEqual(await store.hasMany(['a', 'x']), [true, false]);
  assert.equal(await store.deleteMany(['a', 'x']), false);
  assert.equal(await store.deleteMany(['b']), true);
  assert.deepEqual(await store.getMany(['a', 'b']), [undefined, undefined]);
});

test('iterator() yields the live items of a namespace in insertion order', async (t) => {
  const cache = new Cache(tempDir(t));
  t.after(() => cache.close());
  const store = new KeyvLogcache(cache, { namespace: 'it' });
  const other = new KeyvLogcache(cache, { namespace: 'other' });
  const clock = fakeClock(t);
  await store.set('first', 1);
  await store.set('expiring', 2, 50);
  await store.set('second', 3);
  await other.set('first', 'other');
  clock.advance(0.051);
  const seen: [string, unknown][] = [];
  for await (const e of store.iterator()) seen.push(e);
  assert.deepEqual(seen, [['first', 1], ['second', 3]]);
  const others: [string, unknown][] = [];
  for await (const e of store.iterator('other')) others.push(e);
  assert.deepEqual(others, [['first', 'other']]);
});

test('disconnect() closes a cache the adapter opened, and leaves a cache it was given open', async (t) => {
  const dir = tempDir(t);
  const owned = new KeyvLogcache(dir);
  await owned.disconnect();
  assert.throws(() => owned.cache.get('x'), { code: 'LOGCACHE_CLOSED' });
  const given = new Cache(dir);
  t.after(() => given.close());
  const borrowed = new KeyvLogcache(given);
  await borrowed.disconnect();
  assert.equal(given.get('x'), undefined);
});

test('bad arguments reject with TypeError and write nothing', async (t) => {
  const cache = new Cache(tempDir(t));
  t.after(() => cache.close());
  const store = new KeyvLogcache(cache);
  await assert.rejects(store.set(42 as unknown as string, 'v'), TypeError);
  await assert.rejects(store.set('k', 'v', 'soon' as unknown as number), TypeError);
  await assert.rejects(store.getMany('k' as unknown as string[]), TypeError);
  assert.equal(cache.size, 0);
  assert.throws(() => new KeyvLogcache(42 as unknown as string), TypeError);
  // A FanoutCache's directory (shards in 000, 001, ...) is not opened as a Cache: pass the FanoutCache instead.
  const fanoutDir = tempDir(t);
  new Cache(`${fanoutDir}/000`).close();
  assert.throws(() => new KeyvLogcache(fanoutDir), /holds a FanoutCache/);
});

test('an item set through Keyv in one process is read through Keyv in another', async (t) => {
  const dir = tempDir(t);
  const keyv = new KeyvV5({ store: new KeyvLogcache(dir), namespace: 'shared' });
  await keyv.set('greeting', { text: 'hello from the parent' });
  const script = `
    import Keyv from 'keyv';
    import { KeyvLogcache } from 'logcache/keyv';
    const keyv = new Keyv({ store: new KeyvLogcache(${JSON.stringify(dir)}), namespace: 'shared' });
    const v = await keyv.get('greeting');
    await keyv.set('reply', 'hello from the child', 60000);
    console.log(JSON.stringify(v));
    await keyv.disconnect();
  `;
  const r = runNode([...NODE_SOURCE_ARGS, '--input-type=module', '-e', script]);
  assert.equal(r.status, 0, explain(r));
  assert.deepEqual(JSON.parse(r.stdout), { text: 'hello from the parent' });
  assert.equal(await keyv.get('reply'), 'hello from the child');
  await keyv.disconnect();
  assertHealthy(dir);
});

test('keyv 5 and cache-manager 7 run the application on a logcache directory', async (t) => {
  const dir = tempDir(t);
  await runKeyvApp({ Keyv: KeyvV5 as unknown as KeyvClass, makeStore: () => new KeyvLogcache(dir), createCache, prefix: '' });
  assertHealthy(dir);
});

test('keyv 5 runs the application on one shared Cache handle', async (t) => {
  const dir = tempDir(t);
  const cache = new Cache(dir);
  await runKeyvApp({ Keyv: KeyvV5 as unknown as KeyvClass, makeStore: () => new KeyvLogcache(cache), createCache, prefix: '' });
  assert.deepEqual(cache.check(), []);
  cache.close();
});

// cache-manager 7 is built on keyv 5 (its own dependency) and reads keyv 5's raw entries: it is driven with keyv 5.
test('keyv 6 (through its bridge for relative-TTL adapters) runs the application', async (t) => {
  const k6 = await loadKeyv6();
  if ('skip' in k6) return t.skip(k6.skip);
  const dir = tempDir(t);
  const probe = new k6.Keyv({ store: new KeyvLogcache(dir) }) as unknown as { store: object; disconnect(): Promise<void> };
  assert.equal(probe.store.constructor.name, 'KeyvBridgeAdapter', 'keyv 6 bridges a relative-TTL adapter');
  await probe.disconnect();
  await runKeyvApp({ Keyv: k6.Keyv, makeStore: () => new KeyvLogcache(dir), prefix: '' });
  assertHealthy(dir);
});

test('keyv 5 runs the application on a FanoutCache', async (t) => {
  const f = await loadFanout();
  if ('skip' in f) return t.skip(f.skip);
  const dir = tempDir(t);
  const fanout = new f.FanoutCache(dir, { shards: 4 });
  await runKeyvApp({ Keyv: KeyvV5 as unknown as KeyvClass, makeStore: () => new KeyvLogcache(fanout), createCache, prefix: '' });
  assert.deepEqual(fanout.check(), []);
  fanout.close();
});
