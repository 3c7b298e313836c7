/**
 * Cache: python-diskcache's Cache, the public face of one shard's engine. This file checks arguments (before
 * anything touches disk), holds the handle's settings and documents every method's semantics; the engine
 * (src/engine/log-engine.ts) does the work. What a write carries is checked in ./stored-value.ts; bigint counters
 * step in ./bigint-counter.ts. Every process that opens the directory sees one linearizable history.
 */
import './dispose.js';
import * as fs from 'node:fs';
import { tmpdir } from '../builtin.js';
import * as path from 'node:path';
import { Disk, type StoredValue } from '../format/disk.js';
import { Key, typeName } from '../format/keys.js';
import { ClosedError, KeyError } from '../errors.js';
import { now as clockNow } from '../clock.js';
import type { ShardOptions, SyncPolicy } from '../shard/shard.js';
import type { CacheEngine, Item } from '../engine/engine.js';
import type { CheckWarning, CompactionResult } from '../shard/reports.js';
import { LogEngine, TxnGroup } from '../engine/log-engine.js';
import { openEngine } from '../engine/open.js';
import type { Shard } from '../shard/shard.js';
import { DEFAULT_SETTINGS, Settings, splitOptions, validateSetting } from './settings.js';
import { memoize, MemoizeOptions, Memoizer } from './memoize.js';
import {
  MAX_RECORD_BYTES, checkConstructorOptions, checkDirectory, checkExpire, checkHandleOptions, checkIncr, checkOptions,
  checkPrefix, checkReadValue, checkSide, checkTag, checkTransactionLease, checkTxnFn, isStream, tooLarge, utf8Bound,
} from './arguments.js';
import { checkKey, checkRecord, storeStream, storeValue } from './stored-value.js';
import { incrBigInt } from './bigint-counter.js';
import { retrying } from './retry.js';
import type {
  AnyShape, BothFlags, CacheOptions, ExpireTimeFlag, GetOptions, IncrOptions, NoFlags, NoQueueItem, PeekItemOptions,
  PopOptions, PullOptions, PushOptions, QueueItem, RetryOptions, SetOptions, TagFlag, WithExpireTime,
  WithExpireTimeAndTag, WithTag,
} from './options.js';

export type { Key } from '../format/keys.js';
export type {
  CacheOptions, GetOptions, IncrOptions, PeekItemOptions, PopOptions, PullOptions, PushOptions, RetryOptions, SetOptions,
} from './options.js';

const MISS = Symbol('miss');

/** diskcache's tuple forms: the value alone, or with its expire time and/or tag. */
function shape(value: unknown, item: Item | undefined, expireTime: boolean | undefined, tag: boolean | undefined): unknown {
  if (!expireTime && !tag) return value;
  const e = item?.expireTime ?? null;
  const t = item === undefined ? null : item.tag;
  if (expireTime && tag) return [value, e, t];
  return expireTime ? [value, e] : [value, t];
}

export class Cache {
  /** The cache directory (absolute). */
  readonly directory: string;
  /** Seconds a write waits for another process's transaction before Timeout. */
  readonly timeout: number;
  /** The Disk instance that turns keys and values into bytes and files. */
  readonly disk: Disk;
  readonly #engine: CacheEngine;
  #settings: Settings;
  #closed = false;

