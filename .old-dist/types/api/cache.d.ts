import { Disk } from '../format/disk.js';
import { Key } from '../format/keys.js';
import type { ShardOptions, SyncPolicy } from '../shard/shard.js';
import type { CompactionResult } from '../shard/compaction.js';
import type { CheckWarning } from '../shard/check.js';
import type { Shard } from '../shard/shard.js';
import { Settings } from './settings.js';
import { MemoizeOptions, MemoizedFunction } from './memoize.js';
export type { Key } from '../format/keys.js';
export interface CacheOptions extends Partial<Settings> {
    /** Seconds a write waits for another process's transaction before Timeout. Default 60. */
    timeout?: number;
    /** The Disk class (a subclass of Disk). Default Disk. */
    disk?: typeof Disk;
    /** fsync policy. Default 'none' (a returned write survives a crash of the process, not of the machine). */
    sync?: SyncPolicy;
    /** Segment roll-over size in bytes. Default 64 MiB. */
    segmentBytes?: number;
    /** Automatic compaction threshold in dead bytes (0: off). Default 8 MiB. */
    compactMinBytes?: number;
    /** File-system layer (tests inject faults through it). */
    fs?: ShardOptions['fs'];
    /**
     * The storage engine: 'log' (default: log-structured segments, no native code) or 'sqlite' (python-diskcache's
     * schema and pragmas, for comparison; needs `node:sqlite` (Node 22.5+) or the optional `better-sqlite3` package).
     * A directory is written by one engine; open it with the same one.
     */
    engine?: 'log' | 'sqlite';
}
export interface SetOptions {
    expire?: number | null;
    read?: boolean;
    tag?: Key | null;
    retry?: boolean;
}
export interface GetOptions {
    default?: unknown;
    read?: boolean;
    expireTime?: boolean;
    tag?: boolean;
    retry?: boolean;
}
export interface PopOptions {
    default?: unknown;
    expireTime?: boolean;
    tag?: boolean;
    retry?: boolean;
}
export interface RetryOptions {
    retry?: boolean;
}
export interface IncrOptions {
    delta?: number;
    default?: number | null;
    retry?: boolean;
}
export interface PushOptions extends SetOptions {
    prefix?: string | null;
    side?: 'back' | 'front';
}
export interface PullOptions {
    prefix?: string | null;
    default?: unknown;
    side?: 'front' | 'back';
    expireTime?: boolean;
    tag?: boolean;
    retry?: boolean;
}
export interface PeekItemOptions {
    last?: boolean;
    expireTime?: boolean;
    tag?: boolean;
    retry?: boolean;
}
/** diskcache's transact is synchronous: an async callback's writes would land after the transaction ended. */
export declare function checkTxnFn(fn: unknown): void;
export declare class Cache {
    #private;
    /** The cache directory (absolute). */
    readonly directory: string;
    /** Seconds a write waits for another process's transaction before Timeout. */
    readonly timeout: number;
    /** The Disk instance that turns keys and values into bytes and files. */
    readonly disk: Disk;
    /**
     * Opens (creating if needed) the cache in `directory`; a fresh temporary directory when omitted. Settings given
     * here win over the stored ones and are stored for every later opener; settings not given keep their stored
     * values (diskcache's reopen semantics).
     * @throws TypeError/RangeError for a bad option (nothing is created); IOError when the directory cannot be used.
     */
    constructor(directory?: string | null, options?: CacheOptions);
    get statistics(): boolean;
    get tagIndex(): boolean;
    get evictionPolicy(): string;
    get sizeLimit(): number;
    get cullLimit(): number;
    get diskMinFileSize(): number;
    /** Every setting of this handle (a copy; stale until reset, as diskcache's attributes). */
    get settings(): Settings;
    /**
     * diskcache's reset: without `value`, re-reads setting `name` from the store into this handle and returns it
     * (RangeError if it was never stored; 'count', 'size', 'hits' and 'misses' read the live counters); with
     * `value`, stores it (unless `update` is false), applies it to this handle and returns it.
     */
    reset(name: string, value?: unknown, opts?: {
        update?: boolean;
    }): unknown;
    /**
     * Sets `key` to `value`, replacing any item (expired or not; the item keeps its insertion position). Then culls
     * (up to cullLimit expired items, then policy victims while volume() >= sizeLimit). Always returns true.
     * With `read: true` and a stream (or async iterable), stores its bytes in a file and returns a Promise.
     * @param opts.expire seconds from now until the item expires (null: never). @param opts.tag a key-like tag.
     * @throws TypeError for a bad key, value, expire, tag or options (nothing written); RangeError naming `key`, `tag`
     * or `value` when they add up to more than one record holds (256 MiB; a large value goes to a file and adds only
     * its name); Timeout when another process's transaction holds the shard past `timeout` (unless `retry`).
     */
    set(key: Key, value: unknown, opts?: SetOptions): true;
    /** diskcache's `cache[key] = value`: set with retry. */
    setItem(key: Key, value: unknown): void;
    /**
     * Stores `value` only if `key` is absent or expired (atomically, across processes: of concurrent adders exactly
     * one wins). Returns whether it stored. Culls after a successful add.
     */
    add(key: Key, value: unknown, opts?: SetOptions): boolean;
    /** Sets a new expiry (seconds from now; null: never) on a live item. Returns false if missing or expired. */
    touch(key: Key, opts?: {
        expire?: number | null;
        retry?: boolean;
    }): boolean;
    /**
     * Atomically adds `delta` to the number stored at `key` and returns the new value (across processes no increment
     * is lost). A missing or expired key starts from `default` (no expiry, no tag); a live item keeps its expiry
     * and tag. @throws KeyError when the key is missing and `default` is null; TypeError when the value is not a number.
     */
    incr(key: Key, opts?: IncrOptions): number;
    /** incr with `-delta`. */
    decr(key: Key, opts?: IncrOptions): number;
    /**
     * Deletes a live item. Returns false when the key is missing or expired (an expired item is left in place, as
     * diskcache does).
     */
    delete(key: Key, opts?: RetryOptions): boolean;
    /** diskcache's `del cache[key]`: delete with retry; KeyError when missing. */
    deleteItem(key: Key): true;
    /**
     * Removes a live item and returns its value (or `[value, expireTime]`, `[value, tag]`, `[value, expireTime, tag]`
     * with the flags); the default (wrapped the same way) when missing or expired.
     */
    pop(key: Key, opts?: PopOptions): unknown;
    /**
     * The value of a live item, or `default` (null) when missing or expired. With `expireTime`/`tag`, a tuple
     * `[value, expireTime]`, `[value, tag]` or `[value, expireTime, tag]` (a miss: `[default, null(, null)]`).
     * With `read`, a value stored in a binary file comes back as a readable stream. Cost when nothing changed:
     * one pread at the end of the log (to see whether another process wrote) and, for an uncached value, one more.
     */
    get(key: Key, opts?: GetOptions): unknown;
    /** diskcache's `cache[key]`: KeyError when missing or expired. */
    getItem(key: Key): unknown;
    /** The value with `read: true` (a stream for binary file values). KeyError when missing. */
    read(key: Key, opts?: RetryOptions): unknown;
    /** Whether a live item exists for `key` (diskcache's `in`). */
    has(key: Key): boolean;
    /** Number of items, expired ones included (diskcache's len). */
    get size(): number;
    /** Bytes the cache's items take: live records in the log plus value files (shrinks when items go). */
    volume(): number;
    /**
     * Pushes `value` onto the queue `prefix` (integer keys without a prefix; 'prefix-000000000000042' keys with) at
     * the back (largest key + 1) or front (smallest − 1); an empty queue starts at 500000000000000. Returns the key.
     * Every integer key between 0 and 999999999999999 belongs to the queue without a prefix, as in diskcache.
     */
    push(value: unknown, opts?: PushOptions): Key;
    /**
     * Removes and returns the front (or back) item of queue `prefix` as `[key, value]` (tuple forms with the flags);
     * `default` (`[null, null]`) when empty. Expired items met on the way are removed and skipped.
     */
    pull(opts?: PullOptions): unknown;
    /** As pull, but leaves the item in place (expired items met are still removed). */
    peek(opts?: PullOptions): unknown;
    /**
     * The last (or, with `last: false`, first) item in insertion order as `[key, value]` (tuple forms with the
     * flags); expired items at that end are removed and skipped. @throws KeyError('dictionary is empty').
     */
    peekitem(opts?: PeekItemOptions): unknown;
    /** Removes items whose expiry is before `now` (epoch seconds; default the current time). Returns how many. */
    expire(opts?: {
        now?: number;
        retry?: boolean;
    }): number;
    /** Removes every item tagged `tag`. `evict(null)` removes nothing (diskcache). Returns how many. */
    evict(tag: Key | null, opts?: RetryOptions): number;
    /** Removes every item, expired ones included, and their files. Returns how many. */
    clear(opts?: RetryOptions): number;
    /**
     * Removes expired items, then (unless the policy is 'none') policy victims in batches of 10 while
     * volume() > sizeLimit. Returns how many (0 under 'none', diskcache's quirk). Runs whatever cullLimit is.
     */
    cull(opts?: RetryOptions): number;
    /** Keys in insertion order, expired included; items inserted after the call are not yielded (diskcache). */
    [Symbol.iterator](): IterableIterator<Key>;
    keys(): IterableIterator<Key>;
    /** Keys in reverse insertion order (diskcache's reversed). */
    reversed(): IterableIterator<Key>;
    /** Keys in sort order (numbers, then text by code point, then bytes, then other keys), expired included. */
    iterkeys(opts?: {
        reverse?: boolean;
    }): IterableIterator<Key>;
    /**
     * Runs `fn` as one atomic, isolated step across processes: other processes' writes wait until it ends, its
     * writes become visible together, and an exception inside undoes them all (and is rethrown). Nested calls join
     * the outer transaction. Returns fn's result. `fn` must be synchronous.
     * @throws Timeout when another transaction holds the shard past `timeout` (unless `retry`).
     */
    transact<T>(fn: () => T, opts?: RetryOptions): T;
    /**
     * Verifies every frame, value file and counter; returns the warnings (empty when healthy). With `fix`, repairs:
     * rewrites the log without corrupt records (a compaction), removes unknown files and empty directories.
     */
    check(opts?: {
        fix?: boolean;
        retry?: boolean;
    }): CheckWarning[];
    /** Rewrites the live items into a base file and removes the segments it replaces (compaction on demand). */
    compact(): CompactionResult;
    /** Stores tagIndex = true (the keydir is in memory, so there is no index to build: kept for diskcache's API). */
    createTagIndex(): void;
    dropTagIndex(): void;
    /**
     * Returns the `[hits, misses]` counted by get while statistics were on, then zeroes them if `reset`, then turns
     * statistics on or off (`enable`, default true: calling stats() turns them on, as in diskcache).
     */
    stats(opts?: {
        enable?: boolean;
        reset?: boolean;
    }): [number, number];
    /** Memoizing decorator (see memoize.ts): `cache.memoize({ expire: 60 })(fn)`. */
    memoize<F extends (...args: any[]) => any>(opts?: MemoizeOptions): (fn: F) => MemoizedFunction<F>;
    /** Closes the handle's files; further calls throw ClosedError. Idempotent. */
    close(): void;
    [Symbol.dispose](): void;
    /** The log-structured shard under this cache (tests and tools). */
    get shard(): Shard;
}
