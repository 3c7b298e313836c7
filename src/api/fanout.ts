/**
 * FanoutCache: Cache's API over `shards` Caches in sub-directories `000`, `001`, …, each key routed by a stable
 * hash of its encoded bytes. Single-key methods are generated once from a table (below) instead of being written
 * again: each forwards to the key's shard and, as diskcache's FanoutCache does, turns a Timeout into the method's
 * miss value (false, undefined or the default; incr: null) unless `retry` is set. Aggregates visit every shard in order.
 */
import './dispose.js';
import * as fs from 'node:fs';
import { tmpdir } from '../builtin.js';
import * as path from 'node:path';
import { Cache } from './cache.js';
import type { CacheOptions, GetOptions, PopOptions, RetryOptions } from './options.js';
import { checkConstructorOptions, checkDirectory, checkHandleOptions, checkTxnFn } from './arguments.js';
import { shardDirectory } from './subpath.js';
import { retrying } from './retry.js';
import { Disk } from '../format/disk.js';
import type { Key } from '../format/keys.js';
import { KeyEncoder } from '../format/key-encoder.js';
import { crc32c } from '../format/crc32c.js';
import { ClosedError, Timeout } from '../errors.js';
import type { CheckWarning } from '../shard/reports.js';
import { memoize, MemoizeOptions, Memoizer } from './memoize.js';
import { subPath } from './subpath.js';
import type { Settings } from './settings.js';
import { Deque, checkMaxlen } from './deque.js';
import { Index } from './index-map.js';
import { groupTransact } from './fanout-txn.js';

export interface FanoutCacheOptions extends CacheOptions {
  /** Number of shards. Default 8. */
  shards?: number;
}

/** Single-key methods: what each returns when its shard times out (diskcache's FanoutCache table). */
const ROUTED = {
  set: () => false,
  add: () => false,
  touch: () => false,
  incr: () => null,
  decr: () => null,
  get: (opts?: GetOptions) => opts?.default,
  pop: (opts?: PopOptions) => opts?.default,
  delete: () => false,
  // These retry (diskcache's operators), so they never time out:
  setItem: null,
  getItem: null,
  deleteItem: null,
  read: null,
  has: null,
} as const;

type RoutedName = keyof typeof ROUTED;

export interface FanoutCache extends Pick<Cache, RoutedName> {}

export class FanoutCache {
  readonly directory: string;
  /** Seconds a shard waits for another process's transaction (default 0.010, as diskcache). */
  readonly timeout: number;
  readonly shards: readonly Cache[];
  readonly disk: Disk;
  #subCaches = new Map<string, Cache>();
  #deques = new Map<string, Deque<any>>();
  #indexes = new Map<string, Index<any, any>>();
  #closed = false;
  #options: FanoutCacheOptions;
  /** Encodes a routed key (see shardFor). */
  readonly #keys: KeyEncoder;

  /**
   * Opens (creating) `shards` Caches under `directory`. `sizeLimit` is divided among the shards and passed to
   * each explicitly (so reopening without it resets each shard to 2**30 / shards, as diskcache).
   * @throws TypeError naming `directory` or `options` when either has the wrong type; TypeError/RangeError for a
   * bad option (nothing is created).
   */
  constructor(directory?: string | null, options?: FanoutCacheOptions) {
    const dir = checkDirectory(directory);
    options = checkConstructorOptions<FanoutCacheOptions>(options);
    const count = options.shards ?? 8;
    if (!Number.isInteger(count) || count < 1 || count > 999) throw new RangeError(`shards must be an integer from 1 to 999; got ${String(count)}`);
    const timeout = checkHandleOptions(options, 0.01);
    const sizeLimit = options.sizeLimit ?? 2 ** 30;
    if (typeof sizeLimit !== 'number' || !(sizeLimit >= 0)) throw new RangeError(`sizeLimit must be a finite number >= 0; got ${String(sizeLimit)}`);
    this.directory = path.resolve(dir ?? fs.mkdtempSync(path.join(tmpdir(), 'logcache-')));
    this.timeout = timeout;
    this.#options = options;
    const { shards: _n, ...rest } = options;
    const shardOptions: CacheOptions = { ...rest, timeout, sizeLimit: sizeLimit / count };
    const list: Cache[] = [];
    try {
      for (let i = 0; i < count; i++) list.push(new Cache(shardDirectory(this.directory, i), shardOptions));
    } catch (err) {
      for (const c of list) c.close();
      throw err;
    }
    this.shards = list;
    this.disk = list[0].disk;
    this.#keys = new KeyEncoder(this.disk);
  }

