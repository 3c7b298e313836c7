/**
 * LogcacheRateLimitStore: an express-rate-limit Store (`logcache/rate-limit`) on a logcache Cache or FanoutCache,
 * so every process of the machine (cluster workers, several servers on one volume) counts one client's hits
 * together, with no Redis.
 *
 * Each client's counter is one item `['rate-limit', prefix, key]`: the first hit of a window adds it with the
 * window as its expiry, later hits `incr` it (an increment keeps the item's expiry), all in one transaction, so
 * concurrent hits from any number of processes are each counted once and the window resets for everyone when the
 * item expires. Only types come from express-rate-limit: this module loads nothing of it at run time.
 */
import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import type { Key } from '../index.js';
import { BackendOptions, StoreBackend, openBackend, readWithExpiry, writeWhenWritable } from './backend.js';

export interface LogcacheRateLimitStoreOptions extends BackendOptions {
  /** Prepended to each client key, so several limiters can share one cache. Default 'rl:'. */
  prefix?: string;
}

/**
 * ```ts
 * import { rateLimit } from 'express-rate-limit';
 * import { LogcacheRateLimitStore } from 'logcache/rate-limit';
 * app.use(rateLimit({ windowMs: 60_000, limit: 10, store: new LogcacheRateLimitStore({ directory: '/var/cache/app' }) }));
 * ```
 * A fixed window per client that starts at the client's first hit (as express-rate-limit's MemoryStore and the
 * Redis store do). `resetAll()` drops this prefix's counters only.
 */
export class LogcacheRateLimitStore implements Store {
  /** The cache the counters live in. */
  readonly cache: StoreBackend;
  /** Prepended to client keys (read by express-rate-limit's double-count check). */
  readonly prefix: string;
  /** Counts are shared by every process on the directory. */
  readonly localKeys = false;
  /** Window length in milliseconds, from the middleware's `windowMs` (set by `init`). Default 60000. */
  windowMs = 60_000;
  readonly #owned: boolean;

  /** @throws TypeError for bad options (see openBackend) or a non-string prefix. */
  constructor(options: LogcacheRateLimitStoreOptions = {}) {
    const prefix = options.prefix ?? 'rl:';
    if (typeof prefix !== 'string') throw new TypeError(`prefix must be a string; got ${typeof prefix}`);
    const { cache, owned } = openBackend(options, 'LogcacheRateLimitStore');
    this.cache = cache;
    this.#owned = owned;
    this.prefix = prefix;
  }

  #key(key: string): Key {
    if (typeof key !== 'string') throw new TypeError(`key must be a string; got ${typeof key}`);
    return ['rate-limit', this.prefix, key];
  }

  #info(found: [unknown, number | null] | undefined): ClientRateLimitInfo | undefined {
    if (found === undefined) return undefined;
    const [hits, expireTime] = found;
    return { totalHits: Number(hits), resetTime: expireTime === null ? undefined : new Date(expireTime * 1000) };
  }

  /** Called once by the middleware: takes the window length from `windowMs`. */
  init(options: Options): void {
    const ms = options.windowMs;
    if (typeof ms !== 'number' || !(ms > 0)) throw new RangeError(`windowMs must be a number of milliseconds > 0; got ${String(ms)}`);
    this.windowMs = ms;
  }

  /** The client's hits in the current window and when it resets; undefined when it has none. */
  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    return this.#info(readWithExpiry(this.cache, this.#key(key)));
  }

  /** Counts one hit (atomically across processes); returns the hits so far in the window and its reset time. */
  async increment(key: string): Promise<IncrementResponse> {
    const k = this.#key(key);
    return writeWhenWritable(this.cache, undefined, () => this.cache.transact(() => {
      this.cache.add(k, 0, { expire: this.windowMs / 1000, tag: ['rate-limit', this.prefix] });
      this.cache.incr(k);
      return this.#info(readWithExpiry(this.cache, k))!;
    }), true);
  }

  /** Takes back one hit (express-rate-limit's skipSuccessfulRequests/skipFailedRequests); never below zero. */
  async decrement(key: string): Promise<void> {
    const k = this.#key(key);
    await writeWhenWritable(this.cache, undefined, () => this.cache.transact(() => {
      const found = readWithExpiry(this.cache, k);
      if (found !== undefined && Number(found[0]) > 0) this.cache.incr(k, { delta: -1 });
    }), true);
  }

  /** Forgets the client's hits (its next hit starts a new window). */
  async resetKey(key: string): Promise<void> {
    const k = this.#key(key);
    await writeWhenWritable(this.cache, k, () => this.cache.delete(k));
  }

  /** Forgets every client's hits under this prefix. */
  async resetAll(): Promise<void> {
    await writeWhenWritable(this.cache, undefined, () => this.cache.evict(['rate-limit', this.prefix]), true);
  }

  /** Closes the cache if the store opened it (given a directory). */
  async shutdown(): Promise<void> {
    if (this.#owned) this.cache.close();
  }
}

export default LogcacheRateLimitStore;
