/**
 * The SQLite engine: one shard as python-diskcache stores it (a `cache.db` with its schema, indexes and pragmas),
 * behind the same CacheEngine interface as the log-structured engine, so the two compare on equal terms.
 * The binding is optional: `node:sqlite` where the running Node has it, else `better-sqlite3` if installed.
 *
 * Statements are diskcache's (diskcache/core.py, 5.6), prepared once. Where diskcache and the log engine differ,
 * the log engine's semantics win (it is the reference); each such place says so. Keys and tags are the encoded
 * key bytes (format/keys.ts) as BLOBs with raw = 1; values are the Disk's mode/size/filename/value columns.
 */
import fs from 'node:fs';
import path from 'node:path';
import { KeyError, Timeout } from '../errors.js';
import { now as clockNow } from '../clock.js';
import { MODE_RAW_NUMBER } from '../format/disk.js';
import type { Disk, StoredValue } from '../format/disk.js';
import { Key, sortEncodedKeys, encodeKey } from '../format/keys.js';
import { QUEUE_MAX, QUEUE_START, QueueIndex } from '../shard/queues.js';
import type { VictimOrder } from '../shard/eviction.js';
import { EVICTION_POLICY, NOOP, evictionPolicy, hitHook, isEvictionPolicyName, statisticsHook } from './policy.js';
import {
  METADATA_KEYS, unsafeIncr, unsafeSum, type CacheEngine, type CheckWarning, type CompactionResult, type EngineSettings,
  type EngineSetup, type Item, type Side,
} from './engine.js';
import {
  DBNAME, Database, Row, SETUP_RETRY_MS, Statement, checkFiles, isBusy, isConstraint, openCacheDb, retryBusy, settingFromSql,
  settingKey, settingName, settingToSql,
} from './sqlite-binding.js';

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

/** The column each victim order sorts by (diskcache's EVICTION_POLICY 'cull' statements and their indexes). */
const ORDER_COLUMN: Readonly<Record<VictimOrder, string>> = { stored: 'store_time', accessTime: 'access_time', accessCount: 'access_count' };
const orderIndex = (order: VictimOrder) => `CREATE INDEX IF NOT EXISTS Cache_${ORDER_COLUMN[order]} ON Cache (${ORDER_COLUMN[order]})`;
const victimsSelect = (order: VictimOrder) => `SELECT rowid, filename FROM Cache ORDER BY ${ORDER_COLUMN[order]} LIMIT ?`;
const ACCESS_TIME = 'UPDATE Cache SET access_time = ? WHERE rowid = ?';
const ACCESS_COUNT = 'UPDATE Cache SET access_count = access_count + 1 WHERE rowid = ?';
const HIT = "UPDATE Settings SET value = value + 1 WHERE key = 'hits'";
const MISSED = "UPDATE Settings SET value = value + 1 WHERE key = 'misses'";

const ITEM = 'rowid, key, expire_time, tag, mode, filename, value';
const LIVE = 'key = ? AND raw = 1 AND (expire_time IS NULL OR expire_time > ?)';
const SELECT_LIVE = `SELECT ${ITEM} FROM Cache WHERE ${LIVE}`;
const HAS_LIVE = `SELECT rowid FROM Cache WHERE ${LIVE}`;
const SELECT_KEY = 'SELECT rowid, filename, expire_time, mode, value FROM Cache WHERE key = ? AND raw = 1';
const INSERT = 'INSERT INTO Cache( key, raw, store_time, expire_time, access_time, access_count, tag, size, mode,' +
  ' filename, value) VALUES (?, 1, ?, ?, ?, 0, ?, ?, ?, ?, ?)';
const UPDATE = 'UPDATE Cache SET store_time = ?, expire_time = ?, access_time = ?, access_count = 0, tag = ?, size = ?,' +
  ' mode = ?, filename = ?, value = ? WHERE rowid = ?';
const DELETE_ROW = 'DELETE FROM Cache WHERE rowid = ?';
const EXPIRED = 'SELECT rowid, filename FROM Cache WHERE expire_time IS NOT NULL AND expire_time < ? ORDER BY expire_time LIMIT ?';
const SELECT_VOLUME = "SELECT (SELECT page_count FROM pragma_page_count()) AS pages, value FROM Settings WHERE key = 'size'";

