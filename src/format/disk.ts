/**
 * Values (docs/format.md, "Values"): diskcache's Disk, which turns keys into bytes and values into bytes or files.
 *
 * Strings, numbers and byte arrays are stored raw (never CBOR: a 4 KiB Buffer through cbor-x costs ~1k ops/s);
 * everything else is CBOR. A value of `minFileSize` bytes or more goes to its own file `ab/cd/<28 hex>.val`.
 * Every check runs before a file is written, so a bad value leaves nothing behind.
 */
import nodeFs from 'node:fs';
import path from 'node:path';
import { builtin, randomBytes } from '../builtin.js';
import { KEY_BYTES, Key, decodeKey, encodeKey, hashEncodedKey, isWellFormed, typeName } from './keys.js';
import { decodeCbor, encodeCbor } from './cbor.js';
import { isValueFileName } from './names.js';
import { CorruptionError } from '../errors.js';

/** Inline bytes (a Uint8Array/Buffer below `minFileSize`); fetched as a Buffer. */
export const MODE_RAW_BYTES = 1;
/** Inline UTF-8 text (a well-formed string shorter than `minFileSize` characters). */
export const MODE_RAW_TEXT = 2;
/** Inline f64 little-endian: any number, never a file. */
export const MODE_RAW_NUMBER = 3;
/** Inline CBOR (cbor-x) for every other value. */
export const MODE_CBOR = 4;
/** A file of raw bytes: a large Uint8Array, or anything stored with `read: true`. */
export const MODE_BINARY_FILE = 5;
/** A UTF-8 text file. */
export const MODE_TEXT_FILE = 6;
/** A CBOR file. */
export const MODE_CBOR_FILE = 7;
/** Inline UTF-16LE text: a string with lone surrogates, which UTF-8 would turn into U+FFFD. */
export const MODE_TEXT16 = 8;
/** A UTF-16LE text file. */
export const MODE_TEXT16_FILE = 9;
/** Inline zlib-compressed JSON (JSONDisk). */
export const MODE_JSON = 10;
/** A file of zlib-compressed JSON (JSONDisk). */
export const MODE_JSON_FILE = 11;

/** node:zlib, loaded by JSONDisk's first use. */
const zlib = () => builtin<typeof import('node:zlib')>('node:zlib');

const FILE_MODES = new Set([MODE_BINARY_FILE, MODE_TEXT_FILE, MODE_CBOR_FILE, MODE_TEXT16_FILE, MODE_JSON_FILE]);

/** How a value was stored: `inline` bytes for the record, or `filename` relative to the directory. */
export interface StoredValue {
  mode: number;
  /** Bytes in the value file; 0 for inline values (as diskcache). */
  size: number;
  filename: string | null;
  inline: Uint8Array | null;
}

/** Disk settings; the cache passes each `disk*` setting without the prefix (`diskMinFileSize` → `minFileSize`). */
export interface DiskOptions {
  /** Values of this many bytes (strings: characters) or more go to their own file. Default 2**15 (32 KiB). */
  minFileSize?: number;
  /** The file-system calls to make (the cache passes its own `fs` option; tests inject faults through it). */
  fs?: typeof nodeFs;
  [extra: string]: unknown;
}

/** diskcache tries opening a value file 10 times: a concurrent remove() may delete its fresh parent directory. */
const OPEN_ATTEMPTS = 10;


/**
 * diskcache's Disk: encodes keys (`put`/`get`/`hash`), stores and fetches values (`store`/`fetch`), names and
 * removes value files (`filename`/`remove`). Subclass it to change any of these; the cache takes the class.
 */
export class Disk {
  /** The cache directory (absolute); value files live below it. */
  readonly directory: string;
  /** Values of this many bytes (strings: characters) or more go to their own file. */
  minFileSize: number;
  /** The file-system calls value files go through (`options.fs`, else node:fs). */
  protected readonly fs: typeof nodeFs;
  /** The directory's real path (symbolic links resolved), once a value file has needed it. */
  #realDirectory: string | null = null;

