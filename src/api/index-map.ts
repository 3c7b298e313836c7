/**
 * Index: diskcache's persistent ordered mapping over a Cache (eviction policy 'none'), implementing the
 * TypeScript Map interface. Insertion order is kept across processes and reopen (an update keeps the position).
 */
import { isDeepStrictEqual } from 'node:util';
import { Cache } from './cache.js';
import { KeyError } from '../errors.js';
import { Key, isIterable, typeName } from '../format/keys.js';
import type { MemoizeOptions, Memoizer } from './memoize.js';
import { checkDirectory } from './arguments.js';
import type { NoQueueItem, QueueItem } from './options.js';

const MISSING = Symbol('missing');

type Entries<K, V> = Iterable<readonly [K, V]> | Record<string, V>;

/**
 * The [key, value] pairs of a Map, an iterable of pairs or a plain object, all checked before anything is written.
 * @throws TypeError naming `entries` for anything else, or for an element that is not a two-element array.
 */
function pairsOf<K, V>(source: Entries<K, V>): (readonly [K, V])[] {
  let pairs: (readonly [K, V])[];
  if (isIterable(source)) {
    pairs = [...(source as Iterable<readonly [K, V]>)];
  } else if (typeof source === 'object' && source !== null) {
    pairs = Object.entries(source).map(([k, v]) => [k as unknown as K, v] as const);
  } else {
    throw new TypeError(`entries must be a Map, an iterable of [key, value] pairs or a plain object; got ${typeName(source)}`);
  }
  pairs.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2) throw new TypeError(`entries[${i}] must be a [key, value] pair; got ${typeName(p)}`);
  });
  return pairs;
}

export class Index<K extends Key = Key, V = unknown> implements Map<K, V> {
  readonly cache: Cache;

  /**
   * Opens an index in `directory` (a fresh temp dir when omitted or null), then adds `entries`.
   * @throws TypeError naming `directory` (not a string) or `entries` (not a Map, pairs or a plain object) before
   * anything is created.
   */
  constructor(directory?: string | null, entries?: Entries<K, V>, cache?: Cache) {
    checkDirectory(directory);
    if (cache !== undefined && !(cache instanceof Cache)) throw new TypeError('cache must be a Cache');
    const pairs = entries === undefined ? [] : pairsOf(entries); // before a directory is opened (or created)
    this.cache = cache ?? new Cache(directory ?? undefined, { evictionPolicy: 'none' });
    try {
      this.#setAll(pairs);
    } catch (err) {
      if (!cache) this.cache.close();
      throw err;
    }
  }

  /** Wraps an existing Cache as is, then adds `entries`. */
  static fromcache<K extends Key = Key, V = unknown>(cache: Cache, entries?: Entries<K, V>): Index<K, V> {
    return new Index<K, V>(null, entries, cache);
  }

  get directory(): string {
    return this.cache.directory;
  }

  get size(): number {
    return this.cache.size;
  }

  get [Symbol.toStringTag](): string {
    return 'Index';
  }

  /**
   * The value, or `dflt` (undefined unless given, as Map) when missing (getItem throws KeyError as diskcache's []).
   */
  get(key: K): V | undefined;
  get<D>(key: K, dflt: D): V | D;
  get(key: K, ...dflt: [unknown?]): unknown {
    const v = this.cache.get<unknown>(key, { default: MISSING, retry: true });
    return v === MISSING ? dflt[0] : v;
  }

  getItem(key: K): V {
    return this.cache.getItem(key) as V;
  }

  set(key: K, value: V): this {
    this.cache.set(key, value, { retry: true });
    return this;
  }

  has(key: K): boolean {
    return this.cache.has(key);
  }

  delete(key: K): boolean {
    return this.cache.delete(key, { retry: true });
  }

  clear(): void {
    this.cache.clear({ retry: true });
  }

  /** The value at `key`, storing `dflt` first if it is missing (atomic against other setdefaults). */
  setdefault(key: K, dflt: V): V {
    for (;;) {
      const v = this.cache.get(key, { default: MISSING, retry: true });
      if (v !== MISSING) return v as V;
      this.cache.add(key, dflt, { retry: true });
    }
  }

