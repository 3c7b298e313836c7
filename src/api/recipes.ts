/**
 * diskcache's recipes, across processes: throttle, barrier and memoizeStampede here, Averager in averager.ts and the
 * locks (Lock, RLock, BoundedSemaphore) in locks.ts. Each works on a Cache or a FanoutCache (anything with the small
 * RecipeCache surface). Waiting is asynchronous, never spinning a core.
 */
import { argsToKey, functionKeyName } from './memoize-key.js';
import type { MemoizedFunction } from './memoize.js';
import type { Key } from '../format/keys.js';
import { POLL_MS, holding } from './locks.js';

export { BoundedSemaphore, Lock, RLock } from './locks.js';
export { Averager } from './averager.js';
export type { AcquireOptions, LockGuard } from './locks.js';

/** What the recipes need from a cache. */
export interface RecipeCache {
  get(key: Key, opts?: { default?: unknown; expireTime?: boolean; retry?: boolean }): unknown;
  set(key: Key, value: unknown, opts?: { expire?: number | null; tag?: Key | null; retry?: boolean }): unknown;
  add(key: Key, value: unknown, opts?: { expire?: number | null; tag?: Key | null; retry?: boolean }): unknown;
  delete(key: Key, opts?: { retry?: boolean }): unknown;
  pop(key: Key, opts?: { default?: unknown; retry?: boolean }): unknown;
  has(key: Key): boolean;
  transact<T>(fn: () => T, opts?: { retry?: boolean }): T;
}

export interface RecipeOptions {
  /** Seconds until the recipe's key expires (a dead holder's lock frees itself then). */
  expire?: number | null;
  tag?: Key | null;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Marks a stampede guard key (diskcache appends ENOVAL to the key). */
const GUARD = '\u0000stampede-guard';

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
export function throttle(cache: RecipeCache, count: number, seconds: number, opts: ThrottleOptions = {}) {
  if (!(count > 0) || !(seconds > 0)) throw new RangeError('count and seconds must be > 0');
  const rate = count / seconds;
  const timeFunc = opts.timeFunc ?? (() => Date.now() / 1000);
  const sleepFunc = opts.sleepFunc ?? ((s: number) => sleep(s * 1000));
  return <F extends (...args: any[]) => any>(fn: F) => {
    const key = functionKeyName(fn, opts.name, 'throttle');
    cache.set(key, [timeFunc(), count], { expire: opts.expire, tag: opts.tag, retry: true });
    return async (...args: Parameters<F>): Promise<Awaited<ReturnType<F>>> => {
      for (;;) {
        const delay = cache.transact(() => {
          const [last, tallyBefore] = cache.get(key, { default: [timeFunc(), count], retry: true }) as [number, number];
          const now = timeFunc();
          const tally = tallyBefore + (now - last) * rate;
          if (tally > count) {
            cache.set(key, [now, count - 1], { expire: opts.expire, retry: true });
            return 0;
          }
          if (tally >= 1) {
            cache.set(key, [now, tally - 1], { expire: opts.expire, retry: true });
            return 0;
          }
          return (1 - tally) / rate;
        }, { retry: true });
        if (delay === 0) return await fn(...args);
        await sleepFunc(delay);
      }
    };
  };
}

/** Anything with acquire/release: Lock, RLock, BoundedSemaphore; `using`, when present, runs a call holding it. */
export interface AsyncLock {
  acquire(): Promise<unknown>;
  release(): void;
  using?<T>(fn: () => T | Promise<T>): Promise<T>;
}

/** A decorator that runs every call holding one lock made by `lockFactory(cache, name, opts)`. */
export function barrier(
  cache: RecipeCache,
  lockFactory: new (cache: RecipeCache, key: Key, opts?: RecipeOptions) => AsyncLock,
  opts: RecipeOptions & { name?: string } = {},
) {
  return <F extends (...args: any[]) => any>(fn: F) => {
    const lock = new lockFactory(cache, functionKeyName(fn, opts.name, 'barrier'), { expire: opts.expire, tag: opts.tag });
    return (...args: Parameters<F>): Promise<Awaited<ReturnType<F>>> => (lock.using ? lock.using(() => fn(...args)) : holding(lock, () => fn(...args)));
  };
}

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
export function memoizeStampede(cache: RecipeCache, expire: number, opts: StampedeOptions = {}) {
  if (typeof expire !== 'number' || !(expire > 0)) throw new TypeError('expire must be a number of seconds > 0');
  const beta = opts.beta ?? 1;
  const ignore = new Set(opts.ignore ?? []);
  return <F extends (...args: any[]) => any>(fn: F): MemoizedFunction<(...a: Parameters<F>) => Promise<Awaited<ReturnType<F>>>> => {
    const base = functionKeyName(fn, opts.name, 'memoizeStampede');
    const cacheKey = (...args: unknown[]) => argsToKey(base, args, opts.typed ?? false, ignore);
    const timed = async (args: unknown[]): Promise<[unknown, number]> => {
      const start = performance.now();
      const result = await fn(...args);
      return [result, (performance.now() - start) / 1000];
    };
    const store = (key: Key, pair: [unknown, number]) => cache.set(key, pair, { expire, tag: opts.tag, retry: true });
    const wrapper = async (...args: unknown[]) => {
      const key = cacheKey(...args);
      const guard = [key, GUARD] as Key;
      for (;;) {
        const [pair, expireTime] = cache.get(key, { default: null, expireTime: true, retry: true }) as [[unknown, number] | null, number | null];
        if (pair !== null) {
          const [result, delta] = pair;
          const ttl = (expireTime ?? Infinity) - Date.now() / 1000;
          if (-delta * beta * Math.log(Math.random()) < ttl) return result;
          if (cache.add(guard, null, { expire: Math.max(delta, 0.001), retry: true })) {
            void timed(args).then((p) => store(key, p), () => {}).finally(() => cache.delete(guard, { retry: true }));
          }
          return result;
        }
        // Cold: one caller computes, the others wait for its result. The winner looks again first: another
        // caller may have stored the result and released the guard between our miss and our add.
        if (cache.add(guard, null, { expire, retry: true })) {
          try {
            const again = cache.get(key, { default: null, retry: true }) as [unknown, number] | null;
            if (again !== null) return again[0];
            const p = await timed(args);
            store(key, p);
            return p[0];
          } finally {
            cache.delete(guard, { retry: true });
          }
        }
        await sleep(POLL_MS);
      }
    };
    return Object.assign(wrapper, { cacheKey }) as never;
  };
}
