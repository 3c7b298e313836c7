import { Cache, CacheOptions, GetOptions, PopOptions, RetryOptions } from './cache.js';
import { Disk } from '../format/disk.js';
import type { Key } from '../format/keys.js';
import type { CheckWarning } from '../shard/check.js';
import { MemoizeOptions, MemoizedFunction } from './memoize.js';
import type { Settings } from './settings.js';
import { Deque } from './deque.js';
import { Index } from './index-map.js';
export interface FanoutCacheOptions extends CacheOptions {
    /** Number of shards. Default 8. */
    shards?: number;
}
/** Single-key methods: what each returns when its shard times out (diskcache's FanoutCache table). */
declare const ROUTED: {
    readonly set: () => boolean;
    readonly add: () => boolean;
    readonly touch: () => boolean;
    readonly incr: () => null;
    readonly decr: () => null;
    readonly get: (opts?: GetOptions) => {} | null;
    readonly pop: (opts?: PopOptions) => {} | null;
    readonly delete: () => boolean;
    readonly setItem: null;
    readonly getItem: null;
    readonly deleteItem: null;
    readonly read: null;
    readonly has: null;
};
type RoutedName = keyof typeof ROUTED;
export interface FanoutCache extends Pick<Cache, RoutedName> {
}
export declare class FanoutCache {
    #private;
    readonly directory: string;
    /** Seconds a shard waits for another process's transaction (default 0.010, as diskcache). */
    readonly timeout: number;
    readonly shards: readonly Cache[];
    readonly disk: Disk;
    /**
     * Opens (creating) `shards` Caches under `directory`. `sizeLimit` is divided among the shards and passed to
     * each explicitly (so reopening without it resets each shard to 2**30 / shards, as diskcache).
     */
    constructor(directory?: string | null, options?: FanoutCacheOptions);
    /** The shard that holds `key`: CRC32C of its encoding, modulo the shard count (placement is on disk). */
    shardFor(key: Key): Cache;
    get sizeLimit(): number;
    get cullLimit(): number;
    get evictionPolicy(): string;
    get statistics(): boolean;
    get tagIndex(): boolean;
    get diskMinFileSize(): number;
    get settings(): Settings;
    /** Applies reset to every shard (the value is not divided); returns the last shard's result. */
    reset(name: string, value?: unknown, opts?: {
        update?: boolean;
    }): unknown;
    /** Items in every shard, expired included. */
    get size(): number;
    volume(): number;
    /** Removes expired items from every shard; never times out (a shard that does is retried). */
    expire(opts?: {
        now?: number;
        retry?: boolean;
    }): number;
    evict(tag: Key | null, opts?: RetryOptions): number;
    cull(opts?: RetryOptions): number;
    clear(opts?: RetryOptions): number;
    check(opts?: {
        fix?: boolean;
        retry?: boolean;
    }): CheckWarning[];
    /** Summed [hits, misses] of every shard; applies enable/reset to each. */
    stats(opts?: {
        enable?: boolean;
        reset?: boolean;
    }): [number, number];
    createTagIndex(): void;
    dropTagIndex(): void;
    /** Compacts every shard. */
    compact(): void;
    /** Keys of shard 000, then 001, …; each in insertion order. */
    [Symbol.iterator](): IterableIterator<Key>;
    keys(): IterableIterator<Key>;
    /** Exactly the reverse of forward iteration. */
    reversed(): IterableIterator<Key>;
    /**
     * Runs `fn` holding every shard's transaction (taken in shard order): atomic and isolated across all shards.
     * Always retries (diskcache requires retry=True here).
     */
    transact<T>(fn: () => T, opts?: RetryOptions): T;
    memoize<F extends (...args: any[]) => any>(opts?: MemoizeOptions): (fn: F) => MemoizedFunction<F>;
    /** A Cache in `<dir>/cache/<name>` (memoized by name). `name` may hold '/' but must not leave the directory. */
    cache(name: string, options?: CacheOptions): Cache;
    /** A Deque in `<dir>/deque/<name>` (memoized by name; a later maxlen is ignored, as diskcache). */
    deque(name: string, opts?: {
        maxlen?: number | null;
    }): Deque;
    /** An Index in `<dir>/index/<name>` (memoized by name). */
    index(name: string): Index;
    /** Closes every shard and forgets the sub-collections (diskcache does not close them either). */
    close(): void;
    [Symbol.dispose](): void;
}
export {};
