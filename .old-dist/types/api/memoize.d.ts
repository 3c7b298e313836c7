/**
 * memoize: diskcache's memoizing decorator for Cache (and FanoutCache, Index). The cache key is
 * `[name, ...args]`, with the ignored positions left out and, when `typed`, the argument types appended after a
 * marker (diskcache's args_to_key). Async functions cache their resolved value and return a Promise on hits too.
 */
import { Key } from '../format/keys.js';
export interface MemoizeOptions {
    /** Key prefix; default the function's name. */
    name?: string | null;
    /** Also key on the arguments' types (so 1 and '1' ... differ by type name too). Default false. */
    typed?: boolean;
    /** Seconds until a cached result expires; null never. */
    expire?: number | null;
    /** Tag stored with each result. */
    tag?: Key | null;
    /** Argument positions left out of the key. */
    ignore?: Iterable<number>;
}
export type MemoizedFunction<F extends (...args: any[]) => any> = F & {
    /** The cache key the wrapper uses for these arguments (diskcache's __cache_key__). */
    cacheKey(...args: Parameters<F>): Key;
};
/** What memoize needs from a cache. */
export interface MemoizeTarget {
    get(key: Key, opts?: {
        default?: unknown;
        retry?: boolean;
    }): unknown;
    set(key: Key, value: unknown, opts?: {
        expire?: number | null;
        tag?: Key | null;
        retry?: boolean;
    }): unknown;
}
/** Builds the key for `args` (exported for tests and recipes). */
export declare function argsToKey(base: string, args: readonly unknown[], typed: boolean, ignore: ReadonlySet<number>): Key;
export declare function memoize<F extends (...args: any[]) => any>(cache: MemoizeTarget, opts?: MemoizeOptions): (fn: F) => MemoizedFunction<F>;
