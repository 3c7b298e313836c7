/**
 * diskcache's recipes, across processes: Averager, Lock, RLock, BoundedSemaphore, throttle, barrier and
 * memoizeStampede. Each works on a Cache or a FanoutCache (anything with the small RecipeCache surface).
 * Waiting is asynchronous: `await lock.acquire()` polls every millisecond with setTimeout, never spinning a core;
 * it takes `{ timeout, signal }`, and resolves to a guard that `await using` releases.
 */
import './dispose.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { argsToKey, functionKeyName } from './memoize-key.js';
import type { MemoizedFunction } from './memoize.js';
import { type Key, encodeKey, typeName } from '../format/keys.js';
import { Timeout } from '../errors.js';

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

/** diskcache sleeps 1 ms between attempts. */
const POLL_MS = 1;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Marks a stampede guard key (diskcache appends ENOVAL to the key). */
const GUARD = '\u0000stampede-guard';

/** acquire's options. */
export interface AcquireOptions {
  /** Seconds to wait at most; then acquire rejects with Timeout (code LOGCACHE_TIMEOUT). Default: no limit. */
  timeout?: number | null;
  /** Aborting it rejects a waiting acquire with the signal's reason (nothing is held). */
  signal?: AbortSignal;
}

/** What acquire resolves to: releases the lock once, by `release()` or at the end of an `await using` block. */
export interface LockGuard extends AsyncDisposable, Disposable {
  release(): void;
}

/**
 * A recipe's constructor arguments: a cache with the RecipeCache methods, a valid key, an options object.
 * @throws TypeError naming `cache`, `key` or `opts`.
 */
function checkRecipe(cache: unknown, key: unknown, opts: unknown): void {
  const methods = ['get', 'set', 'add', 'delete', 'pop', 'has', 'transact'];
  if (typeof cache !== 'object' || cache === null || methods.some((m) => typeof (cache as Record<string, unknown>)[m] !== 'function')) {
    throw new TypeError(`cache must be a Cache or FanoutCache (an object with ${methods.join(', ')}); got ${typeName(cache)}`);
  }
  encodeKey(key as Key); // TypeError/RangeError naming `key`
  if (typeof opts !== 'object' || opts === null) throw new TypeError(`opts must be an object such as { expire: 60 }; got ${opts === null ? 'null' : typeName(opts)}`);
}

