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
import type { CacheOptions, Key } from '../index.js';
/** What the adapter needs of its cache: Cache and FanoutCache both have it. */
export interface KeyvBackend {
    readonly directory: string;
    get(key: Key, opts?: {
        default?: unknown;
        retry?: boolean;
    }): unknown;
    set(key: Key, value: unknown, opts?: {
        expire?: number | null;
        tag?: Key | null;
        retry?: boolean;
    }): boolean;
    delete(key: Key, opts?: {
        retry?: boolean;
    }): boolean;
    has(key: Key): boolean;
    evict(tag: Key | null, opts?: {
        retry?: boolean;
    }): number;
    keys(): IterableIterator<Key>;
    close(): void;
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
export declare class KeyvLogcache extends EventEmitter {
    #private;
    /** The cache the items live in. */
    readonly cache: KeyvBackend;
    /** keyv 5 reads `opts` (its `dialect` and `url` decide whether Keyv wires `keyv.iterator`; see `iterator`). */
    readonly opts: {
        dialect: 'logcache';
        url: string;
        directory: string;
    };
    /** Set by Keyv from its `namespace` option; scopes every key, `clear()` and `iterator()`. */
    namespace: string | undefined;
    /**
     * @param cache a directory (the adapter opens a Cache there and closes it on `disconnect()`) or an open Cache
     *   or FanoutCache (left open: its owner closes it). Default: a new temporary directory.
     * @throws TypeError for a cache that is neither, or a directory that holds a FanoutCache (pass the FanoutCache).
     */
    constructor(cache?: string | KeyvBackend, options?: KeyvLogcacheOptions);
    /** The stored value (Keyv's serialized string), or undefined when missing or expired. */
    get<Value = unknown>(key: string): Promise<Value | undefined>;
    /** Values for `keys`, in order; undefined for each one missing or expired. */
    getMany<Value = unknown>(keys: string[]): Promise<Array<Value | undefined>>;
    /**
     * Stores `value` under `key`, replacing any item. @param ttl milliseconds until it expires (undefined or 0:
     * never; negative: already expired). Returns true, or false when a FanoutCache shard timed out.
     */
    set(key: string, value: unknown, ttl?: number): Promise<boolean>;
    /** set for each entry, in order; one boolean per entry. */
    setMany(entries: KeyvLogcacheEntry[]): Promise<boolean[]>;
    /** Removes `key`. Returns whether a live item was removed. */
    delete(key: string): Promise<boolean>;
    /**
     * Removes every key in `keys`. Returns true when each one was there (keyv 5's contract, a single boolean; keyv
     * 6's bridge spreads it over the keys).
     */
    deleteMany(keys: string[]): Promise<boolean>;
    /** Whether a live item exists for `key`. */
    has(key: string): Promise<boolean>;
    hasMany(keys: string[]): Promise<boolean[]>;
    /** Removes this namespace's items (without a namespace: the items stored without one). Others stay. */
    clear(): Promise<void>;
    /**
     * Yields `[key, value]` for each live item of `namespace` (default: the adapter's), in insertion order, as of
     * the call (items added meanwhile are not yielded). keyv 6 wires this to `keyv.iterator()`. keyv 5 wires it only
     * for the adapters on its own list (SQL, Redis, Mongo, etcd); with keyv 5 call
     * `keyv.iterator = keyv.generateIterator(store.iterator.bind(store))` once, or iterate the adapter directly.
     */
    iterator<Value = unknown>(namespace?: string | undefined): AsyncGenerator<[string, Value], void>;
    /** Closes the cache if the adapter opened it (given a directory); a cache passed in stays open. */
    disconnect(): Promise<void>;
}
export default KeyvLogcache;
