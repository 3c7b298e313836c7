/**
 * One application, written against Keyv and cache-manager only, run on any Keyv store: logcache (keyv.test.ts)
 * and Redis (redis.test.ts). Swapping the store is the only change a user makes to move from one machine to many.
 */
import assert from 'node:assert/strict';
import { sleep } from './helpers.js';

/** A TTL (ms) that must still be live a moment after the set, also on a loaded machine, and a sleep past it. */
const SHORT_TTL = 1000;
const PAST_SHORT_TTL = 1300;

/** What the app needs of a Keyv class (keyv 5 and keyv 6 both have it). */
export interface KeyvLike {
  namespace?: string;
  iterator?: (...a: any[]) => AsyncGenerator<any, void>;
  get(key: string): Promise<any>;
  getMany(keys: string[]): Promise<any[]>;
  set(key: string, value: any, ttl?: number): Promise<boolean>;
  setMany(entries: { key: string; value: any; ttl?: number }[]): Promise<any>;
  delete(key: string): Promise<boolean>;
  deleteMany(keys: string[]): Promise<any>;
  has(key: string): Promise<boolean>;
  clear(): Promise<void>;
  disconnect(): Promise<void>;
  on(event: string, fn: (...a: any[]) => void): unknown;
}
export type KeyvClass = new (options: { store: unknown; namespace?: string; ttl?: number }) => KeyvLike;
type CreateCache = (options: { stores: any[]; ttl?: number }) => any;

export interface AppOptions {
  Keyv: KeyvClass;
  /** A new store (one per Keyv instance, as Keyv adapters expect); every store reaches the same data. */
  makeStore: () => unknown;
  createCache?: CreateCache;
  /** Keys are prefixed with it so runs on a shared server do not meet. */
  prefix: string;
}

/** A Keyv on a fresh store, with errors turned into test failures. */
function open(o: AppOptions, namespace: string, ttl?: number): KeyvLike {
  const store = o.makeStore();
  const keyv = new o.Keyv({ store, namespace: `${o.prefix}${namespace}`, ...(ttl ? { ttl } : {}) });
  keyv.on('error', (err: unknown) => { throw err; });
  // keyv 5 wires keyv.iterator() only for the adapters on its own list; the one-liner its docs allow for others.
  const k5 = keyv as KeyvLike & { generateIterator?: (f: unknown) => KeyvLike['iterator'] };
  const s = store as { iterator?: (...a: any[]) => AsyncGenerator<any, void> };
  if (!k5.iterator && k5.generateIterator && s.iterator) k5.iterator = k5.generateIterator(s.iterator.bind(s));
  return keyv;
}