  /**
   * @param directory the cache directory.
   * @param options `minFileSize` (bytes, default 2**15); other keys are for subclasses.
   * @throws RangeError when `minFileSize` is not a number >= 0.
   */
  /** @throws TypeError naming `directory` (not a string) or `options` (not an object); RangeError naming `minFileSize`. */
  constructor(directory: string, options: DiskOptions = {}) {
    if (typeof directory !== 'string') throw new TypeError(`directory must be a string; got ${typeName(directory)}`);
    if (typeof options !== 'object' || options === null) throw new TypeError(`options must be an object; got ${options === null ? 'null' : typeName(options)}`);
    const minFileSize = options.minFileSize ?? 2 ** 15;
    if (typeof minFileSize !== 'number' || !(minFileSize >= 0)) {
      throw new RangeError(`minFileSize must be a number of bytes >= 0; got ${String(minFileSize)}`);
    }
    this.directory = path.resolve(directory);
    this.minFileSize = minFileSize;
    this.fs = options.fs ?? nodeFs;
  }

  /** Encodes a key ({@link encodeKey}). @throws TypeError/RangeError naming `key` for a bad key. */
  put(key: Key): Buffer {
    return encodeKey(key);
  }

  /** Decodes a key that `put` encoded ({@link decodeKey}). */
  get(bytes: Uint8Array): Key {
    return decodeKey(bytes);
  }

  /** The shard-routing hash of an encoded key: CRC32C, an unsigned 32-bit integer stable across processes. */
  hash(bytes: Uint8Array): number {
    return hashEncodedKey(bytes);
  }

  /**
   * Stores a value, synchronously. Numbers: inline f64 (-0, NaN and ±Infinity included). Strings: UTF-8, or
   * UTF-16LE when they hold lone surrogates, inline below `minFileSize` characters, else a text file. Uint8Array:
   * inline below `minFileSize` bytes, else a binary file; always a binary file when `read` is true. Anything
   * else: CBOR, inline below `minFileSize` bytes, else a CBOR file.
   *
   * @param value the value.
   * @param read diskcache's `read=True`: byte arrays always go to a file (streams go through `storeStream`).
   * @param key the item's key, passed on to `filename()`; undefined when not known yet (push).
   * @throws TypeError naming `value` for what CBOR cannot keep faithfully (functions, symbols, class instances,
   *   ...) or for a non-Uint8Array with `read`, before any file is written; the fs error if writing a file fails.
   */
  store(value: unknown, read: boolean, key?: Key): StoredValue {
    if (typeof value === 'number') {
      const bytes = Buffer.allocUnsafe(8);
      bytes.writeDoubleLE(value);
      return inline(MODE_RAW_NUMBER, bytes);
    }
    if (typeof value === 'string') {
      const utf8 = isWellFormed(value);
      const bytes = Buffer.from(value, utf8 ? 'utf8' : 'utf16le');
      if (value.length < this.minFileSize) return inline(utf8 ? MODE_RAW_TEXT : MODE_TEXT16, bytes);
      return this.writeFile(utf8 ? MODE_TEXT_FILE : MODE_TEXT16_FILE, bytes, key, value);
    }
    if (value instanceof Uint8Array) {
      // No copy: the engine copies inline bytes into the record's frame before set() returns.
      if (!read && value.length < this.minFileSize) return inline(MODE_RAW_BYTES, value);
      return this.writeFile(MODE_BINARY_FILE, value, key, value);
    }
    if (read) {
      throw new TypeError(`value must be a Uint8Array (streams go to storeStream) with read; got ${typeName(value)}`);
    }
    const bytes = encodeCbor(value);
    if (bytes.length < this.minFileSize) return inline(MODE_CBOR, bytes);
    return this.writeFile(MODE_CBOR_FILE, bytes, key, value);
  }

