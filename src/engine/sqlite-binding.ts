/**
 * The SQLite engine's plumbing: the binding, chosen at call time (`node:sqlite`'s DatabaseSync where the running
 * Node has it, else the optional `better-sqlite3` package), and python-diskcache's `cache.db` layout: its pragmas,
 * schema and Settings table. Both bindings already agree on the little the engine uses (prepare, then run/get/all
 * with positional parameters; exec; close), so the adapter is a pair of interfaces.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SqliteMissingError } from '../errors.js';
import { localRequire } from '../builtin.js';
import { sleepMs } from '../clock.js';
import { fileWarnings, scanFiles, tidyFiles, type CheckWarning } from './check.js';

/** A row as both bindings return it: column name to value (BLOBs are Uint8Array; better-sqlite3 gives Buffers). */
export type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

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

type Constructor = new (file: string) => Database;

export const DBNAME = 'cache.db';
/** diskcache's _sql_retry: statements outside a command (opening, settings) retry a locked database this long. */
export const SETUP_RETRY_MS = 60_000;

// ---- the binding --------------------------------------------------------------------------------------------------

/**
 * The first binding that works, found once per process. better-sqlite3 installed with `--ignore-scripts` loads
 * its JavaScript but fails at its first `new Database` (no native build): it is tried on an in-memory database,
 * so that failure is SqliteMissingError with the bindings error as `cause`, not a raw Error from deep inside.
 * @throws SqliteMissingError when no binding works.
 */
function binding(): Constructor {
  if (found !== undefined) return found;
  const native = nodeSqlite();
  if (native !== null) return (found = native);
  const name = 'better-sqlite3'; // through a variable, so that esbuild leaves it out of the bundles
  let Better: Constructor;
  try {
    Better = localRequire()(name) as Constructor;
  } catch (err) {
    throw new SqliteMissingError(err);
  }
  try {
    new Better(':memory:').close();
  } catch (err) {
    throw new SqliteMissingError(err); // installed, not built (or built for another Node)
  }
  return (found = Better);
}
let found: Constructor | undefined;

/** Opens `file` with the first binding that works. @throws SqliteMissingError when none does. */
export function openDatabase(file: string): Database {
  return new (binding())(file);
}

function nodeSqlite(): Constructor | null {
  try {
    // getBuiltinModule (Node 22.3+) skips the import machinery; before 22.13 node:sqlite needs a flag, and without
    // it this throws or answers undefined.
    const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    const mod = (getBuiltin ? getBuiltin('node:sqlite') : localRequire()('node:sqlite')) as { DatabaseSync?: Constructor } | undefined;
    return mod?.DatabaseSync ?? null;
  } catch {
    return null;
  }
}


/** SQLITE_BUSY: better-sqlite3's code 'SQLITE_BUSY[_*]'; node:sqlite's errcode 5 (extended codes in the high bits). */
export function isBusy(err: unknown): boolean {
  const e = err as { code?: unknown; errcode?: unknown } | null;
  return (typeof e?.code === 'string' && e.code.startsWith('SQLITE_BUSY')) || (typeof e?.errcode === 'number' && (e.errcode & 0xff) === 5) ||
    (err instanceof Error && err.message.includes('database is locked'));
}

