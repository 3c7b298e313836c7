/**
 * logcache/undici. First the cases of undici's own cache-store suite (test/cache-interceptor/ in undici's
 * repository: the shared store tests and SqliteCacheStore's), re-expressed for this store; then its own
 * properties (value files, cross-process, limits); then undici's cache interceptor in two processes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { Agent, interceptors, request } from 'undici';
import { Cache, FanoutCache } from '../../src/index.js';
import { LogcacheCacheStore } from '../../src/integrations/undici.js';
import type { CacheKey, CacheValue, GetResult } from '../../src/integrations/undici.js';
import { NODE_SOURCE_ARGS, ROOT, explain, runNodeAsync, tempDir } from './helpers.js';

type T = Parameters<typeof tempDir>[0];

/** The interface undici's interceptor takes (a compile-time check). */
const asUndiciStore = (s: LogcacheCacheStore): import('undici/types/cache-interceptor.js').default.CacheStore => s;

function open(t: T, options: ConstructorParameters<typeof LogcacheCacheStore>[0] = {}): LogcacheCacheStore {
  const store = new LogcacheCacheStore({ directory: tempDir(t), ...options });
  t.after(() => store.close());
  return store;
}

const keyOf = (p = '/', headers: Record<string, string> = {}): CacheKey => ({ origin: 'localhost', path: p, method: 'GET', headers });
function valueOf(extra: Partial<CacheValue> = {}, now = Date.now()): CacheValue {
  return { statusCode: 200, statusMessage: '', headers: { foo: 'bar' }, cacheControlDirectives: {}, cachedAt: now, staleAt: now + 10_000, deleteAt: now + 20_000, ...extra };
}

/** Writes the body chunks and waits until the store has the response. */
async function write(store: LogcacheCacheStore, key: CacheKey, value: CacheValue, body: (string | Buffer)[]): Promise<void> {
  const w = store.createWriteStream(key, value);
  assert.notEqual(w, undefined);
  for (const c of body) w.write(c);
  w.end();
  await store.flush();
}

