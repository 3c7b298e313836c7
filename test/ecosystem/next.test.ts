/**
 * logcache/next: the cacheHandler contract of the installed Next (its CacheHandler type, and the values and
 * contexts its IncrementalCache passes: APP_PAGE with Buffers and a Map, APP_ROUTE, FETCH with tags and soft
 * tags), Next's own IncrementalCache driving it, two handler classes on one directory (two processes' view), and
 * revalidateTag as evict. The real
 * `next build` + two `next start` run is next-build.test.ts (opt-in).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { CacheHandler } from 'next/dist/server/lib/incremental-cache/index.js';
import { Cache } from '../../src/index.js';
import { NextCacheStore, createCacheHandler } from '../../src/integrations/next.js';
import type { NextCacheHandlerClass, NextSetContext } from '../../src/integrations/next.js';
import { tempDir } from './helpers.js';

type T = Parameters<typeof tempDir>[0];

/** Compile-time: Next's config takes a class with its CacheHandler's shape (constructor and methods). */
type HandlerShape = { [K in keyof CacheHandler]: CacheHandler[K] extends (...a: infer A) => unknown ? (...a: A) => unknown : never };
const asNextHandler = (C: NextCacheHandlerClass): new (ctx: ConstructorParameters<typeof CacheHandler>[0]) => HandlerShape => C;

const CTX = { revalidatedTags: [], _requestHeaders: {} } as unknown as ConstructorParameters<typeof CacheHandler>[0];

/** Two handler classes on one directory, as two `next start` processes have; closed when the test ends. */
function twoHandlers(t: T) {
  const dir = tempDir(t);
  const A = createCacheHandler({ directory: dir });
  const B = createCacheHandler({ directory: dir });
  t.after(() => { A.store.close(); B.store.close(); });
  return { dir, a: new (asNextHandler(A))(CTX), b: new (asNextHandler(B))(CTX), A, B };
}

const page = (html: string, tags: string) => ({
  kind: 'APP_PAGE', html, rscData: Buffer.from(`rsc:${html}`), status: 200, postponed: undefined,
  headers: { 'x-next-cache-tags': tags, 'x-nextjs-stale-time': '300' },
  segmentData: new Map([['/_tree', Buffer.from('tree')], ['/_index', Buffer.from('index')]]),
});
const PAGE_CTX: NextSetContext = { cacheControl: { revalidate: 3600, expire: 31_536_000 }, isRoutePPREnabled: false, isFallback: false };
const GET_PAGE = { kind: 'APP_PAGE', isFallback: false, isRoutePPREnabled: false };

test('an APP_PAGE entry set by one process comes back to another with its Buffers, Map, headers and cacheControl', async (t) => {
  const { a, b } = twoHandlers(t);
  assert.equal(await b.get('/blog', GET_PAGE as never), null);
  const before = Math.floor(performance.timeOrigin + performance.now());
  await a.set('/blog', page('<p>1</p>', '_N_T_/layout,_N_T_/blog/page,_N_T_/blog,posts') as never, PAGE_CTX as never);
  const got = await b.get('/blog', GET_PAGE as never) as { lastModified: number; value: ReturnType<typeof page>; cacheControl: unknown };
  assert.ok(got.lastModified >= before, 'stamped with the clock Next compares tags against');
  assert.deepEqual(got.value, page('<p>1</p>', '_N_T_/layout,_N_T_/blog/page,_N_T_/blog,posts'));
  assert.ok(Buffer.isBuffer(got.value.rscData) && got.value.segmentData instanceof Map);
  assert.deepEqual(got.cacheControl, PAGE_CTX.cacheControl, 'the lifetime reaches a process that did not render it');
  const route = { kind: 'APP_ROUTE', body: Buffer.from('{"ok":true}'), status: 200, headers: { 'content-type': 'application/json' } };
  await b.set('/api/x', route as never, { cacheControl: { revalidate: false } } as never);
  assert.deepEqual((await a.get('/api/x', { kind: 'APP_ROUTE', isFallback: false } as never) as { value: unknown }).value, route);
});