/** Queue heads: the unprefixed queue is the INT keys in (0, QUEUE_MAX); a prefixed one is 'P-' + 15 digits. */
function queueSelect(fields: string, prefixed: boolean, desc: boolean): string {
  const digits = prefixed ? ' AND length(key) = ? AND substr(key, -15) NOT GLOB \'*[^0-9]*\'' : '';
  const range = prefixed ? '? <= key AND key <= ?' : '? < key AND key < ?';
  return `SELECT ${fields} FROM Cache WHERE ${range} AND raw = 1${digits} ORDER BY key ${desc ? 'DESC' : 'ASC'} LIMIT 1`;
}
/** [prefixed][from the back]: the statements, built once. */
const queueSelects = (fields: string) => [false, true].map((p) => [false, true].map((d) => queueSelect(fields, p, d)));
const QUEUE_KEY = queueSelects('key');
const QUEUE_ITEM = queueSelects(ITEM);
const FIRST_LAST = [false, true].map((last) => `SELECT ${ITEM} FROM Cache ORDER BY rowid ${last ? 'DESC' : 'ASC'} LIMIT 1`);

/** SQLITE_BUSY past the deadline is diskcache's Timeout; everything else passes through. */
function mapError(err: unknown): unknown {
  return isBusy(err) ? new Timeout() : err;
}

function numberValue(n: number): StoredValue {
  const inline = Buffer.allocUnsafe(8);
  inline.writeDoubleLE(n, 0);
  return { mode: MODE_RAW_NUMBER, size: 0, filename: null, inline };
}

class SqliteEngine implements CacheEngine {
  readonly #dir: string;
  readonly #db: Database;
  readonly #timeoutMs: number;
  readonly #pageSize: number;
  readonly #stmts = new Map<string, Statement>();
  readonly #disk: Disk;
  readonly #settings: EngineSettings;
  /** 1 while a transaction is open (ours or the caller's): nested writes join it. */
  #depth = 0;
  #userTxn = false;
  /** A write inside transact() skipped its cull: transact culls once after the commit (as the log engine). */
  #cullPending = false;
  /** Value files of replaced or removed items, deleted once the transaction commits (diskcache's cleanup). */
  #cleanup: string[] = [];
  /** Value files written for the open transaction, deleted if it rolls back. */
  #written: string[] = [];
  #lastQueue: [string | null, unknown[]] | null = null;
  /** Chosen by #choosePolicy (at open, on reset): the victims' SELECT (null: never evicts), a hit's and a get's hooks. */
  #victims: string | null = null;
  #onHit: (rowid: number) => void = NOOP;
  #countStat: (hit: boolean) => void = NOOP;
  /** Both hooks are NOOP: get reads outside a transaction (diskcache's fast path). */
  #quietGet = true;

  constructor(directory: string, db: Database, timeoutMs: number, setup: EngineSetup) {
    this.#dir = path.resolve(directory);
    this.#db = db;
    this.#timeoutMs = timeoutMs;
    this.#pageSize = this.#read('PRAGMA page_size')!.page_size as number;
    ({ disk: this.#disk, settings: this.#settings } = setup(this.storedSettings(), (name, value) => this.writeSetting(name, value)));
    this.#choosePolicy();
  }

  /** Chooses get's hooks and the victims' SELECT from the live settings (at open and on reset). */
  #choosePolicy(): void {
    const policy = evictionPolicy(this.#settings.evictionPolicy);
    this.#victims = policy.order === null ? null : victimsSelect(policy.order);
    this.#onHit = hitHook<[number]>(policy,
      (rowid) => this.#q(ACCESS_TIME).run(clockNow(), rowid),
      (rowid) => this.#q(ACCESS_COUNT).run(rowid));
    this.#countStat = statisticsHook(Boolean(this.#settings.statistics), (hit) => this.#q(hit ? HIT : MISSED).run());
    this.#quietGet = this.#onHit === NOOP && this.#countStat === NOOP;
  }

  settingChanged(name: string): void {
    if (name === 'evictionPolicy' || name === 'statistics') this.#choosePolicy();
  }

  /** A prepared statement, prepared on first use. */
  #q(sql: string): Statement {
    let s = this.#stmts.get(sql);
    if (s === undefined) this.#stmts.set(sql, (s = this.#db.prepare(sql)));
    return s;
  }

  /** A one-row read; SQLITE_BUSY (rare in WAL mode) is a Timeout. */
  #read(sql: string, ...params: unknown[]): Row | undefined {
    try {
      return this.#q(sql).get(...params);
    } catch (err) {
      throw mapError(err);
    }
  }

