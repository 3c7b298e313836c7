/**
 * KeyvLogcache: a Keyv storage adapter (`logcache/keyv`) over a Cache or FanoutCache, so Keyv, cache-manager and
 * everything built on them share one disk cache across every process of the machine.
 *
 * One adapter serves both Keyv majors. It speaks the store contract of keyv 5 (the one cache-manager 7 uses, and
 * the one npm gives Node 20): `set(key, value, ttl)` with a relative TTL in milliseconds. keyv 6 wraps such an
 * adapter in its own KeyvBridgeAdapter, which turns v6's absolute `expires` back into a TTL. Declaring v6's
 * `capabilities.expires` instead would give the third argument of `set` two meanings (a duration from keyv 5, a
 * timestamp from keyv 6) with nothing in the call to tell them apart, so it is left undeclared on purpose.
 *
 * Layout in the cache: the item for `key` in namespace `ns` is stored under the tuple key `[ns, key]` (`ns` is
 * null without a namespace), tagged `['keyv', ns]`. Tuples keep namespaces apart whatever characters either part
 * holds (a `ns::key` string would let namespace `a` key `b::c` collide with namespace `a::b` key `c`); the tag lets
 * `clear()` drop one namespace with `evict` instead of decoding every key. keyv 5 prefixes keys itself
 * (`keyv:foo`), so under keyv 5 the inner key carries that prefix; keyv 6 hands keys over bare.
 */
import { EventEmitter } from 'node:events';
import { Cache } from '../index.js';
import type { CacheOptions, Key } from '../index.js';
import { isFanoutDirectory, read, writeWhenWritable } from './backend.js';

/** What the adapter needs of its cache: Cache and FanoutCache both have it. */
export interface KeyvBackend {
  readonly directory: string;
  get(key: Key, opts?: { default?: unknown; retry?: boolean }): unknown;
  set(key: Key, value: unknown, opts?: { expire?: number | null; tag?: Key | null; retry?: boolean }): boolean;
  delete(key: Key, opts?: { retry?: boolean }): boolean;
  has(key: Key): boolean;
  evict(tag: Key | null, opts?: { retry?: boolean }): number;
  keys(): IterableIterator<Key>;
  close(): void;
  /** Waits asynchronously until a write would not wait for another process (Cache's takes no key). */
  whenWritable?(key?: Key, opts?: { retry?: boolean }): Promise<void> | undefined;
}

export interface KeyvLogcacheOptions {
  /** The adapter's namespace (Keyv sets it from its own `namespace` option). Default none. */
  namespace?: string;
  /** Options for the Cache the adapter opens when given a directory. Ignored when given a cache. */
  cache?: CacheOptions;
}

/** One entry of setMany: keyv 5 and keyv 6's bridge both pass a relative `ttl` in milliseconds. */
export interface KeyvLogcacheEntry {
  key: string;
  value: unknown;
  ttl?: number;
}

/** Keyv's TTL (ms; undefined or 0: none) as a Cache expiry (seconds; null: never). */
function expireOf(ttl: unknown): number | null {
  if (ttl === undefined || ttl === null || ttl === 0) return null;
  if (typeof ttl !== 'number' || Number.isNaN(ttl)) throw new TypeError(`ttl must be a number of milliseconds; got ${String(ttl)}`);
  return ttl === Infinity ? null : ttl / 1000; // negative (even -Infinity): stored already expired
}

function checkKey(key: unknown, name = 'key'): string {
  if (typeof key !== 'string') throw new TypeError(`${name} must be a string; got ${typeof key}`);
  return key;
}

/**
 * A Keyv storage adapter on a logcache Cache or FanoutCache.
 *
 * ```ts
 * import Keyv from 'keyv';
 * import { KeyvLogcache } from 'logcache/keyv';
 * const users = new Keyv({ store: new KeyvLogcache('/var/cache/app'), namespace: 'users' });
 * await users.set('ada', { born: 1815 }, 60_000);   // every process that opens the directory sees it
 * ```
 *
 * Semantics: values are stored as Keyv hands them over (a serialized string by default); a TTL becomes the
 * item's expiry, so the item disappears for every process when it runs out, whether or not Keyv looks at it.
 * `clear()` removes this namespace's items only (with no namespace: the items written without one). Give each
 * Keyv instance its own adapter (as with @keyv/redis): the namespace is the adapter's. Operations are atomic per
 * key across processes; a `set` that loses a FanoutCache shard's timeout returns false (diskcache's rule).
 */
export class KeyvLogcache extends EventEmitter {
  /** The cache the items live in. */
  readonly cache: KeyvBackend;
  /** keyv 5 reads `opts` (its `dialect` and `url` decide whether Keyv wires `keyv.iterator`; see `iterator`). */
  readonly opts: { dialect: 'logcache'; url: string; directory: string };
  /** Set by Keyv from its `namespace` option; scopes every key, `clear()` and `iterator()`. */
  namespace: string | undefined;
  readonly #owned: boolean;

