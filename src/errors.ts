/**
 * Errors (docs/errors.md lists every code). Bad arguments are TypeError/RangeError naming the argument, thrown
 * before anything touches disk. Operational failures are LogcacheError subclasses with a stable `code` and a
 * `cause`. Missing keys follow diskcache: KeyError where Python raises KeyError.
 */

/** Base class of every operational failure; `code` is stable across versions. */
export class LogcacheError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** diskcache's KeyError: a missing key where Python raises (getItem, deleteItem, incr with default null, ...). */
export class KeyError extends LogcacheError {
  readonly key: unknown;
  constructor(key: unknown, message?: string) {
    super('ERR_KEY', message ?? `key not found: ${describe(key)}`);
    this.key = key;
  }
}

/** diskcache's IndexError (Deque). */
export class IndexError extends LogcacheError {
  constructor(message: string) {
    super('ERR_INDEX', message);
  }
}

/** diskcache's Timeout: an operation could not complete within `timeout` seconds. `count` is work done so far. */
export class Timeout extends LogcacheError {
  readonly count: number | undefined;
  constructor(count?: number, message = 'operation timed out') {
    super('ERR_TIMEOUT', message);
    this.count = count;
  }
}

/** The handle was closed. */
export class ClosedError extends LogcacheError {
  constructor(what = 'cache') {
    super('ERR_CLOSED', `${what} is closed`);
  }
}

/** Bytes on disk that do not check out; carries where and why. */
export class CorruptionError extends LogcacheError {
  readonly file: string;
  readonly offset: number;
  readonly bytes: number;
  readonly reason: string;
  constructor(file: string, offset: number, bytes: number, reason: string) {
    super('ERR_CORRUPT', `corrupt data in ${file} at offset ${offset} (${bytes} bytes): ${reason}`);
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
    super('ERR_IO', code ? `${message}: ${code}` : message, { cause });
  }
}

/**
 * A transaction's commit did not apply: its window was closed before the commit reached the log (another process
 * took the owner's lease as expired, or the handle was closed inside `transact`). Nothing of it applied.
 */
export class TransactionAborted extends LogcacheError {
  constructor(message = 'the transaction was aborted before its commit applied; nothing of it applied') {
    super('ERR_TXN_ABORTED', message);
  }
}

/** A call that cannot run inside an open transaction (compact, check with fix): refused, nothing changed. */
export class InTransactionError extends LogcacheError {
  constructor(what: string) {
    super('ERR_IN_TRANSACTION', `${what} cannot run inside transact(); call it after the transaction ends`);
  }
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (Array.isArray(v)) return `[${v.map(describe).join(', ')}]`;
  return String(v);
}
