/**
 * What the framework stores (logcache/keyv, /undici, /express-session, /rate-limit, /next) share: the cache they
 * run on (a directory they open, or a Cache or FanoutCache they are given) and a miss-safe read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cache, FanoutCache, Timeout } from '../index.js';
import type { CacheOptions, Key } from '../index.js';

/** What every store needs of its cache: Cache and FanoutCache both have it. */
export interface StoreBackend {
  readonly directory: string;
  get(key: Key, opts?: { default?: unknown; expireTime?: boolean; tag?: boolean; read?: boolean; retry?: boolean }): unknown;
  set(key: Key, value: unknown, opts?: { expire?: number | null; tag?: Key | null; read?: boolean; retry?: boolean }): unknown;
  add(key: Key, value: unknown, opts?: { expire?: number | null; tag?: Key | null; retry?: boolean }): unknown;
  touch(key: Key, opts?: { expire?: number | null; retry?: boolean }): unknown;
  incr(key: Key, opts?: { delta?: number; default?: number | null; retry?: boolean }): unknown;
  delete(key: Key, opts?: { retry?: boolean }): unknown;
  has(key: Key): boolean;
  evict(tag: Key | null, opts?: { retry?: boolean }): number;
  keys(): IterableIterator<Key>;
  transact<T>(fn: () => T, opts?: { retry?: boolean }): T;
  close(): void;
  /** Waits asynchronously until a write would not wait for another process (Cache's takes no key). */
  whenWritable?(key?: Key, opts?: { retry?: boolean }): Promise<void> | undefined;
}

/** Where a store keeps its items: a directory to open a Cache in, or an open Cache or FanoutCache. */
export interface BackendOptions {
  /** Directory of the Cache the store opens (and closes on `close()`). Default: a new temporary directory. */
  directory?: string;
  /** An open Cache or FanoutCache to use instead (left open: its owner closes it). */
  cache?: StoreBackend;
  /** Options for the Cache the store opens from `directory`. */
  cacheOptions?: CacheOptions;
}

const LOG_FILE = /^\d{10}\.(log|base)$/;

/** A directory FanoutCache made (shard 000 has a log, the top level none): a Cache opened there would mix in. */
export function isFanoutDirectory(dir: string): boolean {
  try {
    // A shard's own files: log segments (log engine) or cache.db (SQLite engine).
    const isShard = (names: string[]) => names.some((n) => LOG_FILE.test(n) || n === 'cache.db');
    return !isShard(fs.readdirSync(dir)) && isShard(fs.readdirSync(path.join(dir, '000')));
  } catch {
    return false;
  }
}

/** Whether `x` looks like a Cache or FanoutCache. */
export function isBackend(x: unknown): x is StoreBackend {
  const c = x as StoreBackend;
  return typeof x === 'object' && x !== null && typeof c.get === 'function' && typeof c.evict === 'function' && typeof c.transact === 'function';
}

/**
 * Opens the cache a store runs on. @returns the cache and whether the store owns it (opened it, so closes it).
 * @throws TypeError for options that are not an object, a `cache` that is not a Cache/FanoutCache, both `cache` and
 * `directory`, or a directory that holds a FanoutCache (pass the FanoutCache as `cache`).
 */
export function openBackend(options: BackendOptions | undefined, who: string, cacheOptions?: CacheOptions): { cache: StoreBackend; owned: boolean } {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError(`${who} options must be an object`);
  const { directory, cache } = options ?? {};
  if (cache !== undefined) {
    if (!isBackend(cache)) throw new TypeError(`${who}: cache must be a Cache or FanoutCache`);
    if (directory !== undefined) throw new TypeError(`${who}: give cache or directory, not both`);
    return { cache, owned: false };
  }
  if (directory !== undefined && typeof directory !== 'string') throw new TypeError(`${who}: directory must be a string; got ${typeof directory}`);
  if (directory !== undefined && isFanoutDirectory(directory)) {
    throw new TypeError(`${directory} holds a FanoutCache: open it with new FanoutCache(dir) and pass it as { cache }`);
  }
  return { cache: new Cache(directory, { ...cacheOptions, ...options?.cacheOptions }), owned: true };
}

/**
 * Runs `write`, a synchronous write of an asynchronous method, without blocking the event loop on another process's
 * transaction: at once (returning its result) when the cache's `whenWritable` has nothing to wait for, else once
 * that resolves (returning a Promise of the result). `key`: the one key `write` changes (on a FanoutCache, its shard
 * is the one waited for); none when it changes several or runs a transaction (a FanoutCache's transaction holds
 * every shard).
 *
 * The wait ends as `write` would: `retries` says that it is a transaction or an evict, which on a FanoutCache never
 * time out (they retry, as diskcache's), so the wait lasts as long as the other process's transaction. Otherwise it
 * ends at the cache's `timeout`: a Cache's Timeout rejects, as its write would throw; a FanoutCache's routed writes
 * then run anyway and, still waiting, give their miss value (false, null) after their own `timeout`, as they would.
 */
export function writeWhenWritable<T>(cache: Pick<StoreBackend, 'whenWritable'>, key: Key | undefined, write: () => T, retries = false): T | Promise<T> {
  const fanout = cache instanceof FanoutCache;
  const wait = cache.whenWritable?.(key, { retry: fanout && retries });
  if (!wait) return write();
  return (async () => {
    try {
      await wait;
    } catch (err) {
      if (!(fanout && err instanceof Timeout)) throw err;
    }
    return write();
  })();
}

const MISS = Symbol('miss');

/**
 * The value at `key`, or undefined when missing or expired (whatever a miss returns by default). With `asStream`,
 * a value stored in a binary file comes back as a readable stream (Cache.get's `read`).
 */
export function read(cache: Pick<StoreBackend, 'get'>, key: Key, asStream = false): unknown {
  const v = cache.get(key, asStream ? { default: MISS, read: true } : { default: MISS });
  return v === MISS ? undefined : v;
}

/** `[value, expireTime]` at `key` (expireTime: epoch seconds, or null for never), or undefined on a miss. */
export function readWithExpiry(cache: StoreBackend, key: Key): [unknown, number | null] | undefined {
  const [v, e] = cache.get(key, { default: MISS, expireTime: true }) as [unknown, number | null];
  return v === MISS ? undefined : [v, e ?? null];
}