  /** diskcache's _sql_retry: a statement outside a command retries a locked database for 60 s. */
  #retry<T>(fn: () => T): T {
    try {
      return retryBusy(Date.now() + SETUP_RETRY_MS, fn);
    } catch (err) {
      throw mapError(err);
    }
  }

  /**
   * diskcache's _transact: BEGIN IMMEDIATE (retried until `deadline`, each attempt waiting busy_timeout), fn,
   * COMMIT, then the replaced items' files go. A throw rolls back and deletes the files written for it. Inside
   * an open transaction, fn just runs.
   */
  #run<T>(deadline: number, fn: () => T): T {
    if (this.#depth > 0) return fn();
    let result: T;
    try {
      retryBusy(deadline, () => this.#q('BEGIN IMMEDIATE').run());
      this.#depth = 1;
      result = fn();
      if (result instanceof Promise) throw new TypeError('transact takes a synchronous function (it returned a Promise)');
      this.#q('COMMIT').run();
    } catch (err) {
      if (this.#depth > 0) {
        try { this.#q('ROLLBACK').run(); } catch { /* SQLite rolled back already (on SQLITE_FULL, say) */ }
      }
      this.#end(this.#written);
      throw mapError(err);
    }
    this.#end(this.#cleanup);
    return result;
  }

  /** After COMMIT: the replaced items' files go; after ROLLBACK: the files written for it. */
  #end(remove: string[]): void {
    this.#depth = 0;
    this.#cleanup = [];
    this.#written = [];
    for (const f of remove) this.#disk.remove(f);
  }

  /** A storing command: registers its new value file (removed if the command fails), then runs as #run. */
  #store<T>(deadline: number, stored: StoredValue, fn: () => T): T {
    if (stored.filename !== null) this.#written.push(stored.filename);
    return this.#run(deadline, fn);
  }

  #forget(filename: string | null): void {
    if (filename !== null) this.#cleanup.push(filename);
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
      if (this.#depth > 0) this.#forget(row.filename);
      else if (row.filename !== null) this.#disk.remove(row.filename);
    }
  }

  #insert(key: Buffer, now: number, expire: number | null, tag: Buffer | null, s: StoredValue): void {
    this.#q(INSERT).run(key, now, expire === null ? null : now + expire, now, tag, s.size, s.mode, s.filename, s.inline);
  }

  #update(rowid: number, now: number, expire: number | null, tag: Buffer | null, s: StoredValue): void {
    this.#q(UPDATE).run(now, expire === null ? null : now + expire, now, tag, s.size, s.mode, s.filename, s.inline, rowid);
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
    limit -= this.#deleteRows(this.#q(EXPIRED).all(now, limit));
    const victims = this.#victims;
    if (limit <= 0 || victims === null || this.volume() < this.#settings.sizeLimit) return;
    this.#deleteRows(this.#q(victims).all(limit));
  }

  /** Deletes rows (rowid, filename) in the open transaction; their files go at the commit. */
  #deleteRows(rows: Row[]): number {
    for (const r of rows) {
      this.#q(DELETE_ROW).run(r.rowid);
      this.#forget(r.filename);
    }
    return rows.length;
  }

  // ---- settings -------------------------------------------------------------------------------------------------

  storedSettings(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const row of this.#retry(() => this.#q('SELECT key, value FROM Settings').all())) {
      const key = row.key as string;
      if (METADATA_KEYS.has(key) || key.startsWith('sqlite_')) continue; // counters and pragmas, not the handle's settings
      const name = settingName(key);
      out.set(name, settingFromSql(name, row.value));
    }
    return out;
  }

  writeSetting(name: string, value: unknown): void {
    this.#run(Date.now() + SETUP_RETRY_MS, () => {
      this.#q('INSERT OR REPLACE INTO Settings VALUES (?, ?)').run(settingKey(name), settingToSql(name, value));
    });
    // The schema follows the settings, as diskcache's __init__, create_tag_index and drop_tag_index.
    if (name === 'evictionPolicy') {
      const order = isEvictionPolicyName(value) ? EVICTION_POLICY[value].order : null;
      if (order !== null) this.#retry(() => this.#db.exec(orderIndex(order)));
    } else if (name === 'tagIndex') {
      this.#retry(() => this.#db.exec(value
        ? 'CREATE INDEX IF NOT EXISTS Cache_tag_rowid ON Cache(tag, rowid) WHERE tag IS NOT NULL'
        : 'DROP INDEX IF EXISTS Cache_tag_rowid'));
    }
  }

  // ---- reads ------------------------------------------------------------------------------------------------------

  get(key: Key, read: boolean, deadline: number): Item | undefined {
    const k = this.#disk.put(key);
    if (this.#quietGet) {
      // diskcache's fast path: no transaction.
      const row = this.#read(SELECT_LIVE, k, clockNow());
      const value = row === undefined ? MISS : this.#value(row, read);
      return value === MISS ? undefined : this.#item(row!, value);
    }
    // Cache.get passes no deadline (reads never wait in the log engine): this one waits `timeout`.
    return this.#run(deadline > 0 ? deadline : this.#defaultDeadline(), () => {
      const row = this.#q(SELECT_LIVE).get(k, clockNow());
      const value = row === undefined ? MISS : this.#value(row, read);
      this.#countStat(value !== MISS);
      if (value === MISS) return undefined;
      this.#onHit(row!.rowid as number);
      return this.#item(row!, value);
    });
  }

  has(key: Key): boolean {
    return this.#read(HAS_LIVE, this.#disk.put(key), clockNow()) !== undefined;
  }

  count(): number {
    return this.#read("SELECT value FROM Settings WHERE key = 'count'")!.value as number;
  }

  /** diskcache's volume: the database's pages plus the value files' bytes (Settings.size). */
  volume(): number {
    const row = this.#read(SELECT_VOLUME)!;
    return (row.pages as number) * this.#pageSize + (row.value as number);
  }

  // ---- writes ---------------------------------------------------------------------------------------------------

  set(key: Key, stored: StoredValue, expire: number | null, tag: Key | null, deadline: number): void {
    const k = this.#disk.put(key);
    const t = tag === null ? null : encodeKey(tag, 'tag');
    const now = clockNow();
    // diskcache: SELECT, then UPDATE (keeping the rowid: the insertion position) or INSERT; no UPSERT, as the old
    // filename needs cleaning up.
    this.#store(deadline, stored, () => {
      const row = this.#q(SELECT_KEY).get(k);
      if (row !== undefined) {
        this.#forget(row.filename);
        this.#update(row.rowid, now, expire, t, stored);
      } else this.#insert(k, now, expire, t, stored);
      this.#cull(now);
    });
  }

  add(key: Key, stored: StoredValue, expire: number | null, tag: Key | null, deadline: number): boolean {
    const k = this.#disk.put(key);
    const t = tag === null ? null : encodeKey(tag, 'tag');
    const now = clockNow();
    return this.#store(deadline, stored, () => {
      const row = this.#q(SELECT_KEY).get(k);
      if (row !== undefined) {
        if (row.expire_time === null || row.expire_time > now) {
          this.#forget(stored.filename);
          return false;
        }
        this.#forget(row.filename);
        this.#update(row.rowid, now, expire, t, stored);
      } else this.#insert(k, now, expire, t, stored);
      this.#cull(now);
      return true;
    });
  }

  touch(key: Key, expire: number | null, deadline: number): boolean {
    const k = this.#disk.put(key);
    const now = clockNow();
    return this.#run(deadline, () => {
      const row = this.#q(SELECT_KEY).get(k);
      if (row === undefined || !(row.expire_time === null || row.expire_time > now)) return false;
      this.#q('UPDATE Cache SET expire_time = ? WHERE rowid = ?').run(expire === null ? null : now + expire, row.rowid);
      return true;
    });
  }

  incr(key: Key, delta: number, dflt: number | null, deadline: number): number {
    const k = this.#disk.put(key);
    const now = clockNow();
    return this.#run(deadline, () => {
      const row = this.#q(SELECT_KEY).get(k);
      // diskcache judges incr by "expired" (expire < now), not by "live" (expire > now).
      if (row === undefined || (row.expire_time !== null && row.expire_time < now)) {
        if (dflt === null) throw new KeyError(key);
        // A fresh number: no expiry, no tag; an expired row is replaced in place.
        const value = dflt + delta;
        if (unsafeSum(dflt, delta, value)) throw unsafeIncr(key);
        if (row === undefined) this.#insert(k, now, null, null, numberValue(value));
        else {
          this.#forget(row.filename);
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
      this.#q('UPDATE Cache SET store_time = ?, value = ? WHERE rowid = ?').run(now, numberValue(value).inline, row.rowid);
      return value;
    });
  }

  delete(key: Key, deadline: number): boolean {
    const k = this.#disk.put(key);
    return this.#run(deadline, () => {
      const row = this.#q(SELECT_LIVE).get(k, clockNow());
      return row !== undefined && this.#deleteRows([row]) === 1;
    });
  }

  pop(key: Key, deadline: number): Item | undefined {
    const k = this.#disk.put(key);
    const row = this.#run(deadline, () => {
      const r = this.#q(SELECT_LIVE).get(k, clockNow());
      if (r !== undefined) this.#q(DELETE_ROW).run(r.rowid);
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
    const k = this.#store(deadline, stored, () => {
      const row = this.#q(QUEUE_KEY[+(prefix !== null)][+!front]).get(...args);
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
        const old = this.#q(SELECT_KEY).get(key)!;
        this.#forget(old.filename);
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
      const row = this.#run(deadline, () => {
        const r = this.#q(select).get(...args);
        if (r === undefined) return undefined;
        const expired = r.expire_time !== null && r.expire_time < clockNow();
        if (!remove && !expired) return r;
        if (!expired) {
          this.#q(DELETE_ROW).run(r.rowid); // its file goes once the value is read
          return r;
        }
        this.#deleteRows([r]);
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
      this.#run(deadline, () => this.#q('DELETE FROM Cache WHERE rowid = ? AND filename IS ?').run(row.rowid, row.filename));
    }
  }

  // ---- bulk removal and culling ------------------------------------------------------------------------------------

  /**
   * diskcache's _select_delete: batches of rows (`select` gives rowid and filename), each batch one transaction,
   * while `more()` and rows are left. `after`: the select's first parameter is a rowid to continue from. Timeout
   * carries the count so far (`count` is work done before).
   */
  #selectDelete(select: string, args: unknown[], after: boolean, deadline: number, more = () => true, count = 0): number {
    try {
      while (more()) {
        const n = this.#run(deadline, () => {
          const rows = this.#q(select).all(...args);
          if (after && rows.length > 0) args[0] = rows[rows.length - 1].rowid;
          return this.#deleteRows(rows);
        });
        if (n === 0) break;
        count += n;
      }
    } catch (err) {
      if (err instanceof Timeout) throw new Timeout(count);
      throw err;
    }
    return count;
  }

  expire(now: number, deadline: number): number {
    // diskcache moves the lower bound to the last expire_time seen, which would skip a tie: the rows go anyway.
    const select = 'SELECT rowid, filename FROM Cache WHERE 0 < expire_time AND expire_time < ? ORDER BY expire_time LIMIT ?';
    return this.#selectDelete(select, [now, DELETE_BATCH], false, deadline);
  }

  evict(tag: Key, deadline: number): number {
    const select = 'SELECT rowid, filename FROM Cache WHERE rowid > ? AND tag = ? ORDER BY rowid LIMIT ?';
    return this.#selectDelete(select, [0, encodeKey(tag, 'tag'), DELETE_BATCH], true, deadline);
  }

  clear(deadline: number): number {
    const select = 'SELECT rowid, filename FROM Cache WHERE rowid > ? ORDER BY rowid LIMIT ?';
    return this.#selectDelete(select, [0, DELETE_BATCH], true, deadline);
  }

  cull(deadline: number): number {
    const count = this.expire(clockNow(), deadline);
    const victims = this.#victims;
    if (victims === null) return 0; // diskcache's quirk: the expired count is dropped
    return this.#selectDelete(victims, [CULL_BATCH], false, deadline, () => this.volume() > this.#settings.sizeLimit, count);
  }

  // ---- iteration, transactions, maintenance ---------------------------------------------------------------------

  keys(reverse: boolean): Key[] {
    const rows = this.#q(reverse ? 'SELECT key FROM Cache ORDER BY rowid DESC' : 'SELECT key FROM Cache ORDER BY rowid').all();
    return rows.map((r) => this.#disk.get(r.key));
  }

  sortedKeys(reverse: boolean): Key[] {
    // SQLite orders BLOBs bytewise; diskcache's order (numbers by value first) is compareEncodedKeys'.
    const encoded = this.#q('SELECT key FROM Cache').all().map((r) => r.key as Uint8Array);
    return sortEncodedKeys(encoded, reverse).map((e) => this.#disk.get(e));
  }

  transact<T>(fn: () => T, deadline: number): T {
    if (this.#depth > 0) return fn();
    this.#userTxn = true;
    this.#cullPending = false;
    let result: T;
    try {
      result = this.#run(deadline, fn);
    } finally {
      this.#userTxn = false;
    }
    if (this.#cullPending) {
      this.#cullPending = false;
      try {
        this.#run(this.#defaultDeadline(), () => this.#cull(clockNow()));
      } catch (err) {
        if (!(err instanceof Timeout)) throw err; // culling is best effort; the next write tries again
      }
    }
    return result;
  }

  check(fix: boolean): CheckWarning[] {
    const integrity = this.#db.prepare('PRAGMA integrity_check').all().map((r) => String(Object.values(r)[0]));
    const warnings: CheckWarning[] = integrity.length === 1 && integrity[0] === 'ok' ? []
      : integrity.map((message) => ({ category: 'UserWarning', message }));
    if (fix && this.#depth === 0) this.#retry(() => this.#db.exec('VACUUM'));
    this.#run(this.#defaultDeadline(), () => warnings.push(...checkFiles(this.#db, this.#dir, this.#disk, fix)));
    return warnings;
  }

  stats(reset: boolean): [number, number] {
    const read = (): [number, number] => {
      const rows = this.#q("SELECT key, value FROM Settings WHERE key IN ('hits', 'misses')").all();
      const get = (k: string) => (rows.find((r) => r.key === k)?.value as number | undefined) ?? 0;
      return [get('hits'), get('misses')];
    };
    if (!reset) return read();
    return this.#run(this.#defaultDeadline(), () => {
      const result = read();
      this.#q("UPDATE Settings SET value = 0 WHERE key IN ('hits', 'misses')").run();
      return result;
    });
  }

  /** VACUUM, then a checkpoint that truncates the WAL, so the file sizes show what it saved. */
  compact(): CompactionResult {
    const bytes = () => ['', '-wal'].reduce((n, s) => n + (fs.statSync(path.join(this.#dir, DBNAME + s), { throwIfNoEntry: false })?.size ?? 0), 0);
    const bytesBefore = bytes();
    try {
      retryBusy(this.#defaultDeadline(), () => {
        this.#db.exec('VACUUM');
        this.#db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
      });
    } catch (err) {
      throw mapError(err);
    }
    // `base` is nonzero for "compacted" (0 means another process was at it; SQLite's VACUUM waits instead).
    return { base: 1, items: this.count(), bytesBefore, bytesAfter: bytes() };
  }

  /**
   * undefined when a write would take the write lock at once (or this handle holds it); else a Promise that polls
   * the lock with timers (the event loop runs meanwhile), resolves once it is free and rejects with Timeout past
   * `deadline`. The write that follows may still meet a lock taken in between: it then waits busy_timeout, as
   * diskcache's does.
   */
  waitWritable(deadline: number): Promise<void> | undefined {
    if (this.#depth > 0 || this.#lockFree()) return undefined;
    return (async () => {
      for (let ms = 1; ; ms = Math.min(ms * 2, 16)) {
        if (Date.now() > deadline) throw new Timeout();
        await new Promise((r) => setTimeout(r, ms));
        if (this.#lockFree()) return;
      }
    })();
  }

  /** One try of the write lock that does not wait (busy_timeout 0 for it): BEGIN IMMEDIATE, then ROLLBACK. */
  #lockFree(): boolean {
    this.#db.exec('PRAGMA busy_timeout = 0');
    try {
      this.#q('BEGIN IMMEDIATE').run();
      this.#q('ROLLBACK').run();
      return true;
    } catch (err) {
      if (isBusy(err)) return false;
      throw err;
    } finally {
      this.#db.exec(`PRAGMA busy_timeout = ${Math.round(this.#timeoutMs)}`);
    }
  }

  close(): void {
    this.#db.close();
  }
}