  /** The shard that holds `key`: CRC32C of its encoding, modulo the shard count (placement is on disk). */
  shardFor(key: Key): Cache {
    const b = this.#keys.encode(key);
    return this.shards[crc32c(b, 0, this.#keys.length) % this.shards.length];
  }

  // ---- settings (shard 0's, as diskcache's attribute passthrough) ------------------------------------------------

  get sizeLimit(): number { return this.shards[0].sizeLimit; }
  get cullLimit(): number { return this.shards[0].cullLimit; }
  get evictionPolicy(): string { return this.shards[0].evictionPolicy; }
  get statistics(): boolean { return this.shards[0].statistics; }
  get tagIndex(): boolean { return this.shards[0].tagIndex; }
  get diskMinFileSize(): number { return this.shards[0].diskMinFileSize; }
  get settings(): Settings { return this.shards[0].settings; }

  /** Applies reset to every shard (the value is not divided); returns the last shard's result. */
  reset(name: string, value?: unknown, opts: { update?: boolean } = {}): unknown {
    let result: unknown;
    for (const s of this.shards) result = retrying(() => s.reset(name, value, opts));
    return result;
  }

  // ---- aggregates -------------------------------------------------------------------------------------------

  /** Items in every shard, expired included. */
  get size(): number {
    return this.shards.reduce((n, s) => n + s.size, 0);
  }

  volume(): number {
    return this.shards.reduce((n, s) => n + s.volume(), 0);
  }

  /** Removes expired items from every shard; never times out (a shard that does is retried). */
  expire(opts: { now?: number; retry?: boolean } = {}): number {
    return this.#sum((s) => s.expire(opts));
  }

  evict(tag: Key | null, opts: RetryOptions = {}): number {
    return this.#sum((s) => s.evict(tag, opts));
  }

  cull(opts: RetryOptions = {}): number {
    return this.#sum((s) => s.cull(opts));
  }

  clear(opts: RetryOptions = {}): number {
    return this.#sum((s) => s.clear(opts));
  }

  /** Per shard: on Timeout(n) add n and run the same shard again, as diskcache does. */
  #sum(fn: (s: Cache) => number): number {
    let total = 0;
    for (const s of this.shards) {
      for (;;) {
        try {
          total += fn(s);
          break;
        } catch (err) {
          if (!(err instanceof Timeout)) throw err;
          total += err.count ?? 0;
        }
      }
    }
    return total;
  }

  check(opts: { fix?: boolean; retry?: boolean } = {}): CheckWarning[] {
    return this.shards.flatMap((s) => s.check(opts));
  }

  /** Summed [hits, misses] of every shard; applies enable/reset to each. */
  stats(opts: { enable?: boolean; reset?: boolean } = {}): [number, number] {
    let hits = 0;
    let misses = 0;
    for (const s of this.shards) {
      const [h, m] = s.stats(opts);
      hits += h;
      misses += m;
    }
    return [hits, misses];
  }

  createTagIndex(): void {
    for (const s of this.shards) s.createTagIndex();
  }

  dropTagIndex(): void {
    for (const s of this.shards) s.dropTagIndex();
  }

  /** Cache.whenWritable for the shard that holds `key` (every shard without a key): undefined when none would wait. */
  whenWritable(key?: Key, opts: { retry?: boolean } = {}): Promise<void> | undefined {
    const shards = key === undefined ? this.shards : [this.shardFor(key)];
    const waits = shards.map((s) => s.whenWritable(undefined, opts)).filter((w) => w !== undefined);
    return waits.length ? Promise.all(waits).then(() => undefined) : undefined;
  }

  /** compactAsync on every shard at once: the shards compact in background processes. */
  async compactAsync(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.compactAsync()));
  }

  /** Compacts every shard. */
  compact(): void {
    for (const s of this.shards) s.compact();
  }

  /** Keys of shard 000, then 001, …; each in insertion order. */
  *[Symbol.iterator](): IterableIterator<Key> {
    for (const s of this.shards) yield* s;
  }

  keys(): IterableIterator<Key> {
    return this[Symbol.iterator]();
  }

  /** Exactly the reverse of forward iteration. */
  *reversed(): IterableIterator<Key> {
    for (let i = this.shards.length - 1; i >= 0; i--) yield* this.shards[i].reversed();
  }

  /**
   * Runs `fn` holding every shard's transaction (taken in shard order): atomic and isolated across all shards.
   * Always retries (diskcache requires retry=True here).
   */
  transact<T>(fn: () => T, opts: RetryOptions = { retry: true }): T {
    checkTxnFn(fn); // before any shard's transaction opens (each would log a begin and an abort)
    if (opts.retry === false) throw new RangeError('retry must be true in FanoutCache.transact');
    // On log shards: one commit point for every shard (fanout-txn.ts). SQLite shards nest their transactions.
    if (this.shards.every((s) => s.groupCommit)) return groupTransact(this.shards, fn);
    const run = (i: number): T => (i === this.shards.length ? fn() : this.shards[i].transact(() => run(i + 1), { retry: true }));
    return run(0);
  }

  /** diskcache's memoize over the fanout (see Cache.memoize): a decorator generic in the function it wraps. */
  memoize(opts: MemoizeOptions = {}): Memoizer {
    return memoize(this, opts);
  }

  #open(): void {
    if (this.#closed) throw new ClosedError('fanout cache');
  }

  // ---- sub-collections ----------------------------------------------------------------------------------------

  /** A Cache in `<dir>/cache/<name>` (memoized by name). `name` may hold '/' but must not leave the directory. */
  cache(name: string, options: CacheOptions = {}): Cache {
    this.#open();
    let c = this.#subCaches.get(name);
    if (!c) {
      c = new Cache(subPath(this.directory, 'cache', name), { disk: this.#options.disk, ...options });
      this.#subCaches.set(name, c);
    }
    return c;
  }

  /**
   * A Deque in `<dir>/deque/<name>` (memoized by name; a later maxlen is ignored, as diskcache). `T` is the items'
   * type, as the caller knows it.
   */
  deque<T = unknown>(name: string, opts: { maxlen?: number | null } = {}): Deque<T> {
    this.#open();
    let d = this.#deques.get(name) as Deque<T> | undefined;
    if (!d) {
      checkMaxlen(opts.maxlen); // before the directory is created
      const c = new Cache(subPath(this.directory, 'deque', name), { disk: this.#options.disk, evictionPolicy: 'none' });
      d = Deque.fromcache<T>(c, [], opts);
      this.#deques.set(name, d);
    }
    return d;
  }

  /** An Index in `<dir>/index/<name>` (memoized by name). `K` and `V` are its keys' and values' types. */
  index<K extends Key = Key, V = unknown>(name: string): Index<K, V> {
    this.#open();
    let x = this.#indexes.get(name) as Index<K, V> | undefined;
    if (!x) {
      const c = new Cache(subPath(this.directory, 'index', name), { disk: this.#options.disk, evictionPolicy: 'none' });
      x = Index.fromcache<K, V>(c);
      this.#indexes.set(name, x);
    }
    return x;
  }

  /**
   * Closes every shard and forgets the sub-collections (diskcache does not close them either). Idempotent; later
   * calls throw ClosedError, as Cache's do.
   */
  close(): void {
    this.#closed = true;
    for (const s of this.shards) s.close();
    this.#subCaches.clear();
    this.#deques.clear();
    this.#indexes.clear();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

// The routed methods, generated once from ROUTED: forward to the key's shard; on Timeout without retry, return
// the method's miss value.
for (const [name, onTimeout] of Object.entries(ROUTED) as [RoutedName, ((opts?: any) => unknown) | null][]) {
  Object.defineProperty(FanoutCache.prototype, name, {
    configurable: true,
    writable: true,
    // Fixed arity, not rest parameters: every routed method takes at most (key, a, b), and a spread call costs
    // more than the rest of the routing on a get.
    value: function (this: FanoutCache, key: Key, a?: unknown, b?: unknown) {
      const shard = this.shardFor(key);
      const method = (shard[name] as (key: Key, a?: unknown, b?: unknown) => unknown);
      if (onTimeout === null) return method.call(shard, key, a, b);
      // The options are the last argument given.
      const opts = (arguments.length >= 3 ? b : arguments.length === 2 ? a : undefined) as { retry?: boolean } | undefined;
      try {
        return method.call(shard, key, a, b);
      } catch (err) {
        if (err instanceof Timeout && !opts?.retry) return onTimeout(opts as never);
        throw err;
      }
    },
  });
}
