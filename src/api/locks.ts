/**
 * diskcache's cross-process locks: Lock, RLock and BoundedSemaphore. Waiting is asynchronous: `await
 * lock.acquire()` polls every millisecond with setTimeout, never spinning a core; it takes `{ timeout, signal }`
 * and resolves to a guard that `release()` or the end of an `await using` block releases.
 */
import './dispose.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { builtin } from '../builtin.js';
import { type Key, encodeKey, typeName } from '../format/keys.js';
import { Timeout } from '../errors.js';
import type { RecipeCache, RecipeOptions } from './recipes.js';

/** diskcache sleeps 1 ms between attempts. */
export const POLL_MS = 1;

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
export function checkRecipe(cache: unknown, key: unknown, opts: unknown): void {
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
export async function holding<T>(lock: { acquire(): Promise<unknown>; release(): void }, fn: () => T | Promise<T>): Promise<T> {
  await lock.acquire();
  try {
    return await fn();
  } finally {
    lock.release();
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
    const owner = scoped ?? `${process.pid}-${builtin<typeof import('node:crypto')>('node:crypto').randomUUID()}`;
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
    return this.#scope.getStore() === undefined ? this.#scope.run(`${process.pid}-${builtin<typeof import('node:crypto')>('node:crypto').randomUUID()}`, run) : run();
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