async function entries(keyv: KeyvLike): Promise<[string, unknown][]> {
  assert.ok(keyv.iterator, 'keyv.iterator is wired');
  const out: [string, unknown][] = [];
  for await (const [k, v] of keyv.iterator!()) out.push([k, v]);
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export async function runKeyvApp(o: AppOptions): Promise<void> {
  const opened: KeyvLike[] = [];
  const keyv = (ns: string, ttl?: number) => {
    const k = open(o, ns, ttl);
    opened.push(k);
    return k;
  };
  try {
    const users = keyv('users');
    const sessions = keyv('sessions');
    await users.clear();
    await sessions.clear();

    // Values round-trip through Keyv's serialization; a missing key is undefined.
    assert.equal(await users.set('ada', { name: 'Ada', born: 1815, tags: ['math'] }), true);
    assert.deepEqual(await users.get('ada'), { name: 'Ada', born: 1815, tags: ['math'] });
    assert.equal(await users.get('nobody'), undefined);
    assert.equal(await users.has('ada'), true);
    assert.equal(await users.has('nobody'), false);

    // Namespaces: the same key in two namespaces is two items; clear() empties one namespace only.
    await sessions.set('ada', 'token-1');
    assert.equal(await sessions.get('ada'), 'token-1');
    assert.deepEqual(await users.get('ada'), { name: 'Ada', born: 1815, tags: ['math'] });

    // Another handle on the same store (another worker, another process) sees the writes.
    const usersElsewhere = keyv('users');
    assert.deepEqual(await usersElsewhere.get('ada'), { name: 'Ada', born: 1815, tags: ['math'] });

    // TTL in milliseconds: visible until it runs out, then gone for every handle.
    await sessions.set('short', 'soon gone', SHORT_TTL);
    assert.equal(await sessions.get('short'), 'soon gone');
    const withDefaultTtl = keyv('ttl', SHORT_TTL);
    await withDefaultTtl.set('k', 1);
    await sessions.set('long', 'stays', 60_000);
    await sleep(PAST_SHORT_TTL);
    assert.equal(await sessions.get('short'), undefined);
    assert.equal(await sessions.has('short'), false);
    assert.equal(await withDefaultTtl.get('k'), undefined);
    assert.equal(await sessions.get('long'), 'stays');

    // Batches.
    await users.setMany([{ key: 'b1', value: 1 }, { key: 'b2', value: 'two' }, { key: 'b3', value: [3], ttl: 60_000 }]);
    assert.deepEqual(await users.getMany(['b1', 'b2', 'b3', 'nobody']), [1, 'two', [3], undefined]);
    await users.deleteMany(['b1', 'b2']);
    assert.deepEqual(await users.getMany(['b1', 'b2', 'b3']), [undefined, undefined, [3]]);
    assert.equal(await users.delete('b3'), true);
    assert.equal(await users.delete('b3'), false);

    // Iteration yields this namespace's live items only.
    assert.deepEqual(await entries(users), [['ada', { name: 'Ada', born: 1815, tags: ['math'] }]]);
    assert.deepEqual(await entries(sessions), [['ada', 'token-1'], ['long', 'stays']]);

    await sessions.clear();
    assert.equal(await sessions.get('ada'), undefined);
    assert.deepEqual(await users.get('ada'), { name: 'Ada', born: 1815, tags: ['math'] });

    if (o.createCache) await runCacheManager(o, keyv);
  } finally {
    for (const k of opened) await k.disconnect();
  }
}

/** cache-manager (7) on the same stores: get/set/mget/mset/del/mdel/ttl/wrap/clear, two tiers. */
async function runCacheManager(o: AppOptions, keyv: (ns: string, ttl?: number) => KeyvLike): Promise<void> {
  const cache = o.createCache!({ stores: [keyv('cm')], ttl: 60_000 });
  await cache.clear();
  assert.deepEqual(await cache.set('page:/', { html: '<h1>hi</h1>' }), { html: '<h1>hi</h1>' });
  assert.deepEqual(await cache.get('page:/'), { html: '<h1>hi</h1>' });
  const expires = await cache.ttl('page:/');
  assert.ok(expires > Date.now() && expires <= Date.now() + 60_000, `ttl gives the expiry time: ${expires}`);

  await cache.mset([{ key: 'm1', value: 1 }, { key: 'm2', value: 2, ttl: SHORT_TTL }]);
  assert.deepEqual(await cache.mget(['m1', 'm2', 'none']), [1, 2, undefined]);
  await sleep(PAST_SHORT_TTL);
  assert.deepEqual(await cache.mget(['m1', 'm2']), [1, undefined]);
  await cache.mdel(['m1']);
  assert.equal(await cache.get('m1'), undefined);
  assert.equal(await cache.del('page:/'), true);

  // wrap: computed once, then served from the store, until the TTL passes.
  let calls = 0;
  const compute = async () => ++calls;
  assert.equal(await cache.wrap('answer', compute, SHORT_TTL), 1);
  assert.equal(await cache.wrap('answer', compute, SHORT_TTL), 1);
  await sleep(PAST_SHORT_TTL);
  assert.equal(await cache.wrap('answer', compute, SHORT_TTL), 2);

  // Two tiers (a small in-process Keyv in front of the shared store): a value set through the tiered cache is
  // in the shared store, so another process's single-tier cache finds it.
  const memory = new o.Keyv({ store: new Map(), namespace: 'mem' });
  const tiered = o.createCache!({ stores: [memory, keyv('cm')] });
  await tiered.set('shared', 'both tiers', 60_000);
  const other = o.createCache!({ stores: [keyv('cm')] });
  assert.equal(await other.get('shared'), 'both tiers');

  await cache.clear();
  assert.equal(await other.get('shared'), undefined);
}
