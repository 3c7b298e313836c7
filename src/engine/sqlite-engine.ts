/**
 * The SQLite engine: one shard as python-diskcache stores it (a `cache.db` with its schema, indexes and pragmas),
 * behind the same CacheEngine interface as the log-structured engine, so the two compare on equal terms.
 * The binding is optional: `node:sqlite` where the running Node has it, else `better-sqlite3` if installed.
 *
 * Statements are diskcache's (diskcache/core.py, 5.6), prepared once. Where diskcache and the log engine differ,
 * the log engine's semantics win (it is the reference); each such place says so. Keys and tags are the encoded
 * key bytes (format/keys.ts) as BLOBs with raw = 1; values are the Disk's mode/size/filename/value columns.
 * The statements' text is in ./sqlite-statements.ts; the connection and its transactions in ./sqlite-session.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { KeyError, Timeout } from '../errors.js';
import { now as clockNow } from '../clock.js';
import { MODE_RAW_NUMBER } from '../format/disk.js';
import type { Disk, StoredValue } from '../format/disk.js';
import { Key, sortEncodedKeys, encodeKey } from '../format/keys.js';
import { QUEUE_MAX, QUEUE_START, QueueIndex } from '../shard/queues.js';
import { EVICTION_POLICY, NOOP, evictionPolicy, hitHook, isEvictionPolicyName, statisticsHook } from './policy.js';
import {
  METADATA_KEYS, unsafeIncr, unsafeSum, type CacheEngine, type CheckWarning, type CompactionResult, type EngineSettings,
  type EngineSetup, type Item, type Side,
} from './engine.js';
import {
  DBNAME, Database, Row, SETUP_RETRY_MS, checkFiles, isConstraint, openCacheDb, settingFromSql, settingKey, settingName,
  settingToSql,
} from './sqlite-binding.js';
import {
  ACCESS_COUNT, ACCESS_TIME, DELETE_ROW, EXPIRED, FIRST_LAST, HAS_LIVE, HIT, INSERT, MISSED, QUEUE_ITEM, QUEUE_KEY,
  SELECT_KEY, SELECT_LIVE, SELECT_VOLUME, UPDATE, orderIndex, victimsSelect,
} from './sqlite-statements.js';
import { SqliteSession } from './sqlite-session.js';

export interface SqliteEngineOptions {
  timeout: number;
  sync?: 'none' | 'interval' | 'always';
}

export function openSqliteEngine(directory: string, options: SqliteEngineOptions, setup: EngineSetup): CacheEngine {
  const db = openCacheDb(directory, options.timeout * 1000, options.sync);
  return new SqliteEngine(directory, db, options.timeout * 1000, setup);
}

/** Rows per transaction in clear/evict/expire (diskcache's _select_delete), and per cull() batch. */
const DELETE_BATCH = 100;
const CULL_BATCH = 10;
const MISS = Symbol('miss');

function numberValue(n: number): StoredValue {
  const inline = Buffer.allocUnsafe(8);
  inline.writeDoubleLE(n, 0);
  return { mode: MODE_RAW_NUMBER, size: 0, filename: null, inline };
}

class SqliteEngine implements CacheEngine {
  readonly #dir: string;
  /** The database, its statements and transactions (./sqlite-session.ts). */
  readonly #s: SqliteSession;
  readonly #timeoutMs: number;
  readonly #pageSize: number;
  readonly #disk: Disk;
  readonly #settings: EngineSettings;
  #userTxn = false;
  /** A write inside transact() skipped its cull: transact culls once after the commit (as the log engine). */
  #cullPending = false;
  #lastQueue: [string | null, unknown[]] | null = null;
  /** Chosen by #choosePolicy (at open, on reset): the victims' SELECT (null: never evicts), a hit's and a get's hooks. */
  #victims: string | null = null;
  #onHit: (rowid: number) => void = NOOP;
  #countStat: (hit: boolean) => void = NOOP;
  /** Both hooks are NOOP: get reads outside a transaction (diskcache's fast path). */
  #quietGet = true;