export function isConstraint(err: unknown): boolean {
  const e = err as { code?: unknown; errcode?: unknown } | null;
  return (typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT')) || (typeof e?.errcode === 'number' && (e.errcode & 0xff) === 19);
}

/** diskcache sleeps 1 ms between attempts on a locked database. */
export const sleep1ms = (): void => sleepMs(1);

/** Runs fn, retrying while the database is busy (each attempt waits busy_timeout), until `deadline`. */
export function retryBusy<T>(deadline: number, fn: () => T): T {
  for (;;) {
    try {
      return fn();
    } catch (err) {
      if (!isBusy(err) || Date.now() >= deadline) throw err;
      sleep1ms();
    }
  }
}

// ---- diskcache's cache.db -------------------------------------------------------------------------------------------

// The triggers quote 'count' and 'size' as strings. diskcache writes "count", which SQLite reads as a string only
// where double-quoted strings are on; better-sqlite3 builds without them.
const TRIGGERS = [
  ['count_insert', 'INSERT', "value + 1 WHERE key = 'count'"], ['count_delete', 'DELETE', "value - 1 WHERE key = 'count'"],
  ['size_insert', 'INSERT', "value + NEW.size WHERE key = 'size'"], ['size_update', 'UPDATE', "value + NEW.size - OLD.size WHERE key = 'size'"],
  ['size_delete', 'DELETE', "value - OLD.size WHERE key = 'size'"],
].map(([name, event, set]) => [`Settings_${name}`,
  `CREATE TRIGGER IF NOT EXISTS Settings_${name} AFTER ${event} ON Cache FOR EACH ROW BEGIN UPDATE Settings SET value = ${set}; END`]);
const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS Settings ( key TEXT NOT NULL UNIQUE, value)',
  "INSERT OR IGNORE INTO Settings VALUES ('count', 0), ('size', 0), ('hits', 0), ('misses', 0)",
  // diskcache keeps its pragmas as settings too; written once, they tell diskcache what this file uses.
  "INSERT OR IGNORE INTO Settings VALUES ('sqlite_auto_vacuum', 1), ('sqlite_cache_size', 8192), " +
    "('sqlite_journal_mode', 'wal'), ('sqlite_mmap_size', 67108864), ('sqlite_synchronous', 1)",
  'CREATE TABLE IF NOT EXISTS Cache ( rowid INTEGER PRIMARY KEY, key BLOB, raw INTEGER, store_time REAL, expire_time REAL,' +
    ' access_time REAL, access_count INTEGER DEFAULT 0, tag BLOB, size INTEGER DEFAULT 0, mode INTEGER DEFAULT 0,' +
    ' filename TEXT, value BLOB)',
  'CREATE UNIQUE INDEX IF NOT EXISTS Cache_key_raw ON Cache(key, raw)',
  'CREATE INDEX IF NOT EXISTS Cache_expire_time ON Cache (expire_time) WHERE expire_time IS NOT NULL',
  ...TRIGGERS.map(([, sql]) => sql),
];
const SCHEMA_NAMES = ['Settings', 'Cache', ...TRIGGERS.map(([name]) => name)];

/**
 * Opens (creating) `directory`/cache.db as diskcache does: auto_vacuum=FULL before the first table, WAL, the
 * per-connection pragmas, then the schema. @throws SqliteMissingError when no binding works (before the
 * directory is created).
 */