  /**
   * Streams chunks into a new binary file (diskcache's `read=True` with a file object): always a file, whatever
   * its size. A failure midway removes the partial file.
   *
   * @param source a Node Readable, or any (async) iterable of Uint8Array or string chunks.
   * @param key the item's key, passed on to `filename()`.
   * @returns a MODE_BINARY_FILE StoredValue; `size` is the bytes written.
   * @throws TypeError naming `value` when `source` is not a stream or a chunk is not bytes; else the source's or
   *   the fs error.
   */
  async storeStream(source: AsyncIterable<Uint8Array> | NodeJS.ReadableStream, key?: Key): Promise<StoredValue> {
    const chunks = (source instanceof Uint8Array ? [source] : source) as AsyncIterable<unknown> | Iterable<unknown>;
    const ok = typeof chunks === 'object' && chunks !== null && (Symbol.asyncIterator in chunks || Symbol.iterator in chunks);
    if (!ok) {
      throw new TypeError(`value must be a readable stream or an iterable of Uint8Array chunks; got ${typeName(source)}`);
    }
    const { relative, fd } = this.#open(key, source);
    let size = 0;
    try {
      for await (const chunk of chunks) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        if (!(bytes instanceof Uint8Array)) {
          throw new TypeError(`value must yield Uint8Array chunks; got ${typeName(chunk)}`);
        }
        this.#writeAll(fd, bytes);
        size += bytes.length;
      }
    } catch (err) {
      this.fs.closeSync(fd);
      this.remove(relative);
      throw err;
    }
    this.fs.closeSync(fd);
    return { mode: MODE_BINARY_FILE, size, filename: relative, inline: null };
  }

  /**
   * Reads a stored value back. MODE_BINARY_FILE with `read` gives an `fs.ReadStream` over a descriptor opened
   * here, so it survives a later delete of the item; without `read`, a Buffer. Every other mode gives its value
   * whatever `read` says (bytes as a new Buffer, text as a string).
   *
   * @param mode the stored mode.
   * @param filename the value file, relative to the directory (file modes).
   * @param inline the inline bytes (inline modes).
   * @param read whether a binary file comes back as a stream.
   * @throws the fs error when the file is missing (ENOENT: the caller treats it as a miss); RangeError for an
   *   unknown mode or a missing field; CorruptionError for a file name not of the format's shape or a path that
   *   leaves the directory through a symbolic link (names come from disk).
   */
  fetch(mode: number, filename: string | null, inline: Uint8Array | null, read: boolean): unknown {
    if (mode === MODE_BINARY_FILE && read) {
      // Open now: the item may be deleted before the stream is read, and an open descriptor outlives the unlink.
      return this.fs.createReadStream('', { fd: this.#openValueFile(need(filename, mode)) });
    }
    switch (mode) {
      case MODE_RAW_NUMBER: {
        const b = asBuffer(need(inline, mode));
        if (b.length !== 8) throw new RangeError(`a number value has 8 bytes; got ${b.length}`);
        return b.readDoubleLE(0);
      }
      case MODE_RAW_BYTES: return Buffer.from(need(inline, mode)); // a copy, never a view of the engine's buffers
      case MODE_BINARY_FILE: return this.readBytes(mode, filename, inline);
      case MODE_RAW_TEXT: case MODE_TEXT_FILE: case MODE_TEXT16: case MODE_TEXT16_FILE: {
        const text = asBuffer(this.readBytes(mode, filename, inline));
        return text.toString(mode === MODE_RAW_TEXT || mode === MODE_TEXT_FILE ? 'utf8' : 'utf16le');
      }
      case MODE_CBOR: case MODE_CBOR_FILE: return decodeCbor(this.readBytes(mode, filename, inline));
    }
    throw new RangeError(`unknown value mode ${mode} for ${this.constructor.name}`);
  }

  /**
   * Names a new value file: 16 random bytes as 32 hex digits, `hex[0:2]/hex[2:4]/hex[4:32].val` (at most
   * 256 × 256 directories). Subclasses may return any path below the directory; the cache keeps `relative`.
   *
   * @param key the item's key, or undefined when not known yet; ignored here.
   * @param value the value being stored; ignored here.
   * @returns `relative` (with `/`) and `full` = `directory` joined with it.
   */
  filename(key?: Key, value?: unknown): { relative: string; full: string } {
    const hex = randomBytes(16).toString('hex');
    const relative = `${hex.slice(0, 2)}/${hex.slice(2, 4)}/${hex.slice(4)}.val`;
    return { relative, full: path.join(this.directory, relative) };
  }

  /**
   * Deletes a value file, then its parent directories while they are empty, up to but not including
   * `directory`. Never throws (two processes may remove the same file); a path outside the directory is left alone.
   *
   * @param relative the file, relative to the directory, as `filename()` returned it.
   */
  remove(relative: string): void {
    const full = path.resolve(this.directory, relative);
    // Not below the directory, or below it only through a symbolic link: not ours to delete.
    if (!isInside(this.directory, full) || !this.#reallyInside(path.dirname(full))) return;
    try {
      this.fs.unlinkSync(full); // a symbolic link itself is removed, never what it points to
    } catch {
      // already gone or never written: its directories may still be empty
    }
    for (let dir = path.dirname(full); isInside(this.directory, dir); dir = path.dirname(dir)) {
      try {
        this.fs.rmdirSync(dir);
      } catch {
        return; // not empty (or gone): stop, as os.removedirs does
      }
    }
  }

  /** Writes `bytes` to a new file named by `filename(key, value)`; a failed write removes it (ENOSPC...). */
  protected writeFile(mode: number, bytes: Uint8Array, key: Key | undefined, value: unknown): StoredValue {
    const { relative, fd } = this.#open(key, value);
    try {
      this.#writeAll(fd, bytes);
    } catch (err) {
      this.fs.closeSync(fd);
      this.remove(relative);
      throw err;
    }
    this.fs.closeSync(fd);
    return { mode, size: bytes.length, filename: relative, inline: null };
  }

  /** The value's bytes: the inline ones, or the file's (file modes). */
  protected readBytes(mode: number, filename: string | null, inline: Uint8Array | null): Uint8Array {
    if (!FILE_MODES.has(mode)) return need(inline, mode);
    const fd = this.#openValueFile(need(filename, mode));
    try {
      return this.fs.readFileSync(fd);
    } finally {
      this.fs.closeSync(fd);
    }
  }

  /**
   * Opens a value file for reading. Its name comes from disk: it must be of the format's shape, and neither a
   * directory on the way nor the file itself may be a symbolic link out of the directory.
   */
  #openValueFile(relative: string): number {
    const full = path.join(this.directory, relative);
    if (!isValueFileName(relative) || !this.#isReallyInside(path.dirname(full))) {
      throw new CorruptionError(relative, 0, 0, 'value file name not of the format\'s shape, or outside the directory');
    }
    return this.fs.openSync(full, nodeFs.constants.O_RDONLY | nodeFs.constants.O_NOFOLLOW);
  }

  /** Whether the directory `dir` is below this.directory once symbolic links are resolved; the fs error if it is gone. */
  #isReallyInside(dir: string): boolean {
    this.#realDirectory ??= this.fs.realpathSync(this.directory);
    const real = this.fs.realpathSync(dir);
    return real === this.#realDirectory || isInside(this.#realDirectory, real);
  }

  /** #isReallyInside, false when the directory is gone (nothing to delete). */
  #reallyInside(dir: string): boolean {
    try {
      return this.#isReallyInside(dir);
    } catch {
      return false;
    }
  }

  #writeAll(fd: number, bytes: Uint8Array): void {
    for (let off = 0; off < bytes.length; ) off += this.fs.writeSync(fd, bytes, off, bytes.length - off);
  }

  /** Creates the file `filename()` names, exclusively (never another item's file), retrying as diskcache does. */
  #open(key: Key | undefined, value: unknown): { relative: string; fd: number } {
    const { relative, full } = this.filename(key, value);
    // Readers check the name a record carries against the format's shape: a name they would refuse is never written.
    if (!isValueFileName(relative) || path.join(this.directory, relative) !== full) {
      throw new TypeError(`${this.constructor.name}.filename() must give a relative name of letters, digits, '.', '_' and '-' parts (no leading dot) below the directory, and full = directory + relative; got ${JSON.stringify(relative)}`);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        this.fs.mkdirSync(path.dirname(full), { recursive: true });
      } catch {
        // the open below reports what matters
      }
      try {
        return { relative, fd: this.fs.openSync(full, 'wx') };
      } catch (err) {
        if (attempt >= OPEN_ATTEMPTS || typeof (err as NodeJS.ErrnoException).code !== 'string') throw err;
      }
    }
  }
}