async function bodyOf(r: GetResult): Promise<Buffer> {
  if (r.body === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(r.body)) return r.body;
  const parts: Buffer[] = [];
  for await (const c of Readable.from(r.body)) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

/** undici's compareGetResults: the body's bytes, and every field of the value as written. */
async function assertResult(r: GetResult | undefined, value: CacheValue, body: (string | Buffer)[]): Promise<void> {
  assert.notEqual(r, undefined);
  assert.deepEqual(await bodyOf(r!), Buffer.concat(body.map((c) => Buffer.from(c))));
  for (const k of Object.keys(value) as (keyof CacheValue)[]) assert.deepEqual(r![k], value[k], k);
}

/** Date.now under the test's control (undici's suite uses fake timers for the same purpose). */
function fakeNow(t: T, start = Date.now()): { tick(ms: number): void } {
  let now = start;
  const real = Date.now;
  Date.now = () => now;
  t.after(() => { Date.now = real; });
  return { tick: (ms) => { now += ms; } };
}

// ---- undici's cache-store cases -----------------------------------------------------------------------------------

test('undici: matches the CacheStore interface', (t) => {
  const store = open(t);
  assert.equal(typeof asUndiciStore(store).get, 'function');
  assert.equal(typeof store.createWriteStream, 'function');
  assert.equal(typeof store.delete, 'function');
});

test('undici: caches a response and tells two resources apart', async (t) => {
  const store = open(t);
  const value = valueOf();
  assert.equal(store.get(keyOf()), undefined);
  await write(store, keyOf(), value, [Buffer.from('asd'), Buffer.from('123')]);
  await assertResult(store.get(structuredClone(keyOf())), value, ['asd', '123']);
  const other = valueOf({ headers: { foo: 'baz' } });
  assert.equal(store.get(keyOf('/asd')), undefined);
  await write(store, keyOf('/asd'), other, ['other']);
  await assertResult(store.get(keyOf('/asd')), other, ['other']);
  await assertResult(store.get(keyOf()), value, ['asd', '123']);
});

test('undici: a stale response is returned until its deleteAt, then not', async (t) => {
  const clock = fakeNow(t);
  const store = open(t);
  const value = valueOf({ staleAt: Date.now() + 1000, deleteAt: Date.now() + 5000, cacheControlDirectives: { 'stale-while-revalidate': 4 } });
  await write(store, keyOf(), value, ['asd', '123']);
  clock.tick(1500);
  await assertResult(store.get(keyOf()), value, ['asd', '123']);
  clock.tick(6000);
  assert.equal(store.get(keyOf()), undefined);
});

test('undici: a stale response is overwritten by a new one', async (t) => {
  const clock = fakeNow(t);
  const store = open(t);
  await write(store, keyOf(), valueOf({ staleAt: Date.now() + 1000, deleteAt: Date.now() + 5000 }), ['asd', '123']);
  clock.tick(1500);
  const fresh = valueOf({ headers: { foo: 'baz' }, staleAt: Date.now() + 1000, deleteAt: Date.now() + 5000 });
  await write(store, keyOf(), fresh, ['foo', '123']);
  await assertResult(store.get(keyOf()), fresh, ['foo', '123']);
  assert.equal(store.size, 1);
});

test('undici: Vary decides which response answers', async (t) => {
  const store = open(t);
  const hello = valueOf({ vary: { 'some-header': 'hello world' } });
  const hello2 = valueOf({ vary: { 'some-header': 'hello world2' } });
  await write(store, keyOf('/', { 'some-header': 'hello world' }), hello, ['one']);
  await assertResult(store.get(keyOf('/', { 'some-header': 'hello world' })), hello, ['one']);
  assert.equal(store.get(keyOf('/', { 'some-header': 'hello world2' })), undefined);
  await write(store, keyOf('/', { 'some-header': 'hello world2' }), hello2, ['two']);
  await assertResult(store.get(keyOf('/', { 'some-header': 'hello world' })), hello, ['one']);
  await assertResult(store.get(keyOf('/', { 'some-header': 'hello world2' })), hello2, ['two']);
  assert.equal(store.get(keyOf('/')), undefined, 'a request without the header matches neither');
});

test('undici (SqliteCacheStore): two stores on one directory see each other', async (t) => {
  const dir = tempDir(t);
  const a = new LogcacheCacheStore({ directory: dir });
  const b = new LogcacheCacheStore({ directory: dir });
  t.after(async () => { await a.close(); await b.close(); });
  const value = valueOf();
  await write(a, keyOf(), value, ['asd', '123']);
  await assertResult(a.get(keyOf()), value, ['asd', '123']);
  await assertResult(b.get(keyOf()), value, ['asd', '123']);
});

test('on a FanoutCache: responses, Vary and maxCount work across its shards', async (t) => {
  const cache = new FanoutCache(tempDir(t), { shards: 3 });
  t.after(() => cache.close());
  const store = new LogcacheCacheStore({ cache, maxCount: 3 });
  for (let i = 0; i < 5; i++) await write(store, keyOf(`/${i}`, { 'accept-language': 'en' }), valueOf({ vary: { 'accept-language': 'en' } }), [`body ${i}`]);
  assert.equal(store.size, 3);
  assert.equal(store.get(keyOf('/0', { 'accept-language': 'en' })), undefined);
  assert.equal((await bodyOf(store.get(keyOf('/4', { 'accept-language': 'en' }))!)).toString(), 'body 4');
  assert.equal(store.get(keyOf('/4', { 'accept-language': 'fr' })), undefined);
  await store.close();
  assert.equal(cache.has(['undici', 'qtail']), true, 'a cache passed in stays open');
});

test('undici (SqliteCacheStore): maxCount keeps at most maxCount responses, dropping the oldest-stored first', async (t) => {
  const store = open(t, { maxCount: 10 });
  for (let i = 0; i < 20; i++) await write(store, keyOf(`/${i}`), valueOf({ cachedAt: Date.now() + i }), ['asd', '123']);
  assert.ok(store.size <= 10, `size ${store.size}`);
  assert.notEqual(store.get(keyOf('/19')), undefined, 'the newest stays');
  assert.equal(store.get(keyOf('/0')), undefined, 'the oldest went');
  const one = open(t, { maxCount: 1 });
  await write(one, keyOf('/a'), valueOf(), ['a']);
  await write(one, keyOf('/b'), valueOf(), ['b']);
  assert.equal(one.size, 1);
  assert.equal(one.get(keyOf('/a')), undefined);
  assert.notEqual(one.get(keyOf('/b')), undefined);
});

test('undici (SqliteCacheStore): two writes of one key, and write then read gives back every field', async (t) => {
  const store = open(t, { maxCount: 10 });
  const value = valueOf({ cacheControlDirectives: { 'max-stale': 0 }, etag: undefined, vary: undefined });
  await write(store, keyOf(), value, ['asd', '123']);
  await write(store, keyOf(), value, ['asd', '123']);
  assert.equal(store.size, 1);
  await assertResult(store.get(keyOf()), value, ['asd', '123']);
  const tagged = valueOf({ etag: '"v1"' });
  await write(store, keyOf('/e'), tagged, ['e']);
  assert.equal(store.get(keyOf('/e'))!.etag, '"v1"');
});

test('undici (SqliteCacheStore): an expired Vary variant is passed over for a live one', async (t) => {
  const store = open(t);
  const now = Date.now();
  await write(store, keyOf('/', { 'accept-encoding': 'gzip' }), valueOf({ vary: { 'accept-encoding': 'gzip' }, cachedAt: now - 2000, staleAt: now - 1000, deleteAt: now - 1 }), ['expired gzip']);
  await write(store, keyOf('/', { 'accept-encoding': 'br' }), valueOf({ vary: { 'accept-encoding': 'br' }, cachedAt: now, staleAt: now + 1000, deleteAt: now + 2000 }), ['valid br']);
  assert.equal((await bodyOf(store.get(keyOf('/', { 'accept-encoding': 'br' }))!)).toString(), 'valid br');
  assert.equal(store.get(keyOf('/', { 'accept-encoding': 'gzip' })), undefined);
});

test('undici (SqliteCacheStore): a response with Vary replaces the one its request matched', async (t) => {
  const store = open(t);
  await write(store, keyOf('/'), valueOf(), ['initial']);
  await write(store, keyOf('/', { 'accept-language': 'en' }), valueOf({ vary: { 'accept-language': 'en' } }), ['updated']);
  assert.equal(store.get(keyOf('/', { 'accept-language': 'fr' })), undefined);
  assert.equal((await bodyOf(store.get(keyOf('/', { 'accept-language': 'en' }))!)).toString(), 'updated');
});

test('undici (MemoryCacheStore): a body past maxEntrySize is not stored', async (t) => {
  const store = open(t, { maxEntrySize: 100 });
  const w = store.createWriteStream(keyOf('/large'), valueOf());
  w.write(Buffer.alloc(60));
  w.write(Buffer.alloc(60));
  w.end();
  await store.flush();
  assert.equal(w.destroyed, true);
  assert.equal(store.get(keyOf('/large')), undefined);
  // The same past the inline size, with the value file already streaming.
  const big = open(t, { maxEntrySize: 100_000 });
  const w2 = big.createWriteStream(keyOf('/large'), valueOf());
  for (let i = 0; i < 4; i++) w2.write(Buffer.alloc(40_000));
  w2.end();
  await big.flush();
  assert.equal(big.get(keyOf('/large')), undefined);
  assert.deepEqual(fs.readdirSync(big.cache.directory).filter((n) => /^[0-9a-f]{2}$/.test(n)).flatMap((d) => fs.readdirSync(path.join(big.cache.directory, d), { recursive: true }) as string[]).filter((n) => n.endsWith('.val')), [], 'the partial value file is gone');
});

// ---- this store's own properties ----------------------------------------------------------------------------------

test('a large body streams into a value file and back out as a stream; delete removes every variant of the URL', async (t) => {
  const store = open(t);
  const big = Buffer.alloc(1 << 20);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
  const chunks = Array.from({ length: 16 }, (_, i) => big.subarray(i * 65536, (i + 1) * 65536));
  await write(store, keyOf('/big'), valueOf(), chunks);
  const r = store.get(keyOf('/big'))!;
  assert.ok(r.body instanceof Readable, 'a stream, not a Buffer');
  assert.deepEqual(await bodyOf(r), big);
  assert.ok(store.cache.get(['undici', 'b', 'x'], { default: 'none' }) === 'none');
  await write(store, { ...keyOf('/big'), method: 'HEAD' }, valueOf(), []);
  assert.equal(store.size, 2);
  store.delete({ origin: 'localhost', path: '/big', method: 'POST' });
  assert.equal(store.get(keyOf('/big')), undefined);
  assert.equal(store.size, 0);
  assert.deepEqual((store.cache as Cache).check(), []);
});

test('a stored response whose body item is gone is a miss; a failing read goes to errorCallback as a miss', async (t) => {
  const errors: Error[] = [];
  const store = open(t, { errorCallback: (e) => errors.push(e) });
  await write(store, keyOf(), valueOf(), ['x']);
  const [variant] = store.cache.get(['undici', 'h', 'localhost', '/']) as { body: string }[];
  store.cache.delete(['undici', 'b', variant.body]);
  assert.equal(store.get(keyOf()), undefined);
  store.cache.set(['undici', 'h', 'localhost', '/'], 'not a list');
  assert.equal(store.get(keyOf()), undefined);
  assert.equal(errors.length, 1);
});

test('bad arguments are refused before anything is opened or written', (t) => {
  assert.throws(() => new LogcacheCacheStore({ maxCount: -1 }), TypeError);
  assert.throws(() => new LogcacheCacheStore({ maxEntrySize: 1.5 }), TypeError);
  assert.throws(() => new LogcacheCacheStore({ maxSize: 'big' as never }), TypeError);
  const store = open(t);
  assert.throws(() => new LogcacheCacheStore({ cache: store.cache, maxSize: 10 }), TypeError);
  assert.throws(() => store.get({ origin: 'x', path: '/' } as CacheKey), /key\.method/);
  assert.throws(() => store.createWriteStream(keyOf(), { ...valueOf(), statusCode: '200' } as never), /value\.statusCode/);
  assert.throws(() => store.createWriteStream(keyOf(), { ...valueOf(), etag: 5 } as never), /value\.etag/);
  assert.equal(store.size, 0);
});

// ---- undici's interceptor, two processes ----------------------------------------------------------------------------

/** An origin on 127.0.0.1 counting its hits: /big is 1 MiB, /lang varies on accept-language; max-age 60. */
async function origin(t: T): Promise<{ url: string; hits: Map<string, number>; big: Buffer }> {
  const big = Buffer.alloc(1 << 20);
  for (let i = 0; i < big.length; i++) big[i] = (i * 13) & 0xff;
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    hits.set(req.url!, (hits.get(req.url!) ?? 0) + 1);
    if (req.url === '/lang') {
      res.writeHead(200, { 'cache-control': 'public, max-age=60', vary: 'accept-language' });
      res.end(`hello in ${req.headers['accept-language']}`);
    } else {
      res.writeHead(200, { 'cache-control': 'public, max-age=60, stale-while-revalidate=30', 'content-type': 'application/octet-stream' });
      res.end(big);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, hits, big };
}

async function fetchIn(dir: string, url: string, lang?: string): Promise<{ status: number; length: number; sha256: string }> {
  const r = await runNodeAsync([...NODE_SOURCE_ARGS, path.join(ROOT, 'test/ecosystem/apps/undici-fetch.ts'), dir, url, ...(lang ? [lang] : [])]);
  assert.equal(r.status, 0, explain(r));
  return JSON.parse(r.stdout);
}

test('fetch through interceptors.cache({ store }) in one process is served from the cache to a second: the origin is hit once', async (t) => {
  const o = await origin(t);
  const dir = tempDir(t);
  const sha = createHash('sha256').update(o.big).digest('hex');
  const first = await fetchIn(dir, `${o.url}/big`);
  assert.deepEqual(first, { status: 200, length: o.big.length, sha256: sha, age: null });
  const second = await fetchIn(dir, `${o.url}/big`);
  assert.equal(second.sha256, sha);
  assert.equal(o.hits.get('/big'), 1, 'the second process did not reach the origin');
  assert.notEqual((second as unknown as { age: string | null }).age, null, 'served from the cache (undici adds Age)');
  // The 1 MiB body sits in a value file, not in the log.
  const c = new Cache(dir);
  try {
    assert.deepEqual(c.check(), []);
  } finally {
    c.close();
  }
});

test('the interceptor in one process with two stores on one directory: Vary keeps one response per language', async (t) => {
  const o = await origin(t);
  const dir = tempDir(t);
  const stores = [new LogcacheCacheStore({ directory: dir }), new LogcacheCacheStore({ directory: dir })];
  const agents = stores.map((store) => new Agent().compose(interceptors.cache({ store })));
  t.after(async () => { for (const a of agents) await a.close(); for (const s of stores) await s.close(); });
  const get = async (i: number, lang: string) => {
    const r = await request(`${o.url}/lang`, { dispatcher: agents[i], headers: { 'accept-language': lang } });
    const text = await r.body.text();
    await stores[i].flush();
    return text;
  };
  assert.equal(await get(0, 'en'), 'hello in en');
  assert.equal(await get(1, 'en'), 'hello in en');
  assert.equal(o.hits.get('/lang'), 1);
  assert.equal(await get(1, 'fr'), 'hello in fr');
  assert.equal(await get(0, 'fr'), 'hello in fr');
  assert.equal(await get(0, 'en'), 'hello in en');
  assert.equal(o.hits.get('/lang'), 2, 'one origin hit per language');
});
