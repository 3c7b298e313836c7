/**
 * memoize: diskcache's memoizing decorator for Cache (and FanoutCache, Index). The cache key is
 * `[name, ...args]`, with the ignored positions left out and, when `typed`, the argument types appended after a
 * marker (diskcache's args_to_key). Async functions cache their resolved value and return a Promise on hits too.
 */
import { Key, encodeKey, isIterable } from '../format/keys.js';

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
  get(key: Key, opts?: { default?: unknown; retry?: boolean }): unknown;
  set(key: Key, value: unknown, opts?: { expire?: number | null; tag?: Key | null; retry?: boolean }): unknown;
}

const MISS = Symbol('memoize-miss');
const TYPED_MARKER = '\u0000typed';

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Builds the key for `args` (exported for tests and recipes). */
export function argsToKey(base: string, args: readonly unknown[], typed: boolean, ignore: ReadonlySet<number>): Key {
  const kept = args.filter((_, i) => !ignore.has(i)) as Key[];
  const key: Key[] = [base, ...kept];
  if (typed) key.push(TYPED_MARKER, ...kept.map(typeName));
  return key;
}

export function memoize<F extends (...args: any[]) => any>(cache: MemoizeTarget, opts: MemoizeOptions = {}): (fn: F) => MemoizedFunction<F> {
  if (typeof opts === 'function') throw new TypeError('memoize takes options and returns a decorator: cache.memoize()(fn)');
  const { typed = false, expire = null, tag = null } = opts;
  if (expire !== null && (typeof expire !== 'number' || Number.isNaN(expire))) throw new TypeError('expire must be a number of seconds or null');
  if (tag !== null) encodeKey(tag, 'tag'); // validates now, not at the first call
  const ignored = opts.ignore ?? [];
  if (!isIterable(ignored) || typeof ignored === 'string') {
    throw new TypeError(`ignore must be an iterable of argument positions; got ${typeName(ignored)}`);
  }
  const ignore = new Set(ignored);
  return (fn: F) => {
    if (typeof fn !== 'function') throw new TypeError(`fn must be a function (memoize decorates a function); got ${typeName(fn)}`);
    const base = opts.name ?? fn.name;
    let async = fn.constructor?.name === 'AsyncFunction';
    const cacheKey = (...args: unknown[]) => argsToKey(base, args, typed, ignore);
    const store = (key: Key, value: unknown) => {
      if (expire === null || expire > 0) cache.set(key, value, { expire, tag, retry: true });
    };
    const wrapper = function (this: unknown, ...args: unknown[]) {
      const key = cacheKey(...args);
      const hit = cache.get(key, { default: MISS, retry: true });
      if (hit !== MISS) return async ? Promise.resolve(hit) : hit;
      const result = fn.apply(this, args);
      if (result instanceof Promise) {
        async = true;
        return result.then((value) => {
          store(key, value);
          return value;
        });
      }
      store(key, result);
      return result;
    } as unknown as MemoizedFunction<F>;
    wrapper.cacheKey = cacheKey as MemoizedFunction<F>['cacheKey'];
    Object.defineProperty(wrapper, 'name', { value: fn.name });
    return wrapper;
  };
}
