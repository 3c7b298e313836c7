/**
 * LogcacheCacheStore: an HTTP cache store for undici's cache interceptor (`logcache/undici`), so `fetch` and
 * undici's request API cache responses on disk, shared by every process of the machine, on Node 20 (undici's own
 * SqliteCacheStore needs node:sqlite, Node 22.5+) with no native code.
 *
 * Layout in the cache (all items tagged `['undici']`, so `clear()` is one evict):
 * - `['undici', 'h', origin, path]`: the URL's head, the list of its stored responses (one per method and Vary
 *   variant: status, headers, vary, etag, cache-control directives, cachedAt, staleAt, deleteAt, body id), expiring
 *   with the last deleteAt. A write replaces the responses its request would have been served (RFC 9111 §4).
 * - `['undici', 'b', id]`: a response's body, under a fresh id per write, expiring at its deleteAt: inline when
 *   small, else streamed into a value file as it arrives (never held whole in memory).
 * - with a finite `maxCount`, a FIFO of responses `['undici', 'q', n]` between the counters
 *   `['undici', 'qhead']` and `['undici', 'qtail']`, from which the oldest-stored responses are dropped.
 * Every head change is one transaction, so concurrent writers in several processes never lose each other's
 * responses. Nothing of undici is loaded: its interface is only described here.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import type { Key } from '../index.js';
import { BackendOptions, StoreBackend, openBackend, read, writeWhenWritable } from './backend.js';

/** undici's CacheKey: what identifies a request. */
export interface CacheKey {
  origin: string;
  method: string;
  path: string;
  headers?: Record<string, string | string[]>;
}

/** undici's CacheValue: a response as the interceptor hands it to `createWriteStream`. */
export interface CacheValue {
  statusCode: number;
  statusMessage: string;
  headers: Record<string, string | string[]>;
  vary?: Record<string, string | string[] | null>;
  etag?: string;
  cacheControlDirectives?: Record<string, unknown>;
  cachedAt: number;
  staleAt: number;
  deleteAt: number;
}

/** undici's GetResult: a stored response, its body a Buffer (small) or a stream from its value file (large). */
export interface GetResult extends Omit<CacheValue, 'cacheControlDirectives'> {
  cacheControlDirectives: Record<string, unknown>;
  body?: Buffer | Readable;
}

export interface LogcacheCacheStoreOptions extends BackendOptions {
  /** Most responses kept; the oldest-stored go first beyond it (an upper bound: see docs). Default Infinity. */
  maxCount?: number;
  /** The cache's size limit in bytes (its `sizeLimit`: culled by its eviction policy). Only with `directory`. */
  maxSize?: number;
  /** Largest body stored, in bytes; a larger one is dropped while it streams in. Default 2e9 (as SqliteCacheStore). */
  maxEntrySize?: number;
  /** Receives failures of writes and reads (the request itself goes on, uncached). Default: a process warning. */
  errorCallback?: (err: Error) => void;
}

/** One stored response in a URL's head. */
interface Variant extends Omit<CacheValue, 'vary'> {
  method: string;
  vary: Record<string, string | string[] | null> | null;
  /** The body item's id (fresh per write). */
  body: string;
  /** The FIFO slot (kept by a response that replaces another, as a Cache item keeps its position). */
  slot: number | null;
}

const TAG: Key = ['undici'];
const MAX_ENTRY_SIZE = 2e9;
/** Bodies this small are gathered in memory and stored inline; larger ones stream into a value file. */
const INLINE_BODY_BYTES = 32 * 1024;

function checkCount(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v === Infinity || (Number.isInteger(v) && v >= 0))) {
    throw new TypeError(`${name} must be a non-negative integer or Infinity; got ${String(v)}`);
  }
  return v;
}

