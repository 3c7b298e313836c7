/**
 * Errors. Bad arguments are TypeError/RangeError naming the argument, thrown before anything touches disk.
 * Operational failures are LogcacheError subclasses with a stable `code` from ERROR_CODES (the one table of codes;
 * docs/errors.md renders it). Every code starts with `LOGCACHE_`, so none can be mistaken for Node's own `ERR_*`
 * codes. Missing keys follow diskcache: KeyError where Python raises KeyError.
 */

/** Every code a LogcacheError can carry, with what it means. Codes are stable across versions. */
export const ERROR_CODES = {
  LOGCACHE_KEY: 'KeyError: the key is missing (or expired) where diskcache raises KeyError.',
  LOGCACHE_INDEX: 'IndexError: a Deque index is out of range, or the deque is empty.',
  LOGCACHE_TIMEOUT: 'Timeout: another process held the shard (or a recipe lock) longer than the timeout allowed.',
  LOGCACHE_CLOSED: 'ClosedError: a method was called on a closed Cache, FanoutCache, Deque or Index.',
  LOGCACHE_CORRUPT: 'CorruptionError: bytes on disk do not check out (file, offset, bytes and reason attached).',
  LOGCACHE_IO: 'IOError: a file-system call failed; `cause` is Node\'s error (its own `code`, such as ENOSPC).',
  LOGCACHE_TXN_ABORTED: 'TransactionAborted: a commit did not apply (its window was closed first: the lease ran out, or close() inside transact); nothing of it applied.',
  LOGCACHE_IN_TRANSACTION: 'InTransactionError: compact() or check({ fix: true }) called inside transact(); refused, nothing changed.',
  LOGCACHE_SQLITE_MISSING: "SqliteMissingError: engine 'sqlite' found no working SQLite binding (not installed, or installed but not built).",
  LOGCACHE_NEWER_FORMAT: 'NewerFormatError: a log file is in a newer format than this logcache reads.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Base class of every operational failure; `code` is one of ERROR_CODES and stable across versions. */
export class LogcacheError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** diskcache's KeyError: a missing key where Python raises (getItem, deleteItem, incr with default null, ...). */
export class KeyError extends LogcacheError {
  readonly key: unknown;
  constructor(key: unknown, message?: string) {
    super('LOGCACHE_KEY', message ?? `key not found: ${describe(key)}`);
    this.key = key;
  }
}

/** diskcache's IndexError (Deque). */
export class IndexError extends LogcacheError {
  constructor(message: string) {
    super('LOGCACHE_INDEX', message);
  }
}

/** diskcache's Timeout: an operation could not complete within `timeout` seconds. `count` is work done so far. */
export class Timeout extends LogcacheError {
  readonly count: number | undefined;
  constructor(count?: number, message = 'operation timed out') {
    super('LOGCACHE_TIMEOUT', message);
    this.count = count;
  }
}

/** The handle was closed: every method of a closed Cache, FanoutCache, Deque or Index throws it (close() excepted). */
export class ClosedError extends LogcacheError {
  constructor(what = 'cache') {
    super('LOGCACHE_CLOSED', `${what} is closed`);
  }
}

/** Bytes on disk that do not check out; carries where and why. */
export class CorruptionError extends LogcacheError {
  readonly file: string;
  readonly offset: number;
  readonly bytes: number;
  readonly reason: string;
  constructor(file: string, offset: number, bytes: number, reason: string) {
    super('LOGCACHE_CORRUPT', `corrupt data in ${file} at offset ${offset} (${bytes} bytes): ${reason}`);
    this.file = file;
    this.offset = offset;
    this.bytes = bytes;
    this.reason = reason;
  }
}

/** A file-system call failed (EIO, ENOSPC, EACCES, ...); `cause` is Node's error. */
export class IOError extends LogcacheError {
  constructor(message: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    super('LOGCACHE_IO', code ? `${message}: ${code}` : message, { cause });
  }
}

/**
 * engine: 'sqlite' found no working SQLite binding: neither `node:sqlite` (Node 22.5+) nor a loadable
 * `better-sqlite3` (installed and built). `cause` is the binding's own load error when there was one.
 */
export class SqliteMissingError extends LogcacheError {
  constructor(cause?: unknown) {
    super('LOGCACHE_SQLITE_MISSING', "engine: 'sqlite' needs a SQLite binding: run Node.js 22.5 or later (node:sqlite), or " +
      '`npm install better-sqlite3` with its native build (not --ignore-scripts; `npm rebuild better-sqlite3` builds it)',
    cause === undefined ? undefined : { cause });
  }
}

/**
 * A transaction's commit did not apply: its window was closed before the commit reached the log (another process
 * took the owner's lease as expired, or the handle was closed inside `transact`). Nothing of it applied.
 */
export class TransactionAborted extends LogcacheError {
  constructor(message = 'the transaction was aborted before its commit applied; nothing of it applied') {
    super('LOGCACHE_TXN_ABORTED', message);
  }
}

/** A call that cannot run inside an open transaction (compact, check with fix): refused, nothing changed. */
export class InTransactionError extends LogcacheError {
  constructor(what: string) {
    super('LOGCACHE_IN_TRANSACTION', `${what} cannot run inside transact(); call it after the transaction ends`);
  }
}

/** A log file a newer logcache wrote (not damage): nothing was changed, and the handle throws it from then on. */
export class NewerFormatError extends LogcacheError {
  readonly file: string;
  readonly version: number;
  readonly supported: number;
  constructor(file: string, version: number, supported: number) {
    super('LOGCACHE_NEWER_FORMAT', `${file} is in format version ${version}, newer than this logcache reads (${supported}): upgrade logcache in every process that shares this directory`);
    this.file = file;
    this.version = version;
    this.supported = supported;
  }
}

/** A file-system error (one with a string `code`) as an IOError; anything else (a TypeError, a LogcacheError) as is. */
export function asIOError(err: unknown, what: string): unknown {
  if (err instanceof LogcacheError || typeof (err as NodeJS.ErrnoException | null)?.code !== 'string') return err;
  return new IOError(what, err);
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (Array.isArray(v)) return `[${v.map(describe).join(', ')}]`;
  return String(v);
}
