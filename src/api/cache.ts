/**
 * Cache: python-diskcache's Cache, the public face of one shard's engine. This file checks arguments (before
 * anything touches disk), holds the handle's settings and documents every method's semantics; the engine
 * (src/shard/log-engine.ts) does the work. Every process that opens the directory sees one linearizable history.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { Disk, StoredValue } from '../format/disk.js';
import { Key, encodeKey, keyId, typeName } from '../format/keys.js';
import { MAX_BODY_BYTES } from '../format/frame.js';
import { RECORD_FIXED_BYTES } from '../format/record.js';
import { ClosedError, KeyError } from '../errors.js';
import { now as clockNow } from '../clock.js';
import type { ShardOptions, SyncPolicy } from '../shard/shard.js';
import type { CacheEngine, CheckWarning, CompactionResult, Item } from '../engine/engine.js';
import { LogEngine } from '../engine/log-engine.js';
import { openEngine } from '../engine/open.js';
import type { Shard } from '../shard/shard.js';
import { DEFAULT_SETTINGS, Settings, splitOptions, validateSetting } from './settings.js';
import { memoize, MemoizeOptions, MemoizedFunction } from './memoize.js';

export type { Key } from '../format/keys.js';

export interface CacheOptions extends Partial<Settings> {
  /** Seconds a write waits for another process's transaction before Timeout. Default 60. */
  timeout?: number;
  /** The Disk class (a subclass of Disk). Default Disk. */
  disk?: typeof Disk;
  /** fsync policy. Default 'none' (a returned write survives a crash of the process, not of the machine). */
  sync?: SyncPolicy;
  /** Segment roll-over size in bytes. Default 64 MiB. */
  segmentBytes?: number;
  /** Automatic compaction threshold in dead bytes (0: off). Default 8 MiB. */
  compactMinBytes?: number;
  /** File-system layer (tests inject faults through it). */
  fs?: ShardOptions['fs'];
  /**
   * The storage engine: 'log' (default: log-structured segments, no native code) or 'sqlite' (python-diskcache's
   * schema and pragmas, for comparison; needs `node:sqlite` (Node 22.5+) or the optional `better-sqlite3` package).
   * A directory is written by one engine; open it with the same one.
   */
  engine?: 'log' | 'sqlite';
}

export interface SetOptions { expire?: number | null; read?: boolean; tag?: Key | null; retry?: boolean }
export interface GetOptions { default?: unknown; read?: boolean; expireTime?: boolean; tag?: boolean; retry?: boolean }
export interface PopOptions { default?: unknown; expireTime?: boolean; tag?: boolean; retry?: boolean }
export interface RetryOptions { retry?: boolean }
export interface IncrOptions { delta?: number; default?: number | null; retry?: boolean }
export interface PushOptions extends SetOptions { prefix?: string | null; side?: 'back' | 'front' }
export interface PullOptions { prefix?: string | null; default?: unknown; side?: 'front' | 'back'; expireTime?: boolean; tag?: boolean; retry?: boolean }
export interface PeekItemOptions { last?: boolean; expireTime?: boolean; tag?: boolean; retry?: boolean }

const MISS = Symbol('miss');

function checkExpire(expire: unknown, name = 'expire'): number | null {
  if (expire === undefined || expire === null) return null;
  if (typeof expire !== 'number' || Number.isNaN(expire)) throw new TypeError(`${name} must be a number of seconds or null; got ${String(expire)}`);
  return expire;
}

/**
 * Bytes of key, tag and inline value one record can carry: a frame's body is at most MAX_BODY_BYTES, and a longer
 * frame would read back as corrupt (every reader, the writer included, would wait at it forever).
 */
const MAX_RECORD_BYTES = MAX_BODY_BYTES - RECORD_FIXED_BYTES;

function tooLarge(name: string, bytes: number): RangeError {
  return new RangeError(`${name} is too large: the record would carry ${bytes} bytes of key, tag and inline value; ` +
    `one record holds at most ${MAX_RECORD_BYTES}`);
}