function checkKey(key: unknown): asserts key is CacheKey {
  if (typeof key !== 'object' || key === null) throw new TypeError(`key must be an object; got ${key === null ? 'null' : typeof key}`);
  const k = key as Record<string, unknown>;
  for (const p of ['origin', 'method', 'path']) {
    if (typeof k[p] !== 'string') throw new TypeError(`key.${p} must be a string; got ${typeof k[p]}`);
  }
  if (k.headers !== undefined && (typeof k.headers !== 'object' || k.headers === null)) throw new TypeError('key.headers must be an object');
}

function checkValue(value: unknown): asserts value is CacheValue {
  if (typeof value !== 'object' || value === null) throw new TypeError(`value must be an object; got ${value === null ? 'null' : typeof value}`);
  const v = value as Record<string, unknown>;
  for (const p of ['statusCode', 'cachedAt', 'staleAt', 'deleteAt']) {
    if (typeof v[p] !== 'number') throw new TypeError(`value.${p} must be a number; got ${typeof v[p]}`);
  }
  if (typeof v.statusMessage !== 'string') throw new TypeError(`value.statusMessage must be a string; got ${typeof v.statusMessage}`);
  for (const p of ['headers', 'vary']) {
    if (v[p] != null && typeof v[p] !== 'object') throw new TypeError(`value.${p} must be an object; got ${typeof v[p]}`);
  }
  if (v.etag !== undefined && typeof v.etag !== 'string') throw new TypeError(`value.etag must be a string; got ${typeof v.etag}`);
}

