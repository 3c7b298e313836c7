import { type CheckWarning } from './check.js';
/** A row as both bindings return it: column name to value (BLOBs are Uint8Array; better-sqlite3 gives Buffers). */
export type Row = Record<string, any>;
export interface Statement {
    run(...params: unknown[]): unknown;
    get(...params: unknown[]): Row | undefined;
    all(...params: unknown[]): Row[];
}
export interface Database {
    prepare(sql: string): Statement;
    exec(sql: string): void;
    close(): void;
}
export declare const DBNAME = "cache.db";
/** diskcache's _sql_retry: statements outside a command (opening, settings) retry a locked database this long. */
export declare const SETUP_RETRY_MS = 60000;
/** Opens `file` with the first binding that loads; null when neither does. */
export declare function openDatabase(file: string): Database | null;
/** SQLITE_BUSY: better-sqlite3's code 'SQLITE_BUSY[_*]'; node:sqlite's errcode 5 (extended codes in the high bits). */
export declare function isBusy(err: unknown): boolean;
export declare function isConstraint(err: unknown): boolean;
/** diskcache sleeps 1 ms between attempts on a locked database. */
export declare const sleep1ms: () => void;
/** Runs fn, retrying while the database is busy (each attempt waits busy_timeout), until `deadline`. */
export declare function retryBusy<T>(deadline: number, fn: () => T): T;
/**
 * Opens (creating) `directory`/cache.db as diskcache does: auto_vacuum=FULL before the first table, WAL, the
 * per-connection pragmas, then the schema. Returns null when no binding loads.
 */
export declare function openCacheDb(directory: string, timeoutMs: number, sync: string | undefined): Database | null;
export declare function settingKey(name: string): string;
export declare function settingName(key: string): string;
/** Numbers and strings as themselves, diskcache's booleans as 0/1, anything else as JSON in a BLOB. */
export declare function settingToSql(name: string, value: unknown): unknown;
export declare function settingFromSql(name: string, value: unknown): unknown;
/**
 * diskcache's check() after its integrity check, inside the caller's transaction: every row's value file against
 * the file system, unknown files and empty directories (one walk, top-down), and the counters the triggers keep.
 * With `fix`, repairs each (rows of missing files go; empty parents go too, so a repair leaves nothing to report).
 */
export declare function checkFiles(db: Database, dir: string, disk: {
    remove(relative: string): void;
}, fix: boolean): CheckWarning[];
