/**
 * Deque: diskcache's persistent double-ended queue over a Cache (eviction policy 'none'). Items are the cache's
 * integer queue keys (push/pull without a prefix), in key order; every single-item operation is one transaction,
 * so it is atomic across processes.
 */
import { isDeepStrictEqual } from 'node:util';
import { Cache } from './cache.js';
import { IndexError } from '../errors.js';
import { isIterable, typeName } from '../format/keys.js';
import { checkConstructorOptions, checkDirectory } from './arguments.js';

export interface DequeOptions {
  directory?: string | null;
  /** Most items kept; appending past it drops one from the other end. Default Infinity. */
  maxlen?: number | null;
}

export function checkMaxlen(maxlen: unknown): number {
  if (maxlen === undefined || maxlen === null) return Infinity;
  if (typeof maxlen !== 'number' || Number.isNaN(maxlen) || maxlen < 0) throw new RangeError(`maxlen must be a number >= 0; got ${String(maxlen)}`);
  return maxlen;
}

function checkIterable(iterable: unknown): void {
  if (!isIterable(iterable)) {
    throw new TypeError(`iterable must be iterable (an array, a string, a Set, ...); got ${typeName(iterable)}`);
  }
}

export class Deque<T = unknown> {
  readonly cache: Cache;
  #maxlen: number;

  /**
   * Opens a deque in `directory` (a fresh temp dir when omitted) and appends `iterable`. `cache` wraps an
   * existing Cache instead (see fromcache).
   * @throws TypeError naming `iterable` (not iterable), `options` (not an object: `new Deque([1], '/dir')` is
   * refused, the directory goes in `{ directory }`), `directory` or `cache`; RangeError naming `maxlen`. Nothing is
   * created when an argument is refused.
   */
  constructor(iterable: Iterable<T> = [], options?: DequeOptions & { cache?: Cache }) {
    const opts = checkConstructorOptions<DequeOptions & { cache?: Cache }>(options);
    const maxlen = checkMaxlen(opts.maxlen);
    checkDirectory(opts.directory, 'options.directory');
    if (opts.cache !== undefined && !(opts.cache instanceof Cache)) throw new TypeError(`cache must be a Cache; got ${typeName(opts.cache)}`);
    checkIterable(iterable); // before a directory is opened (or created)
    this.cache = opts.cache ?? new Cache(opts.directory ?? undefined, { evictionPolicy: 'none' });
    this.#maxlen = maxlen;
    try {
      this.extend(iterable);
    } catch (err) {
      if (!opts.cache) this.cache.close();
      throw err;
    }
  }

  /** Wraps an existing Cache as is (its eviction policy is not changed). */
  static fromcache<T = unknown>(cache: Cache, iterable: Iterable<T> = [], opts: { maxlen?: number | null } = {}): Deque<T> {
    return new Deque<T>(iterable, { cache, maxlen: opts.maxlen });
  }

  get directory(): string {
    return this.cache.directory;
  }

  get maxlen(): number {
    return this.#maxlen;
  }

  /** Sets maxlen and trims from the left until the deque fits. */
  set maxlen(value: number) {
    this.#maxlen = checkMaxlen(value);
    this.cache.transact(() => {
      while (this.cache.size > this.#maxlen) this.cache.pull({ side: 'front', retry: true });
    }, { retry: true });
  }

  get length(): number {
    return this.cache.size;
  }

  #keys(reverse = false): number[] {
    return [...this.cache.iterkeys({ reverse })] as number[];
  }