function sameHeader(a: string | string[] | null | undefined, b: string | string[] | null | undefined): boolean {
  if (a == null || b == null) return a == null && b == null;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/** Whether a response stored with `vary` answers a request with `headers`. */
function varyMatches(vary: Variant['vary'], headers: CacheKey['headers']): boolean {
  if (vary === null) return true;
  return Object.keys(vary).every((name) => sameHeader(headers?.[name], vary[name]));
}

/** Seconds from now until `ms` (epoch milliseconds). */
const secondsUntil = (ms: number) => (ms - Date.now()) / 1000;

/**
 * ```ts
 * import { Agent, interceptors, setGlobalDispatcher } from 'undici';
 * import { LogcacheCacheStore } from 'logcache/undici';
 * const store = new LogcacheCacheStore({ directory: '/var/cache/http', maxCount: 10_000 });
 * setGlobalDispatcher(new Agent().compose(interceptors.cache({ store })));
 * ```
 */
export class LogcacheCacheStore {
  /** The cache the responses live in. */
  readonly cache: StoreBackend;
  readonly maxCount: number;
  readonly maxEntrySize: number;
  readonly #errorCallback: (err: Error) => void;
  readonly #owned: boolean;
  readonly #pending = new Set<Promise<void>>();

  /** @throws TypeError for a bad option (nothing is opened). */
  constructor(options: LogcacheCacheStoreOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('LogcacheCacheStore options must be an object');
    this.maxCount = checkCount('maxCount', options.maxCount, Infinity);
    this.maxEntrySize = checkCount('maxEntrySize', options.maxEntrySize, MAX_ENTRY_SIZE);
    const maxSize = checkCount('maxSize', options.maxSize, Infinity);
    if (options.maxSize !== undefined && options.cache !== undefined) throw new TypeError('maxSize is the sizeLimit of the cache the store opens: set sizeLimit on the cache you pass instead');
    const onError = options.errorCallback ?? ((err: Error) => process.emitWarning(err, { code: 'LOGCACHE_UNDICI_STORE' }));
    if (typeof onError !== 'function') throw new TypeError('errorCallback must be a function');
    this.#errorCallback = onError;
    const { cache, owned } = openBackend(options, 'LogcacheCacheStore', maxSize === Infinity ? {} : { sizeLimit: maxSize });
    this.cache = cache;
    this.#owned = owned;
  }

  #headKey(key: CacheKey): Key {
    return ['undici', 'h', key.origin, key.path];
  }

  /** The URL's stored responses. A head that is not a list (the disk is untrusted) throws, or with `lenient` is none. */
  #variants(key: CacheKey, lenient = false): Variant[] {
    return this.#headAt(this.#headKey(key), lenient);
  }

  #headAt(head: Key, lenient: boolean): Variant[] {
    const v = read(this.cache, head) ?? [];
    if (Array.isArray(v)) return v as Variant[];
    if (lenient) return [];
    throw new TypeError(`the stored head ${JSON.stringify(head)} is not a list of responses`);
  }

  /**
   * The freshest stored response for `key` (same method, Vary headers matching), stale ones included until their
   * deleteAt (the interceptor decides about stale-while-revalidate); undefined when there is none. A failing read
   * is handed to `errorCallback` and answered as a miss.
   */
  get(key: CacheKey): GetResult | undefined {
    checkKey(key);
    try {
      const now = Date.now();
      let best: Variant | undefined;
      for (const v of this.#variants(key)) {
        if (v.method !== key.method || v.deleteAt <= now || !varyMatches(v.vary, key.headers)) continue;
        if (best === undefined || v.cachedAt > best.cachedAt) best = v;
      }
      if (best === undefined) return undefined;
      const body = read(this.cache, ['undici', 'b', best.body], true); // a stream when the body is a value file
      if (body === undefined) return undefined; // culled or expired with the head still there
      const { method: _m, body: _b, slot: _s, vary, ...meta } = best;
      return { ...meta, ...(vary === null ? {} : { vary }), cacheControlDirectives: meta.cacheControlDirectives ?? {}, body: body as Buffer | Readable };
    } catch (err) {
      this.#errorCallback(err as Error);
      return undefined;
    }
  }

  /**
   * A writable for the response's body: the response is stored when it ends, replacing the responses stored for
   * the same request. A body past `maxEntrySize` destroys the writable and stores nothing. Failures go to
   * `errorCallback`.
   */
  createWriteStream(key: CacheKey, value: CacheValue): Writable {
    checkKey(key);
    checkValue(value);
    key = { origin: key.origin, method: key.method, path: key.path, headers: { ...key.headers } };
    value = structuredClone(value);
    const id = randomUUID();
    const bodyKey: Key = ['undici', 'b', id];
    const chunks: Buffer[] = [];
    let size = 0;
    let file: PassThrough | null = null;
    let stored: Promise<unknown> | null = null;
    const store = this;
    let settle!: () => void;
    const done = new Promise<void>((r) => { settle = r; });
    this.#pending.add(done);
    done.then(() => this.#pending.delete(done));
    const fail = (err: Error) => {
      store.#errorCallback(err);
      settle();
    };
    return new Writable({
      write(chunk: Buffer, _enc, callback) {
        size += chunk.length;
        if (size > store.maxEntrySize) {
          this.destroy(); // stores nothing: destroy() below drops the value file being written
          return;
        }
        if (file === null && size <= INLINE_BODY_BYTES) {
          chunks.push(chunk);
          return callback();
        }
        if (file === null) {
          // Past the inline size: the rest streams into a value file.
          file = new PassThrough();
          stored = store.cache.set(bodyKey, file, { read: true, expire: secondsUntil(value.deleteAt), tag: TAG }) as Promise<unknown>;
          stored.catch(() => {}); // awaited in final; a maxEntrySize abort is not an error to report
          for (const c of chunks.splice(0)) file.write(c);
        }
        if (file.write(chunk)) callback();
        else file.once('drain', () => callback());
      },
      final(callback) {
        (async () => {
          if (file !== null) {
            file.end();
            await stored;
          }
          await writeWhenWritable(store.cache, undefined, () => {
            if (file === null) store.cache.set(bodyKey, Buffer.concat(chunks), { expire: secondsUntil(value.deleteAt), tag: TAG });
            store.#commit(key, value, id);
          }, true);
        })().then(() => { settle(); callback(); }, (err) => { fail(err); callback(); });
      },
      destroy(err, callback) {
        if (file !== null && !file.writableFinished) {
          // The interrupted stream makes the value file's writer remove its partial file; settled after that.
          file.destroy(err ?? new Error('response body not stored'));
          stored!.then(settle, settle);
        } else {
          settle();
        }
        callback(err);
      },
    });
  }

  /** Adds the response to its URL's head (one transaction), dropping what it replaces, then the FIFO's excess. */
  #commit(key: CacheKey, value: CacheValue, id: string): void {
    const head = this.#headKey(key);
    this.cache.transact(() => {
      const now = Date.now();
      const kept: Variant[] = [];
      const replaced: Variant[] = [];
      for (const v of this.#variants(key, true)) {
        if (v.deleteAt <= now || (v.method === key.method && varyMatches(v.vary, key.headers))) replaced.push(v);
        else kept.push(v);
      }
      let slot = replaced.find((v) => v.slot !== null && v.deleteAt > now)?.slot ?? null;
      if (slot === null && this.maxCount !== Infinity) {
        slot = this.cache.incr(['undici', 'qtail']) as number;
        this.cache.set(['undici', 'q', slot], [key.origin, key.path, id], { tag: TAG });
      }
      const { vary, ...meta } = value;
      kept.push({ ...meta, vary: vary ?? null, method: key.method, body: id, slot });
      this.#writeHead(head, kept);
      for (const v of replaced) this.cache.delete(['undici', 'b', v.body]);
      if (this.maxCount !== Infinity) this.#prune();
    });
  }

  #writeHead(head: Key, variants: Variant[]): void {
    if (variants.length === 0) {
      this.cache.delete(head);
      return;
    }
    const last = Math.max(...variants.map((v) => v.deleteAt));
    this.cache.set(head, variants, { expire: secondsUntil(last), tag: TAG });
  }

  /** Drops the oldest-stored responses while the FIFO holds more than maxCount (inside #commit's transaction). */
  #prune(): void {
    const tail = Number(read(this.cache, ['undici', 'qtail']) ?? 0);
    let first = Number(read(this.cache, ['undici', 'qhead']) ?? 0);
    for (; tail - first > this.maxCount; first++) {
      const slot = first + 1;
      const entry = read(this.cache, ['undici', 'q', slot]) as [string, string, string] | undefined;
      this.cache.delete(['undici', 'q', slot]);
      if (entry === undefined) continue;
      const head: Key = ['undici', 'h', entry[0], entry[1]];
      const variants = this.#headAt(head, true);
      const gone = variants.filter((v) => v.slot === slot);
      if (gone.length === 0) continue; // deleted or expired already
      this.#writeHead(head, variants.filter((v) => v.slot !== slot));
      for (const v of gone) this.cache.delete(['undici', 'b', v.body]);
    }
    this.cache.set(['undici', 'qhead'], first);
  }

  /**
   * Removes every stored response for the URL (all methods and variants): undici calls it after an unsafe request.
   * Returns a Promise (undici's contract allows one) when it waits for another process's transaction first.
   */
  delete(key: CacheKey): void | Promise<void> {
    if (typeof key !== 'object' || key === null) throw new TypeError(`key must be an object; got ${key === null ? 'null' : typeof key}`);
    const head = this.#headKey(key);
    return writeWhenWritable(this.cache, undefined, () => this.cache.transact(() => {
      const variants = this.#variants(key, true);
      this.cache.delete(head);
      for (const v of variants) this.cache.delete(['undici', 'b', v.body]);
    }), true);
  }

  /** Number of responses stored (live ones; walks the cache's keys). */
  get size(): number {
    const now = Date.now();
    let n = 0;
    for (const k of this.cache.keys()) {
      if (Array.isArray(k) && k[0] === 'undici' && k[1] === 'h') {
        n += this.#headAt(k, true).filter((v) => v.deleteAt > now).length;
      }
    }
    return n;
  }

  /** Resolves when every write stream opened so far has stored its response (or given up). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Removes every stored response. */
  clear(): void {
    this.cache.evict(TAG);
  }

  /** Waits for pending writes, then closes the cache if the store opened it (given a directory). */
  async close(): Promise<void> {
    await this.flush();
    if (this.#owned) this.cache.close();
  }
}

export default LogcacheCacheStore;