/**
 * `extra` plus the UTF-8 bytes of `s`, bounded by 3 per UTF-16 unit without encoding; exact when that bound would
 * pass the record limit (so only a string that really is too long is refused).
 */
function utf8Bound(s: string, extra: number): number {
  const bound = extra + 3 * s.length;
  return bound > MAX_RECORD_BYTES ? extra + Buffer.byteLength(s) : bound;
}

/** An upper bound of a key's encoded size, without encoding strings or bytes (a UTF-16 unit is at most 3 UTF-8 bytes). */
function sizeBound(key: Key): number {
  if (typeof key === 'string') return 3 * key.length + 1;
  if (key instanceof Uint8Array) return 1 + key.length;
  if (typeof key === 'number' || typeof key === 'boolean' || key === null) return 9;
  return encodeKey(key).length;
}

/** encodeKey(key).length, without encoding strings or bytes. */
function encodedSize(key: Key): number {
  if (typeof key === 'string') return 1 + Buffer.byteLength(key);
  return key instanceof Uint8Array ? 1 + key.length : encodeKey(key).length;
}

function checkTag(tag: unknown): Key | null {
  if (tag === undefined || tag === null) return null;
  const bytes = tag instanceof Uint8Array ? 1 + tag.length : encodeKey(tag as Key, 'tag').length; // validates
  if (bytes > MAX_RECORD_BYTES) throw tooLarge('tag', bytes);
  return tag as Key;
}

/** Options come as one object (`{ expire: 60 }`): a bare number, as Python's positional `expire`/`delta`/`default`, is refused, not ignored. */
function checkOptions(opts: unknown): void {
  if (typeof opts !== 'object' || opts === null) {
    throw new TypeError(`options must be an object such as { expire: 60 }; got ${opts === null ? 'null' : typeName(opts)}`);
  }
}

/** diskcache's transact is synchronous: an async callback's writes would land after the transaction ended. */
export function checkTxnFn(fn: unknown): void {
  if (typeof fn !== 'function') throw new TypeError(`fn must be a function; got ${typeName(fn)}`);
  if (fn.constructor?.name === 'AsyncFunction') throw new TypeError('fn must be synchronous: transact cannot hold a transaction across an await');
}

function checkSide(side: unknown, dflt: 'front' | 'back'): 'front' | 'back' {
  if (side === undefined) return dflt;
  if (side !== 'back' && side !== 'front') throw new KeyError(side, `side must be 'back' or 'front'; got ${String(side)}`);
  return side;
}

function checkPrefix(prefix: unknown): string | null {
  if (prefix === undefined || prefix === null) return null;
  if (typeof prefix !== 'string') throw new TypeError('prefix must be a string or null');
  return prefix;
}

function isStream(v: unknown): boolean {
  return v instanceof Readable || (typeof v === 'object' && v !== null && Symbol.asyncIterator in v);
}

