import { Cache } from './cache.js';
export interface DequeOptions {
    directory?: string | null;
    /** Most items kept; appending past it drops one from the other end. Default Infinity. */
    maxlen?: number | null;
}
export declare function checkMaxlen(maxlen: unknown): number;
export declare class Deque<T = unknown> {
    #private;
    readonly cache: Cache;
    /**
     * Opens a deque in `directory` (a fresh temp dir when omitted) and appends `iterable`. `cache` wraps an
     * existing Cache instead (see fromcache).
     */
    constructor(iterable?: Iterable<T>, opts?: DequeOptions & {
        cache?: Cache;
    });
    /** Wraps an existing Cache as is (its eviction policy is not changed). */
    static fromcache<T = unknown>(cache: Cache, iterable?: Iterable<T>, opts?: {
        maxlen?: number | null;
    }): Deque<T>;
    get directory(): string;
    get maxlen(): number;
    /** Sets maxlen and trims from the left until the deque fits. */
    set maxlen(value: number);
    get length(): number;
    /**
     * Adds to the back; past maxlen, drops one item from the front (one transaction). Without a maxlen the push alone
     * is one atomic command: no transaction, so a value the Disk refuses writes nothing at all.
     */
    append(value: T): void;
    /** Adds to the front; past maxlen, drops one item from the back. */
    appendleft(value: T): void;
    /** Removes and returns the back item. @throws IndexError when empty. */
    pop(): T;
    popleft(): T;
    /** The back item without removing it. @throws IndexError when empty. */
    peek(): T;
    peekleft(): T;
    /** append of each element, in order; not atomic as a whole (a value the Disk refuses stops it there, as in diskcache). */
    extend(iterable: Iterable<T>): void;
    /** appendleft of each element, so the result is reversed ('abc' gives c, b, a). */
    extendleft(iterable: Iterable<T>): void;
    clear(): void;
    /** Removes the first item equal (deep equality) to `value`. @throws RangeError when there is none. */
    remove(value: T): void;
    /** Reverses the items in place. */
    reverse(): void;
    /** Rotates right by `steps` (left when negative). @throws TypeError for a non-integer. */
    rotate(steps?: number): void;
    /** How many items equal (deep equality) `value`. */
    count(value: T): number;
    /** A new Deque object on the same directory (shares the data, as diskcache's copy does). */
    copy(): Deque<T>;
    /** The item at `index` (negative counts from the back). @throws IndexError out of range. */
    get(index: number): T;
    at(index: number): T | undefined;
    set(index: number, value: T): void;
    delete(index: number): void;
    push(value: T): void;
    /** popleft, or undefined when empty (also when another process took the last item first). */
    shift(): T | undefined;
    unshift(value: T): void;
    [Symbol.iterator](): IterableIterator<T>;
    reversed(): IterableIterator<T>;
    /**
     * diskcache's sequence comparison: -1, 0 or 1 against an array or Deque (first unequal pair decides by
     * `<`, then length).
     */
    compare(other: Iterable<T>): number;
    equals(other: Iterable<T>): boolean;
    lessThan(other: Iterable<T>): boolean;
    greaterThan(other: Iterable<T>): boolean;
    /** Runs fn as one transaction on the underlying cache. */
    transact<R>(fn: () => R): R;
    close(): void;
    toString(): string;
}
