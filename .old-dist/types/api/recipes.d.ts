/**
 * diskcache's recipes, across processes: Averager, Lock, RLock, BoundedSemaphore, throttle, barrier and
 * memoizeStampede. Each works on a Cache or a FanoutCache (anything with the small RecipeCache surface).
 * Waiting is asynchronous: `await lock.acquire()` polls every millisecond with setTimeout, never spinning a core.
 */
import { MemoizedFunction } from './memoize.js';
import type { Key } from '../format/keys.js';
/** What the recipes need from a cache. */
export interface RecipeCache {
    get(key: Key, opts?: {
        default?: unknown;
        expireTime?: boolean;
        retry?: boolean;
    }): unknown;
    set(key: Key, value: unknown, opts?: {
        expire?: number | null;
        tag?: Key | null;
        retry?: boolean;
    }): unknown;
    add(key: Key, value: unknown, opts?: {
        expire?: number | null;
        tag?: Key | null;
        retry?: boolean;
    }): unknown;
    delete(key: Key, opts?: {
        retry?: boolean;
    }): unknown;
    pop(key: Key, opts?: {
        default?: unknown;
        retry?: boolean;
    }): unknown;
    has(key: Key): boolean;
    transact<T>(fn: () => T, opts?: {
        retry?: boolean;
    }): T;
}
export interface RecipeOptions {
    /** Seconds until the recipe's key expires (a dead holder's lock frees itself then). */
    expire?: number | null;
    tag?: Key | null;
}
/** A running average stored as [total, count]. */
export declare class Averager {
    readonly cache: RecipeCache;
    readonly key: Key;
    readonly opts: RecipeOptions;
    constructor(cache: RecipeCache, key: Key, opts?: RecipeOptions);
    /** Adds `value` to the average (atomically across processes). */
    add(value: number): void;
    /** The average, or null when nothing was added. */
    get(): number | null;
    /** Removes the average and returns it (null when nothing was added). */
    pop(): number | null;
}
/** A cross-process mutex: `add` of the key wins it. No ownership check on release (as diskcache). */
export declare class Lock {
    readonly cache: RecipeCache;
    readonly key: Key;
    readonly opts: RecipeOptions;
    constructor(cache: RecipeCache, key: Key, opts?: RecipeOptions);
    acquire(): Promise<void>;
    release(): void;
    locked(): boolean;
    /** Runs `fn` holding the lock. */
    using<T>(fn: () => T | Promise<T>): Promise<T>;
}
/**
 * A re-entrant lock: [owner, count]. The owner is this RLock object's identity in this process (Python uses
 * pid-thread; JavaScript has one thread, so re-entrancy is per RLock instance).
 */
export declare class RLock {
    #private;
    readonly cache: RecipeCache;
    readonly key: Key;
    readonly opts: RecipeOptions;
    constructor(cache: RecipeCache, key: Key, opts?: RecipeOptions);
    acquire(): Promise<void>;
    /** @throws Error('cannot release un-acquired lock') when this RLock does not hold it. */
    release(): void;
    using<T>(fn: () => T | Promise<T>): Promise<T>;
}
/** A counting semaphore that may not be released above its initial value. */
export declare class BoundedSemaphore {
    readonly cache: RecipeCache;
    readonly key: Key;
    readonly value: number;
    readonly opts: RecipeOptions;
    constructor(cache: RecipeCache, key: Key, value?: number, opts?: RecipeOptions);
    acquire(): Promise<void>;
    /** @throws Error('cannot release un-acquired semaphore') past the initial value. */
    release(): void;
    using<T>(fn: () => T | Promise<T>): Promise<T>;
}
export interface ThrottleOptions extends RecipeOptions {
    name?: string;
    /** Clock in epoch seconds (tests pass a fake). */
    timeFunc?: () => number;
    /** Sleep in seconds. */
    sleepFunc?: (seconds: number) => Promise<void>;
}
/**
 * A token-bucket decorator: at most `count` calls per `seconds`, shared by every process using the cache.
 * Decorating resets the bucket. The wrapper is async: it waits (sleeps) until a token is free, then calls fn.
 */
export declare function throttle(cache: RecipeCache, count: number, seconds: number, opts?: ThrottleOptions): <F extends (...args: any[]) => any>(fn: F) => (...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>>;
/** Anything with acquire/release: Lock, RLock, BoundedSemaphore. */
export interface AsyncLock {
    acquire(): Promise<void>;
    release(): void;
}
/** A decorator that runs every call holding one lock made by `lockFactory(cache, name, opts)`. */
export declare function barrier(cache: RecipeCache, lockFactory: new (cache: RecipeCache, key: Key, opts?: RecipeOptions) => AsyncLock, opts?: RecipeOptions & {
    name?: string;
}): <F extends (...args: any[]) => any>(fn: F) => (...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>>;
export interface StampedeOptions {
    name?: string;
    typed?: boolean;
    tag?: Key | null;
    /** Eagerness of early recomputation (XFetch's beta). Default 1. */
    beta?: number;
    ignore?: Iterable<number>;
}
/**
 * Memoization with probabilistic early recomputation (XFetch, as diskcache's memoize_stampede): a hit close
 * to its expiry is recomputed early, in the background, by one caller (an `add` guard), while every caller keeps
 * getting the cached value. Unlike diskcache, a cold miss is computed once too: concurrent callers (in any
 * process) wait for the first one's result instead of all computing it.
 * @param expire seconds a result lives (required).
 */
export declare function memoizeStampede(cache: RecipeCache, expire: number, opts?: StampedeOptions): <F extends (...args: any[]) => any>(fn: F) => MemoizedFunction<(...a: Parameters<F>) => Promise<Awaited<ReturnType<F>>>>;