  /**
   * Opens (creating if needed) the cache in `directory`; a fresh temporary directory when omitted. Settings given
   * here win over the stored ones and are stored for every later opener; settings not given keep their stored
   * values (diskcache's reopen semantics).
   * @param directory the cache directory (a string); undefined or null: a fresh temporary directory.
   * @param options handle options (timeout, disk, sync, segmentBytes, compactMinBytes, throttleWrites, fs, engine) and settings.
   * @throws TypeError naming `directory` or `options` when either has the wrong type (`new Cache({ ... })` and
   * `new Cache('/dir', '/other')` are refused), TypeError/RangeError for a bad option (nothing is created);
   * SqliteMissingError for engine 'sqlite' without a working binding; IOError when the directory cannot be used.
   */
  constructor(directory?: string | null, options?: CacheOptions) {
    const dir = checkDirectory(directory);
    const opts = checkConstructorOptions<CacheOptions>(options);
    const timeout = checkHandleOptions(opts, 60);
    const lease = checkTransactionLease(opts.transactionLease);
    const DiskClass = opts.disk ?? Disk;
    const given = splitOptions(opts as Record<string, unknown>);
    this.directory = path.resolve(dir ?? fs.mkdtempSync(path.join(tmpdir(), 'logcache-')));
    this.timeout = timeout;
    let disk: Disk | undefined;
    let effective: Settings | undefined;
    this.#engine = openEngine(this.directory, {
      engine: opts.engine, timeout, sync: opts.sync, segmentBytes: opts.segmentBytes, compactMinBytes: opts.compactMinBytes, fs: opts.fs,
      throttleWrites: opts.throttleWrites, txnLeaseMs: lease * 1000,
    }, (stored, writeSetting) => {
      effective = { ...DEFAULT_SETTINGS } as Settings;
      for (const [k, v] of stored) effective[k] = v;
      Object.assign(effective, given);
      // Store what differs (diskcache writes every setting back; writing only changes keeps the log quiet).
      for (const [k, v] of Object.entries(effective)) {
        if (!stored.has(k) || JSON.stringify(stored.get(k)) !== JSON.stringify(v)) writeSetting(k, v);
      }
      const diskOptions: Record<string, unknown> = { minFileSize: effective.diskMinFileSize };
      for (const [k, v] of Object.entries(effective)) {
        if (k.startsWith('disk') && k !== 'diskMinFileSize') diskOptions[k[4].toLowerCase() + k.slice(5)] = v;
      }
      disk = new DiskClass(this.directory, { ...diskOptions, fs: opts.fs });
      return { disk, settings: effective };
    });
    this.#settings = effective!;
    this.disk = disk!;
    for (const name of Object.keys(this.#settings)) this.#exposeSetting(name);
  }

  /** Any other setting is readable as a property too (diskcache: `Cache(foo=7).foo == 7`), stale until reset. */
  #exposeSetting(name: string): void {
    if (name in this) return;
    Object.defineProperty(this, name, { get: () => this.#settings[name], enumerable: false, configurable: true });
  }

  // ---- settings -------------------------------------------------------------------------------------------------

  get statistics(): boolean { return Boolean(this.#settings.statistics); }
  get tagIndex(): boolean { return Boolean(this.#settings.tagIndex); }
  get evictionPolicy(): string { return this.#settings.evictionPolicy; }
  get sizeLimit(): number { return this.#settings.sizeLimit; }
  get cullLimit(): number { return this.#settings.cullLimit; }
  get diskMinFileSize(): number { return this.#settings.diskMinFileSize; }
  /** Every setting of this handle (a copy; stale until reset, as diskcache's attributes). */
  get settings(): Settings { return { ...this.#settings }; }

  /**
   * diskcache's reset: without `value`, re-reads setting `name` from the store into this handle and returns it
   * (RangeError if it was never stored; 'count', 'size', 'hits' and 'misses' read the live counters); with
   * `value`, stores it (unless `update` is false), applies it to this handle and returns it. While another
   * process holds a transaction, waits for it (diskcache retries reset; it never throws Timeout).
   */
  reset(name: string, value?: unknown, opts: { update?: boolean } = {}): unknown {
    const engine = this.#open();
    if (typeof name !== 'string') throw new TypeError(`name must be a string; got ${typeName(name)}`);
    checkOptions(opts);
    if (name === 'count') return this.size;
    if (name === 'size') return this.volume();
    if (name === 'hits' || name === 'misses') return retrying(() => engine.stats(false))[name === 'hits' ? 0 : 1];
    if (value === undefined) {
      const stored = retrying(() => engine.storedSettings());
      if (!stored.has(name)) throw new RangeError(`setting ${name} is not stored`);
      value = stored.get(name);
    } else {
      validateSetting(name, value);
      if (opts.update !== false) retrying(() => engine.writeSetting(name, value));
    }
    this.#settings[name] = value;
    engine.settingChanged(name);
    this.#exposeSetting(name);
    if (name === 'diskMinFileSize') this.disk.minFileSize = value as number;
    return value;
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  #open(): CacheEngine {
    if (this.#closed) throw new ClosedError();
    return this.#engine;
  }

  #deadline(retry: boolean | undefined): number {
    return retry ? Infinity : Date.now() + this.timeout * 1000;
  }

  // ---- writes ---------------------------------------------------------------------------------------------------

  /**
   * Sets `key` to `value`, replacing any item (expired or not; the item keeps its insertion position). Then culls
   * (up to cullLimit expired items, then policy victims while volume() >= sizeLimit). Always returns true.
   * With `read: true` and a stream (or async iterable), stores its bytes in a file and returns a Promise.
   * @param opts.expire seconds from now until the item expires (null: never). @param opts.tag a key-like tag.
   * @throws TypeError for a bad key, value, expire, tag or options (nothing written); RangeError naming `key`, `tag`
   * or `value` when they add up to more than one record holds (256 MiB; a large value goes to a file and adds only
   * its name); Timeout when another process's transaction holds the shard past `timeout` (unless `retry`).
   */
  set(key: Key, value: unknown, opts: SetOptions = {}): true {
    const engine = this.#open();
    const keyBound = checkKey(this.disk, key);
    checkOptions(opts);
    const expire = checkExpire(opts.expire);
    const tag = checkTag(opts.tag);
    if (opts.read && isStream(value)) {
      if (tag !== null) checkRecord(this.disk, 'tag', key, keyBound, tag, 0);
      return this.#storeStreamThen(value, key, opts.retry, (stored) => (engine.set(key, stored, expire, tag, this.#deadline(opts.retry)), true)) as never;
    }
    if (opts.read) checkReadValue(value);
    engine.set(key, storeValue(this, key, keyBound, tag, value, Boolean(opts.read)), expire, tag, this.#deadline(opts.retry));
    return true;
  }

  /**
   * The Promise-returning form of a write: stores the stream's bytes in a value file, waits with timers while a write
   * would wait (another process's transaction, backpressure: whenWritable), so the event loop is never blocked, then
   * writes. A wait that times out removes the file (nothing was written) and rejects with Timeout.
   */
  async #storeStreamThen<T>(value: unknown, key: Key | undefined, retry: boolean | undefined, write: (stored: StoredValue) => T): Promise<T> {
    const stored = await storeStream(this, value, key);
    try {
      await this.whenWritable(key, { retry });
    } catch (err) {
      if (stored.filename !== null) this.disk.remove(stored.filename);
      throw err;
    }
    return write(stored);
  }

  /** diskcache's `cache[key] = value`: set with retry. */
  setItem(key: Key, value: unknown): void {
    this.set(key, value, { retry: true });
  }

  /**
   * Stores `value` only if `key` is absent or expired (atomically, across processes: of concurrent adders exactly
   * one wins). Returns whether it stored. Culls after a successful add.
   */
  add(key: Key, value: unknown, opts: SetOptions = {}): boolean {
    const engine = this.#open();
    const keyBound = checkKey(this.disk, key);
    checkOptions(opts);
    const expire = checkExpire(opts.expire);
    const tag = checkTag(opts.tag);
    if (opts.read && isStream(value)) {
      if (tag !== null) checkRecord(this.disk, 'tag', key, keyBound, tag, 0);
      return this.#storeStreamThen(value, key, opts.retry, (stored) => engine.add(key, stored, expire, tag, this.#deadline(opts.retry))) as never;
    }
    if (opts.read) checkReadValue(value);
    return engine.add(key, storeValue(this, key, keyBound, tag, value, Boolean(opts.read)), expire, tag, this.#deadline(opts.retry));
  }

  /** Sets a new expiry (seconds from now; null: never) on a live item. Returns false if missing or expired. */
  touch(key: Key, opts: { expire?: number | null; retry?: boolean } = {}): boolean {
    const engine = this.#open();
    checkKey(this.disk, key);
    checkOptions(opts);
    return engine.touch(key, checkExpire(opts.expire), this.#deadline(opts.retry));
  }

  /**
   * Atomically adds `delta` to the counter at `key` and returns the new value (across processes no increment is
   * lost). A missing or expired key starts from `default` (no expiry, no tag); a live item keeps its expiry and tag.
   * Counters are exact: a number counter stays a number while it is a safe integer (an integer step past 2^53 is
   * a RangeError and changes nothing); a bigint `delta` or `default`, or a bigint already stored, makes the step
   * bigint arithmetic (exact at any size; an integer number stored there becomes a bigint) and returns a bigint.
   * A non-integer number counter adds as doubles do. Pass `incr<bigint>(key)` to type a stored bigint counter.
   * @example cache.incr('hits'); cache.incr('bytes', { delta: 10n ** 18n, default: 0n })
   * @throws KeyError when the key is missing and `default` is null; TypeError when the value is not a number or
   * bigint; RangeError when a number counter would pass 2^53; Timeout (unless `retry`).
   */
  incr(key: Key, opts: IncrOptions & ({ delta: bigint } | { default: bigint })): bigint;
  incr<T extends number | bigint = number>(key: Key, opts?: IncrOptions): T;
  incr(key: Key, opts: IncrOptions = {}): number | bigint {
    const engine = this.#open();
    checkKey(this.disk, key);
    checkOptions(opts);
    const delta = opts.delta ?? 1;
    const dflt = opts.default === undefined ? 0 : opts.default;
    checkIncr(delta, dflt);
    const deadline = this.#deadline(opts.retry);
    if (typeof delta === 'number' && typeof dflt !== 'bigint') {
      try {
        return engine.incr(key, delta, dflt, deadline);
      } catch (err) {
        if (!(err instanceof TypeError)) throw err; // not a number: a bigint counter, or the TypeError again below
      }
    }
    return incrBigInt(engine, this.disk, key, delta, dflt, deadline);
  }

  /** incr with `-delta`. */
  decr(key: Key, opts: IncrOptions & ({ delta: bigint } | { default: bigint })): bigint;
  decr<T extends number | bigint = number>(key: Key, opts?: IncrOptions): T;
  decr(key: Key, opts: IncrOptions = {}): number | bigint {
    checkOptions(opts);
    return this.incr(key, { ...opts, delta: -(opts.delta ?? 1) });
  }

  /**
   * Deletes a live item. Returns false when the key is missing or expired (an expired item is left in place, as
   * diskcache does).
   */
  delete(key: Key, opts: RetryOptions = {}): boolean {
    const engine = this.#open();
    checkKey(this.disk, key);
    checkOptions(opts);
    return engine.delete(key, this.#deadline(opts.retry));
  }

  /** diskcache's `del cache[key]`: delete with retry; KeyError when missing. */
  deleteItem(key: Key): true {
    if (!this.delete(key, { retry: true })) throw new KeyError(key);
    return true;
  }

  /**
   * Removes a live item and returns its value (or `[value, expireTime]`, `[value, tag]`, `[value, expireTime, tag]`
   * with the flags); `default` (undefined unless given; wrapped the same way) when missing or expired.
   * `T` is the value's type, as the caller knows it (nothing checks it).
   */
  pop<T = unknown>(key: Key, opts: PopOptions<T> & BothFlags & { default: T }): WithExpireTimeAndTag<T>;
  pop<T = unknown>(key: Key, opts: PopOptions<T> & BothFlags): WithExpireTimeAndTag<T | undefined>;
  pop<T = unknown>(key: Key, opts: PopOptions<T> & ExpireTimeFlag & { default: T }): WithExpireTime<T>;
  pop<T = unknown>(key: Key, opts: PopOptions<T> & ExpireTimeFlag): WithExpireTime<T | undefined>;
  pop<T = unknown>(key: Key, opts: PopOptions<T> & TagFlag & { default: T }): WithTag<T>;
  pop<T = unknown>(key: Key, opts: PopOptions<T> & TagFlag): WithTag<T | undefined>;
  pop<T = unknown>(key: Key, opts: PopOptions<T> & NoFlags & { default: T }): T;
  pop<T = unknown>(key: Key, opts?: PopOptions<T> & NoFlags): T | undefined;
  pop<T = unknown>(key: Key, opts?: PopOptions<T>): AnyShape<T | undefined>;
  pop(key: Key, opts: PopOptions = {}): unknown {
    const engine = this.#open();
    checkKey(this.disk, key);
    checkOptions(opts);
    const item = engine.pop(key, this.#deadline(opts.retry));
    return shape(item === undefined ? opts.default : item.value, item, opts.expireTime, opts.tag);
  }

  // ---- reads ----------------------------------------------------------------------------------------------------

  /**
   * The value of a live item, or `default` (undefined unless given, as Map) when missing or expired. With
   * `expireTime`/`tag`, a tuple `[value, expireTime]`, `[value, tag]` or `[value, expireTime, tag]` (expire time in
   * epoch seconds, null: never; a miss: `[default, null(, null)]`). With `read`, a value stored in a binary file
   * comes back as a readable stream. `T` is the value's type, as the caller knows it (nothing checks it):
   * `cache.get<User>('u1')` is `User | undefined`, `cache.get('n', { default: 0 })` is `number`. Cost when nothing
   * changed: one pread at the end of the log (to see whether another process wrote) and, for an uncached value,
   * one more.
   */
  get<T = unknown>(key: Key, opts: GetOptions<T> & BothFlags & { default: T }): WithExpireTimeAndTag<T>;
  get<T = unknown>(key: Key, opts: GetOptions<T> & BothFlags): WithExpireTimeAndTag<T | undefined>;
  get<T = unknown>(key: Key, opts: GetOptions<T> & ExpireTimeFlag & { default: T }): WithExpireTime<T>;
  get<T = unknown>(key: Key, opts: GetOptions<T> & ExpireTimeFlag): WithExpireTime<T | undefined>;
  get<T = unknown>(key: Key, opts: GetOptions<T> & TagFlag & { default: T }): WithTag<T>;
  get<T = unknown>(key: Key, opts: GetOptions<T> & TagFlag): WithTag<T | undefined>;
  get<T = unknown>(key: Key, opts: GetOptions<T> & NoFlags & { default: T }): T;
  get<T = unknown>(key: Key, opts?: GetOptions<T> & NoFlags): T | undefined;
  get<T = unknown>(key: Key, opts?: GetOptions<T>): AnyShape<T | undefined>;
  get(key: Key, opts?: GetOptions): unknown {
    if (opts !== undefined) checkOptions(opts);
    const item = this.#open().get(key, opts?.read ?? false, 0);
    if (opts === undefined) return item?.value;
    return shape(item === undefined ? opts.default : item.value, item, opts.expireTime, opts.tag);
  }

  /** diskcache's `cache[key]`: KeyError when missing or expired. */
  getItem<T = unknown>(key: Key): T {
    const v = this.get<unknown>(key, { default: MISS, retry: true });
    if (v === MISS) throw new KeyError(key);
    return v as T;
  }

  /** The value with `read: true` (a stream for binary file values). KeyError when missing. */
  read(key: Key, opts: RetryOptions = {}): unknown {
    checkOptions(opts);
    const v = this.get<unknown>(key, { default: MISS, read: true, retry: opts.retry });
    if (v === MISS) throw new KeyError(key);
    return v;
  }

  /** Whether a live item exists for `key` (diskcache's `in`). */
  has(key: Key): boolean {
    return this.#open().has(key);
  }

  /** Number of items, expired ones included (diskcache's len). */
  get size(): number {
    return this.#open().count();
  }

  /** Bytes the cache's items take: live records in the log plus value files (shrinks when items go). */
  volume(): number {
    return this.#open().volume();
  }

  // ---- queues -----------------------------------------------------------------------------------------------------

  /**
   * Pushes `value` onto the queue `prefix` (integer keys without a prefix; 'prefix-000000000000042' keys with) at
   * the back (largest key + 1) or front (smallest − 1); an empty queue starts at 500000000000000. Returns the key.
   * Every integer key between 0 and 999999999999999 belongs to the queue without a prefix, as in diskcache.
   */
  push(value: unknown, opts: PushOptions = {}): Key {
    const engine = this.#open();
    checkOptions(opts);
    const side = checkSide(opts.side, 'back');
    const prefix = checkPrefix(opts.prefix);
    const expire = checkExpire(opts.expire);
    const tag = checkTag(opts.tag);
    const deadline = this.#deadline(opts.retry);
    // The record carries the prefix's UTF-8 bytes where other records carry the key.
    const raw = prefix ?? '';
    const bound = utf8Bound(raw, 0);
    if (bound > MAX_RECORD_BYTES) throw tooLarge('prefix', bound);
    if (opts.read && isStream(value)) {
      if (tag !== null) checkRecord(this.disk, 'tag', raw, bound, tag, 0, true);
      return this.#storeStreamThen(value, undefined, opts.retry, (stored) => engine.push(prefix, side, stored, expire, tag, deadline)) as never;
    }
    if (opts.read) checkReadValue(value);
    return engine.push(prefix, side, storeValue(this, raw, bound, tag, value, Boolean(opts.read), true), expire, tag, deadline);
  }

  /**
   * Removes and returns the front (or back) item of queue `prefix` as `[key, value]` (tuple forms with the flags:
   * `[[key, value], expireTime]`, ...); when the queue is empty, `default` if given, else `[undefined, undefined]`
   * (diskcache's `(None, None)`), wrapped the same way. Expired items met on the way are removed and skipped.
   * `T` is the values' type, as the caller knows it.
   */
  pull<T = unknown, D = NoQueueItem>(opts: PullOptions<D> & BothFlags): WithExpireTimeAndTag<QueueItem<T> | D>;
  pull<T = unknown, D = NoQueueItem>(opts: PullOptions<D> & ExpireTimeFlag): WithExpireTime<QueueItem<T> | D>;
  pull<T = unknown, D = NoQueueItem>(opts: PullOptions<D> & TagFlag): WithTag<QueueItem<T> | D>;
  pull<T = unknown, D = NoQueueItem>(opts?: PullOptions<D> & NoFlags): QueueItem<T> | D;
  pull<T = unknown, D = NoQueueItem>(opts?: PullOptions<D>): AnyShape<QueueItem<T> | D>;
  pull(opts: PullOptions = {}): unknown {
    return this.#pull(opts, true);
  }

  /** As pull, but leaves the item in place (expired items met are still removed). */
  peek<T = unknown, D = NoQueueItem>(opts: PullOptions<D> & BothFlags): WithExpireTimeAndTag<QueueItem<T> | D>;
  peek<T = unknown, D = NoQueueItem>(opts: PullOptions<D> & ExpireTimeFlag): WithExpireTime<QueueItem<T> | D>;
  peek<T = unknown, D = NoQueueItem>(opts: PullOptions<D> & TagFlag): WithTag<QueueItem<T> | D>;
  peek<T = unknown, D = NoQueueItem>(opts?: PullOptions<D> & NoFlags): QueueItem<T> | D;
  peek<T = unknown, D = NoQueueItem>(opts?: PullOptions<D>): AnyShape<QueueItem<T> | D>;
  peek(opts: PullOptions = {}): unknown {
    return this.#pull(opts, false);
  }

  #pull(opts: PullOptions, remove: boolean): unknown {
    const engine = this.#open();
    checkOptions(opts);
    const side = checkSide(opts.side, 'front');
    const prefix = checkPrefix(opts.prefix);
    const found = engine.pull(prefix, side, remove, this.#deadline(opts.retry));
    if (found === undefined) return shape(opts.default === undefined ? [undefined, undefined] : opts.default, undefined, opts.expireTime, opts.tag);
    return shape([found[0], found[1].value], found[1], opts.expireTime, opts.tag);
  }

  /**
   * The last (or, with `last: false`, first) item in insertion order as `[key, value]` (tuple forms with the
   * flags); expired items at that end are removed and skipped. @throws KeyError('dictionary is empty').
   */
  peekitem<T = unknown>(opts: PeekItemOptions & BothFlags): WithExpireTimeAndTag<QueueItem<T>>;
  peekitem<T = unknown>(opts: PeekItemOptions & ExpireTimeFlag): WithExpireTime<QueueItem<T>>;
  peekitem<T = unknown>(opts: PeekItemOptions & TagFlag): WithTag<QueueItem<T>>;
  peekitem<T = unknown>(opts?: PeekItemOptions & NoFlags): QueueItem<T>;
  peekitem<T = unknown>(opts?: PeekItemOptions): AnyShape<QueueItem<T>>;
  peekitem(opts: PeekItemOptions = {}): unknown {
    checkOptions(opts);
    const found = this.#open().peekitem(opts.last ?? true, this.#deadline(opts.retry));
    if (found === undefined) throw new KeyError(undefined, 'dictionary is empty');
    return shape([found[0], found[1].value], found[1], opts.expireTime, opts.tag);
  }

  // ---- bulk removal -------------------------------------------------------------------------------------------

  /** Removes items whose expiry is before `now` (epoch seconds; default the current time). Returns how many. */
  expire(opts: { now?: number; retry?: boolean } = {}): number {
    const engine = this.#open();
    checkOptions(opts);
    if (opts.now !== undefined && opts.now !== null && typeof opts.now !== 'number') throw new TypeError(`now must be epoch seconds; got ${typeName(opts.now)}`);
    return engine.expire(opts.now || clockNow(), this.#deadline(opts.retry));
  }

  /** Removes every item tagged `tag`. `evict(null)` removes nothing (diskcache). Returns how many. */
  evict(tag: Key | null, opts: RetryOptions = {}): number {
    const engine = this.#open();
    checkOptions(opts);
    if (tag === null || tag === undefined) return 0;
    return engine.evict(checkTag(tag)!, this.#deadline(opts.retry));
  }

  /** Removes every item, expired ones included, and their files. Returns how many. */
  clear(opts: RetryOptions = {}): number {
    checkOptions(opts);
    return this.#open().clear(this.#deadline(opts.retry));
  }

  /**
   * Removes expired items, then (unless the policy is 'none') policy victims in batches of 10 while
   * volume() > sizeLimit. Returns how many (0 under 'none', diskcache's quirk). Runs whatever cullLimit is.
   */
  cull(opts: RetryOptions = {}): number {
    checkOptions(opts);
    return this.#open().cull(this.#deadline(opts.retry));
  }

  // ---- iteration --------------------------------------------------------------------------------------------------

  /** Keys in insertion order, expired included; items inserted after the call are not yielded (diskcache). */
  [Symbol.iterator](): IterableIterator<Key> {
    return this.#open().keys(false)[Symbol.iterator]();
  }

  keys(): IterableIterator<Key> {
    return this[Symbol.iterator]();
  }

  /** Keys in reverse insertion order (diskcache's reversed). */
  reversed(): IterableIterator<Key> {
    return this.#open().keys(true)[Symbol.iterator]();
  }

  /** Keys in sort order (numbers, then text by code point, then bytes, then other keys), expired included. */
  iterkeys(opts: { reverse?: boolean } = {}): IterableIterator<Key> {
    checkOptions(opts);
    return this.#open().sortedKeys(Boolean(opts.reverse))[Symbol.iterator]();
  }

  // ---- transactions, maintenance -----------------------------------------------------------------------------------

  /**
   * Runs `fn` as one atomic, isolated step across processes: other processes' writes wait until it ends, its
   * writes become visible together, and an exception inside undoes them all (and is rethrown). Nested calls join
   * the outer transaction. Returns fn's result. `fn` must be synchronous.
   * @throws Timeout when another transaction holds the shard past `timeout` (unless `retry`).
   */
  transact<T>(fn: () => T, opts: RetryOptions = {}): T {
    const engine = this.#open();
    checkTxnFn(fn);
    checkOptions(opts);
    return engine.transact(fn, this.#deadline(opts.retry));
  }

  /**
   * @internal FanoutCache's cross-shard transaction: runs `fn` in this shard's transaction and leaves the commit to
   * `group` (src/api/fanout-txn.ts). Only on the log engine (see `groupCommit`).
   */
  transactInGroup<T>(fn: () => T, group: TxnGroup): T {
    const engine = this.#open();
    if (!(engine instanceof LogEngine)) throw new TypeError('group transactions need the log engine');
    return engine.transact(fn, this.#deadline(true), group);
  }

  /** @internal Whether this cache can take part in a FanoutCache group transaction (the log engine). */
  get groupCommit(): boolean {
    return this.#engine instanceof LogEngine;
  }

  /**
   * Verifies every frame, value file and counter; returns the warnings (empty when healthy). With `fix`, repairs:
   * rewrites the log without corrupt records (a compaction), removes orphaned value files and empty value
   * directories. Only names the format gives are deleted: any other file is reported (UnknownFileWarning) and kept.
   */
  check(opts: { fix?: boolean; retry?: boolean } = {}): CheckWarning[] {
    checkOptions(opts);
    return this.#open().check(Boolean(opts.fix));
  }

  /** Rewrites the live items into a base file and removes the segments it replaces (compaction on demand). */
  compact(): CompactionResult {
    return this.#open().compact();
  }

  /**
   * undefined when a write would not wait now; else a Promise that resolves once it would not (another process's
   * transaction closed; and, while compaction catches up, the time this process's writes owe: see `throttleWrites`),
   * waiting with timers so the event loop runs meanwhile, and rejects with Timeout after `timeout` seconds (unless
   * `retry`). `await cache.whenWritable()` works either way. For asynchronous callers (the framework stores use it
   * before each write): the next write then does not sleep; the synchronous methods wait in place. `key` is accepted
   * for symmetry with FanoutCache (a Cache has one shard).
   */
  whenWritable(key?: Key, opts: { retry?: boolean } = {}): Promise<void> | undefined {
    void key;
    return this.#open().waitWritable?.(this.#deadline(opts.retry));
  }

  /**
   * compact() without blocking: the log engine compacts in a background process and resolves once the new base is
   * in place (this process then moves to it in bounded slices); an engine without one compacts now. `base` is 0
   * when another process was compacting.
   */
  async compactAsync(): Promise<CompactionResult> {
    const engine = this.#open();
    return engine.compactAsync ? engine.compactAsync() : engine.compact();
  }

  /** Stores tagIndex = true (the keydir is in memory, so there is no index to build: kept for diskcache's API). */
  createTagIndex(): void {
    this.reset('tagIndex', true);
  }

  dropTagIndex(): void {
    this.reset('tagIndex', false);
  }

  /**
   * Returns the `[hits, misses]` counted by get while statistics were on, then zeroes them if `reset`, then turns
   * statistics on or off (`enable`, default true: calling stats() turns them on, as in diskcache). While another
   * process holds a transaction, waits for it (diskcache retries stats; it never throws Timeout).
   */
  stats(opts: { enable?: boolean; reset?: boolean } = {}): [hits: number, misses: number] {
    checkOptions(opts);
    validateSetting('statistics', opts.enable ?? true); // before the counters are read (and maybe zeroed)
    const engine = this.#open();
    const result = retrying(() => engine.stats(Boolean(opts.reset)));
    this.reset('statistics', opts.enable ?? true);
    return result;
  }

  /**
   * diskcache's memoize: a decorator, generic in the function it wraps, that caches its results in this cache.
   * `const square = cache.memoize({ expire: 60 })(async function square(n: number) { ... })`. See MemoizeOptions
   * for how results are keyed (a function without a usable name needs `name`; methods need `thisKey`).
   */
  memoize(opts: MemoizeOptions = {}): Memoizer {
    return memoize(this, opts);
  }

  /**
   * Closes the handle's files. Idempotent. Every later call of a method that reads or writes the store throws
   * ClosedError (code LOGCACHE_CLOSED); properties such as `directory` and the settings stay readable. To use the
   * directory again, open a new Cache on it (diskcache reconnects lazily instead).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#engine.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * The log-structured shard under this cache (tests and tools; not part of the public API).
   * @throws TypeError when the cache runs on the SQLite engine (it has no log-structured shard).
   * @internal
   */
  get shard(): Shard {
    if (!(this.#engine instanceof LogEngine)) throw new TypeError("shard: this cache runs on the 'sqlite' engine, which has no log-structured shard");
    return this.#engine.shard;
  }
}