  constructor(directory: string, db: Database, timeoutMs: number, setup: EngineSetup) {
    this.#dir = path.resolve(directory);
    this.#s = new SqliteSession(db, timeoutMs);
    this.#timeoutMs = timeoutMs;
    this.#pageSize = this.#s.read('PRAGMA page_size')!.page_size as number;
    ({ disk: this.#disk, settings: this.#settings } = setup(this.storedSettings(), (name, value) => this.writeSetting(name, value)));
    this.#s.disk = this.#disk;
    this.#choosePolicy();
  }

  /** Chooses get's hooks and the victims' SELECT from the live settings (at open and on reset). */
  #choosePolicy(): void {
    const policy = evictionPolicy(this.#settings.evictionPolicy);
    this.#victims = policy.order === null ? null : victimsSelect(policy.order);
    this.#onHit = hitHook<[number]>(policy,
      (rowid) => this.#s.q(ACCESS_TIME).run(clockNow(), rowid),
      (rowid) => this.#s.q(ACCESS_COUNT).run(rowid));
    this.#countStat = statisticsHook(Boolean(this.#settings.statistics), (hit) => this.#s.q(hit ? HIT : MISSED).run());
    this.#quietGet = this.#onHit === NOOP && this.#countStat === NOOP;
  }

  settingChanged(name: string): void {
    if (name === 'evictionPolicy' || name === 'statistics') this.#choosePolicy();
  }

  #defaultDeadline(): number {
    return Date.now() + this.#timeoutMs;
  }

  /** The row's value; MISS when its file is gone (diskcache: "key was deleted before we could retrieve result"). */
  #value(row: Row, read: boolean): unknown {
    try {
      return this.#disk.fetch(row.mode, row.filename, row.value, read);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return MISS;
      throw err;
    }
  }

  #item(row: Row, value: unknown): Item {
    return { value, expireTime: row.expire_time, tag: row.tag === null ? null : this.#disk.get(row.tag) };
  }

  /** Reads the value of a row already deleted (pop, pull), then deletes its file (at the commit, in transact). */
  #take(row: Row): Item | undefined {
    try {
      const value = this.#value(row, false);
      return value === MISS ? undefined : this.#item(row, value);
    } finally {
      if (this.#s.inTxn) this.#s.forget(row.filename);
      else if (row.filename !== null) this.#disk.remove(row.filename);
    }
  }