/**
 * diskcache's JSONDisk: keys and values as zlib-compressed JSON. Keys become KEY_BYTES, so `1` and `1.0` stay one
 * key (JSON writes both as `1`) and `[1, 2]` is compared as its JSON text. Values come back parsed (Map, Date and
 * the like as JSON makes them); `read: true` values are stored raw, as by Disk.
 */
export class JSONDisk extends Disk {
  /** zlib level, -1 (zlib's default) to 9; default 1. */
  compressLevel: number;

  /**
   * @param directory the cache directory.
   * @param options Disk's, plus `compressLevel` (default 1).
   * @throws RangeError when `compressLevel` is not an integer from -1 to 9.
   */
  constructor(directory: string, options: DiskOptions & { compressLevel?: number } = {}) {
    super(directory, options);
    const level = options.compressLevel ?? 1;
    if (!Number.isInteger(level) || level < -1 || level > 9) {
      throw new RangeError(`compressLevel must be an integer from -1 to 9; got ${String(level)}`);
    }
    this.compressLevel = level;
  }

  /** The key's JSON, deflated, as a KEY_BYTES key. @throws TypeError naming `key` when JSON cannot hold it. */
  override put(key: unknown): Buffer {
    return encodeKey(this.#deflate(key, 'key'));
  }

  /** Parses a key `put` made. Keys the cache encodes itself (push's queue keys, tags) decode as plain keys. */
  override get(bytes: Uint8Array): Key {
    if (bytes[0] === KEY_BYTES) {
      try {
        return JSON.parse(zlib().inflateSync(bytes.subarray(1)).toString('utf8')) as Key;
      } catch {
        // not ours: decode it as a plain key
      }
    }
    return decodeKey(bytes);
  }

  /**
   * With `read` false: the value's JSON, deflated, inline below `minFileSize` bytes (MODE_JSON), else a file
   * (MODE_JSON_FILE). With `read` true: as Disk (raw bytes to a file).
   *
   * @throws TypeError naming `value` when JSON cannot hold it (undefined, functions, symbols, bigints, cycles).
   */
  override store(value: unknown, read: boolean, key?: Key): StoredValue {
    if (read) return super.store(value, read, key);
    const bytes = this.#deflate(value, 'value');
    if (bytes.length < this.minFileSize) return inline(MODE_JSON, bytes);
    return this.writeFile(MODE_JSON_FILE, bytes, key, value);
  }

  /** Parses MODE_JSON and MODE_JSON_FILE values, whatever `read` says; other modes as Disk. */
  override fetch(mode: number, filename: string | null, inline: Uint8Array | null, read: boolean): unknown {
    if (mode !== MODE_JSON && mode !== MODE_JSON_FILE) return super.fetch(mode, filename, inline, read);
    return JSON.parse(zlib().inflateSync(this.readBytes(mode, filename, inline)).toString('utf8'));
  }

  #deflate(value: unknown, name: string): Buffer {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (err) {
      throw new TypeError(`${name} is not JSON serializable: ${(err as Error).message}`, { cause: err });
    }
    if (text === undefined) throw new TypeError(`${name} is not JSON serializable; got ${typeName(value)}`);
    return zlib().deflateSync(Buffer.from(text, 'utf8'), { level: this.compressLevel });
  }
}

// ---- helpers --------------------------------------------------------------------------------------------------

function inline(mode: number, bytes: Uint8Array): StoredValue {
  return { mode, size: 0, filename: null, inline: bytes };
}

function need<T>(field: T | null, mode: number): T {
  if (field === null) {
    throw new RangeError(`a value of mode ${mode} needs its ${FILE_MODES.has(mode) ? 'file' : 'bytes'}`);
  }
  return field;
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** True when `p` is strictly below `root` (both absolute). */
function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== '' && rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel);
}