/** With `read`, a value is bytes: a stream (or async iterable) of chunks, or a Uint8Array (diskcache: a file object). */
function checkReadValue(value: unknown): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`value must be a readable stream or a Uint8Array with read: true; got ${typeName(value)}`);
}

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
   * @throws TypeError/RangeError for a bad option (nothing is created); IOError when the directory cannot be used.
   */
  constructor(directory?: string | null, options: CacheOptions = {}) {
    if (directory !== undefined && directory !== null && typeof directory !== 'string') {
      throw new TypeError(`directory must be a string; got ${typeof directory}`);
    }
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    const timeout = options.timeout ?? 60;
    if (typeof timeout !== 'number' || !(timeout >= 0)) throw new RangeError(`timeout must be a number of seconds >= 0; got ${String(timeout)}`);
    const DiskClass = options.disk ?? Disk;
    if (typeof DiskClass !== 'function' || !(DiskClass === Disk || DiskClass.prototype instanceof Disk)) {
      throw new TypeError('disk must be Disk or a subclass of Disk (the class, not an instance)');
    }
    if (options.sync !== undefined && !['none', 'interval', 'always'].includes(options.sync)) {
      throw new RangeError(`sync must be 'none', 'interval' or 'always'; got ${String(options.sync)}`);
    }
    for (const [name, min] of [['segmentBytes', 1], ['compactMinBytes', 0]] as const) {
      const v = options[name];
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < min)) {
        throw new RangeError(`${name} must be a finite number of bytes >= ${min}; got ${String(v)}`);
      }
    }
    const given = splitOptions(options as Record<string, unknown>);
    this.directory = path.resolve(directory ?? fs.mkdtempSync(path.join(os.tmpdir(), 'logcache-')));
    this.timeout = timeout;
    let disk: Disk | undefined;
    let effective: Settings | undefined;
    this.#engine = openEngine(this.directory, {
      engine: options.engine, timeout, sync: options.sync, segmentBytes: options.segmentBytes, compactMinBytes: options.compactMinBytes, fs: options.fs,
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
      disk = new DiskClass(this.directory, diskOptions);
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
   * `value`, stores it (unless `update` is false), applies it to this handle and returns it.
   */
  reset(name: string, value?: unknown, opts: { update?: boolean } = {}): unknown {
    const engine = this.#open();
    if (typeof name !== 'string') throw new TypeError(`name must be a string; got ${typeName(name)}`);
    checkOptions(opts);
    if (name === 'count') return this.size;
    if (name === 'size') return this.volume();
    if (name === 'hits' || name === 'misses') return engine.stats(false)[name === 'hits' ? 0 : 1];
    if (value === undefined) {
      const stored = engine.storedSettings();
      if (!stored.has(name)) throw new RangeError(`setting ${name} is not stored`);
      value = stored.get(name);
    } else {
      validateSetting(name, value);
      if (opts.update !== false) engine.writeSetting(name, value);
    }
    this.#settings[name] = value;
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

  /**
   * Validates a key (TypeError/RangeError naming it) before anything is written; a custom Disk decides its own keys.
   * Returns an upper bound of its encoded size (exact but for strings, which are not encoded here).
   */
  #checkKey(key: Key): number {
    let bytes: number;
    if (this.disk.put !== Disk.prototype.put) bytes = this.disk.put(key).length;
    else if (key instanceof Uint8Array) bytes = 1 + key.length; // always valid; not copied just to be measured
    else {
      const id = keyId(key);
      bytes = typeof key === 'string' ? utf8Bound(key, 1) : id.length; // a non-text id is the encoding read as latin1
    }
    if (bytes > MAX_RECORD_BYTES) throw tooLarge('key', bytes);
    return bytes;
  }

  /**
   * Throws RangeError naming `name` when key, tag and `inline` value bytes cannot share one record. Cheap bounds
   * first; the exact sizes only for a record near the limit. A value stored in a file adds only its name. A
   * `prefix` (push) is carried as its UTF-8 bytes where other records carry the encoded key.
   */
  #checkRecord(name: string, key: Key, keyBound: number, tag: Key | null, inline: number, prefix = false): void {
    if (keyBound + (tag === null ? 0 : sizeBound(tag)) + inline <= MAX_RECORD_BYTES) return;
    const keyBytes = prefix ? Buffer.byteLength(key as string) : this.disk.put === Disk.prototype.put ? encodedSize(key) : this.disk.put(key).length;
    const total = keyBytes + (tag === null ? 0 : encodedSize(tag)) + inline;
    if (total > MAX_RECORD_BYTES) throw tooLarge(name, total);
  }

  /** The value as the record will carry it; RangeError naming `value` (before any write) when it cannot fit. */
  #store(key: Key, keyBound: number, tag: Key | null, value: unknown, read: boolean, prefix = false): StoredValue {
    if (tag !== null) this.#checkRecord('tag', key, keyBound, tag, 0, prefix);
    const stored = this.disk.store(value, read, prefix ? undefined : key);
    // Only an inline value can be too large, and an inline value has written nothing yet.
    if (stored.inline !== null && stored.inline.length > 0) this.#checkRecord('value', key, keyBound, tag, stored.inline.length, prefix);
    return stored;
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
    const keyBound = this.#checkKey(key);
    checkOptions(opts);
    const expire = checkExpire(opts.expire);
    const tag = checkTag(opts.tag);
    if (opts.read && isStream(value)) {
      if (tag !== null) this.#checkRecord('tag', key, keyBound, tag, 0);
      return this.#stream(value, key).then((stored) => (engine.set(key, stored, expire, tag, this.#deadline(opts.retry)), true)) as never;
    }
    if (opts.read) checkReadValue(value);
    engine.set(key, this.#store(key, keyBound, tag, value, Boolean(opts.read)), expire, tag, this.#deadline(opts.retry));
    return true;
  }

  #stream(value: unknown, key?: Key): Promise<StoredValue> {
    return this.disk.storeStream(value as AsyncIterable<Uint8Array>, key);
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
    const keyBound = this.#checkKey(key);
    checkOptions(opts);
    const expire = checkExpire(opts.expire);
    const tag = checkTag(opts.tag);
    if (opts.read && isStream(value)) {
      if (tag !== null) this.#checkRecord('tag', key, keyBound, tag, 0);
      return this.#stream(value, key).then((stored) => engine.add(key, stored, expire, tag, this.#deadline(opts.retry))) as never;
    }
    if (opts.read) checkReadValue(value);
    return engine.add(key, this.#store(key, keyBound, tag, value, Boolean(opts.read)), expire, tag, this.#deadline(opts.retry));
  }

  /** Sets a new expiry (seconds from now; null: never) on a live item. Returns false if missing or expired. */
  touch(key: Key, opts: { expire?: number | null; retry?: boolean } = {}): boolean {
    const engine = this.#open();
    this.#checkKey(key);
    checkOptions(opts);
    return engine.touch(key, checkExpire(opts.expire), this.#deadline(opts.retry));
  }

  /**
   * Atomically adds `delta` to the number stored at `key` and returns the new value (across processes no increment
   * is lost). A missing or expired key starts from `default` (no expiry, no tag); a live item keeps its expiry
   * and tag. @throws KeyError when the key is missing and `default` is null; TypeError when the value is not a number.
   */
  incr(key: Key, opts: IncrOptions = {}): number {
    const engine = this.#open();
    this.#checkKey(key);
    checkOptions(opts);
    const delta = opts.delta ?? 1;
    const dflt = opts.default === undefined ? 0 : opts.default;
    if (typeof delta !== 'number' || !Number.isFinite(delta)) throw new TypeError(`delta must be a finite number; got ${String(delta)}`);
    if (dflt !== null && (typeof dflt !== 'number' || !Number.isFinite(dflt))) throw new TypeError(`default must be a finite number or null; got ${String(dflt)}`);
    return engine.incr(key, delta, dflt, this.#deadline(opts.retry));
  }

  /** incr with `-delta`. */
  decr(key: Key, opts: IncrOptions = {}): number {
    checkOptions(opts);
    return this.incr(key, { ...opts, delta: -(opts.delta ?? 1) });
  }

  /**
   * Deletes a live item. Returns false when the key is missing or expired (an expired item is left in place, as
   * diskcache does).
   */
  delete(key: Key, opts: RetryOptions = {}): boolean {
    const engine = this.#open();
    this.#checkKey(key);
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
   * with the flags); the default (wrapped the same way) when missing or expired.
   */
  pop(key: Key, opts: PopOptions = {}): unknown {
    const engine = this.#open();
    this.#checkKey(key);
    checkOptions(opts);
    const item = engine.pop(key, this.#deadline(opts.retry));
    return shape(item === undefined ? opts.default ?? null : item.value, item, opts.expireTime, opts.tag);
  }

  // ---- reads ----------------------------------------------------------------------------------------------------

  /**
   * The value of a live item, or `default` (null) when missing or expired. With `expireTime`/`tag`, a tuple
   * `[value, expireTime]`, `[value, tag]` or `[value, expireTime, tag]` (a miss: `[default, null(, null)]`).
   * With `read`, a value stored in a binary file comes back as a readable stream. Cost when nothing changed:
   * one pread at the end of the log (to see whether another process wrote) and, for an uncached value, one more.
   */
  get(key: Key, opts?: GetOptions): unknown {
    if (opts !== undefined) checkOptions(opts);
    const item = this.#open().get(key, opts?.read ?? false, 0);
    if (opts === undefined) return item === undefined ? null : item.value;
    return shape(item === undefined ? opts.default ?? null : item.value, item, opts.expireTime, opts.tag);
  }

  /** diskcache's `cache[key]`: KeyError when missing or expired. */
  getItem(key: Key): unknown {
    const v = this.get(key, { default: MISS, retry: true });
    if (v === MISS) throw new KeyError(key);
    return v;
  }

  /** The value with `read: true` (a stream for binary file values). KeyError when missing. */
  read(key: Key, opts: RetryOptions = {}): unknown {
    checkOptions(opts);
    const v = this.get(key, { default: MISS, read: true, retry: opts.retry });
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
      if (tag !== null) this.#checkRecord('tag', raw, bound, tag, 0, true);
      return this.#stream(value).then((stored) => engine.push(prefix, side, stored, expire, tag, deadline)) as never;
    }
    if (opts.read) checkReadValue(value);
    return engine.push(prefix, side, this.#store(raw, bound, tag, value, Boolean(opts.read), true), expire, tag, deadline);
  }

  /**
   * Removes and returns the front (or back) item of queue `prefix` as `[key, value]` (tuple forms with the flags);
   * `default` (`[null, null]`) when empty. Expired items met on the way are removed and skipped.
   */
  pull(opts: PullOptions = {}): unknown {
    return this.#pull(opts, true);
  }

  /** As pull, but leaves the item in place (expired items met are still removed). */
  peek(opts: PullOptions = {}): unknown {
    return this.#pull(opts, false);
  }

  #pull(opts: PullOptions, remove: boolean): unknown {
    const engine = this.#open();
    checkOptions(opts);
    const side = checkSide(opts.side, 'front');
    const prefix = checkPrefix(opts.prefix);
    const found = engine.pull(prefix, side, remove, this.#deadline(opts.retry));
    if (found === undefined) return shape(opts.default ?? [null, null], undefined, opts.expireTime, opts.tag);
    return shape([found[0], found[1].value], found[1], opts.expireTime, opts.tag);
  }

  /**
   * The last (or, with `last: false`, first) item in insertion order as `[key, value]` (tuple forms with the
   * flags); expired items at that end are removed and skipped. @throws KeyError('dictionary is empty').
   */
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
   * Verifies every frame, value file and counter; returns the warnings (empty when healthy). With `fix`, repairs:
   * rewrites the log without corrupt records (a compaction), removes unknown files and empty directories.
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
   * undefined when a write would not wait for another process now; else a Promise that resolves once it would not
   * (another process's transaction closed), waiting with timers so the event loop runs meanwhile, and rejects with
   * Timeout after `timeout` seconds (unless `retry`). `await cache.whenWritable()` works either way. For asynchronous
   * callers (the Keyv store uses it before each write); the synchronous methods wait in place. `key` is accepted
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
   * statistics on or off (`enable`, default true: calling stats() turns them on, as in diskcache).
   */
  stats(opts: { enable?: boolean; reset?: boolean } = {}): [number, number] {
    checkOptions(opts);
    validateSetting('statistics', opts.enable ?? true); // before the counters are read (and maybe zeroed)
    const result = this.#open().stats(Boolean(opts.reset));
    this.reset('statistics', opts.enable ?? true);
    return result;
  }

  /** Memoizing decorator (see memoize.ts): `cache.memoize({ expire: 60 })(fn)`. */
  memoize<F extends (...args: any[]) => any>(opts: MemoizeOptions = {}): (fn: F) => MemoizedFunction<F> {
    return memoize(this, opts);
  }

  /** Closes the handle's files; further calls throw ClosedError. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#engine.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * The log-structured shard under this cache (tests and tools).
   * @throws TypeError when the cache runs on the SQLite engine (it has no log-structured shard).
   */
  get shard(): Shard {
    if (!(this.#engine instanceof LogEngine)) throw new TypeError("shard: this cache runs on the 'sqlite' engine, which has no log-structured shard");
    return this.#engine.shard;
  }
}
