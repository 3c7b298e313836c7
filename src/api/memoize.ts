/**
 * memoize: diskcache's memoizing decorator for Cache, FanoutCache and Index, and standalone over anything with
 * get and set. The key of a call is `[name, ...args]` in canonical form (memoize-key.ts): equal plain objects in
 * any key order, Dates, Maps, Sets and nested arrays key alike in every process. Async functions cache their
 * resolved value, return a Promise on hits too, and concurrent cold calls with one key share one computation.
 */
import { Key, encodeKey, isIterable, keyId } from '../format/keys.js';
import { argsToKey, canonicalArg, functionKeyName } from './memoize-key.js';

export { argsToKey } from './memoize-key.js';

export interface MemoizeOptions {
  /**
   * The name results are keyed under; must be unique within the cache. Default: the function's own name plus a
   * hash of its source text. A function without a usable name (an inline arrow, a bound function) must be given
   * one: decorating it throws a TypeError that says so.
   */
  name?: string | null;
  /** Also key on the arguments' types (so 1 and 1n, or 'x' and ['x'], differ). Default false. */
  typed?: boolean;
  /** Seconds until a cached result expires; null never. Default null. */
  expire?: number | null;
  /** Tag stored with each result. Default null. */
  tag?: Key | null;
  /** Argument positions left out of the key. Default none. */
  ignore?: Iterable<number>;
  /**
   * How `this` enters the key when the wrapper is called as a method (with a `this` that is a class instance).
   * Default undefined: such a call throws TypeError, because results would be shared by every instance.
   * A function: its result for `this` (an id, say) is keyed, with the instance's class name. null: `this` is passed
   * to the function but not keyed (every instance shares results, on purpose). A `this` that is undefined, the
   * global object or a plain object (a namespace such as `api.fn()`) is never keyed and never refused.
   */
  thisKey?: ((self: any) => unknown) | null;
}

/** The decorated function: same parameters and result, plus `cacheKey`. */
export type MemoizedFunction<F extends (...args: any[]) => any> = F & {
  /** The cache key the wrapper uses for these arguments (diskcache's __cache_key__). */
  cacheKey(...args: Parameters<F>): Key;
};

/** A decorator generic in the function it wraps. */
export type Memoizer = <F extends (...args: any[]) => any>(fn: F) => MemoizedFunction<F>;

/** What memoize needs from a cache: Cache, FanoutCache and Index's cache have it. */
export interface MemoizeTarget {
  get(key: Key, opts?: { default?: unknown; retry?: boolean }): unknown;
  set(key: Key, value: unknown, opts?: { expire?: number | null; tag?: Key | null; retry?: boolean }): unknown;
}

const MISS = Symbol('memoize-miss');
const THIS_MARKER = '\u0000this';

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** A `this` that makes the call a method call on an instance (not undefined, the global object or a plain object). */
function isInstance(self: unknown): self is object {
  if (typeof self !== 'object' || self === null || self === globalThis) return false;
  const proto = Object.getPrototypeOf(self);
  return proto !== Object.prototype && proto !== null;
}

/** Checks memoize's options (TypeError naming the bad one) before any function is decorated. */
function checkMemoizeOptions(opts: MemoizeOptions): { typed: boolean; expire: number | null; tag: Key | null; ignore: Set<number> } {
  if (typeof opts === 'function') throw new TypeError('memoize takes options and returns a decorator: cache.memoize()(fn)');
  if (typeof opts !== 'object' || opts === null) throw new TypeError(`options must be an object; got ${opts === null ? 'null' : typeof opts}`);
  const { typed = false, expire = null, tag = null } = opts;
  if (expire !== null && (typeof expire !== 'number' || Number.isNaN(expire))) throw new TypeError('expire must be a number of seconds or null');
  if (tag !== null) encodeKey(tag, 'tag'); // validates now, not at the first call
  const ignored = opts.ignore ?? [];
  if (!isIterable(ignored) || typeof ignored === 'string') throw new TypeError('ignore must be an iterable of argument positions');
  if (opts.thisKey !== undefined && opts.thisKey !== null && typeof opts.thisKey !== 'function') {
    throw new TypeError('thisKey must be a function of `this`, or null');
  }
  return { typed: Boolean(typed), expire, tag, ignore: new Set(ignored) };
}

/**
 * Returns a decorator that caches `fn`'s results in `cache` (diskcache's memoize): `memoize(cache, opts)(fn)`.
 * A hit returns the stored result without calling fn; a miss calls fn and stores the result (a Promise's resolved
 * value; a rejected Promise or a throw stores nothing). Concurrent calls of an async function with one key, in
 * this process, share one call of fn. Reads and writes retry (never time out).
 * @throws TypeError for bad options; the decorator throws TypeError for a function without a usable name when
 * no `name` is given; the wrapper throws TypeError/RangeError naming `args[i]` for an argument with no canonical
 * key, and TypeError for a method call without `thisKey` (see MemoizeOptions.thisKey).
 */
export function memoize(cache: MemoizeTarget, opts: MemoizeOptions = {}): Memoizer {
  const { typed, expire, tag, ignore } = checkMemoizeOptions(opts);
  const thisKey = opts.thisKey;
  return <F extends (...args: any[]) => any>(fn: F): MemoizedFunction<F> => {
    if (typeof fn !== 'function') throw new TypeError(`fn must be a function (memoize decorates a function); got ${typeof fn}`);
    const base = functionKeyName(fn, opts.name, 'memoize');
    let async = fn.constructor?.name === 'AsyncFunction';
    /** Calls of an async fn still running, by key id: a concurrent cold call waits for the same Promise. */
    const inflight = new Map<string, Promise<unknown>>();
    const cacheKey = (...args: unknown[]): Key => argsToKey(base, args, typed, ignore);
    const keyOfCall = (self: unknown, args: unknown[]): Key => {
      const key = cacheKey(...args) as Key[];
      if (!isInstance(self) || thisKey === null) return key;
      if (thisKey === undefined) {
        throw new TypeError(`memoized ${fn.name || base} was called as a method of a ${self.constructor?.name ?? 'object'}: \`this\` ` +
          'is not part of the key, so every instance would share results. Pass { thisKey: (self) => self.id } to key on ' +
          'the instance, or { thisKey: null } to share results across instances on purpose');
      }
      return [key[0], THIS_MARKER, self.constructor?.name ?? '', canonicalArg(thisKey(self), 'thisKey(this)'), ...key.slice(1)];
    };
    const store = (key: Key, value: unknown) => {
      if (expire === null || expire > 0) cache.set(key, value, { expire, tag, retry: true });
    };
    const wrapper = function (this: unknown, ...args: unknown[]) {
      const key = keyOfCall(this, args);
      const id = keyId(key);
      const running = inflight.get(id);
      if (running !== undefined) return running;
      const hit = cache.get(key, { default: MISS, retry: true });
      if (hit !== MISS) return async ? Promise.resolve(hit) : hit;
      const result = fn.apply(this, args);
      if (!isThenable(result)) {
        store(key, result);
        return result;
      }
      async = true;
      const shared = Promise.resolve(result).then(
        (value) => {
          inflight.delete(id);
          store(key, value);
          return value;
        },
        (err: unknown) => {
          inflight.delete(id);
          throw err;
        },
      );
      inflight.set(id, shared);
      return shared;
    } as unknown as MemoizedFunction<F>;
    wrapper.cacheKey = cacheKey as MemoizedFunction<F>['cacheKey'];
    Object.defineProperty(wrapper, 'name', { value: fn.name });
    return wrapper;
  };
}
