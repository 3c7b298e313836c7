/**
 * Cache: python-diskcache's Cache on one log-structured shard. Every method has diskcache's semantics (see
 * docs/api.md); every process that opens the directory sees one linearizable history (docs/engine.md).
 */
import { now as clockNow } from '../clock.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { Disk, MODE_RAW_NUMBER, StoredValue } from '../format/disk.js';
import { Key, compareEncodedKeys, encodeKey, keyId, keyIdOfEncoded } from '../format/keys.js';
import {
  FLAG_DEFAULT_NULL, FLAG_FILE, FLAG_HAS_EXPIRE, FLAG_HAS_PREFIX, FLAG_HAS_TAG, FLAG_SIDE_FRONT, OP_ADD, OP_CLEAR,
  OP_DELETE, OP_DELV, OP_INCR, OP_PUSH, OP_SET, OP_SETTING, OP_TOUCH, encodeTxnValue,
} from '../format/record.js';
import { ClosedError, KeyError, Timeout } from '../errors.js';
import { NIL, NEVER, idToBytesOf } from '../shard/keydir.js';
import { QueueIndex } from '../shard/queues.js';
import { Shard, ShardOptions, SyncPolicy } from '../shard/shard.js';
import { ItemSnapshot, Outcome } from '../shard/state.js';
import { Sidecar } from '../shard/sidecar.js';
import { VictimList, expiredSlots } from '../shard/eviction.js';
import { compact, CompactionResult } from '../shard/compaction.js';
import { checkShard, CheckWarning } from '../shard/check.js';
import { DEFAULT_SETTINGS, EVICTION_POLICY, EvictionPolicy, Settings, splitOptions, validateSetting } from './settings.js';
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
}

export interface SetOptions { expire?: number | null; read?: boolean; tag?: Key | null; retry?: boolean }
export interface GetOptions { default?: unknown; read?: boolean; expireTime?: boolean; tag?: boolean; retry?: boolean }
export interface PopOptions { default?: unknown; expireTime?: boolean; tag?: boolean; retry?: boolean }
export interface RetryOptions { retry?: boolean }
export interface IncrOptions { delta?: number; default?: number | null; retry?: boolean }
export interface PushOptions extends SetOptions { prefix?: string | null; side?: 'back' | 'front' }
export interface PullOptions { prefix?: string | null; default?: unknown; side?: 'front' | 'back'; expireTime?: boolean; tag?: boolean; retry?: boolean }
export interface PeekItemOptions { last?: boolean; expireTime?: boolean; tag?: boolean; retry?: boolean }

/** Victims deleted per batch by cull(), as diskcache. */
const CULL_BATCH = 10;
const MISS = Symbol('miss');

function checkExpire(expire: unknown, name = 'expire'): number | null {
  if (expire === undefined || expire === null) return null;
  if (typeof expire !== 'number' || Number.isNaN(expire)) throw new TypeError(`${name} must be a number of seconds or null; got ${String(expire)}`);
  return expire;
}

/** An item as read: its value and metadata. */
interface Item { value: unknown; expire: number; tag: string | undefined }