  #insert(key: Buffer, now: number, expire: number | null, tag: Buffer | null, s: StoredValue): void {
    this.#s.q(INSERT).run(key, now, expire === null ? null : now + expire, now, tag, s.size, s.mode, s.filename, s.inline);
  }

  #update(rowid: number, now: number, expire: number | null, tag: Buffer | null, s: StoredValue): void {
    this.#s.q(UPDATE).run(now, expire === null ? null : now + expire, now, tag, s.size, s.mode, s.filename, s.inline, rowid);
  }

  /** diskcache's _cull, inside a storing command's transaction: up to cullLimit expired items, then victims. */
  #cull(now: number): void {
    let limit = this.#settings.cullLimit;
    if (limit <= 0) return;
    if (this.#userTxn) {
      this.#cullPending = true;
      return;
    }
    // diskcache deletes with `rowid IN (<the same select>)`; by rowid is the same rows.
    limit -= this.#s.deleteRows(this.#s.q(EXPIRED).all(now, limit));
    const victims = this.#victims;
    if (limit <= 0 || victims === null || this.volume() < this.#settings.sizeLimit) return;
    this.#s.deleteRows(this.#s.q(victims).all(limit));
  }

  // ---- settings -------------------------------------------------------------------------------------------------

  storedSettings(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const row of this.#s.retry(() => this.#s.q('SELECT key, value FROM Settings').all())) {
      const key = row.key as string;
      if (METADATA_KEYS.has(key) || key.startsWith('sqlite_')) continue; // counters and pragmas, not the handle's settings
      const name = settingName(key);
      out.set(name, settingFromSql(name, row.value));
    }
    return out;
  }

  writeSetting(name: string, value: unknown): void {
    this.#s.run(Date.now() + SETUP_RETRY_MS, () => {
      this.#s.q('INSERT OR REPLACE INTO Settings VALUES (?, ?)').run(settingKey(name), settingToSql(name, value));
    });
    // The schema follows the settings, as diskcache's __init__, create_tag_index and drop_tag_index.
    if (name === 'evictionPolicy') {
      const order = isEvictionPolicyName(value) ? EVICTION_POLICY[value].order : null;
      if (order !== null) this.#s.retry(() => this.#s.db.exec(orderIndex(order)));
    } else if (name === 'tagIndex') {
      this.#s.retry(() => this.#s.db.exec(value
        ? 'CREATE INDEX IF NOT EXISTS Cache_tag_rowid ON Cache(tag, rowid) WHERE tag IS NOT NULL'
        : 'DROP INDEX IF EXISTS Cache_tag_rowid'));
    }
  }

  // ---- reads ------------------------------------------------------------------------------------------------------

  get(key: Key, read: boolean, deadline: number): Item | undefined {
    const k = this.#disk.put(key);
    if (this.#quietGet) {
      // diskcache's fast path: no transaction.
      const row = this.#s.read(SELECT_LIVE, k, clockNow());
      const value = row === undefined ? MISS : this.#value(row, read);
      return value === MISS ? undefined : this.#item(row!, value);
    }
    // Cache.get passes no deadline (reads never wait in the log engine): this one waits `timeout`.
    return this.#s.run(deadline > 0 ? deadline : this.#defaultDeadline(), () => {
      const row = this.#s.q(SELECT_LIVE).get(k, clockNow());
      const value = row === undefined ? MISS : this.#value(row, read);
      this.#countStat(value !== MISS);
      if (value === MISS) return undefined;
      this.#onHit(row!.rowid as number);
      return this.#item(row!, value);
    });
  }

  has(key: Key): boolean {
    return this.#s.read(HAS_LIVE, this.#disk.put(key), clockNow()) !== undefined;
  }

  count(): number {
    return this.#s.read("SELECT value FROM Settings WHERE key = 'count'")!.value as number;
  }

  /** diskcache's volume: the database's pages plus the value files' bytes (Settings.size). */
  volume(): number {
    const row = this.#s.read(SELECT_VOLUME)!;
    return (row.pages as number) * this.#pageSize + (row.value as number);
  }

  // ---- writes ---------------------------------------------------------------------------------------------------

  set(key: Key, stored: StoredValue, expire: number | null, tag: Key | null, deadline: number): void {
    const k = this.#disk.put(key);
    const t = tag === null ? null : encodeKey(tag, 'tag');
    const now = clockNow();
    // diskcache: SELECT, then UPDATE (keeping the rowid: the insertion position) or INSERT; no UPSERT, as the old
    // filename needs cleaning up.
    this.#s.store(deadline, stored, () => {
      const row = this.#s.q(SELECT_KEY).get(k);
      if (row !== undefined) {
        this.#s.forget(row.filename);
        this.#update(row.rowid, now, expire, t, stored);
      } else this.#insert(k, now, expire, t, stored);
      this.#cull(now);
    });
  }

  add(key: Key, stored: StoredValue, expire: number | null, tag: Key | null, deadline: number): boolean {
    const k = this.#disk.put(key);
    const t = tag === null ? null : encodeKey(tag, 'tag');
    const now = clockNow();
    return this.#s.store(deadline, stored, () => {
      const row = this.#s.q(SELECT_KEY).get(k);
      if (row !== undefined) {
        if (row.expire_time === null || row.expire_time > now) {
          this.#s.forget(stored.filename);
          return false;
        }
        this.#s.forget(row.filename);
        this.#update(row.rowid, now, expire, t, stored);
      } else this.#insert(k, now, expire, t, stored);
      this.#cull(now);
      return true;
    });
  }

  touch(key: Key, expire: number | null, deadline: number): boolean {
    const k = this.#disk.put(key);
    const now = clockNow();
    return this.#s.run(deadline, () => {
      const row = this.#s.q(SELECT_KEY).get(k);
      if (row === undefined || !(row.expire_time === null || row.expire_time > now)) return false;
      this.#s.q('UPDATE Cache SET expire_time = ? WHERE rowid = ?').run(expire === null ? null : now + expire, row.rowid);
      return true;
    });
  }

  incr(key: Key, delta: number, dflt: number | null, deadline: number): number {
    const k = this.#disk.put(key);
    const now = clockNow();
    return this.#s.run(deadline, () => {
      const row = this.#s.q(SELECT_KEY).get(k);
      // diskcache judges incr by "expired" (expire < now), not by "live" (expire > now).
      if (row === undefined || (row.expire_time !== null && row.expire_time < now)) {
        if (dflt === null) throw new KeyError(key);
        // A fresh number: no expiry, no tag; an expired row is replaced in place.
        const value = dflt + delta;
        if (unsafeSum(dflt, delta, value)) throw unsafeIncr(key);
        if (row === undefined) this.#insert(k, now, null, null, numberValue(value));
        else {
          this.#s.forget(row.filename);
          this.#update(row.rowid, now, null, null, numberValue(value));
        }
        this.#cull(now);
        return value;
      }
      const v = row.value as Uint8Array | null;
      if (row.mode !== MODE_RAW_NUMBER || v === null || v.length !== 8) {
        throw new TypeError(`the value at key ${String(key)} is not a number`);
      }
      const current = Buffer.from(v.buffer, v.byteOffset, 8).readDoubleLE(0);
      const value = current + delta;
      if (unsafeSum(current, delta, value)) throw unsafeIncr(key);
      // diskcache also records an access here; the log engine does not, and it is the reference.
      this.#s.q('UPDATE Cache SET store_time = ?, value = ? WHERE rowid = ?').run(now, numberValue(value).inline, row.rowid);
      return value;
    });
  }

  delete(key: Key, deadline: number): boolean {
    const k = this.#disk.put(key);
    return this.#s.run(deadline, () => {
      const row = this.#s.q(SELECT_LIVE).get(k, clockNow());
      return row !== undefined && this.#s.deleteRows([row]) === 1;
    });
  }

  pop(key: Key, deadline: number): Item | undefined {
    const k = this.#disk.put(key);
    const row = this.#s.run(deadline, () => {
      const r = this.#s.q(SELECT_LIVE).get(k, clockNow());
      if (r !== undefined) this.#s.q(DELETE_ROW).run(r.rowid);
      return r;
    });
    return row === undefined ? undefined : this.#take(row);
  }

  /** The encoded bounds (and, prefixed, the key length) of a queue, for queueSelect; the last queue's are kept. */
  #queueArgs(prefix: string | null): unknown[] {
    if (this.#lastQueue !== null && this.#lastQueue[0] === prefix) return this.#lastQueue[1];
    const lo = QueueIndex.encodeKey(prefix, 0);
    const args = prefix === null ? [lo, QueueIndex.encodeKey(null, QUEUE_MAX)] : [lo, QueueIndex.encodeKey(prefix, QUEUE_MAX), lo.length];
    this.#lastQueue = [prefix, args];
    return args;
  }

  push(prefix: string | null, side: Side, stored: StoredValue, expire: number | null, tag: Key | null, deadline: number): Key {
    const t = tag === null ? null : encodeKey(tag, 'tag');
    const now = clockNow();
    const front = side === 'front';
    const args = this.#queueArgs(prefix);
    const k = this.#s.store(deadline, stored, () => {
      const row = this.#s.q(QUEUE_KEY[+(prefix !== null)][+!front]).get(...args);
      let n = QUEUE_START;
      if (row !== undefined) {
        const bytes = Buffer.from(row.key as Uint8Array);
        const end = prefix === null ? bytes.readBigInt64BE(1) : BigInt(bytes.toString('latin1', bytes.length - 15));
        n = Number(end) + (front ? -1 : 1);
      }
      const key = QueueIndex.encodeKey(prefix, n);
      try {
        this.#insert(key, now, expire, t, stored);
      } catch (err) {
        // The key past either end of a full queue may be taken (by an expired item, say): replaced in place, as
        // the log engine does (diskcache would fail on the unique index).
        if (!isConstraint(err)) throw err;
        const old = this.#s.q(SELECT_KEY).get(key)!;
        this.#s.forget(old.filename);
        this.#update(old.rowid, now, expire, t, stored);
      }
      this.#cull(now);
      return key;
    });
    return this.#disk.get(k);
  }

  pull(prefix: string | null, side: Side, remove: boolean, deadline: number): [Key, Item] | undefined {
    return this.#head(QUEUE_ITEM[+(prefix !== null)][+(side === 'back')], this.#queueArgs(prefix), remove, deadline);
  }

  peekitem(last: boolean, deadline: number): [Key, Item] | undefined {
    return this.#head(FIRST_LAST[+last], [], false, deadline);
  }

  /**
   * The first row `select` gives, taken out when `remove`. Expired rows met are deleted and skipped, and so are
   * rows whose value file is gone (diskcache would loop on those; the log engine deletes them).
   */
  #head(select: string, args: unknown[], remove: boolean, deadline: number): [Key, Item] | undefined {
    for (;;) {
      const row = this.#s.run(deadline, () => {
        const r = this.#s.q(select).get(...args);
        if (r === undefined) return undefined;
        const expired = r.expire_time !== null && r.expire_time < clockNow();
        if (!remove && !expired) return r;
        if (!expired) {
          this.#s.q(DELETE_ROW).run(r.rowid); // its file goes once the value is read
          return r;
        }
        this.#s.deleteRows([r]);
        return null;
      });
      if (row === undefined) return undefined;
      if (row === null) continue;
      if (remove) {
        const item = this.#take(row);
        if (item !== undefined) return [this.#disk.get(row.key), item];
        continue;
      }
      const value = this.#value(row, false);
      if (value !== MISS) return [this.#disk.get(row.key), this.#item(row, value)];
      // Gone: delete the row unless it changed meanwhile (the log engine's conditional delete).
      this.#s.run(deadline, () => this.#s.q('DELETE FROM Cache WHERE rowid = ? AND filename IS ?').run(row.rowid, row.filename));
    }
  }

  // ---- bulk removal and culling ------------------------------------------------------------------------------------

  expire(now: number, deadline: number): number {
    // diskcache moves the lower bound to the last expire_time seen, which would skip a tie: the rows go anyway.
    const select = 'SELECT rowid, filename FROM Cache WHERE 0 < expire_time AND expire_time < ? ORDER BY expire_time LIMIT ?';
    return this.#s.selectDelete(select, [now, DELETE_BATCH], false, deadline);
  }

  evict(tag: Key, deadline: number): number {
    const select = 'SELECT rowid, filename FROM Cache WHERE rowid > ? AND tag = ? ORDER BY rowid LIMIT ?';
    return this.#s.selectDelete(select, [0, encodeKey(tag, 'tag'), DELETE_BATCH], true, deadline);
  }

  clear(deadline: number): number {
    const select = 'SELECT rowid, filename FROM Cache WHERE rowid > ? ORDER BY rowid LIMIT ?';
    return this.#s.selectDelete(select, [0, DELETE_BATCH], true, deadline);
  }

  cull(deadline: number): number {
    const count = this.expire(clockNow(), deadline);
    const victims = this.#victims;
    if (victims === null) return 0; // diskcache's quirk: the expired count is dropped
    return this.#s.selectDelete(victims, [CULL_BATCH], false, deadline, () => this.volume() > this.#settings.sizeLimit, count);
  }

  // ---- iteration, transactions, maintenance ---------------------------------------------------------------------

  keys(reverse: boolean): Key[] {
    const rows = this.#s.q(reverse ? 'SELECT key FROM Cache ORDER BY rowid DESC' : 'SELECT key FROM Cache ORDER BY rowid').all();
    return rows.map((r) => this.#disk.get(r.key));
  }

  sortedKeys(reverse: boolean): Key[] {
    // SQLite orders BLOBs bytewise; diskcache's order (numbers by value first) is compareEncodedKeys'.
    const encoded = this.#s.q('SELECT key FROM Cache').all().map((r) => r.key as Uint8Array);
    return sortEncodedKeys(encoded, reverse).map((e) => this.#disk.get(e));
  }

  transact<T>(fn: () => T, deadline: number): T {
    if (this.#s.inTxn) return fn();
    this.#userTxn = true;
    this.#cullPending = false;
    let result: T;
    try {
      result = this.#s.run(deadline, fn);
    } finally {
      this.#userTxn = false;
    }
    if (this.#cullPending) {
      this.#cullPending = false;
      try {
        this.#s.run(this.#defaultDeadline(), () => this.#cull(clockNow()));
      } catch (err) {
        if (!(err instanceof Timeout)) throw err; // culling is best effort; the next write tries again
      }
    }
    return result;
  }

  check(fix: boolean): CheckWarning[] {
    const integrity = this.#s.db.prepare('PRAGMA integrity_check').all().map((r) => String(Object.values(r)[0]));
    const warnings: CheckWarning[] = integrity.length === 1 && integrity[0] === 'ok' ? []
      : integrity.map((message) => ({ category: 'UserWarning', message }));
    if (fix && !this.#s.inTxn) this.#s.retry(() => this.#s.db.exec('VACUUM'));
    this.#s.run(this.#defaultDeadline(), () => warnings.push(...checkFiles(this.#s.db, this.#dir, this.#disk, fix)));
    return warnings;
  }

  stats(reset: boolean): [number, number] {
    const read = (): [number, number] => {
      const rows = this.#s.q("SELECT key, value FROM Settings WHERE key IN ('hits', 'misses')").all();
      const get = (k: string) => (rows.find((r) => r.key === k)?.value as number | undefined) ?? 0;
      return [get('hits'), get('misses')];
    };
    if (!reset) return read();
    return this.#s.run(this.#defaultDeadline(), () => {
      const result = read();
      this.#s.q("UPDATE Settings SET value = 0 WHERE key IN ('hits', 'misses')").run();
      return result;
    });
  }

  /** VACUUM, then a checkpoint that truncates the WAL, so the file sizes show what it saved. */
  compact(): CompactionResult {
    const bytes = () => ['', '-wal'].reduce((n, s) => n + (fs.statSync(path.join(this.#dir, DBNAME + s), { throwIfNoEntry: false })?.size ?? 0), 0);
    const bytesBefore = bytes();
    this.#s.vacuum(this.#defaultDeadline());
    // `base` is nonzero for "compacted" (0 means another process was at it; SQLite's VACUUM waits instead).
    return { base: 1, items: this.count(), bytesBefore, bytesAfter: bytes() };
  }

  waitWritable(deadline: number): Promise<void> | undefined {
    return this.#s.waitWritable(deadline);
  }

  close(): void {
    this.#s.db.close();
  }
}
