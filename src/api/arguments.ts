/**
 * Argument checks for the public classes: each throws TypeError/RangeError naming the argument, before anything
 * touches disk. Also the record-size bounds a write is checked against (a key, tag and inline value share one
 * record).
 */
import { Disk } from '../format/disk.js';
import { Key, encodeKey, typeName } from '../format/keys.js';
import { MAX_BODY_BYTES } from '../format/frame.js';
import { RECORD_FIXED_BYTES } from '../format/record.js';
import { KeyError } from '../errors.js';

/**
 * Bytes of key, tag and inline value one record can carry: a frame's body is at most MAX_BODY_BYTES, and a longer
 * frame would read back as corrupt (every reader, the writer included, would wait at it forever).
 */
export const MAX_RECORD_BYTES = MAX_BODY_BYTES - RECORD_FIXED_BYTES;

export function tooLarge(name: string, bytes: number): RangeError {
  return new RangeError(`${name} is too large: the record would carry ${bytes} bytes of key, tag and inline value; ` +
    `one record holds at most ${MAX_RECORD_BYTES}`);
}

/**
 * `extra` plus the UTF-8 bytes of `s`, bounded by 3 per UTF-16 unit without encoding; exact when that bound would
 * pass the record limit (so only a string that really is too long is refused).
 */
export function utf8Bound(s: string, extra: number): number {
  const bound = extra + 3 * s.length;
  return bound > MAX_RECORD_BYTES ? extra + Buffer.byteLength(s) : bound;
}

/** An upper bound of a key's encoded size, without encoding strings or bytes (a UTF-16 unit is at most 3 UTF-8 bytes). */
export function sizeBound(key: Key): number {
  if (typeof key === 'string') return 3 * key.length + 1;
  if (key instanceof Uint8Array) return 1 + key.length;
  if (typeof key === 'number' || typeof key === 'boolean' || key === null) return 9;
  return encodeKey(key).length;
}

/** encodeKey(key).length, without encoding strings or bytes. */
export function encodedSize(key: Key): number {
  if (typeof key === 'string') return 1 + Buffer.byteLength(key);
  return key instanceof Uint8Array ? 1 + key.length : encodeKey(key).length;
}

export function checkExpire(expire: unknown, name = 'expire'): number | null {
  if (expire === undefined || expire === null) return null;
  if (typeof expire !== 'number' || Number.isNaN(expire)) throw new TypeError(`${name} must be a number of seconds or null; got ${String(expire)}`);
  return expire;
}

export function checkTag(tag: unknown): Key | null {
  if (tag === undefined || tag === null) return null;
  const bytes = tag instanceof Uint8Array ? 1 + tag.length : encodeKey(tag as Key, 'tag').length; // validates
  if (bytes > MAX_RECORD_BYTES) throw tooLarge('tag', bytes);
  return tag as Key;
}

/** Options come as one object (`{ expire: 60 }`): a bare number, as Python's positional `expire`/`delta`/`default`, is refused, not ignored. */
export function checkOptions(opts: unknown, name = 'options'): void {
  if (typeof opts !== 'object' || opts === null) {
    throw new TypeError(`${name} must be an object such as { expire: 60 }; got ${opts === null ? 'null' : typeName(opts)}`);
  }
}

/** diskcache's transact is synchronous: an async callback's writes would land after the transaction ended. */
export function checkTxnFn(fn: unknown): void {
  if (typeof fn !== 'function') throw new TypeError(`fn must be a function; got ${typeName(fn)}`);
  if (fn.constructor?.name === 'AsyncFunction') throw new TypeError('fn must be synchronous: transact cannot hold a transaction across an await');
}

export function checkSide(side: unknown, dflt: 'front' | 'back'): 'front' | 'back' {
  if (side === undefined) return dflt;
  if (side !== 'back' && side !== 'front') throw new KeyError(side, `side must be 'back' or 'front'; got ${String(side)}`);
  return side;
}

export function checkPrefix(prefix: unknown): string | null {
  if (prefix === undefined || prefix === null) return null;
  if (typeof prefix !== 'string') throw new TypeError('prefix must be a string or null');
  return prefix;
}

export function isStream(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v; // a Readable is async-iterable
}