function checkAcquireOptions(opts: AcquireOptions): { deadline: number; signal: AbortSignal | undefined } {
  if (typeof opts !== 'object' || opts === null) throw new TypeError('options must be an object such as { timeout: 5 }');
  const { timeout, signal } = opts;
  if (timeout !== undefined && timeout !== null && (typeof timeout !== 'number' || !(timeout >= 0))) {
    throw new RangeError(`timeout must be a number of seconds >= 0 or null; got ${String(timeout)}`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('signal must be an AbortSignal');
  return { deadline: timeout === undefined || timeout === null ? Infinity : Date.now() + timeout * 1000, signal };
}

/**
 * Tries `attempt` every POLL_MS (asynchronously) until it returns true. @throws Timeout past the deadline; the
 * signal's reason when it aborts.
 */
async function pollUntil(attempt: () => boolean, opts: AcquireOptions): Promise<void> {
  const { deadline, signal } = checkAcquireOptions(opts);
  for (;;) {
    signal?.throwIfAborted();
    if (attempt()) return;
    if (Date.now() >= deadline) throw new Timeout(undefined, 'acquire timed out');
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, POLL_MS);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function guard(release: () => void): LockGuard {
  let held = true;
  const once = () => {
    if (!held) return;
    held = false;
    release();
  };
  return { release: once, [Symbol.dispose]: once, [Symbol.asyncDispose]: async () => once() };
}

/** Runs `fn` between acquire and release. */
async function holding<T>(lock: { acquire(): Promise<unknown>; release(): void }, fn: () => T | Promise<T>): Promise<T> {
  await lock.acquire();
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/** A running average stored as [total, count]. */
export class Averager {
  /** @throws TypeError naming `cache`, `key` or `opts`. */
  constructor(readonly cache: RecipeCache, readonly key: Key, readonly opts: RecipeOptions = {}) {
    checkRecipe(cache, key, opts);
  }

  /** Adds `value` to the average (atomically across processes). */
  add(value: number): void {
    this.cache.transact(() => {
      const [total, count] = (this.cache.get(this.key, { default: [0, 0], retry: true }) as [number, number]);
      this.cache.set(this.key, [total + value, count + 1], { ...this.opts, retry: true });
    }, { retry: true });
  }

  /** The average, or null when nothing was added. */
  get(): number | null {
    const [total, count] = this.cache.get(this.key, { default: [0, 0], retry: true }) as [number, number];
    return count === 0 ? null : total / count;
  }

  /** Removes the average and returns it (null when nothing was added). */
  pop(): number | null {
    const [total, count] = this.cache.pop(this.key, { default: [0, 0], retry: true }) as [number, number];
    return count === 0 ? null : total / count;
  }
}

/** A cross-process mutex: `add` of the key wins it. No ownership check on release (as diskcache). */
export class Lock {
  /** @throws TypeError naming `cache`, `key` or `opts`. */
  constructor(readonly cache: RecipeCache, readonly key: Key, readonly opts: RecipeOptions = {}) {
    checkRecipe(cache, key, opts);
  }

  /**
   * Waits until this process wins the lock. Resolves to a guard: `await using held = await lock.acquire()`
   * releases at the end of the block. @throws Timeout past `timeout` seconds; the signal's reason on abort.
   */
  async acquire(opts: AcquireOptions = {}): Promise<LockGuard> {
    await pollUntil(() => Boolean(this.cache.add(this.key, null, { ...this.opts, retry: true })), opts);
    return guard(() => this.release());
  }

  release(): void {
    this.cache.delete(this.key, { retry: true });
  }

  locked(): boolean {
    return this.cache.has(this.key);
  }

  /** Runs `fn` holding the lock. */
  using<T>(fn: () => T | Promise<T>): Promise<T> {
    return holding(this, fn);
  }
}

/**
 * A re-entrant lock stored as [owner, count]. Python's RLock is re-entrant per thread; here re-entrancy follows
 * the async call chain: a scope opened by `using(fn)` (or by `barrier`) owns the lock, and any acquire inside it
 * (nested `using`, or `acquire`/`release` called within fn, however deep the awaits) re-enters; concurrent tasks,
 * each in its own scope, exclude each other. An `acquire()` outside any scope takes the lock for a new owner (it
 * does not re-enter: a second one waits), and a `release()` outside a scope releases the latest of those.
 */
export class RLock {
  /** The owner of the current async call chain's scope, if any. */
  readonly #scope = new AsyncLocalStorage<string>();
  /** Owners of acquisitions made outside any scope, latest last. */
  readonly #unscoped: string[] = [];
  /** @throws TypeError naming `cache`, `key` or `opts`. */
  constructor(readonly cache: RecipeCache, readonly key: Key, readonly opts: RecipeOptions = {}) {
    checkRecipe(cache, key, opts);
  }

  /** Waits until this chain holds the lock (re-entering if it does); resolves to a guard (see Lock.acquire). */
  async acquire(opts: AcquireOptions = {}): Promise<LockGuard> {
    const scoped = this.#scope.getStore();
    const owner = scoped ?? `${process.pid}-${randomUUID()}`;
    await pollUntil(() => this.cache.transact(() => {
      const [holder, count] = this.cache.get(this.key, { default: [null, 0], retry: true }) as [string | null, number];
      if (holder !== owner && count !== 0) return false;
      this.cache.set(this.key, [owner, count + 1], { ...this.opts, retry: true });
      return true;
    }, { retry: true }), opts);
    if (scoped === undefined) this.#unscoped.push(owner);
    return guard(() => this.#release(owner, scoped === undefined));
  }

  /** Releases one acquisition of this chain's scope (or the latest unscoped one). @throws Error('cannot release un-acquired lock'). */
  release(): void {
    const scoped = this.#scope.getStore();
    const owner = scoped ?? this.#unscoped[this.#unscoped.length - 1];
    this.#release(owner, scoped === undefined);
  }

  #release(owner: string | undefined, unscoped: boolean): void {
    this.cache.transact(() => {
      const [holder, count] = this.cache.get(this.key, { default: [null, 0], retry: true }) as [string | null, number];
      if (owner === undefined || holder !== owner || count <= 0) throw new Error('cannot release un-acquired lock');
      this.cache.set(this.key, [holder, count - 1], { ...this.opts, retry: true });
    }, { retry: true });
    if (unscoped) this.#unscoped.splice(this.#unscoped.lastIndexOf(owner!), 1);
  }

  /** Runs `fn` holding the lock, in a scope that owns it (nested acquires inside re-enter). */
  using<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = () => holding(this, fn);
    return this.#scope.getStore() === undefined ? this.#scope.run(`${process.pid}-${randomUUID()}`, run) : run();
  }
}

/** A counting semaphore that may not be released above its initial value. */
export class BoundedSemaphore {
  readonly value: number;
  readonly opts: RecipeOptions;
  /**
   * `new BoundedSemaphore(cache, key, value?, opts?)`, or `(cache, key, { value, expire, tag })` (the form barrier's
   * factories are called with).
   * @throws RangeError naming `value` unless it is an integer >= 0; TypeError naming `cache`, `key` or `opts`.
   */
  constructor(readonly cache: RecipeCache, readonly key: Key, value: number | (RecipeOptions & { value?: number }) = 1, opts: RecipeOptions = {}) {
    checkRecipe(cache, key, opts);
    if (typeof value === 'object' && value !== null) {
      opts = { expire: value.expire, tag: value.tag };
      value = value.value ?? 1;
    }
    if (!Number.isInteger(value) || (value as number) < 0) throw new RangeError(`value must be an integer >= 0; got ${String(value)}`);
    this.value = value as number;
    this.opts = opts;
  }

  /** Waits until a unit is free and takes it; resolves to a guard (see Lock.acquire). */
  async acquire(opts: AcquireOptions = {}): Promise<LockGuard> {
    await pollUntil(() => this.cache.transact(() => {
      const v = this.cache.get(this.key, { default: this.value, retry: true }) as number;
      if (v <= 0) return false;
      this.cache.set(this.key, v - 1, { ...this.opts, retry: true });
      return true;
    }, { retry: true }), opts);
    return guard(() => this.release());
  }

  /** @throws Error('cannot release un-acquired semaphore') past the initial value. */
  release(): void {
    this.cache.transact(() => {
      const v = this.cache.get(this.key, { default: this.value, retry: true }) as number;
      if (!(this.value > v)) throw new Error('cannot release un-acquired semaphore');
      this.cache.set(this.key, v + 1, { ...this.opts, retry: true });
    }, { retry: true });
  }

  using<T>(fn: () => T | Promise<T>): Promise<T> {
    return holding(this, fn);
  }
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