test('revalidateTag in one process makes every entry carrying the tag a miss in the other, and only those', async (t) => {
  const { a, b, dir } = twoHandlers(t);
  await a.set('/blog', page('blog', '_N_T_/layout,_N_T_/blog,posts') as never, PAGE_CTX as never);
  await a.set('/about', page('about', '_N_T_/layout,_N_T_/about') as never, PAGE_CTX as never);
  const fetchValue = { kind: 'FETCH', data: { headers: {}, body: 'e30=', status: 200, url: 'http://api/posts' }, revalidate: 60, tags: ['posts'] };
  await a.set('fetch-key', fetchValue as never, { fetchCache: true, tags: ['posts'], fetchUrl: 'http://api/posts', fetchIdx: 0 } as never);
  await a.set('fetch-other', { ...fetchValue, tags: ['authors'] } as never, { fetchCache: true, tags: ['authors'] } as never);
  await b.revalidateTag('posts');
  assert.equal(await a.get('/blog', GET_PAGE as never), null);
  assert.equal(await a.get('fetch-key', { kind: 'FETCH', tags: ['posts'], softTags: [] } as never), null);
  assert.notEqual(await a.get('/about', GET_PAGE as never), null);
  assert.notEqual(await a.get('fetch-other', { kind: 'FETCH', tags: ['authors'], softTags: [] } as never), null);
  // revalidatePath('/about') is revalidateTag('_N_T_/about'), a tag of the page's header.
  await a.revalidateTag(['_N_T_/about']);
  assert.equal(await b.get('/about', GET_PAGE as never), null);
  // A miss removed the revalidated entries and their memberships from disk.
  const c = new Cache(dir);
  try {
    const left = [...c.keys()].filter((k) => Array.isArray(k) && k[0] === 'next' && (k[1] === 'e' || k[1] === 'm'));
    assert.deepEqual(left.map((k) => (k as string[]).slice(1)).sort(), [['e', 'fetch-other'], ['m', 'authors', 'fetch-other']]);
  } finally {
    c.close();
  }
  // Regenerated: a hit again.
  await b.set('/blog', page('blog 2', '_N_T_/layout,_N_T_/blog,posts') as never, PAGE_CTX as never);
  assert.equal((await a.get('/blog', GET_PAGE as never) as { value: { html: string } }).value.html, 'blog 2');
});

test("a fetch entry is a miss once its page's soft tag was revalidated after it was stored", async (t) => {
  const { a, b } = twoHandlers(t);
  await a.set('f', { kind: 'FETCH', data: { headers: {}, body: '', status: 200, url: 'u' }, revalidate: 60 } as never, { fetchCache: true, tags: [] } as never);
  const ctx = { kind: 'FETCH', tags: [], softTags: ['_N_T_/layout', '_N_T_/blog'] };
  assert.notEqual(await b.get('f', ctx as never), null);
  await b.revalidateTag('_N_T_/blog');
  assert.equal(await a.get('f', ctx as never), null);
  await a.set('f', { kind: 'FETCH', data: { headers: {}, body: 'x', status: 200, url: 'u' }, revalidate: 60 } as never, { fetchCache: true, tags: [] } as never);
  assert.notEqual(await b.get('f', ctx as never), null, 'stored after the revalidation: a hit');
});