  /**
   * @param cache a directory (the adapter opens a Cache there and closes it on `disconnect()`) or an open Cache
   *   or FanoutCache (left open: its owner closes it). Default: a new temporary directory.
   * @throws TypeError for a cache that is neither, or a directory that holds a FanoutCache (pass the FanoutCache).
   */
  constructor(cache?: string | KeyvBackend, options: KeyvLogcacheOptions = {}) {
    super();
    if (cache === undefined || typeof cache === 'string') {
      if (cache !== undefined && isFanoutDirectory(cache)) {
        throw new TypeError(`${cache} holds a FanoutCache: open it with new FanoutCache(dir) and pass that to KeyvLogcache`);
      }
      this.cache = new Cache(cache, options.cache);
      this.#owned = true;
    } else if (typeof cache === 'object' && cache !== null && typeof cache.get === 'function' && typeof cache.evict === 'function') {
      this.cache = cache;
      this.#owned = false;
    } else {
      throw new TypeError('cache must be a directory or a Cache/FanoutCache');
    }
    this.namespace = options.namespace;
    // No path in `url`: keyv 5 looks for 'redis', 'sqlite', ... inside it, and a directory named so must not
    // change what Keyv does.
    this.opts = { dialect: 'logcache', url: 'logcache://', directory: this.cache.directory };
  }

  #key(key: unknown): Key {
    return [this.namespace || null, checkKey(key)];
  }

  #tag(): Key {
    return ['keyv', this.namespace || null];
  }

  #read(key: string): unknown {
    return read(this.cache, this.#key(key));
  }

  #write(key: string, value: unknown, ttl: unknown): boolean {
    return this.cache.set(this.#key(key), value, { expire: expireOf(ttl), tag: this.#tag() });
  }

  /** The stored value (Keyv's serialized string), or undefined when missing or expired. */
  async get<Value = unknown>(key: string): Promise<Value | undefined> {
    return this.#read(key) as Value | undefined;
  }

  /** Values for `keys`, in order; undefined for each one missing or expired. */
  async getMany<Value = unknown>(keys: string[]): Promise<Array<Value | undefined>> {
    if (!Array.isArray(keys)) throw new TypeError('keys must be an array');
    return keys.map((k) => this.#read(k) as Value | undefined);
  }

  /**
   * Stores `value` under `key`, replacing any item. @param ttl milliseconds until it expires (undefined or 0:
   * never; negative: already expired). Returns true, or false when a FanoutCache shard timed out.
   */
  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    return writeWhenWritable(this.cache, this.#key(key), () => this.#write(key, value, ttl));
  }

  /** set for each entry, in order; one boolean per entry. */
  async setMany(entries: KeyvLogcacheEntry[]): Promise<boolean[]> {
    if (!Array.isArray(entries)) throw new TypeError('entries must be an array');
    return writeWhenWritable(this.cache, undefined, () => entries.map((e) => this.#write(e.key, e.value, e.ttl)));
  }

  /** Removes `key`. Returns whether a live item was removed. */
  async delete(key: string): Promise<boolean> {
    const k = this.#key(key);
    return writeWhenWritable(this.cache, k, () => this.cache.delete(k));
  }

  /**
   * Removes every key in `keys`. Returns true when each one was there (keyv 5's contract, a single boolean; keyv
   * 6's bridge spreads it over the keys).
   */
  async deleteMany(keys: string[]): Promise<boolean> {
    if (!Array.isArray(keys)) throw new TypeError('keys must be an array');
    return writeWhenWritable(this.cache, undefined, () => {
      let all = true;
      for (const k of keys) if (!this.cache.delete(this.#key(k))) all = false;
      return all;
    });
  }

  /** Whether a live item exists for `key`. */
  async has(key: string): Promise<boolean> {
    return this.cache.has(this.#key(key));
  }

  async hasMany(keys: string[]): Promise<boolean[]> {
    if (!Array.isArray(keys)) throw new TypeError('keys must be an array');
    return keys.map((k) => this.cache.has(this.#key(k)));
  }

  /** Removes this namespace's items (without a namespace: the items stored without one). Others stay. */
  async clear(): Promise<void> {
    await writeWhenWritable(this.cache, undefined, () => { this.cache.evict(this.#tag()); }, true);
  }

  /**
   * Yields `[key, value]` for each live item of `namespace` (default: the adapter's), in insertion order, as of
   * the call (items added meanwhile are not yielded). keyv 6 wires this to `keyv.iterator()`. keyv 5 wires it only
   * for the adapters on its own list (SQL, Redis, Mongo, etcd); with keyv 5 call
   * `keyv.iterator = keyv.generateIterator(store.iterator.bind(store))` once, or iterate the adapter directly.
   */
  async *iterator<Value = unknown>(namespace: string | undefined = this.namespace): AsyncGenerator<[string, Value], void> {
    const ns = namespace || null;
    const mine: string[] = [];
    for (const k of this.cache.keys()) {
      if (Array.isArray(k) && k.length === 2 && k[0] === ns && typeof k[1] === 'string') mine.push(k[1]);
    }
    for (const key of mine) {
      const v = read(this.cache, [ns, key]);
      if (v !== undefined) yield [key, v as Value];
    }
  }

  /** Closes the cache if the adapter opened it (given a directory); a cache passed in stays open. */
  async disconnect(): Promise<void> {
    if (this.#owned) this.cache.close();
  }
}

export default KeyvLogcache;