  /**
   * Adds to the back; past maxlen, drops one item from the front (one transaction). Without a maxlen the push alone
   * is one atomic command: no transaction, so a value the Disk refuses writes nothing at all.
   */
  append(value: T): void {
    if (this.#maxlen === Infinity) {
      this.cache.push(value, { side: 'back', retry: true });
      return;
    }
    this.cache.transact(() => {
      this.cache.push(value, { side: 'back', retry: true });
      if (this.cache.size > this.#maxlen) this.cache.pull({ side: 'front', retry: true });
    }, { retry: true });
  }

  /** Adds to the front; past maxlen, drops one item from the back. */
  appendleft(value: T): void {
    if (this.#maxlen === Infinity) {
      this.cache.push(value, { side: 'front', retry: true });
      return;
    }
    this.cache.transact(() => {
      this.cache.push(value, { side: 'front', retry: true });
      if (this.cache.size > this.#maxlen) this.cache.pull({ side: 'back', retry: true });
    }, { retry: true });
  }

  #take(side: 'front' | 'back', remove: boolean, what: string): T {
    const [key, value] = remove ? this.cache.pull<T>({ side, retry: true }) : this.cache.peek<T>({ side, retry: true });
    if (key === undefined) throw new IndexError(`${what} from an empty deque`);
    return value as T;
  }

  /** Removes and returns the back item. @throws IndexError when empty. */
  pop(): T {
    return this.#take('back', true, 'pop');
  }

  popleft(): T {
    return this.#take('front', true, 'pop');
  }

  /** The back item without removing it. @throws IndexError when empty. */
  peek(): T {
    return this.#take('back', false, 'peek');
  }

  peekleft(): T {
    return this.#take('front', false, 'peek');
  }

  /** append of each element, in order; not atomic as a whole (a value the Disk refuses stops it there, as in diskcache). */
  extend(iterable: Iterable<T>): void {
    checkIterable(iterable);
    for (const v of iterable) this.append(v);
  }

  /** appendleft of each element, so the result is reversed ('abc' gives c, b, a). */
  extendleft(iterable: Iterable<T>): void {
    checkIterable(iterable);
    for (const v of iterable) this.appendleft(v);
  }

  clear(): void {
    this.cache.clear({ retry: true });
  }

  /** Removes the first item equal (deep equality) to `value`. @throws RangeError when there is none. */
  remove(value: T): void {
    for (const key of this.#keys()) {
      const v = this.cache.get(key, { default: MISSING });
      if (v !== MISSING && isDeepStrictEqual(v, value) && this.cache.delete(key, { retry: true })) return;
    }
    throw new RangeError('deque.remove(value): value not in deque');
  }

  /** Reverses the items in place. */
  reverse(): void {
    this.cache.transact(() => {
      const values = [...this].reverse();
      this.cache.clear({ retry: true });
      for (const v of values) this.cache.push(v, { retry: true });
    }, { retry: true });
  }

  /** Rotates right by `steps` (left when negative). @throws TypeError for a non-integer. */
  rotate(steps = 1): void {
    if (!Number.isInteger(steps)) throw new TypeError(`steps: integer argument expected, got ${typeof steps}`);
    const n = this.length;
    if (n === 0) return;
    const count = Math.abs(steps) % n;
    for (let i = 0; i < count; i++) {
      try {
        if (steps >= 0) this.appendleft(this.pop());
        else this.append(this.popleft());
      } catch (err) {
        if (err instanceof IndexError) return; // drained concurrently
        throw err;
      }
    }
  }

  /** Whether an item equals (deep equality) `value`, as Array's includes. */
  includes(value: T): boolean {
    return this.indexOf(value) !== -1;
  }

  /** The position of the first item equal (deep equality) to `value` from `fromIndex` (negative: from the back), or -1. */
  indexOf(value: T, fromIndex = 0): number {
    if (!Number.isInteger(fromIndex)) throw new TypeError(`fromIndex must be an integer; got ${String(fromIndex)}`);
    let i = 0;
    const start = fromIndex < 0 ? Math.max(0, this.length + fromIndex) : fromIndex;
    for (const v of this) {
      if (i >= start && isDeepStrictEqual(v, value)) return i;
      i++;
    }
    return -1;
  }

  /** How many items equal (deep equality) `value`. */
  count(value: T): number {
    let n = 0;
    for (const v of this) if (isDeepStrictEqual(v, value)) n++;
    return n;
  }

  /** A new Deque object on the same directory (shares the data, as diskcache's copy does). */
  copy(): Deque<T> {
    return Deque.fromcache<T>(new Cache(this.directory, { evictionPolicy: 'none' }), [], { maxlen: this.#maxlen });
  }

  #keyAt(index: number): number {
    if (!Number.isInteger(index)) throw new TypeError(`deque index must be an integer; got ${String(index)}`);
    const keys = this.#keys(index < 0);
    const i = index < 0 ? -index - 1 : index;
    if (i >= keys.length) throw new IndexError('deque index out of range');
    return keys[i];
  }

  /** The item at `index` (negative counts from the back). @throws IndexError out of range. */
  get(index: number): T {
    const v = this.cache.get(this.#keyAt(index), { default: MISSING });
    if (v === MISSING) throw new IndexError('deque index out of range');
    return v as T;
  }

  at(index: number): T | undefined {
    try {
      return this.get(index);
    } catch (err) {
      if (err instanceof IndexError) return undefined;
      throw err;
    }
  }

  set(index: number, value: T): void {
    this.cache.set(this.#keyAt(index), value, { retry: true });
  }

  delete(index: number): void {
    if (!this.cache.delete(this.#keyAt(index), { retry: true })) throw new IndexError('deque index out of range');
  }

  // JavaScript names.
  push(value: T): void {
    this.append(value);
  }
  /** popleft, or undefined when empty (also when another process took the last item first). */
  shift(): T | undefined {
    return this.cache.pull<T>({ side: 'front', retry: true })[1];
  }
  unshift(value: T): void {
    this.appendleft(value);
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const key of this.#keys()) {
      const v = this.cache.get(key, { default: MISSING });
      if (v !== MISSING) yield v as T; // a key removed meanwhile is skipped
    }
  }

  *reversed(): IterableIterator<T> {
    for (const key of this.#keys(true)) {
      const v = this.cache.get(key, { default: MISSING });
      if (v !== MISSING) yield v as T;
    }
  }

  /**
   * diskcache's sequence comparison: -1, 0 or 1 against an array or Deque (first unequal pair decides by
   * `<`, then length).
   */
  compare(other: Iterable<T>): number {
    const a = [...this];
    const b = [...other];
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (isDeepStrictEqual(a[i], b[i])) continue;
      return (a[i] as never) < (b[i] as never) ? -1 : 1;
    }
    return Math.sign(a.length - b.length);
  }

  equals(other: Iterable<T>): boolean {
    return this.compare(other) === 0;
  }
  lessThan(other: Iterable<T>): boolean {
    return this.compare(other) < 0;
  }
  greaterThan(other: Iterable<T>): boolean {
    return this.compare(other) > 0;
  }

  /** Runs fn as one transaction on the underlying cache. */
  transact<R>(fn: () => R): R {
    return this.cache.transact(fn, { retry: true });
  }

  close(): void {
    this.cache.close();
  }

  toString(): string {
    return `Deque(directory=${JSON.stringify(this.directory)})`;
  }
}

const MISSING = Symbol('missing');