/** With `read`, a value is bytes: a stream (or async iterable) of chunks, or a Uint8Array (diskcache: a file object). */
export function checkReadValue(value: unknown): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`value must be a readable stream or a Uint8Array with read: true; got ${typeName(value)}`);
}

/**
 * A constructor's directory argument: a string, or undefined/null for a fresh temporary directory. An empty string
 * is refused (it would open the current directory, whose files are not the cache's; python-diskcache refuses it
 * too), and so is one with a NUL.
 */
export function checkDirectory(directory: unknown, name = 'directory'): string | undefined {
  if (directory === undefined || directory === null) return undefined;
  if (typeof directory !== 'string') {
    throw new TypeError(`${name} must be a string (a directory path) or undefined; got ${typeName(directory)}`);
  }
  if (directory === '') throw new TypeError(`${name} must not be empty (it would open the current directory); pass undefined for a temporary one`);
  if (directory.includes('\0')) throw new TypeError(`${name} must not contain NUL`);
  return directory;
}

/** A constructor's options argument: undefined or a plain object (not a path string, not an array). */
export function checkConstructorOptions<T extends object>(options: unknown, name = 'options'): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const hint = typeof options === 'string' ? ' (a directory goes in { directory }, or first for Cache and Index)' : '';
    throw new TypeError(`${name} must be an object; got ${options === null ? 'null' : typeName(options)}${hint}`);
  }
  return options as T;
}

/** The handle options Cache checks (settings are checked by settings.ts): the timeout in seconds, validated. */
export function checkHandleOptions(options: { timeout?: unknown; disk?: unknown; sync?: unknown; segmentBytes?: unknown; compactMinBytes?: unknown; throttleWrites?: unknown; engine?: unknown }, defaultTimeout: number): number {
  const timeout = options.timeout ?? defaultTimeout;
  if (typeof timeout !== 'number' || !(timeout >= 0)) throw new RangeError(`timeout must be a number of seconds >= 0; got ${String(timeout)}`);
  const DiskClass = options.disk ?? Disk;
  if (typeof DiskClass !== 'function' || !(DiskClass === Disk || DiskClass.prototype instanceof Disk)) {
    throw new TypeError('disk must be Disk or a subclass of Disk (the class, not an instance)');
  }
  if (options.sync !== undefined && !['none', 'interval', 'always'].includes(options.sync as string)) {
    throw new RangeError(`sync must be 'none', 'interval' or 'always'; got ${String(options.sync)}`);
  }
  for (const name of ['segmentBytes', 'compactMinBytes'] as const) {
    const v = options[name];
    const min = name === 'segmentBytes' ? 1 : 0;
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < min)) {
      throw new RangeError(`${name} must be a finite number of bytes >= ${min}; got ${String(v)}`);
    }
  }
  if (options.throttleWrites !== undefined && typeof options.throttleWrites !== 'boolean') {
    throw new TypeError(`throttleWrites must be true or false; got ${String(options.throttleWrites)}`);
  }
  if (options.engine !== undefined && options.engine !== 'log' && options.engine !== 'sqlite') {
    throw new RangeError(`engine must be 'log' or 'sqlite'; got ${String(options.engine)}`);
  }
  return timeout;
}

/** The transactionLease option: seconds (default 10), finite and > 0. */
export function checkTransactionLease(lease: unknown = 10): number {
  if (typeof lease !== 'number' || !Number.isFinite(lease) || !(lease > 0)) {
    throw new RangeError(`transactionLease must be a finite number of seconds > 0; got ${String(lease)}`);
  }
  return lease;
}

/** incr's delta and default: numbers or bigints (default may be null: a missing key is then a KeyError). */
export function checkIncr(delta: unknown, dflt: unknown): void {
  if (typeof delta !== 'bigint' && (typeof delta !== 'number' || !Number.isFinite(delta))) {
    throw new TypeError(`delta must be a finite number or a bigint; got ${String(delta)}`);
  }
  if (dflt !== null && typeof dflt !== 'bigint' && (typeof dflt !== 'number' || !Number.isFinite(dflt))) {
    throw new TypeError(`default must be a finite number, a bigint or null; got ${String(dflt)}`);
  }
}