export function openCacheDb(directory: string, timeoutMs: number, sync: string | undefined): Database {
  binding();
  fs.mkdirSync(directory, { recursive: true });
  const db = openDatabase(path.join(directory, DBNAME));
  try {
    const pragma = (name: string) => Object.values(db.prepare(`PRAGMA ${name}`).get() ?? {})[0];
    db.exec(`PRAGMA busy_timeout = ${Math.round(timeoutMs)}`);
    const deadline = Date.now() + SETUP_RETRY_MS;
    retryBusy(deadline, () => {
      // diskcache sets a pragma only when it differs: auto_vacuum takes only before the first table, and
      // journal_mode=wal persists in the file (and needs a lock to change).
      const empty = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table'").get() === undefined;
      if (empty && pragma('auto_vacuum') !== 1) db.exec('PRAGMA auto_vacuum = 1');
      if (String(pragma('journal_mode')).toLowerCase() !== 'wal') pragma('journal_mode = wal');
    });
    db.exec(`PRAGMA synchronous = ${sync === 'always' ? 'FULL' : 'NORMAL'}`);
    db.exec('PRAGMA cache_size = 8192');
    db.exec('PRAGMA mmap_size = 67108864');
    // The schema in one transaction, unless it is all there (so a reopen takes no write lock). Triggers diskcache
    // wrote with "count" are replaced: they fail where double-quoted strings are off.
    const have = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'trigger')").all();
    const stale = have.filter((r) => r.type === 'trigger' && String(r.sql).includes('"'));
    const present = new Set(have.filter((r) => !stale.includes(r)).map((r) => r.name as string));
    if (!SCHEMA_NAMES.every((n) => present.has(n))) {
      retryBusy(deadline, () => db.exec('BEGIN IMMEDIATE'));
      try {
        for (const r of stale) db.exec(`DROP TRIGGER IF EXISTS ${r.name as string}`);
        for (const sql of SCHEMA) db.exec(sql);
        db.exec('COMMIT');
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

// Settings: the Cache facade's names are camelCase, diskcache's snake_case. Known settings and disk* ones are
// stored under diskcache's names so either library reads the other's; any other name is stored as given.
const TO_DISKCACHE = new Map([['tagIndex', 'tag_index'], ['evictionPolicy', 'eviction_policy'], ['sizeLimit', 'size_limit'], ['cullLimit', 'cull_limit']]);
const FROM_DISKCACHE = new Map([...TO_DISKCACHE].map(([a, b]) => [b, a]));
const BOOLEAN_SETTINGS = new Set(['statistics', 'tagIndex']);

export function settingKey(name: string): string {
  return TO_DISKCACHE.get(name) ?? (/^disk[A-Z]/.test(name) ? name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()) : name);
}

export function settingName(key: string): string {
  return FROM_DISKCACHE.get(key) ?? (key.startsWith('disk_') ? key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : key);
}

/** Numbers and strings as themselves, diskcache's booleans as 0/1, anything else as JSON in a BLOB. */
export function settingToSql(name: string, value: unknown): unknown {
  // Integers go as BigInt to be stored as INTEGER, as diskcache's are (both bindings bind a number as REAL).
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof value === 'string' || value === null) return value;
  if (typeof value === 'boolean' && BOOLEAN_SETTINGS.has(name)) return value ? 1n : 0n;
  return Buffer.from(JSON.stringify(value) ?? 'null');
}

export function settingFromSql(name: string, value: unknown): unknown {
  if (BOOLEAN_SETTINGS.has(name) && typeof value === 'number') return value !== 0;
  if (!(value instanceof Uint8Array)) return value;
  try {
    return JSON.parse(Buffer.from(value).toString('utf8'));
  } catch {
    return Buffer.from(value);
  }
}

/**
 * diskcache's check() after its integrity check, inside the caller's transaction: every row's value file against
 * the file system, unknown files and empty directories (one walk, top-down), and the counters the triggers keep.
 * With `fix`, repairs each (rows of missing files go; empty parents go too, so a repair leaves nothing to report).
 */
export function checkFiles(db: Database, dir: string, disk: { remove(relative: string): void }, fix: boolean): CheckWarning[] {
  const warnings: CheckWarning[] = [];
  const warn = (category: string, message: string) => warnings.push({ category, message });
  const referenced = new Set<string>();
  for (const r of db.prepare('SELECT rowid, size, filename FROM Cache WHERE filename IS NOT NULL').all()) {
    const full = path.join(dir, r.filename);
    referenced.add(path.normalize(r.filename));
    const size = fs.statSync(full, { throwIfNoEntry: false })?.size;
    if (size === undefined) {
      warn('UserWarning', `file not found: ${full}`);
      if (fix) db.prepare('DELETE FROM Cache WHERE rowid = ?').run(r.rowid);
    } else if (size !== r.size) {
      warn('UserWarning', `wrong file size: ${full}, ${size} != ${r.size}`);
      if (fix) db.prepare('UPDATE Cache SET size = ? WHERE rowid = ?').run(size, r.rowid);
    }
  }
  const scan = scanFiles(fs, dir, referenced, (name) => (name.startsWith(DBNAME) ? 'engine' : 'other'));
  warnings.push(...fileWarnings(dir, scan));
  const count = db.prepare('SELECT COUNT(key) AS n FROM Cache').get()!.n as number;
  const size = db.prepare('SELECT COALESCE(SUM(size), 0) AS n FROM Cache').get()!.n as number;
  for (const [name, actual, what] of [['count', count, 'COUNT(Cache.key)'], ['size', size, 'SUM(Cache.size)']] as const) {
    const stored = db.prepare('SELECT value FROM Settings WHERE key = ?').get(name)!.value as number;
    if (stored === actual) continue;
    warn('UserWarning', `Settings.${name} != ${what}; ${stored} != ${actual}`);
    if (fix) db.prepare('UPDATE Settings SET value = ? WHERE key = ?').run(actual, name);
  }
  if (!fix) return warnings;
  tidyFiles(fs, dir, scan, disk);
  return warnings;
}