test('set replaces an entry and its memberships; an expire from cacheControl becomes the item expiry; clear; bad arguments', async (t) => {
  const cache = new Cache(tempDir(t));
  t.after(() => cache.close());
  const store = new NextCacheStore({ cache });
  store.set('/p', page('1', 'a,b') as never, PAGE_CTX);
  store.set('/p', page('2', 'b,c') as never, { cacheControl: { revalidate: 60, expire: 120 } });
  assert.equal(cache.has(['next', 'm', 'a', '/p']), false, 'the dropped tag no longer holds it');
  store.revalidateTag('a');
  assert.equal((store.get('/p', GET_PAGE)!.value as unknown as { html: string }).html, '2');
  const [, expireTime] = cache.get(['next', 'e', '/p'], { expireTime: true }) as [unknown, number];
  assert.ok(expireTime > Date.now() / 1000 + 100 && expireTime < Date.now() / 1000 + 121, String(expireTime));
  store.set('/null', null, {});
  assert.deepEqual(store.get('/null', GET_PAGE)!.value, null, 'a null value (a not-found page) is an entry');
  store.clear();
  assert.equal(store.get('/p', GET_PAGE), null);
  assert.deepEqual([...cache.keys()].filter((k) => Array.isArray(k) && k[0] === 'next' && k[1] !== 't'), []);
  assert.throws(() => store.get(1 as never), TypeError);
  assert.throws(() => store.revalidateTag([1] as never), TypeError);
  assert.throws(() => createCacheHandler({ cache: {} as never }).store, TypeError);
  cache.set(['next', 'e', '/bad'], 'not an entry');
  assert.equal(store.get('/bad', GET_PAGE), null, 'an unreadable entry is a miss');
});

/** Next's IncrementalCache (the object that calls a cacheHandler), as next-server constructs it per request. */
function incrementalCache(Handler: NextCacheHandlerClass) {
  const { IncrementalCache } = createRequire(import.meta.url)('next/dist/server/lib/incremental-cache/index.js');
  return new IncrementalCache({
    dev: false, requestHeaders: {}, fetchCacheKeyPrefix: '', CurCacheHandler: Handler,
    previewProps: { previewModeId: 'id', previewModeSigningKey: 'sign', previewModeEncryptionKey: 'enc' },
    prerenderManifest: { version: 4, routes: {}, dynamicRoutes: {}, notFoundRoutes: [], preview: {} },
  });
}

test("Next's own IncrementalCache on two handler classes sharing a directory: fetch and page entries, revalidateTag", async (t) => {
  const { A, B } = twoHandlers(t);
  const url = 'http://api.example/posts';
  const key = await incrementalCache(A).generateCacheKey(url, { method: 'GET', headers: {} });
  const data = { kind: 'FETCH', data: { headers: {}, body: 'e30=', status: 200, url }, revalidate: 60, tags: ['posts'] };
  await incrementalCache(A).set(key, data, { fetchCache: true, tags: ['posts'], fetchUrl: url, fetchIdx: 0 });
  const fetchCtx = { kind: 'FETCH', tags: ['posts'], softTags: ['_N_T_/blog'], revalidate: 60, fetchUrl: url, fetchIdx: 0 };
  assert.deepEqual(await incrementalCache(B).get(key, fetchCtx), { isStale: false, value: { kind: 'FETCH', data: data.data, revalidate: 60 } });

  const route = { kind: 'APP_PAGE', sourceRoute: '/blog' };
  const html = { kind: 'APP_PAGE', html: '<p>hi</p>', rscData: Buffer.from('rsc'), status: 200, headers: { 'x-next-cache-tags': '_N_T_/blog,posts' } };
  await incrementalCache(B).set('/blog', html, { cacheControl: { revalidate: 60, expire: 3600 }, isRoutePPREnabled: false, isFallback: false, route });
  const pageCtx = { kind: 'APP_PAGE', isRoutePPREnabled: false, isFallback: false, route };
  const entry = await incrementalCache(A).get('/blog', pageCtx);
  assert.deepEqual(entry.value, html);
  assert.equal(entry.isStale, undefined, 'fresh');
  assert.deepEqual(entry.cacheControl, { revalidate: 60, expire: 3600 });

  await incrementalCache(A).revalidateTag(['posts']);
  assert.equal(await incrementalCache(B).get(key, fetchCtx), null);
  assert.equal(await incrementalCache(B).get('/blog', pageCtx), null);
});
