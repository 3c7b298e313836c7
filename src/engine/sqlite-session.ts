/**
 * The SQLite engine's connection (./sqlite-engine.ts): prepared statements, diskcache's _transact (BEGIN IMMEDIATE
 * retried until a deadline, COMMIT or ROLLBACK) and _sql_retry, the value files a transaction leaves to delete
 * (replaced items' at the commit, its own writes' on a rollback), and the write lock's probe. Runs what the engine
 * asks on its database and deletes value files; knows no cache semantics (no reads, culls or queues of its own).
 */
import { Timeout } from '../errors.js';
import type { Disk, StoredValue } from '../format/disk.js';
import { Database, Row, SETUP_RETRY_MS, Statement, isBusy, retryBusy } from './sqlite-binding.js';
import { DELETE_ROW } from './sqlite-statements.js';

/** SQLITE_BUSY past the deadline is diskcache's Timeout; everything else passes through. */
export function mapError(err: unknown): unknown {
  return isBusy(err) ? new Timeout() : err;
}

export class SqliteSession {
  readonly db: Database;
  readonly #timeoutMs: number;
  readonly #stmts = new Map<string, Statement>();
  /** The Disk whose value files the transactions delete: set by the engine once its setup has given it. */
  disk!: Disk;
  /** 1 while a transaction is open (ours or the caller's): nested writes join it. */
  #depth = 0;
  /** Value files of replaced or removed items, deleted once the transaction commits (diskcache's cleanup). */
  #cleanup: string[] = [];
  /** Value files written for the open transaction, deleted if it rolls back. */
  #written: string[] = [];

  constructor(db: Database, timeoutMs: number) {
    this.db = db;
    this.#timeoutMs = timeoutMs;
  }

  /** Whether a transaction is open (ours or the caller's). */
  get inTxn(): boolean {
    return this.#depth > 0;
  }

  /** A prepared statement, prepared on first use. */
  q(sql: string): Statement {
    let s = this.#stmts.get(sql);
    if (s === undefined) this.#stmts.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /** A one-row read; SQLITE_BUSY (rare in WAL mode) is a Timeout. */
  read(sql: string, ...params: unknown[]): Row | undefined {
    try {
      return this.q(sql).get(...params);
    } catch (err) {
      throw mapError(err);
    }
  }

  /** diskcache's _sql_retry: a statement outside a command retries a locked database for 60 s. */
  retry<T>(fn: () => T): T {
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
  run<T>(deadline: number, fn: () => T): T {
    if (this.#depth > 0) return fn();
    let result: T;
    try {
      retryBusy(deadline, () => this.q('BEGIN IMMEDIATE').run());
      this.#depth = 1;
      result = fn();
      if (result instanceof Promise) throw new TypeError('transact takes a synchronous function (it returned a Promise)');
      this.q('COMMIT').run();
    } catch (err) {
      if (this.#depth > 0) {
        try { this.q('ROLLBACK').run(); } catch { /* SQLite rolled back already (on SQLITE_FULL, say) */ }
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
    for (const f of remove) this.disk.remove(f);
  }

  /** A storing command: registers its new value file (removed if the command fails), then runs as run(). */
  store<T>(deadline: number, stored: StoredValue, fn: () => T): T {
    if (stored.filename !== null) this.#written.push(stored.filename);
    return this.run(deadline, fn);
  }

  /** A value file to delete once the open transaction commits. */
  forget(filename: string | null): void {
    if (filename !== null) this.#cleanup.push(filename);
  }

  /** Deletes rows (rowid, filename) in the open transaction; their files go at the commit. */
  deleteRows(rows: Row[]): number {
    for (const r of rows) {
      this.q(DELETE_ROW).run(r.rowid);
      this.forget(r.filename);
    }
    return rows.length;
  }

  /**
   * diskcache's _select_delete: batches of rows (`select` gives rowid and filename), each batch one transaction,
   * while `more()` and rows are left. `after`: the select's first parameter is a rowid to continue from. Timeout
   * carries the count so far (`count` is work done before).
   */
  selectDelete(select: string, args: unknown[], after: boolean, deadline: number, more = () => true, count = 0): number {
    try {
      while (more()) {
        const n = this.run(deadline, () => {
          const rows = this.q(select).all(...args);
          if (after && rows.length > 0) args[0] = rows[rows.length - 1].rowid;
          return this.deleteRows(rows);
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

  /** VACUUM, then a checkpoint that truncates the WAL; retried while the database is busy, until `deadline`. */
  vacuum(deadline: number): void {
    try {
      retryBusy(deadline, () => {
        this.db.exec('VACUUM');
        this.db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
      });
    } catch (err) {
      throw mapError(err);
    }
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
    this.db.exec('PRAGMA busy_timeout = 0');
    try {
      this.q('BEGIN IMMEDIATE').run();
      this.q('ROLLBACK').run();
      return true;
    } catch (err) {
      if (isBusy(err)) return false;
      throw err;
    } finally {
      this.db.exec(`PRAGMA busy_timeout = ${Math.round(this.#timeoutMs)}`);
    }
  }
}
