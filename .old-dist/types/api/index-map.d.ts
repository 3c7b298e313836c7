import { Cache } from './cache.js';
import { Key } from '../format/keys.js';
import type { MemoizeOptions, MemoizedFunction } from './memoize.js';
type Entries<K, V> = Iterable<readonly [K, V]> | Record<string, V>;
export declare class Index<K extends Key = Key, V = unknown> implements Map<K, V> {
    #private;
    readonly cache: Cache;
    /** Opens an index in `directory` (a fresh temp dir when omitted or null), then adds `entries`. */
    constructor(directory?: string | null, entries?: Entries<K, V>, cache?: Cache);
    /** Wraps an existing Cache as is, then adds `entries`. */
    static fromcache<K extends Key = Key, V = unknown>(cache: Cache, entries?: Entries<K, V>): Index<K, V>;
    get directory(): string;
    get size(): number;
    get [Symbol.toStringTag](): string;
    /** The value, or undefined when missing (Map semantics; getItem throws KeyError as diskcache's []). */
    get(key: K): V | undefined;
    getItem(key: K): V;
    set(key: K, value: V): this;
    has(key: K): boolean;
    delete(key: K): boolean;
    clear(): void;
    /** The value at `key`, storing `dflt` first if it is missing (atomic against other setdefaults). */
    setdefault(key: K, dflt: V): V;
    /** Removes and returns the value; `dflt` when missing. @throws KeyError when missing and no default given. */
    pop(key: K, ...dflt: [V?]): V;
    /** Removes and returns the last (or first) item as [key, value]. @throws KeyError('dictionary is empty'). */
    popitem(opts?: {
        last?: boolean;
    }): [K, V];
    peekitem(opts?: {
        last?: boolean;
    }): [K, V];
    push(value: V, opts?: {
        prefix?: string | null;
        side?: 'back' | 'front';
    }): Key;
    pull(opts?: {
        prefix?: string | null;
        default?: unknown;
        side?: 'front' | 'back';
    }): unknown;
    /**
     * Adds every entry of a Map, an iterable of pairs or a plain object. The entries' shape and keys are checked
     * before the first write; a value the Disk refuses stops the update there (not atomic, as in diskcache).
     */
    update(entries: Entries<K, V>): void;
    keys(): MapIterator<K>;
    values(): MapIterator<V>;
    entries(): MapIterator<[K, V]>;
    [Symbol.iterator](): MapIterator<[K, V]>;
    /** Keys in reverse insertion order. */
    reversed(): IterableIterator<K>;
    forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void;
    /**
     * diskcache's equality: order-sensitive against another Index, order-insensitive against a Map or a plain
     * object (every own key's value equals the other's).
     */
    equals(other: Index<K, V> | Map<K, V> | Record<string, V>): boolean;
    memoize<F extends (...args: any[]) => any>(opts?: Omit<MemoizeOptions, 'expire' | 'tag'>): (fn: F) => MemoizedFunction<F>;
    transact<R>(fn: () => R): R;
    close(): void;
    toString(): string;
}
export {};