export class Cache {
  /** The cache directory (absolute). */
  readonly directory: string;
  /** Seconds a write waits for another process's transaction before Timeout. */
  readonly timeout: number;
  /** The Disk instance that turns keys and values into bytes and files. */
  readonly disk: Disk;
  readonly #shard: Shard;
  readonly #fastKeys: boolean;
  #settings: Settings;
  #policy: EvictionPolicy;
  #sidecar: Sidecar | null = null;
  #victimList = new VictimList();
  #txnDepth = 0;
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
    const given = splitOptions(options as Record<string, unknown>);
    this.directory = path.resolve(directory ?? fs.mkdtempSync(path.join(os.tmpdir(), 'logcache-')));
    this.timeout = timeout;
    this.#shard = new Shard(this.directory, {
      sync: options.sync, segmentBytes: options.segmentBytes, compactMinBytes: options.compactMinBytes, fs: options.fs,
    });
    this.#shard.waitTimeoutMs = timeout * 1000;
    const stored = this.#shard.state.settings;
    const effective: Settings = { ...DEFAULT_SETTINGS } as Settings;
    for (const [k, v] of stored) effective[k] = v;
    Object.assign(effective, given);
    // Store what differs (diskcache writes every setting back; writing only changes keeps the log quiet).
    for (const [k, v] of Object.entries(effective)) {
      if (!stored.has(k) || JSON.stringify(stored.get(k)) !== JSON.stringify(v)) this.#writeSetting(k, v);
    }
    this.#settings = effective;
    this.#policy = EVICTION_POLICY[effective.evictionPolicy];
    const diskOptions: Record<string, unknown> = { minFileSize: effective.diskMinFileSize };
    for (const [k, v] of Object.entries(effective)) {
      if (k.startsWith('disk') && k !== 'diskMinFileSize') diskOptions[k[4].toLowerCase() + k.slice(5)] = v;
    }
    this.disk = new DiskClass(this.directory, diskOptions);
    this.#fastKeys = this.disk.put === Disk.prototype.put;
    for (const name of Object.keys(effective)) this.#exposeSetting(name);
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

  #writeSetting(name: string, value: unknown): void {
    this.#shard.append(OP_SETTING, { time: clockNow(), key: Buffer.from(name), value: Buffer.from(JSON.stringify(value)) });
  }

  /**
   * diskcache's reset: without `value`, re-reads setting `name` from the store into this handle and returns it
   * (KeyError-like RangeError if it was never stored); with `value`, stores it (unless `update` is false), applies
   * it to this handle and returns it.
   */
  reset(name: string, value?: unknown, opts: { update?: boolean } = {}): unknown {
    this.#open();
    if (typeof name !== 'string') throw new TypeError('name must be a string');
    if (name === 'count') return this.size;
    if (name === 'size') return this.volume();
    if (name === 'hits' || name === 'misses') return this.#stats()[name === 'hits' ? 0 : 1];
    this.#shard.sync();
    if (value === undefined) {
      if (!this.#shard.state.settings.has(name)) throw new RangeError(`setting ${name} is not stored`);
      value = this.#shard.state.settings.get(name);
    } else {
      validateSetting(name, value);
      if (opts.update !== false) this.#writeSetting(name, value);
    }
    this.#settings[name] = value;
    this.#exposeSetting(name);
    if (name === 'evictionPolicy') {
      this.#policy = EVICTION_POLICY[value as string];
      this.#victimList.invalidate();
    }
    if (name === 'diskMinFileSize') this.disk.minFileSize = value as number;
    return value;
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  #open(): Shard {
    if (this.#closed) throw new ClosedError();
    return this.#shard;
  }

  /** The keydir id of a key (validates it): the hot path avoids encoding string keys. */
  #id(key: Key): string {
    return this.#fastKeys ? keyId(key) : keyIdOfEncoded(this.disk.put(key));
  }

  #deadline(retry: boolean | undefined): number {
    return retry ? Infinity : Date.now() + this.timeout * 1000;
  }

  /** A live slot for `id` at `now`, or NIL. */
  #live(id: string, now: number): number {
    const st = this.#shard.state;
    const slot = st.kd.map.get(id);
    return slot !== undefined && st.kd.expire[slot] > now ? slot : NIL;
  }

  /** Reads the value of a slot; MISS when its bytes or file are gone. */
  #value(slot: number, read: boolean): unknown {
    const kd = this.#shard.state.kd;
    const mode = kd.mode[slot];
    if (mode === MODE_RAW_NUMBER) {
      const n = kd.numbers.get(slot);
      if (n !== undefined) return n;
    }
    const file = kd.files.get(slot);
    try {
      if (file) return this.disk.fetch(mode, file.name, null, read);
      const bytes = this.#shard.valueBytes(slot);
      return bytes === null ? MISS : this.disk.fetch(mode, null, bytes, read);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return MISS;
      throw err;
    }
  }

  /** Reads the value a command removed (pop, pull), then deletes its file. */
  #takeValue(s: ItemSnapshot): unknown {
    try {
      if (s.number !== undefined && s.mode === MODE_RAW_NUMBER) return s.number;
      if (s.valueFile) return this.disk.fetch(s.mode, s.valueFile.name, null, false);
      const bytes = this.#shard.readFrameValue(s.file, s.offset, s.frameLength, s.valueOffset, s.valueLength);
      return bytes === null ? MISS : this.disk.fetch(s.mode, null, bytes, false);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return MISS;
      throw err;
    } finally {
      if (s.valueFile) this.disk.remove(s.valueFile.name);
    }
  }

  /** Deletes the value files of items a command of ours replaced or removed. */
  #removeFiles(out: Outcome): void {
    for (const s of out.removed) if (s.valueFile) this.disk.remove(s.valueFile.name);
  }

  #tagBytes(tag: Key | null | undefined): Buffer | null {
    return tag === undefined || tag === null ? null : encodeKey(tag, 'tag');
  }

  #decodeTag(id: string | undefined): unknown {
    return id === undefined ? null : this.disk.get(idToBytesOf(id));
  }

  #wrap(value: unknown, expire: number | null, tag: unknown, wantExpire: boolean | undefined, wantTag: boolean | undefined): unknown {
    if (wantExpire && wantTag) return [value, expire, tag];
    if (wantExpire) return [value, expire];
    if (wantTag) return [value, tag];
    return value;
  }

  #expireOf(slot: number): number | null {
    const e = this.#shard.state.kd.expire[slot];
    return e === NEVER ? null : e;
  }

  #stats(): [number, number] {
    return this.#sidecarOpen().counters();
  }

  #sidecarOpen(): Sidecar {
    return (this.#sidecar ??= new Sidecar(this.directory, this.#shard.fs));
  }

  // ---- writes ---------------------------------------------------------------------------------------------------

  /** Builds the record fields for storing `stored` under `key`. */
  #storeRecord(keyBytes: Buffer, stored: StoredValue, expire: number | null, tag: Buffer | null, now: number) {
    let flags = 0;
    if (expire !== null) flags |= FLAG_HAS_EXPIRE;
    if (tag) flags |= FLAG_HAS_TAG;
    if (stored.filename !== null) flags |= FLAG_FILE;
    return {
      time: now, num1: expire === null ? 0 : now + expire, num2: stored.size, flags, mode: stored.mode, key: keyBytes, tag,
      value: stored.filename !== null ? Buffer.from(stored.filename) : stored.inline,
    };
  }

  /** Runs a storing command; on failure removes the value file this call wrote. */
  #storeCommand(op: number, key: Key, value: unknown, opts: SetOptions, stored: StoredValue | null): Outcome {
    const sh = this.#open();
    const expire = checkExpire(opts.expire);
    const tag = this.#tagBytes(opts.tag);
    const keyBytes = op === OP_PUSH ? Buffer.alloc(0) : this.disk.put(key);
    if (stored === null) stored = this.disk.store(value, Boolean(opts.read), key);
    const now = clockNow();
    let out: Outcome;
    try {
      out = sh.append(op, this.#storeRecord(keyBytes, stored, expire, tag, now), this.#deadline(opts.retry));
    } catch (err) {
      if (stored.filename !== null) this.disk.remove(stored.filename);
      throw err;
    }
    if (!out.applied && stored.filename !== null) this.disk.remove(stored.filename);
    this.#removeFiles(out);
    return out;
  }

  /**
   * Sets `key` to `value`, replacing any item (expired or not; the item keeps its insertion position). Then culls
   * (up to cullLimit expired items, then policy victims while volume() >= sizeLimit). Always returns true.
   * With `read: true` and a stream (or async iterable), stores its bytes in a file and returns a Promise.
   * @param opts.expire seconds from now until the item expires (null: never). @param opts.tag a key-like tag.
   * @throws TypeError for a bad key, value, expire or tag (nothing written); Timeout when another process's
   * transaction holds the shard past `timeout` (unless `retry`).
   */
  set(key: Key, value: unknown, opts: SetOptions = {}): true {
    if (opts.read && isStream(value)) return this.#setStream(OP_SET, key, value, opts) as never;
    this.#storeCommand(OP_SET, key, value, opts, null);
    this.#cullAfterWrite();
    return true;
  }

  async #setStream(op: number, key: Key, value: unknown, opts: SetOptions): Promise<boolean> {
    if (op !== OP_PUSH) this.#id(key);
    checkExpire(opts.expire);
    this.#tagBytes(opts.tag);
    const stored = await this.disk.storeStream(value as AsyncIterable<Uint8Array>, key);
    const out = this.#storeCommand(op, key, null, opts, stored);
    if (out.applied) this.#cullAfterWrite();
    return out.applied;
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
    if (opts.read && isStream(value)) return this.#setStream(OP_ADD, key, value, opts) as never;
    const out = this.#storeCommand(OP_ADD, key, value, opts, null);
    if (out.applied) this.#cullAfterWrite();
    return out.applied;
  }

  /** Sets a new expiry (seconds from now; null: never) on a live item. Returns false if missing or expired. */
  touch(key: Key, opts: { expire?: number | null; retry?: boolean } = {}): boolean {
    const sh = this.#open();
    const expire = checkExpire(opts.expire);
    const keyBytes = this.disk.put(key);
    const now = clockNow();
    return sh.append(OP_TOUCH, {
      time: now, key: keyBytes, num1: expire === null ? 0 : now + expire, flags: expire === null ? 0 : FLAG_HAS_EXPIRE,
    }, this.#deadline(opts.retry)).applied;
  }

  /**
   * Atomically adds `delta` to the number stored at `key` and returns the new value (across processes no increment
   * is lost). A missing or expired key starts from `default` (no expiry, no tag); a live item keeps its expiry
   * and tag. @throws KeyError when the key is missing and `default` is null; TypeError when the value is not a number.
   */
  incr(key: Key, opts: IncrOptions = {}): number {
    const sh = this.#open();
    const delta = opts.delta ?? 1;
    const dflt = opts.default === undefined ? 0 : opts.default;
    if (typeof delta !== 'number' || !Number.isFinite(delta)) throw new TypeError(`delta must be a finite number; got ${String(delta)}`);
    if (dflt !== null && (typeof dflt !== 'number' || !Number.isFinite(dflt))) throw new TypeError(`default must be a finite number or null; got ${String(dflt)}`);
    const keyBytes = this.disk.put(key);
    const existed = this.#live(this.#id(key), clockNow()) !== NIL;
    const out = sh.append(OP_INCR, {
      time: clockNow(), key: keyBytes, num1: delta, num2: dflt ?? 0, flags: dflt === null ? FLAG_DEFAULT_NULL : 0,
    }, this.#deadline(opts.retry));
    if (out.error === 'missing') throw new KeyError(key);
    if (out.error === 'type') throw new TypeError(`the value at key ${String(key)} is not a number`);
    this.#removeFiles(out);
    if (!existed) this.#cullAfterWrite();
    return out.value!;
  }

  /** incr with `-delta`. */
  decr(key: Key, opts: IncrOptions = {}): number {
    return this.incr(key, { ...opts, delta: -(opts.delta ?? 1) });
  }

  /**
   * Deletes a live item. Returns false when the key is missing or expired (an expired item is left in place, as
   * diskcache does).
   */
  delete(key: Key, opts: RetryOptions = {}): boolean {
    const sh = this.#open();
    const keyBytes = this.disk.put(key);
    const id = keyIdOfEncoded(keyBytes);
    // Live in the state we have: append the delete (its replay decides). Not live: look again after a sync; if
    // still missing, no write is needed.
    if (this.#live(id, clockNow()) === NIL) {
      sh.sync();
      if (this.#live(id, clockNow()) === NIL) return false;
    }
    const out = sh.append(OP_DELETE, { time: clockNow(), key: keyBytes }, this.#deadline(opts.retry));
    this.#removeFiles(out);
    return out.applied;
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
    const sh = this.#open();
    const id = this.#id(key);
    const dflt = opts.default ?? null;
    sh.sync();
    if (this.#live(id, clockNow()) === NIL) return this.#wrap(dflt, null, null, opts.expireTime, opts.tag);
    const out = sh.append(OP_DELETE, { time: clockNow(), key: this.disk.put(key) }, this.#deadline(opts.retry), true);
    if (!out.applied) return this.#wrap(dflt, null, null, opts.expireTime, opts.tag);
    const s = out.removed[0];
    const value = this.#takeValue(s);
    if (value === MISS) return this.#wrap(dflt, null, null, opts.expireTime, opts.tag);
    return this.#wrap(value, s.expire === NEVER ? null : s.expire, this.#decodeTag(s.tag), opts.expireTime, opts.tag);
  }

  // ---- reads ----------------------------------------------------------------------------------------------------

  /**
   * The value of a live item, or `default` (null) when missing or expired. With `expireTime`/`tag`, a tuple
   * `[value, expireTime]`, `[value, tag]` or `[value, expireTime, tag]` (a miss: `[default, null(, null)]`).
   * With `read`, a value stored in a binary file comes back as a readable stream. Cost when nothing changed:
   * one fstat (to see whether another process wrote) and, for an uncached value, one pread.
   */
  get(key: Key, opts?: GetOptions): unknown {
    const sh = this.#open();
    const id = this.#id(key);
    sh.sync();
    const now = clockNow();
    const slot = this.#live(id, now);
    const stats = this.#settings.statistics;
    let value: unknown = MISS;
    if (slot !== NIL) value = this.#value(slot, opts?.read ?? false);
    if (value === MISS) {
      if (stats) this.#sidecarOpen().count(false);
      const d = opts?.default ?? null;
      return opts && (opts.expireTime || opts.tag) ? this.#wrap(d, null, null, opts.expireTime, opts.tag) : d;
    }
    if (this.#policy.onAccess !== 'none') {
      this.#sidecarOpen().touch(slot, sh.state.kd.version[slot], now, this.#policy.onAccess === 'count');
    }
    if (stats) this.#sidecarOpen().count(true);
    if (opts && (opts.expireTime || opts.tag)) {
      return this.#wrap(value, this.#expireOf(slot), this.#decodeTag(sh.state.kd.tags.get(slot)), opts.expireTime, opts.tag);
    }
    return value;
  }

  /** diskcache's `cache[key]`: KeyError when missing or expired. */
  getItem(key: Key): unknown {
    const v = this.get(key, { default: MISS, retry: true });
    if (v === MISS) throw new KeyError(key);
    return v;
  }

  /** The value with `read: true` (a stream for binary file values). KeyError when missing. */
  read(key: Key, opts: RetryOptions = {}): unknown {
    const v = this.get(key, { default: MISS, read: true, retry: opts.retry });
    if (v === MISS) throw new KeyError(key);
    return v;
  }

  /** Whether a live item exists for `key` (diskcache's `in`). */
  has(key: Key): boolean {
    const sh = this.#open();
    const id = this.#id(key);
    sh.sync();
    return this.#live(id, clockNow()) !== NIL;
  }

  /** Number of items, expired ones included (diskcache's len). */
  get size(): number {
    const sh = this.#open();
    sh.sync();
    return sh.state.kd.count;
  }

  /** Bytes the cache's items take: live frames in the log plus value files (shrinks when items go). */
  volume(): number {
    const sh = this.#open();
    sh.sync();
    return sh.state.kd.liveBytes;
  }

  // ---- queues -----------------------------------------------------------------------------------------------------

  /**
   * Pushes `value` onto the queue `prefix` (integer keys without a prefix; 'prefix-000000000000042' keys with) at
   * the back (largest key + 1) or front (smallest − 1); an empty queue starts at 500000000000000. Returns the key.
   */
  push(value: unknown, opts: PushOptions = {}): Key {
    const side = opts.side ?? 'back';
    if (side !== 'back' && side !== 'front') throw new KeyError(side, `side must be 'back' or 'front'; got ${String(side)}`);
    const prefix = opts.prefix ?? null;
    if (prefix !== null && typeof prefix !== 'string') throw new TypeError('prefix must be a string or null');
    if (opts.read && isStream(value)) return this.#pushStream(value, opts) as never;
    const out = this.#pushCommand(value, opts, null);
    this.#cullAfterWrite();
    return this.disk.get(out.key!);
  }

  async #pushStream(value: unknown, opts: PushOptions): Promise<Key> {
    checkExpire(opts.expire);
    const stored = await this.disk.storeStream(value as AsyncIterable<Uint8Array>);
    const out = this.#pushCommand(null, opts, stored);
    this.#cullAfterWrite();
    return this.disk.get(out.key!);
  }

  #pushCommand(value: unknown, opts: PushOptions, stored: StoredValue | null): Outcome {
    const sh = this.#open();
    const expire = checkExpire(opts.expire);
    const tag = this.#tagBytes(opts.tag);
    const prefix = opts.prefix ?? null;
    if (stored === null) stored = this.disk.store(value, Boolean(opts.read));
    const now = clockNow();
    const rec = this.#storeRecord(prefix === null ? Buffer.alloc(0) : Buffer.from(prefix), stored, expire, tag, now);
    rec.flags |= (prefix !== null ? FLAG_HAS_PREFIX : 0) | ((opts.side ?? 'back') === 'front' ? FLAG_SIDE_FRONT : 0);
    try {
      const out = sh.append(OP_PUSH, rec, this.#deadline(opts.retry));
      this.#removeFiles(out);
      return out;
    } catch (err) {
      if (stored.filename !== null) this.disk.remove(stored.filename);
      throw err;
    }
  }

  /**
   * Removes and returns the front (or back) item of queue `prefix` as `[key, value]` (tuple forms with the flags);
   * `default` (`[null, null]`) when empty. Expired items met on the way are removed and skipped.
   */
  pull(opts: PullOptions = {}): unknown {
    return this.#pullOrPeek(opts, true);
  }

  /** As pull, but leaves the item in place (expired items met are still removed). */
  peek(opts: PullOptions = {}): unknown {
    return this.#pullOrPeek(opts, false);
  }

  #pullOrPeek(opts: PullOptions, remove: boolean): unknown {
    const sh = this.#open();
    const side = opts.side ?? 'front';
    if (side !== 'back' && side !== 'front') throw new KeyError(side, `side must be 'front' or 'back'; got ${String(side)}`);
    const prefix = opts.prefix ?? null;
    if (prefix !== null && typeof prefix !== 'string') throw new TypeError('prefix must be a string or null');
    const dflt = opts.default ?? [null, null];
    const deadline = this.#deadline(opts.retry);
    for (;;) {
      sh.sync();
      const q = sh.state.queues.get(prefix);
      if (q === undefined || q.length === 0) return this.#wrap(dflt, null, null, opts.expireTime, opts.tag);
      const keyBytes = QueueIndex.encodeKey(prefix, side === 'front' ? q[0] : q[q.length - 1]);
      const slot = sh.state.kd.map.get(keyIdOfEncoded(keyBytes))!;
      const kd = sh.state.kd;
      const now = clockNow();
      const expired = kd.expire[slot] < now;
      if (!remove && !expired) {
        const value = this.#value(slot, false);
        if (value === MISS) { this.#delv([[keyBytes, kd.version[slot]]], deadline); continue; }
        return this.#wrap([this.disk.get(keyBytes), value], this.#expireOf(slot), this.#decodeTag(kd.tags.get(slot)), opts.expireTime, opts.tag);
      }
      const out = this.#delv([[keyBytes, kd.version[slot]]], deadline, !expired);
      if (expired || out.count === 0) continue;
      const s = out.removed[0];
      const value = this.#takeValue(s);
      if (value === MISS) continue;
      return this.#wrap([this.disk.get(keyBytes), value], s.expire === NEVER ? null : s.expire, this.#decodeTag(s.tag), opts.expireTime, opts.tag);
    }
  }

  /**
   * The first (last: false) or last item in insertion order as `[key, value]` (tuple forms with the flags); expired
   * items at that end are removed and skipped. @throws KeyError('dictionary is empty').
   */
  peekitem(opts: PeekItemOptions = {}): unknown {
    const sh = this.#open();
    const last = opts.last ?? true;
    const deadline = this.#deadline(opts.retry);
    for (;;) {
      sh.sync();
      const kd = sh.state.kd;
      const slot = last ? kd.insTail : kd.insHead;
      if (slot === NIL) throw new KeyError(undefined, 'dictionary is empty');
      const keyBytes = idToBytesOf(kd.ids[slot]!);
      if (kd.expire[slot] < clockNow()) {
        this.#delv([[keyBytes, kd.version[slot]]], deadline);
        continue;
      }
      const value = this.#value(slot, false);
      if (value === MISS) { this.#delv([[keyBytes, kd.version[slot]]], deadline); continue; }
      return this.#wrap([this.disk.get(keyBytes), value], this.#expireOf(slot), this.#decodeTag(kd.tags.get(slot)), opts.expireTime, opts.tag);
    }
  }

  /** Conditional delete of items still at the versions seen. `keep`: leave their files to the caller. */
  #delv(items: [Buffer, number][], deadline: number, keep = false): Outcome {
    const out = this.#open().append(OP_DELV, {
      time: clockNow(), value: encodeTxnValue(items.map(([key, version]) => ({ key, version })), []),
    }, deadline, keep);
    if (!keep) this.#removeFiles(out);
    return out;
  }

  // ---- bulk removal -------------------------------------------------------------------------------------------

  /** Removes items whose expiry is before `now` (default: the current time). Returns how many. */
  expire(opts: { now?: number; retry?: boolean } = {}): number {
    const sh = this.#open();
    const now = opts.now || clockNow();
    sh.sync();
    const kd = sh.state.kd;
    const items: [Buffer, number][] = [];
    if (kd.expiring > 0) {
      for (const slot of kd.slots()) {
        const e = kd.expire[slot];
        if (e > 0 && e < now) items.push([idToBytesOf(kd.ids[slot]!), kd.version[slot]]);
      }
    }
    return this.#removeAll(items, opts.retry);
  }

  /** Removes every item tagged `tag`. `evict(null)` removes nothing (diskcache). Returns how many. */
  evict(tag: Key | null, opts: RetryOptions = {}): number {
    const sh = this.#open();
    if (tag === null || tag === undefined) return 0;
    const tagId = keyIdOfEncoded(encodeKey(tag, 'tag'));
    sh.sync();
    const kd = sh.state.kd;
    const items: [Buffer, number][] = [];
    for (const [slot, t] of kd.tags) if (t === tagId) items.push([idToBytesOf(kd.ids[slot]!), kd.version[slot]]);
    return this.#removeAll(items, opts.retry);
  }

  #removeAll(items: [Buffer, number][], retry: boolean | undefined): number {
    let count = 0;
    const deadline = this.#deadline(retry);
    // Batches keep a record bounded (diskcache also works in batches of 100).
    for (let i = 0; i < items.length; i += 1000) {
      try {
        count += this.#delv(items.slice(i, i + 1000), deadline).count ?? 0;
      } catch (err) {
        if (err instanceof Timeout) throw new Timeout(count);
        throw err;
      }
    }
    return count;
  }

  /** Removes every item, expired ones included, and their files. Returns how many. */
  clear(opts: RetryOptions = {}): number {
    const sh = this.#open();
    let out: Outcome;
    try {
      out = sh.append(OP_CLEAR, { time: clockNow() }, this.#deadline(opts.retry));
    } catch (err) {
      if (err instanceof Timeout) throw new Timeout(0);
      throw err;
    }
    this.#removeFiles(out);
    return out.count ?? 0;
  }

  /**
   * Removes expired items, then (unless the policy is 'none') policy victims in batches of 10 while
   * volume() > sizeLimit. Returns how many (0 under 'none', diskcache's quirk). Runs whatever cullLimit is.
   */
  cull(opts: RetryOptions = {}): number {
    let count = this.expire({ retry: opts.retry });
    if (this.#policy.order === null) return 0;
    const sh = this.#shard;
    while (this.volume() > this.#settings.sizeLimit) {
      const victims = this.#victims(CULL_BATCH, new Set());
      if (victims.length === 0) break;
      count += this.#removeAll(victims.map((s) => [idToBytesOf(sh.state.kd.ids[s]!), sh.state.kd.version[s]]), opts.retry);
    }
    return count;
  }

  /** After a write: diskcache's culling step (up to cullLimit items: expired first, then policy victims). */
  #cullAfterWrite(): void {
    let limit = this.#settings.cullLimit;
    if (limit <= 0 || this.#shard.inTxn) return;
    const sh = this.#shard;
    const kd = sh.state.kd;
    // The common case decides on local state without a syscall: nothing expires and we are under the limit.
    if (kd.expiring === 0 && (this.#policy.order === null || kd.liveBytes < this.#settings.sizeLimit)) return;
    sh.sync();
    const now = clockNow();
    const chosen = new Set<number>(expiredSlots(kd, now, limit));
    limit -= chosen.size;
    if (limit > 0 && this.#policy.order !== null && kd.liveBytes >= this.#settings.sizeLimit) {
      for (const s of this.#victims(limit, chosen)) chosen.add(s);
    }
    if (chosen.size === 0) return;
    try {
      this.#delv([...chosen].map((s) => [idToBytesOf(kd.ids[s]!), kd.version[s]]), this.#deadline(false));
    } catch (err) {
      if (!(err instanceof Timeout)) throw err; // culling is best effort; the next write tries again
    }
  }

  #victims(limit: number, skip: Set<number>): number[] {
    const st = this.#shard.state;
    return this.#victimList.take(st.kd, this.#policy.order!, () => this.#sidecarOpen(), st.seq, limit, skip);
  }

  // ---- iteration --------------------------------------------------------------------------------------------------

  /** Keys in insertion order, expired included; items inserted after the call are not yielded (diskcache). */
  *[Symbol.iterator](): IterableIterator<Key> {
    yield* this.#keysInOrder(false);
  }

  keys(): IterableIterator<Key> {
    return this.#keysInOrder(false);
  }

  /** Keys in reverse insertion order (diskcache's reversed). */
  reversed(): IterableIterator<Key> {
    return this.#keysInOrder(true);
  }

  *#keysInOrder(reverse: boolean): IterableIterator<Key> {
    const sh = this.#open();
    sh.sync();
    const kd = sh.state.kd;
    const ids: string[] = [];
    for (const s of kd.slots(reverse)) ids.push(kd.ids[s]!);
    for (const id of ids) yield this.disk.get(idToBytesOf(id));
  }

  /** Keys in sort order (numbers, then text by code point, then bytes, then other keys), expired included. */
  *iterkeys(opts: { reverse?: boolean } = {}): IterableIterator<Key> {
    const sh = this.#open();
    sh.sync();
    const encoded = [...sh.state.kd.map.keys()].map(idToBytesOf);
    encoded.sort(compareEncodedKeys);
    if (opts.reverse) encoded.reverse();
    for (const e of encoded) yield this.disk.get(e);
  }

  // ---- transactions, maintenance -----------------------------------------------------------------------------------

  /**
   * Runs `fn` as one atomic, isolated step across processes: other processes' writes wait until it ends, its
   * writes become visible together, and an exception inside undoes them all (and is rethrown). Nested calls join
   * the outer transaction. Returns fn's result. `fn` must be synchronous.
   * @throws Timeout when another transaction holds the shard past `timeout` (unless `retry`).
   */
  transact<T>(fn: () => T, opts: RetryOptions = {}): T {
    const sh = this.#open();
    if (typeof fn !== 'function') throw new TypeError('fn must be a function');
    if (this.#txnDepth > 0) return fn();
    sh.beginTxn(this.#deadline(opts.retry));
    this.#txnDepth++;
    let result: T;
    try {
      result = fn();
      if (result instanceof Promise) throw new TypeError('transact takes a synchronous function (it returned a Promise)');
    } catch (err) {
      this.#txnDepth--;
      sh.abortTxn();
      throw err;
    }
    this.#txnDepth--;
    sh.commitTxn();
    this.#cullAfterWrite();
    return result;
  }

  /**
   * Verifies every frame, value file and counter; returns the warnings (empty when healthy). With `fix`, repairs:
   * rewrites the log without corrupt records (a compaction), removes unknown files and empty directories.
   */
  check(opts: { fix?: boolean; retry?: boolean } = {}): CheckWarning[] {
    return checkShard(this.#open(), this.disk, Boolean(opts.fix));
  }

  /** Rewrites the live items into a base file and removes the segments it replaces (compaction on demand). */
  compact(): CompactionResult {
    return compact(this.#open());
  }

  /** Creates the tag index (a no-op with an in-memory keydir: kept for diskcache's API) and stores tagIndex. */
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
    this.#open();
    const result = this.#stats();
    if (opts.reset) this.#sidecarOpen().resetCounters();
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
    this.#sidecar?.close();
    this.#shard.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** The shard (for FanoutCache, check and tests). */
  get shard(): Shard {
    return this.#shard;
  }
}

function isStream(v: unknown): boolean {
  return v instanceof Readable || (typeof v === 'object' && v !== null && Symbol.asyncIterator in v);
}