  /** Removes and returns the value; `dflt` when missing. @throws KeyError when missing and no default given. */
  pop(key: K, ...dflt: [V?]): V {
    const v = this.cache.pop(key, { default: MISSING, retry: true });
    if (v !== MISSING) return v as V;
    if (dflt.length > 0) return dflt[0] as V;
    throw new KeyError(key);
  }

  /** Removes and returns the last (or first) item as [key, value]. @throws KeyError('dictionary is empty'). */
  popitem(opts: { last?: boolean } = {}): [K, V] {
    return this.cache.transact(() => {
      const [k, v] = this.cache.peekitem({ last: opts.last ?? true, retry: true }) as [K, V];
      this.cache.delete(k, { retry: true });
      return [k, v];
    }, { retry: true });
  }

  peekitem(opts: { last?: boolean } = {}): [K, V] {
    return this.cache.peekitem({ last: opts.last ?? true, retry: true }) as [K, V];
  }

  push(value: V, opts: { prefix?: string | null; side?: 'back' | 'front' } = {}): Key {
    return this.cache.push(value, { ...opts, retry: true });
  }

  /** Cache.pull with retry: `[key, value]`, or `default` (`[undefined, undefined]` unless given) when empty. */
  pull<D = NoQueueItem>(opts: { prefix?: string | null; default?: D; side?: 'front' | 'back' } = {}): QueueItem<V> | D {
    return this.cache.pull<V, D>({ ...opts, retry: true });
  }

  /**
   * Adds every entry of a Map, an iterable of pairs or a plain object. The entries' shape and keys are checked
   * before the first write; a value the Disk refuses stops the update there (not atomic, as in diskcache).
   */
  update(entries: Entries<K, V>): void {
    this.#setAll(pairsOf(entries));
  }

  #setAll(pairs: readonly (readonly [K, V])[]): void {
    for (const [k] of pairs) this.cache.disk.put(k);
    for (const [k, v] of pairs) this.set(k, v);
  }

  *keys(): ReturnType<Map<K, V>['keys']> {
    yield* this.cache.keys() as Iterable<K>;
  }

  *values(): ReturnType<Map<K, V>['values']> {
    for (const [, v] of this.entries()) yield v;
  }

  *entries(): ReturnType<Map<K, V>['entries']> {
    for (const k of this.cache.keys() as Iterable<K>) {
      const v = this.cache.get(k, { default: MISSING, retry: true });
      if (v !== MISSING) yield [k, v as V]; // removed meanwhile: skipped
    }
  }

  [Symbol.iterator](): ReturnType<Map<K, V>['entries']> {
    return this.entries();
  }

  /** Keys in reverse insertion order. */
  *reversed(): IterableIterator<K> {
    yield* this.cache.reversed() as Iterable<K>;
  }

  forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  /**
   * diskcache's equality: order-sensitive against another Index, order-insensitive against a Map or a plain
   * object (every own key's value equals the other's).
   */
  equals(other: Index<K, V> | Map<K, V> | Record<string, V>): boolean {
    if (other instanceof Index) {
      if (other.size !== this.size) return false;
      const a = [...this.entries()];
      const b = [...other.entries()];
      return a.every(([k, v], i) => isDeepStrictEqual(k, b[i][0]) && isDeepStrictEqual(v, b[i][1]));
    }
    const map = other instanceof Map ? other : new Map(Object.entries(other) as [K, V][]);
    if (map.size !== this.size) return false;
    for (const [k, v] of this.entries()) if (!map.has(k) || !isDeepStrictEqual(map.get(k), v)) return false;
    return true;
  }

  /** diskcache's memoize over the index (no expire, no tag): a decorator generic in the function it wraps. */
  memoize(opts: Omit<MemoizeOptions, 'expire' | 'tag'> = {}): Memoizer {
    return this.cache.memoize(opts);
  }

  transact<R>(fn: () => R): R {
    return this.cache.transact(fn, { retry: true });
  }

  close(): void {
    this.cache.close();
  }

  toString(): string {
    return `Index(${JSON.stringify(this.directory)})`;
  }
}
