var __require = /* @__PURE__ */ ((x) => typeof require !== "undefined" ? require : typeof Proxy !== "undefined" ? new Proxy(x, {
  get: (a, b) => (typeof require !== "undefined" ? require : a)[b]
}) : x)(function(x) {
  if (typeof require !== "undefined") return require.apply(this, arguments);
  throw Error('Dynamic require of "' + x + '" is not supported');
});

// src/api/cache.ts
import * as fs6 from "node:fs";
import * as os from "node:os";
import * as path10 from "node:path";
import { Readable } from "node:stream";

// src/format/disk.ts
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { Encoder } from "cbor-x";

// src/format/bytes.ts
function copyBytes(dst, at, src, start = 0, end = src.length) {
  const n = end - start;
  if (n <= 32) for (let i = 0; i < n; i++) dst[at + i] = src[start + i];
  else dst.set(src.subarray(start, end), at);
  return at + n;
}

// src/format/crc32c.ts
import { createRequire } from "node:module";
var POLY = 2197175160;
var TABLE = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? c >>> 1 ^ POLY : c >>> 1;
  TABLE[n] = c;
}
for (let n = 0; n < 256; n++) {
  for (let t = 1; t < 8; t++) TABLE[t * 256 + n] = TABLE[(t - 1) * 256 + n] >>> 8 ^ TABLE[TABLE[(t - 1) * 256 + n] & 255];
}
function crc32cJs(buf, start = 0, end = buf.length) {
  let crc = -1;
  let i = start;
  const T = TABLE;
  for (; i + 8 <= end; i += 8) {
    const a = (buf[i] | buf[i + 1] << 8 | buf[i + 2] << 16 | buf[i + 3] << 24) ^ crc;
    crc = T[1792 + (a & 255)] ^ T[1536 + (a >>> 8 & 255)] ^ T[1280 + (a >>> 16 & 255)] ^ T[1024 + (a >>> 24)] ^ T[768 + buf[i + 4]] ^ T[512 + buf[i + 5]] ^ T[256 + buf[i + 6]] ^ T[buf[i + 7]];
  }
  for (; i < end; i++) crc = crc >>> 8 ^ T[(crc ^ buf[i]) & 255];
  return (crc ^ -1) >>> 0;
}
function loadNative() {
  try {
    const req = createRequire(import.meta.url);
    const impl = req("fast-crc32c/impls/sse4_crc32c");
    return impl.calculate("123456789") === 3808858755 ? (b) => impl.calculate(b) >>> 0 : null;
  } catch {
    return null;
  }
}
var native = process.env.LOGCACHE_PURE_JS ? null : loadNative();
var NATIVE_MIN = 4096;
function crc32c(buf, start = 0, end = buf.length) {
  if (native !== null && end - start >= NATIVE_MIN) return native(start === 0 && end === buf.length ? buf : buf.subarray(start, end));
  return crc32cJs(buf, start, end);
}

// src/format/keys.ts
var KEY_INT = 1;
var KEY_FLOAT = 2;
var KEY_TEXT = 3;
var KEY_BYTES = 4;
var KEY_TUPLE = 5;
var KEY_TRUE = 6;
var KEY_FALSE = 7;
var KEY_NULL = 8;
var KEY_BIGINT = 9;
var TWO_32 = 2 ** 32;
var TWO_63 = 2 ** 63;
var INT64_MIN = -(2n ** 63n);
var INT64_MAX = 2n ** 63n - 1n;
var MAX_DEPTH = 512;
var isWellFormed = (s) => s.isWellFormed();
function encodeKey(key, argName = "key") {
  return encode(key, argName, 0);
}
function encode(key, name, depth) {
  switch (typeof key) {
    case "string": {
      if (!isWellFormed(key)) throw loneSurrogate(name);
      const out = Buffer.allocUnsafe(1 + Buffer.byteLength(key, "utf8"));
      out[0] = KEY_TEXT;
      out.write(key, 1, "utf8");
      return out;
    }
    case "number": {
      const out = Buffer.allocUnsafe(9);
      if (isInt64(key, name)) {
        out[0] = KEY_INT;
        writeInt64(out, key);
      } else {
        out[0] = KEY_FLOAT;
        out.writeDoubleBE(key, 1);
      }
      return out;
    }
    case "bigint": {
      if (key >= INT64_MIN && key <= INT64_MAX) {
        const out = Buffer.allocUnsafe(9);
        out[0] = KEY_INT;
        out.writeBigInt64BE(key, 1);
        return out;
      }
      return Buffer.from(String.fromCharCode(KEY_BIGINT) + key.toString(), "latin1");
    }
    case "boolean":
      return Buffer.of(key ? KEY_TRUE : KEY_FALSE);
    case "object": {
      if (key === null) return Buffer.of(KEY_NULL);
      if (key instanceof Uint8Array) {
        const out = Buffer.allocUnsafe(1 + key.length);
        out[0] = KEY_BYTES;
        out.set(key, 1);
        return out;
      }
      if (Array.isArray(key)) {
        if (depth >= MAX_DEPTH) throw new RangeError(`${name} nests arrays more than ${MAX_DEPTH} deep (a cycle?)`);
        const parts = [];
        let total = 1;
        for (let i = 0; i < key.length; i++) {
          const part = encode(key[i], `${name}[${i}]`, depth + 1);
          parts.push(part);
          total += 4 + part.length;
        }
        const out = Buffer.allocUnsafe(total);
        out[0] = KEY_TUPLE;
        let p = 1;
        for (const part of parts) {
          p = out.writeUInt32BE(part.length, p);
          p += part.copy(out, p);
        }
        return out;
      }
    }
  }
  throw new TypeError(
    `${name} must be a string, number, bigint, boolean, null, Uint8Array or an array of keys; got ${typeName(key)}`
  );
}
function decodeKey(bytes) {
  const buf = asBuffer(bytes);
  const type = buf[0];
  const n = buf.length;
  switch (type) {
    case KEY_INT:
      if (n === 9) return readInt64(buf);
      break;
    case KEY_FLOAT:
      if (n === 9) return buf.readDoubleBE(1);
      break;
    case KEY_TEXT:
      return buf.toString("utf8", 1);
    case KEY_BYTES:
      return Buffer.from(buf.subarray(1));
    // a copy: the caller may not scribble on the engine's buffers
    case KEY_TUPLE: {
      const out = [];
      let p = 1;
      while (p < n) {
        if (p + 4 > n) break;
        const len = buf.readUInt32BE(p);
        p += 4;
        if (p + len > n) break;
        out.push(decodeKey(buf.subarray(p, p + len)));
        p += len;
      }
      if (p === n) return out;
      break;
    }
    case KEY_TRUE:
    case KEY_FALSE:
    case KEY_NULL:
      if (n === 1) return type === KEY_TRUE ? true : type === KEY_FALSE ? false : null;
      break;
    case KEY_BIGINT:
      if (n > 1 && /^-?\d+$/.test(buf.toString("latin1", 1))) return BigInt(buf.toString("latin1", 1));
      break;
  }
  throw new RangeError(`malformed encoded key (type ${type}, ${n} bytes)`);
}
function keyId(key, argName = "key") {
  if (typeof key === "string") {
    if (!isWellFormed(key)) throw loneSurrogate(argName);
    return "" + key;
  }
  if (typeof key === "number" && isInt64(key, argName)) {
    const hi = Math.floor(key / TWO_32);
    const lo = key - hi * TWO_32;
    const h = hi >>> 0;
    return String.fromCharCode(
      KEY_INT,
      h >>> 24,
      h >>> 16 & 255,
      h >>> 8 & 255,
      h & 255,
      lo >>> 24,
      lo >>> 16 & 255,
      lo >>> 8 & 255,
      lo & 255
    );
  }
  return encode(key, argName, 0).toString("latin1");
}
function encodeKeyInto(key, out, argName = "key") {
  if (typeof key === "string") {
    const n = key.length;
    if (1 + 3 * n > out.length) return -1;
    out[0] = KEY_TEXT;
    for (let i = 0; i < n; i++) {
      const c = key.charCodeAt(i);
      if (c >= 128) {
        if (!isWellFormed(key)) throw loneSurrogate(argName);
        return 1 + out.write(key, 1, "utf8");
      }
      out[1 + i] = c;
    }
    return 1 + n;
  }
  if (typeof key === "number" && isInt64(key, argName) && out.length >= 9) {
    out[0] = KEY_INT;
    writeInt64(out, key);
    return 9;
  }
  if (key instanceof Uint8Array && 1 + key.length <= out.length) {
    out[0] = KEY_BYTES;
    return copyBytes(out, 1, key);
  }
  return -1;
}
function keyIdOfEncoded(bytes) {
  const buf = asBuffer(bytes);
  return buf.toString(buf[0] === KEY_TEXT ? "utf8" : "latin1");
}
function encodedOfKeyId(id) {
  if (id.charCodeAt(0) === KEY_TEXT) {
    const text = Buffer.from(id.slice(1), "utf8");
    const out = Buffer.allocUnsafe(text.length + 1);
    out[0] = KEY_TEXT;
    text.copy(out, 1);
    return out;
  }
  return Buffer.from(id, "latin1");
}
function compareEncodedKeys(a, b) {
  const ra = rank(a[0]);
  const rb = rank(b[0]);
  if (ra !== rb) return ra - rb;
  const x = asBuffer(a);
  const y = asBuffer(b);
  if (ra !== 0) return Buffer.compare(x, y);
  const vx = x[0] === KEY_INT ? readInt64(x) : x.readDoubleBE(1);
  const vy = y[0] === KEY_INT ? readInt64(y) : y.readDoubleBE(1);
  return compareNumbers(vx, vy);
}
function sortEncodedKeys(encoded, reverse) {
  encoded.sort(compareEncodedKeys);
  return reverse ? encoded.reverse() : encoded;
}
function hashEncodedKey(bytes) {
  return crc32c(asBuffer(bytes));
}
function isInt64(n, name) {
  if (Number.isNaN(n)) throw new RangeError(`${name} must not be NaN (NaN equals nothing, so it could never be found)`);
  return Number.isInteger(n) && n >= -TWO_63 && n < TWO_63;
}
function writeInt64(out, n) {
  n += 0;
  const hi = Math.floor(n / TWO_32);
  out.writeInt32BE(hi, 1);
  out.writeUInt32BE(n - hi * TWO_32, 5);
}
function readInt64(buf) {
  const hi = buf.readInt32BE(1);
  if (hi >= -2097152 && hi < 2097152) {
    const v = hi * TWO_32 + buf.readUInt32BE(5);
    if (Number.isSafeInteger(v)) return v;
  }
  return buf.readBigInt64BE(1);
}
function compareNumbers(a, b) {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  return typeof a === "bigint" ? compareBigDouble(a, b) : -compareBigDouble(b, a);
}
function compareBigDouble(i, d) {
  if (!Number.isFinite(d)) return d > 0 ? -1 : 1;
  const floor = Math.floor(d);
  const f = BigInt(floor);
  if (i < f) return -1;
  if (i > f) return 1;
  return d > floor ? -1 : 0;
}
function rank(type) {
  return type === KEY_INT || type === KEY_FLOAT ? 0 : type === KEY_TEXT ? 1 : type === KEY_BYTES ? 2 : 3;
}
function asBuffer(u) {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
function loneSurrogate(name) {
  return new TypeError(`${name} must be a well-formed string; it has a lone surrogate, which UTF-8 cannot keep apart`);
}
function isIterable(v) {
  return typeof v?.[Symbol.iterator] === "function";
}
function typeName(v) {
  if (typeof v !== "object" || v === null) return typeof v;
  const name = Object.getPrototypeOf(v)?.constructor?.name;
  return name && name !== "Object" ? name : "object";
}

// src/format/disk.ts
var MODE_RAW_BYTES = 1;
var MODE_RAW_TEXT = 2;
var MODE_RAW_NUMBER = 3;
var MODE_CBOR = 4;
var MODE_BINARY_FILE = 5;
var MODE_TEXT_FILE = 6;
var MODE_CBOR_FILE = 7;
var MODE_TEXT16 = 8;
var MODE_TEXT16_FILE = 9;
var MODE_JSON = 10;
var MODE_JSON_FILE = 11;
var FILE_MODES = /* @__PURE__ */ new Set([MODE_BINARY_FILE, MODE_TEXT_FILE, MODE_CBOR_FILE, MODE_TEXT16_FILE, MODE_JSON_FILE]);
var OPEN_ATTEMPTS = 10;
var CBOR_TREE = new Encoder({ useRecords: false, copyBuffers: true });
var CBOR_GRAPH = new Encoder({ useRecords: false, copyBuffers: true, structuredClone: true });
var CBOR_NEG_ZERO = new Encoder({
  useRecords: false,
  copyBuffers: true,
  structuredClone: true,
  alwaysUseFloat: true
});
var isWellFormed2 = (s) => s.isWellFormed();
var Disk = class {
  /** The cache directory (absolute); value files live below it. */
  directory;
  /** Values of this many bytes (strings: characters) or more go to their own file. */
  minFileSize;
  /**
   * @param directory the cache directory.
   * @param options `minFileSize` (bytes, default 2**15); other keys are for subclasses.
   * @throws RangeError when `minFileSize` is not a number >= 0.
   */
  constructor(directory, options = {}) {
    const minFileSize = options.minFileSize ?? 2 ** 15;
    if (typeof minFileSize !== "number" || !(minFileSize >= 0)) {
      throw new RangeError(`minFileSize must be a number of bytes >= 0; got ${String(minFileSize)}`);
    }
    this.directory = path.resolve(directory);
    this.minFileSize = minFileSize;
  }
  /** Encodes a key ({@link encodeKey}). @throws TypeError/RangeError naming `key` for a bad key. */
  put(key) {
    return encodeKey(key);
  }
  /** Decodes a key that `put` encoded ({@link decodeKey}). */
  get(bytes) {
    return decodeKey(bytes);
  }
  /** The shard-routing hash of an encoded key: CRC32C, an unsigned 32-bit integer stable across processes. */
  hash(bytes) {
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
  store(value, read, key) {
    if (typeof value === "number") {
      const bytes2 = Buffer.allocUnsafe(8);
      bytes2.writeDoubleLE(value);
      return inline(MODE_RAW_NUMBER, bytes2);
    }
    if (typeof value === "string") {
      const utf8 = isWellFormed2(value);
      const bytes2 = Buffer.from(value, utf8 ? "utf8" : "utf16le");
      if (value.length < this.minFileSize) return inline(utf8 ? MODE_RAW_TEXT : MODE_TEXT16, bytes2);
      return this.writeFile(utf8 ? MODE_TEXT_FILE : MODE_TEXT16_FILE, bytes2, key, value);
    }
    if (value instanceof Uint8Array) {
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
  async storeStream(source, key) {
    const chunks = source instanceof Uint8Array ? [source] : source;
    const ok = typeof chunks === "object" && chunks !== null && (Symbol.asyncIterator in chunks || Symbol.iterator in chunks);
    if (!ok) {
      throw new TypeError(`value must be a readable stream or an iterable of Uint8Array chunks; got ${typeName(source)}`);
    }
    const { relative, fd } = this.#open(key, source);
    let size = 0;
    try {
      for await (const chunk of chunks) {
        const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        if (!(bytes instanceof Uint8Array)) {
          throw new TypeError(`value must yield Uint8Array chunks; got ${typeName(chunk)}`);
        }
        writeAll(fd, bytes);
        size += bytes.length;
      }
    } catch (err) {
      fs.closeSync(fd);
      this.remove(relative);
      throw err;
    }
    fs.closeSync(fd);
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
   *   unknown mode or a missing field.
   */
  fetch(mode, filename, inline2, read) {
    if (mode === MODE_BINARY_FILE && read) {
      const full = path.join(this.directory, need(filename, mode));
      return fs.createReadStream(full, { fd: fs.openSync(full, "r") });
    }
    switch (mode) {
      case MODE_RAW_NUMBER: {
        const b = asBuffer2(need(inline2, mode));
        if (b.length !== 8) throw new RangeError(`a number value has 8 bytes; got ${b.length}`);
        return b.readDoubleLE(0);
      }
      case MODE_RAW_BYTES:
        return Buffer.from(need(inline2, mode));
      // a copy, never a view of the engine's buffers
      case MODE_BINARY_FILE:
        return this.readBytes(mode, filename, inline2);
      case MODE_RAW_TEXT:
      case MODE_TEXT_FILE:
      case MODE_TEXT16:
      case MODE_TEXT16_FILE: {
        const text = asBuffer2(this.readBytes(mode, filename, inline2));
        return text.toString(mode === MODE_RAW_TEXT || mode === MODE_TEXT_FILE ? "utf8" : "utf16le");
      }
      case MODE_CBOR:
      case MODE_CBOR_FILE:
        return CBOR_TREE.decode(this.readBytes(mode, filename, inline2));
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
  filename(key, value) {
    const hex = crypto.randomBytes(16).toString("hex");
    const relative = `${hex.slice(0, 2)}/${hex.slice(2, 4)}/${hex.slice(4)}.val`;
    return { relative, full: path.join(this.directory, relative) };
  }
  /**
   * Deletes a value file, then its parent directories while they are empty, up to but not including
   * `directory`. Never throws (two processes may remove the same file); a path outside the directory is left alone.
   *
   * @param relative the file, relative to the directory, as `filename()` returned it.
   */
  remove(relative) {
    const full = path.resolve(this.directory, relative);
    if (!isInside(this.directory, full)) return;
    try {
      fs.unlinkSync(full);
    } catch {
    }
    for (let dir = path.dirname(full); isInside(this.directory, dir); dir = path.dirname(dir)) {
      try {
        fs.rmdirSync(dir);
      } catch {
        return;
      }
    }
  }
  /** Writes `bytes` to a new file named by `filename(key, value)`; a failed write removes it (ENOSPC...). */
  writeFile(mode, bytes, key, value) {
    const { relative, fd } = this.#open(key, value);
    try {
      writeAll(fd, bytes);
    } catch (err) {
      fs.closeSync(fd);
      this.remove(relative);
      throw err;
    }
    fs.closeSync(fd);
    return { mode, size: bytes.length, filename: relative, inline: null };
  }
  /** The value's bytes: the inline ones, or the file's (file modes). */
  readBytes(mode, filename, inline2) {
    return FILE_MODES.has(mode) ? fs.readFileSync(path.join(this.directory, need(filename, mode))) : need(inline2, mode);
  }
  /** Creates the file `filename()` names, exclusively (never another item's file), retrying as diskcache does. */
  #open(key, value) {
    const { relative, full } = this.filename(key, value);
    for (let attempt = 1; ; attempt++) {
      try {
        fs.mkdirSync(path.dirname(full), { recursive: true });
      } catch {
      }
      try {
        return { relative, fd: fs.openSync(full, "wx") };
      } catch (err) {
        if (attempt >= OPEN_ATTEMPTS || typeof err.code !== "string") throw err;
      }
    }
  }
};
var JSONDisk = class extends Disk {
  /** zlib level, -1 (zlib's default) to 9; default 1. */
  compressLevel;
  /**
   * @param directory the cache directory.
   * @param options Disk's, plus `compressLevel` (default 1).
   * @throws RangeError when `compressLevel` is not an integer from -1 to 9.
   */
  constructor(directory, options = {}) {
    super(directory, options);
    const level = options.compressLevel ?? 1;
    if (!Number.isInteger(level) || level < -1 || level > 9) {
      throw new RangeError(`compressLevel must be an integer from -1 to 9; got ${String(level)}`);
    }
    this.compressLevel = level;
  }
  /** The key's JSON, deflated, as a KEY_BYTES key. @throws TypeError naming `key` when JSON cannot hold it. */
  put(key) {
    return encodeKey(this.#deflate(key, "key"));
  }
  /** Parses a key `put` made. Keys the cache encodes itself (push's queue keys, tags) decode as plain keys. */
  get(bytes) {
    if (bytes[0] === KEY_BYTES) {
      try {
        return JSON.parse(zlib.inflateSync(bytes.subarray(1)).toString("utf8"));
      } catch {
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
  store(value, read, key) {
    if (read) return super.store(value, read, key);
    const bytes = this.#deflate(value, "value");
    if (bytes.length < this.minFileSize) return inline(MODE_JSON, bytes);
    return this.writeFile(MODE_JSON_FILE, bytes, key, value);
  }
  /** Parses MODE_JSON and MODE_JSON_FILE values, whatever `read` says; other modes as Disk. */
  fetch(mode, filename, inline2, read) {
    if (mode !== MODE_JSON && mode !== MODE_JSON_FILE) return super.fetch(mode, filename, inline2, read);
    return JSON.parse(zlib.inflateSync(this.readBytes(mode, filename, inline2)).toString("utf8"));
  }
  #deflate(value, name) {
    let text;
    try {
      text = JSON.stringify(value);
    } catch (err) {
      throw new TypeError(`${name} is not JSON serializable: ${err.message}`, { cause: err });
    }
    if (text === void 0) throw new TypeError(`${name} is not JSON serializable; got ${typeName(value)}`);
    return zlib.deflateSync(Buffer.from(text, "utf8"), { level: this.compressLevel });
  }
};
function inline(mode, bytes) {
  return { mode, size: 0, filename: null, inline: bytes };
}
function need(field, mode) {
  if (field === null) {
    throw new RangeError(`a value of mode ${mode} needs its ${FILE_MODES.has(mode) ? "file" : "bytes"}`);
  }
  return field;
}
function asBuffer2(u) {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
function writeAll(fd, bytes) {
  for (let off = 0; off < bytes.length; ) off += fs.writeSync(fd, bytes, off, bytes.length - off);
}
function isInside(root, p) {
  const rel = path.relative(root, p);
  return rel !== "" && rel !== ".." && !rel.startsWith(".." + path.sep) && !path.isAbsolute(rel);
}
function encodeCbor(value) {
  const check = new CborCheck();
  check.visit(value, null);
  return (check.negativeZero ? CBOR_NEG_ZERO : check.shared ? CBOR_GRAPH : CBOR_TREE).encode(value);
}
var TYPED_ARRAYS = /* @__PURE__ */ new Set([
  Buffer.prototype,
  Int8Array.prototype,
  Uint8Array.prototype,
  Uint8ClampedArray.prototype,
  Int16Array.prototype,
  Uint16Array.prototype,
  Int32Array.prototype,
  Uint32Array.prototype,
  Float32Array.prototype,
  Float64Array.prototype,
  BigInt64Array.prototype,
  BigUint64Array.prototype
]);
var MAP_KEY = /* @__PURE__ */ Symbol("a Map key");
var MAP_VALUE = /* @__PURE__ */ Symbol("a Map value");
var SET_ELEMENT = /* @__PURE__ */ Symbol("a Set element");
var CborCheck = class {
  shared = false;
  negativeZero = false;
  #seen = /* @__PURE__ */ new Set();
  #path = [];
  /** The Maps and Sets being walked (ancestors of the current value). */
  #openCollections = /* @__PURE__ */ new Set();
  visit(v, segment) {
    switch (typeof v) {
      case "number":
        if (v === 0 && 1 / v < 0) this.negativeZero = true;
        return;
      case "string":
        if (!isWellFormed2(v)) this.#fail(segment, "is a string with a lone surrogate, which CBOR (UTF-8) cannot hold");
        return;
      case "boolean":
      case "undefined":
      case "bigint":
        return;
      case "function":
      case "symbol":
        return this.#fail(segment, `is a ${typeof v}, which cannot be stored`);
    }
    if (v === null) return;
    const o = v;
    if (this.#seen.has(o)) {
      if (this.#openCollections.has(o)) {
        this.#fail(segment, `refers back to a ${typeName(o)} that contains it, which cbor-x cannot restore`);
      }
      this.shared = true;
      return;
    }
    this.#seen.add(o);
    const proto = Object.getPrototypeOf(o);
    if (proto === Date.prototype || proto === RegExp.prototype || TYPED_ARRAYS.has(proto)) return;
    this.#path.push(segment);
    if (proto === Array.prototype) {
      const a = o;
      for (let i = 0; i < a.length; i++) {
        if (a[i] === void 0 && !(i in a)) this.#fail(i, "is a hole in a sparse array, which CBOR cannot keep");
        this.visit(a[i], i);
      }
    } else if (proto === Object.prototype || proto === null) {
      if (Object.getOwnPropertySymbols(o).length > 0) this.#fail(null, "has symbol-keyed properties, which CBOR drops");
      for (const k of Object.keys(o)) {
        if (k === "__proto__") this.#fail(k, 'is an own property named "__proto__", which cbor-x renames');
        if (!isWellFormed2(k)) this.#fail(k, "is a key with a lone surrogate, which CBOR (UTF-8) cannot hold");
        this.visit(o[k], k);
      }
    } else if (proto === Map.prototype || proto === Set.prototype) {
      this.#openCollections.add(o);
      if (proto === Set.prototype) for (const x of o) this.visit(x, SET_ELEMENT);
      else {
        for (const [k, x] of o) {
          this.visit(k, MAP_KEY);
          this.visit(x, MAP_VALUE);
        }
      }
      this.#openCollections.delete(o);
    } else {
      this.#path.pop();
      const what = typeName(o) === "object" ? "an object with a custom prototype" : `an instance of ${typeName(o)}`;
      this.#fail(segment, `is ${what}, which would come back as a plain object; only primitives, plain objects, arrays, Map, Set, Date, RegExp and typed arrays can be stored`);
    }
    this.#path.pop();
  }
  #fail(segment, why) {
    let where = "value";
    for (const s of [...this.#path, segment]) {
      if (s === null) continue;
      where += typeof s === "number" ? `[${s}]` : typeof s === "symbol" ? ` \u2192 ${s.description}` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
    }
    throw new TypeError(`${where} ${why}`);
  }
};

// src/format/frame.ts
var FRAME_MAGIC = 1380336460;
var MAGIC_BYTES = 4;
var CRC_BYTES = 4;
var LENGTH_BYTES = 4;
var OP_BYTES = 1;
var FRAME_HEADER_BYTES = MAGIC_BYTES + CRC_BYTES + LENGTH_BYTES + OP_BYTES;
var MAX_BODY_BYTES = 256 * 1024 * 1024;
var FRAME_OK = 0;
var FRAME_INCOMPLETE = 1;
var FRAME_CORRUPT = 2;
function allocFrame(op, bodyLength2) {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyLength2);
  buf.writeUInt32LE(FRAME_MAGIC, 0);
  buf.writeUInt32LE(bodyLength2, MAGIC_BYTES + CRC_BYTES);
  buf[MAGIC_BYTES + CRC_BYTES + LENGTH_BYTES] = op;
  return buf;
}
function sealFrame(buf) {
  buf.writeUInt32LE(crc32c(buf, MAGIC_BYTES + CRC_BYTES), MAGIC_BYTES);
  return buf;
}
function readFrame(buf, pos, end, out) {
  out.next = pos;
  if (end - pos < FRAME_HEADER_BYTES) {
    out.status = FRAME_INCOMPLETE;
    return out;
  }
  if (buf.readUInt32LE(pos) !== FRAME_MAGIC) {
    out.status = FRAME_CORRUPT;
    return out;
  }
  const length = buf.readUInt32LE(pos + MAGIC_BYTES + CRC_BYTES);
  if (length > MAX_BODY_BYTES) {
    out.status = FRAME_CORRUPT;
    return out;
  }
  const frameEnd = pos + FRAME_HEADER_BYTES + length;
  if (frameEnd > end) {
    out.status = FRAME_INCOMPLETE;
    return out;
  }
  if (crc32c(buf, pos + MAGIC_BYTES + CRC_BYTES, frameEnd) !== buf.readUInt32LE(pos + MAGIC_BYTES)) {
    out.status = FRAME_CORRUPT;
    return out;
  }
  out.status = FRAME_OK;
  out.op = buf[pos + MAGIC_BYTES + CRC_BYTES + LENGTH_BYTES];
  out.body = pos + FRAME_HEADER_BYTES;
  out.length = length;
  out.next = frameEnd;
  return out;
}
function nextGoodFrame(buf, pos, end, scratch) {
  const magic0 = FRAME_MAGIC & 255;
  for (let p = pos + 1; p < end; p++) {
    p = buf.indexOf(magic0, p);
    if (p < 0 || p >= end) return -1;
    if (readFrame(buf, p, end, scratch).status === FRAME_OK) return p;
  }
  return -1;
}
function newFrameView() {
  return { status: FRAME_INCOMPLETE, op: 0, body: 0, length: 0, next: 0 };
}

// src/format/record.ts
var OP_SET = 1;
var OP_ADD = 2;
var OP_DELETE = 3;
var OP_DELV = 4;
var OP_INCR = 5;
var OP_TOUCH = 6;
var OP_CLEAR = 7;
var OP_PUSH = 8;
var OP_TXN = 9;
var OP_SETTING = 10;
var OP_SEAL = 11;
var OP_ENTRY = 12;
var OP_BASE = 13;
var OP_BEGIN = 14;
var OP_ABORT = 15;
var FLAG_HAS_EXPIRE = 1;
var FLAG_DEFAULT_NULL = 2;
var FLAG_SIDE_FRONT = 4;
var FLAG_HAS_PREFIX = 8;
var FLAG_HAS_TAG = 32;
var FLAG_FILE = 64;
var SEAL_ROLLOVER = 1;
var SEAL_COMPACTION_START = 2;
var SEAL_COMPACTION_DONE = 3;
var WRITER = 0;
var SEQ = WRITER + 4;
var TIME = SEQ + 4;
var NUM1 = TIME + 8;
var NUM2 = NUM1 + 8;
var FLAGS = NUM2 + 8;
var MODE = FLAGS + 2;
var KEY_LEN = MODE + 1;
var TAG_LEN = KEY_LEN + 4;
var VAL_LEN = TAG_LEN + 4;
var RECORD_FIXED_BYTES = VAL_LEN + 4;
var ENTRY_META_BYTES = 8 + 8 + 4;
var EMPTY = Buffer.alloc(0);
var EMPTY_VIEW = new DataView(new ArrayBuffer(0));
function bodyLength(r) {
  let v = 0;
  if (r.value) {
    if (r.value instanceof Uint8Array) v = r.value.length;
    else for (const part of r.value) v += part.length;
  }
  return RECORD_FIXED_BYTES + (r.key?.length ?? 0) + (r.tag?.length ?? 0) + v;
}
function writeRecordBody(buf, at, r) {
  const key = r.key ?? EMPTY;
  const tag = r.tag ?? EMPTY;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  dv.setUint32(at + WRITER, r.writer >>> 0, true);
  dv.setUint32(at + SEQ, r.seq >>> 0, true);
  dv.setFloat64(at + TIME, r.time, true);
  dv.setFloat64(at + NUM1, r.num1 ?? 0, true);
  dv.setFloat64(at + NUM2, r.num2 ?? 0, true);
  dv.setUint16(at + FLAGS, r.flags ?? 0, true);
  buf[at + MODE] = r.mode ?? 0;
  dv.setUint32(at + KEY_LEN, key.length, true);
  dv.setUint32(at + TAG_LEN, tag.length, true);
  let p = copyBytes(buf, at + RECORD_FIXED_BYTES, key);
  p = copyBytes(buf, p, tag);
  const valStart = p;
  if (r.value) {
    if (r.value instanceof Uint8Array) p = copyBytes(buf, p, r.value);
    else for (const part of r.value) p = copyBytes(buf, p, part);
  }
  dv.setUint32(at + VAL_LEN, p - valStart, true);
  return p;
}
function encodeRecord(op, r, writer = r.writer, seq = r.seq) {
  const buf = allocFrame(op, bodyLength(r));
  writeRecordBody(buf, FRAME_HEADER_BYTES, r);
  buf.writeUInt32LE(writer >>> 0, FRAME_HEADER_BYTES + WRITER);
  buf.writeUInt32LE(seq >>> 0, FRAME_HEADER_BYTES + SEQ);
  return sealFrame(buf);
}
function newRecordView() {
  return {
    buf: EMPTY,
    dv: EMPTY_VIEW,
    op: 0,
    writer: 0,
    seq: 0,
    time: 0,
    num1: 0,
    num2: 0,
    flags: 0,
    mode: 0,
    keyStart: 0,
    keyLength: 0,
    tagStart: 0,
    tagLength: 0,
    valueStart: 0,
    valueLength: 0
  };
}
function releaseRecordView(out) {
  out.buf = EMPTY;
  out.dv = EMPTY_VIEW;
}
function readRecord(buf, op, body, length, out) {
  if (length < RECORD_FIXED_BYTES) return false;
  if (out.buf !== buf) {
    out.buf = buf;
    out.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  const dv = out.dv;
  out.op = op;
  out.writer = dv.getUint32(body + WRITER, true);
  out.seq = dv.getUint32(body + SEQ, true);
  out.time = dv.getFloat64(body + TIME, true);
  out.num1 = dv.getFloat64(body + NUM1, true);
  out.num2 = dv.getFloat64(body + NUM2, true);
  out.flags = dv.getUint16(body + FLAGS, true);
  out.mode = buf[body + MODE];
  out.keyLength = dv.getUint32(body + KEY_LEN, true);
  out.tagLength = dv.getUint32(body + TAG_LEN, true);
  out.valueLength = dv.getUint32(body + VAL_LEN, true);
  out.keyStart = body + RECORD_FIXED_BYTES;
  out.tagStart = out.keyStart + out.keyLength;
  out.valueStart = out.tagStart + out.tagLength;
  return out.valueStart + out.valueLength === body + length;
}
function encodeTxnValue(reads, ops) {
  let size = 4 + 4;
  for (const r of reads) size += 4 + r.key.length + 8;
  for (const o of ops) size += 1 + 4 + bodyLength(o.record);
  const buf = Buffer.allocUnsafe(size);
  let p = 0;
  buf.writeUInt32LE(reads.length, p);
  p += 4;
  for (const r of reads) {
    buf.writeUInt32LE(r.key.length, p);
    buf.set(r.key, p + 4);
    p += 4 + r.key.length;
    buf.writeDoubleLE(r.version, p);
    p += 8;
  }
  buf.writeUInt32LE(ops.length, p);
  p += 4;
  for (const o of ops) {
    buf[p] = o.op;
    const start = p + 5;
    const end = writeRecordBody(buf, start, o.record);
    buf.writeUInt32LE(end - start, p + 1);
    p = end;
  }
  return buf;
}
function walkTxnValue(buf, start, length, onRead, onOp) {
  const end = start + length;
  let p = start;
  if (p + 4 > end) return false;
  const reads = buf.readUInt32LE(p);
  p += 4;
  for (let i = 0; i < reads; i++) {
    if (p + 4 > end) return false;
    const kl = buf.readUInt32LE(p);
    if (p + 4 + kl + 8 > end) return false;
    onRead(p + 4, kl, buf.readDoubleLE(p + 4 + kl));
    p += 4 + kl + 8;
  }
  if (p + 4 > end) return false;
  const ops = buf.readUInt32LE(p);
  p += 4;
  for (let i = 0; i < ops; i++) {
    if (p + 5 > end) return false;
    const op = buf[p];
    const bl = buf.readUInt32LE(p + 1);
    if (p + 5 + bl > end) return false;
    onOp(op, p + 5, bl);
    p += 5 + bl;
  }
  return p === end;
}

// src/errors.ts
var LogcacheError = class extends Error {
  code;
  constructor(code, message, options) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
};
var KeyError = class extends LogcacheError {
  key;
  constructor(key, message) {
    super("ERR_KEY", message ?? `key not found: ${describe(key)}`);
    this.key = key;
  }
};
var IndexError = class extends LogcacheError {
  constructor(message) {
    super("ERR_INDEX", message);
  }
};
var Timeout = class extends LogcacheError {
  count;
  constructor(count, message = "operation timed out") {
    super("ERR_TIMEOUT", message);
    this.count = count;
  }
};
var ClosedError = class extends LogcacheError {
  constructor(what = "cache") {
    super("ERR_CLOSED", `${what} is closed`);
  }
};
var CorruptionError = class extends LogcacheError {
  file;
  offset;
  bytes;
  reason;
  constructor(file, offset, bytes, reason) {
    super("ERR_CORRUPT", `corrupt data in ${file} at offset ${offset} (${bytes} bytes): ${reason}`);
    this.file = file;
    this.offset = offset;
    this.bytes = bytes;
    this.reason = reason;
  }
};
var IOError = class extends LogcacheError {
  constructor(message, cause) {
    const code = cause?.code;
    super("ERR_IO", code ? `${message}: ${code}` : message, { cause });
  }
};
function describe(v) {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (Array.isArray(v)) return `[${v.map(describe).join(", ")}]`;
  return String(v);
}

// src/clock.ts
var origin = performance.timeOrigin;
var clock = () => (origin + performance.now()) / 1e3;
function now() {
  return clock();
}

// src/shard/log-engine.ts
import * as path7 from "node:path";

// src/format/key-encoder.ts
var KeyEncoder = class {
  #disk;
  #fast;
  #scratch = Buffer.allocUnsafe(256);
  /** The length of the last encoding. */
  length = 0;
  constructor(disk) {
    this.#disk = disk;
    this.#fast = disk.put === Disk.prototype.put;
  }
  /**
   * The encoded key: the first `length` bytes of the returned buffer, valid until the next call.
   * @throws as the Disk's put (TypeError/RangeError naming the key).
   */
  encode(key) {
    if (this.#fast) {
      const n = encodeKeyInto(key, this.#scratch);
      if (n >= 0) {
        this.length = n;
        return this.#scratch;
      }
    }
    const b = this.#disk.put(key);
    this.length = b.length;
    return b;
  }
};

// src/shard/heap.ts
var NumberHeap = class {
  #a = [];
  get size() {
    return this.#a.length;
  }
  clear() {
    this.#a.length = 0;
  }
  push(v) {
    const a = this.#a;
    let i = a.push(v) - 1;
    while (i > 0) {
      const p = i - 1 >> 1;
      if (a[p] <= v) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = v;
  }
  pop() {
    const a = this.#a;
    if (a.length === 0) return void 0;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0) {
      let i = 0;
      const n = a.length;
      for (; ; ) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && a[r] < a[l] ? r : l;
        if (a[c] >= last) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
};
var PairHeap = class {
  #k = [];
  #v = [];
  get size() {
    return this.#k.length;
  }
  clear() {
    this.#k.length = 0;
    this.#v.length = 0;
  }
  peekKey() {
    return this.#k[0];
  }
  peekValue() {
    return this.#v[0];
  }
  push(key, value) {
    const k = this.#k;
    const v = this.#v;
    let i = k.push(key) - 1;
    v.push(value);
    while (i > 0) {
      const p = i - 1 >> 1;
      if (k[p] <= key) break;
      k[i] = k[p];
      v[i] = v[p];
      i = p;
    }
    k[i] = key;
    v[i] = value;
  }
  pop() {
    const k = this.#k;
    const v = this.#v;
    const lastK = k.pop();
    const lastV = v.pop();
    const n = k.length;
    if (n === 0) return;
    let i = 0;
    for (; ; ) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && k[r] < k[l] ? r : l;
      if (k[c] >= lastK) break;
      k[i] = k[c];
      v[i] = v[c];
      i = c;
    }
    k[i] = lastK;
    v[i] = lastV;
  }
};

// src/shard/key-table.ts
import { constants as bufferConstants } from "node:buffer";

// src/shard/slot-arrays.ts
function resized(a, capacity, keep = true) {
  const b = new a.constructor(capacity);
  if (keep) b.set(a.subarray(0, Math.min(a.length, capacity)));
  return b;
}

// src/shard/key-table.ts
var EMPTY2 = 0;
var MIN_BUCKETS = 1024;
var MIN_ARENA = 16 * 1024;
function hashBytes(b, start, end) {
  let h = 2538058380;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    let k = b[i] | b[i + 1] << 8 | b[i + 2] << 16 | b[i + 3] << 24;
    k = Math.imul(k, 3432918353);
    k = k << 15 | k >>> 17;
    h ^= Math.imul(k, 461845907);
    h = h << 13 | h >>> 19;
    h = Math.imul(h, 5) + 3864292196 | 0;
  }
  const rest = end - i;
  if (rest > 0) {
    let k = b[i];
    if (rest > 1) k |= b[i + 1] << 8;
    if (rest > 2) k |= b[i + 2] << 16;
    k = Math.imul(k, 3432918353);
    k = k << 15 | k >>> 17;
    h ^= Math.imul(k, 461845907);
  }
  h ^= end - start;
  h ^= h >>> 16;
  h = Math.imul(h, 2246822507);
  h ^= h >>> 13;
  h = Math.imul(h, 3266489909);
  h ^= h >>> 16;
  return h >>> 0;
}
function place(buckets, mask, entry, hash) {
  let i = hash & mask;
  while (buckets[2 * i] !== EMPTY2) i = i + 1 & mask;
  buckets[2 * i] = entry;
  buckets[2 * i + 1] = hash;
}
var KeyTable = class {
  #buckets = new Int32Array(2 * MIN_BUCKETS);
  #mask = MIN_BUCKETS - 1;
  #count = 0;
  keyStart = new Uint32Array(0);
  keyLength = new Uint32Array(0);
  #arena = Buffer.allocUnsafe(MIN_ARENA);
  #arenaUsed = 0;
  #arenaHoles = 0;
  get count() {
    return this.#count;
  }
  clear() {
    this.#buckets = new Int32Array(2 * MIN_BUCKETS);
    this.#mask = MIN_BUCKETS - 1;
    this.#count = 0;
    this.#arena = Buffer.allocUnsafe(MIN_ARENA);
    this.#arenaUsed = 0;
    this.#arenaHoles = 0;
    this.resize(0);
  }
  /** Gives the per-slot arrays room for `capacity` slots (the keydir grows all its arrays together). */
  resize(capacity) {
    this.keyStart = resized(this.keyStart, capacity);
    this.keyLength = resized(this.keyLength, capacity);
  }
  /** The slot holding the key `b[start, end)`, or -1. */
  find(b, start, end) {
    const h = hashBytes(b, start, end) | 0;
    const len = end - start;
    const buckets = this.#buckets;
    const arena = this.#arena;
    const mask = this.#mask;
    for (let i = h & mask; ; i = i + 1 & mask) {
      const e = buckets[2 * i];
      if (e === EMPTY2) return -1;
      if (buckets[2 * i + 1] !== h) continue;
      const slot = e - 1;
      if (this.keyLength[slot] !== len) continue;
      const at = this.keyStart[slot];
      let j = 0;
      while (j < len && arena[at + j] === b[start + j]) j++;
      if (j === len) return slot;
    }
  }
  /** Records the key `b[start, end)` (not present: the caller looked) for a free slot. */
  add(slot, b, start, end) {
    const len = end - start;
    if (len === 0) throw new RangeError("an encoded key has at least its type byte");
    if ((this.#count + 1) * 2 > this.#mask + 1) this.#rehash((this.#mask + 1) * 2);
    const at = this.#reserve(len);
    const arena = this.#arena;
    if (len <= 32) for (let j = 0; j < len; j++) arena[at + j] = b[start + j];
    else arena.set(b.subarray(start, end), at);
    this.keyStart[slot] = at;
    this.keyLength[slot] = len;
    place(this.#buckets, this.#mask, slot + 1, hashBytes(b, start, end) | 0);
    this.#count++;
  }
  /** Forgets the key of `slot`. */
  delete(slot) {
    const mask = this.#mask;
    const buckets = this.#buckets;
    const at = this.keyStart[slot];
    let i = hashBytes(this.#arena, at, at + this.keyLength[slot]) & mask;
    while (buckets[2 * i] !== slot + 1) {
      if (buckets[2 * i] === EMPTY2) throw new Error(`key table: slot ${slot} is not indexed`);
      i = i + 1 & mask;
    }
    for (let j = i + 1 & mask; buckets[2 * j] !== EMPTY2; j = j + 1 & mask) {
      const home = buckets[2 * j + 1] & mask;
      if ((j - home & mask) >= (j - i & mask)) {
        buckets[2 * i] = buckets[2 * j];
        buckets[2 * i + 1] = buckets[2 * j + 1];
        i = j;
      }
    }
    buckets[2 * i] = EMPTY2;
    this.#arenaHoles += this.keyLength[slot];
    this.keyLength[slot] = 0;
    this.#count--;
  }
  /** The arena the key of a slot lies in at keyStart (valid until the next add). */
  get arena() {
    return this.#arena;
  }
  has(slot) {
    return slot < this.keyLength.length && this.keyLength[slot] !== 0;
  }
  /** The key's bytes: a view valid until the next add (copy it to keep it). */
  view(slot) {
    const at = this.keyStart[slot];
    return this.#arena.subarray(at, at + this.keyLength[slot]);
  }
  /** A copy of the key's bytes. */
  bytes(slot) {
    return Buffer.from(this.view(slot));
  }
  /** Bytes held: the table, the per-slot arrays and the arena (for memory reports and tests). */
  get byteSize() {
    return this.#buckets.byteLength + this.keyStart.byteLength * 2 + this.#arena.length;
  }
  /**
   * After a load: the smallest table at most three quarters full. Kept half full while it grows, a table can end a
   * load with three quarters of its buckets empty (28 bytes a key at 600,000 keys); a lookup in a fuller table
   * probes a little further. The first add after this grows it back to half full (one rehash).
   */
  fitTable() {
    let size = MIN_BUCKETS;
    while (this.#count * 4 > size * 3) size *= 2;
    if (size < this.#mask + 1) this.#rehash(size);
  }
  /** Repacks the arena to fit its keys (after a load: growth by doubling leaves up to half of it unused). */
  trim() {
    const live = this.#arenaUsed - this.#arenaHoles;
    if (this.#arena.length - live > live / 4 + MIN_ARENA) this.#repack(Math.max(MIN_ARENA, Math.ceil(live * 1.125)));
  }
  #reserve(len) {
    if (this.#arenaUsed + len > this.#arena.length) {
      const live = this.#arenaUsed - this.#arenaHoles;
      const size = Math.max(MIN_ARENA, (live + len) * 2);
      if (size > bufferConstants.MAX_LENGTH) throw new RangeError(`the keys of one shard exceed ${bufferConstants.MAX_LENGTH} bytes`);
      this.#repack(size);
    }
    const at = this.#arenaUsed;
    this.#arenaUsed += len;
    return at;
  }
  #repack(size) {
    const old = this.#arena;
    const arena = Buffer.allocUnsafe(size);
    if (this.#arenaHoles === 0) {
      old.copy(arena, 0, 0, this.#arenaUsed);
      this.#arena = arena;
      return;
    }
    let p = 0;
    for (let s = 0; s < this.keyLength.length; s++) {
      const len = this.keyLength[s];
      if (len === 0) continue;
      const from = this.keyStart[s];
      this.keyStart[s] = p;
      p = copyBytes(arena, p, old, from, from + len);
    }
    this.#arena = arena;
    this.#arenaUsed = p;
    this.#arenaHoles = 0;
  }
  #rehash(size) {
    const buckets = new Int32Array(2 * size);
    const mask = size - 1;
    const old = this.#buckets;
    for (let k = 0; k < old.length; k += 2) if (old[k] !== EMPTY2) place(buckets, mask, old[k], old[k + 1]);
    this.#buckets = buckets;
    this.#mask = mask;
  }
};

// src/shard/keydir.ts
var NIL = -1;
var NEVER = Infinity;
var KeyDir = class {
  /** Encoded key bytes → slot. */
  keys = new KeyTable();
  capacity = 0;
  /** One past the highest slot ever used: with the free heap, it fixes future slot numbers. */
  highWater = 0;
  free = new NumberHeap();
  // Where the item's value lies: the frame (file number local to this process, offset, length) and the value
  // bytes inside it, so a read verifies the frame's CRC and slices the value.
  file = new Uint32Array(0);
  offset = new Float64Array(0);
  frameLength = new Uint32Array(0);
  valueOffset = new Uint32Array(0);
  valueLength = new Uint32Array(0);
  mode = new Uint8Array(0);
  expire = new Float64Array(0);
  storeTime = new Float64Array(0);
  rowid = new Float64Array(0);
  version = new Float64Array(0);
  insPrev = new Int32Array(0);
  insNext = new Int32Array(0);
  stoPrev = new Int32Array(0);
  stoNext = new Int32Array(0);
  insHead = NIL;
  insTail = NIL;
  stoHead = NIL;
  stoTail = NIL;
  tags = /* @__PURE__ */ new Map();
  files = /* @__PURE__ */ new Map();
  /** Values of MODE_RAW_NUMBER items: kept in memory so incr and get need no read. */
  numbers = /* @__PURE__ */ new Map();
  /** Bytes of the frames live items point into (what compaction keeps). */
  liveFrameBytes = 0;
  /** Bytes of live items' value files. */
  liveFileBytes = 0;
  /** Items with a finite expiry. */
  expiring = 0;
  /** (expire time, slot) of items with a finite expiry, soonest first; stale entries are dropped when met. */
  expiries = new PairHeap();
  get count() {
    return this.keys.count;
  }
  /** The slot of the encoded key `b[start, end)`, or NIL. */
  find(b, start = 0, end = b.length) {
    return this.keys.find(b, start, end);
  }
  /** Whether a live item holds `slot`. */
  has(slot) {
    return this.keys.has(slot);
  }
  /** A copy of the encoded key of a live slot. */
  keyBytes(slot) {
    return this.keys.bytes(slot);
  }
  clear() {
    this.keys.clear();
    this.capacity = 0;
    this.highWater = 0;
    this.free.clear();
    this.tags.clear();
    this.files.clear();
    this.numbers.clear();
    this.insHead = this.insTail = this.stoHead = this.stoTail = NIL;
    this.liveFrameBytes = 0;
    this.liveFileBytes = 0;
    this.expiring = 0;
    this.expiries.clear();
    this.#grow(0, true);
  }
  #grow(min, reset = false) {
    this.#resize(reset ? 1024 : Math.max(min + 1, this.capacity * 2, 1024), reset);
  }
  /**
   * After a load: shrinks the per-slot arrays to the slots in use plus an eighth, the key table to at most three
   * quarters full, and the key arena to its keys.
   * Growth by doubling leaves up to half of each unused, and a reopened cache may never grow again.
   */
  fit() {
    const cap = Math.max(1024, this.highWater + (this.highWater >>> 3));
    if (cap < this.capacity) this.#resize(cap, false);
    this.keys.fitTable();
    this.keys.trim();
  }
  /** Reallocates every per-slot array at `cap` slots, keeping the first `cap` (all below highWater) unless `reset`. */
  #resize(cap, reset) {
    const keep = !reset;
    this.file = resized(this.file, cap, keep);
    this.offset = resized(this.offset, cap, keep);
    this.frameLength = resized(this.frameLength, cap, keep);
    this.valueOffset = resized(this.valueOffset, cap, keep);
    this.valueLength = resized(this.valueLength, cap, keep);
    this.mode = resized(this.mode, cap, keep);
    this.expire = resized(this.expire, cap, keep);
    this.storeTime = resized(this.storeTime, cap, keep);
    this.rowid = resized(this.rowid, cap, keep);
    this.version = resized(this.version, cap, keep);
    this.insPrev = resized(this.insPrev, cap, keep);
    this.insNext = resized(this.insNext, cap, keep);
    this.stoPrev = resized(this.stoPrev, cap, keep);
    this.stoNext = resized(this.stoNext, cap, keep);
    this.keys.resize(cap);
    this.capacity = cap;
  }
  /**
   * Allocates the lowest free slot (or `slot`, when loading a base) for the encoded key `b[start, end)` (absent:
   * the caller looked) and links it at both tails.
   */
  insert(b, start, end, slot = -1) {
    if (slot < 0) slot = this.free.size > 0 ? this.free.pop() : this.highWater;
    if (slot >= this.highWater) this.highWater = slot + 1;
    if (slot >= this.capacity) this.#grow(slot);
    this.keys.add(slot, b, start, end);
    this.insNext[slot] = NIL;
    this.insPrev[slot] = this.insTail;
    if (this.insTail !== NIL) this.insNext[this.insTail] = slot;
    else this.insHead = slot;
    this.insTail = slot;
    this.stoNext[slot] = NIL;
    this.stoPrev[slot] = this.stoTail;
    if (this.stoTail !== NIL) this.stoNext[this.stoTail] = slot;
    else this.stoHead = slot;
    this.stoTail = slot;
    this.expire[slot] = NEVER;
    return slot;
  }
  /** After a base is loaded: every slot below highWater that no item holds is free. */
  rebuildFree() {
    this.free.clear();
    for (let s = 0; s < this.highWater; s++) if (!this.keys.has(s)) this.free.push(s);
  }
  /** Moves a slot to the tail of the store-order list (it was just stored). */
  touchStored(slot) {
    if (this.stoTail === slot) return;
    this.#unlinkStored(slot);
    this.stoNext[slot] = NIL;
    this.stoPrev[slot] = this.stoTail;
    if (this.stoTail !== NIL) this.stoNext[this.stoTail] = slot;
    else this.stoHead = slot;
    this.stoTail = slot;
  }
  #unlinkStored(slot) {
    const p = this.stoPrev[slot];
    const n = this.stoNext[slot];
    if (p !== NIL) this.stoNext[p] = n;
    else this.stoHead = n;
    if (n !== NIL) this.stoPrev[n] = p;
    else this.stoTail = p;
  }
  /** Frees a slot; the caller has already subtracted its bytes. */
  remove(slot) {
    this.keys.delete(slot);
    const p = this.insPrev[slot];
    const n = this.insNext[slot];
    if (p !== NIL) this.insNext[p] = n;
    else this.insHead = n;
    if (n !== NIL) this.insPrev[n] = p;
    else this.insTail = p;
    this.#unlinkStored(slot);
    if (this.expire[slot] !== NEVER) this.expiring--;
    if (this.tags.size > 0) this.tags.delete(slot);
    if (this.files.size > 0) this.files.delete(slot);
    if (this.numbers.size > 0) this.numbers.delete(slot);
    this.free.push(slot);
  }
  /** Adds (sign 1) or removes (sign -1) an item's bytes from the live totals. */
  account(slot, sign) {
    this.liveFrameBytes += sign * this.frameLength[slot];
    if (this.files.size > 0) this.liveFileBytes += sign * (this.files.get(slot)?.size ?? 0);
  }
  /** What volume() reports: live frames plus live value files (it shrinks as items go). */
  get liveBytes() {
    return this.liveFrameBytes + this.liveFileBytes;
  }
  setExpire(slot, expire) {
    const was = this.expire[slot] !== NEVER;
    const is = expire !== NEVER;
    if (was !== is) this.expiring += is ? 1 : -1;
    if (is && this.expire[slot] !== expire) this.expiries.push(expire, slot);
    this.expire[slot] = expire;
  }
  /** Live slots in insertion order (or reverse). Safe against removal of the slot just yielded. */
  *slots(reverse = false) {
    let s = reverse ? this.insTail : this.insHead;
    while (s !== NIL) {
      const next = reverse ? this.insPrev[s] : this.insNext[s];
      yield s;
      s = next;
    }
  }
};
function rebuildStoreOrder(kd) {
  const slots = [...kd.slots()];
  slots.sort((a, b) => kd.storeTime[a] - kd.storeTime[b] || kd.rowid[a] - kd.rowid[b]);
  kd.stoHead = kd.stoTail = NIL;
  for (const s of slots) {
    kd.stoPrev[s] = kd.stoTail;
    kd.stoNext[s] = NIL;
    if (kd.stoTail !== NIL) kd.stoNext[kd.stoTail] = s;
    else kd.stoHead = s;
    kd.stoTail = s;
  }
}

// src/shard/queues.ts
var QUEUE_START = 5e14;
var QUEUE_MAX = 999999999999999;
var DIGITS = 15;
var QueueIndex = class _QueueIndex {
  /** By prefix; the queue without a prefix (integer keys) is under null, which no text prefix can equal. */
  #queues = /* @__PURE__ */ new Map();
  clear() {
    this.#queues.clear();
  }
  get(prefix) {
    return this.#queues.get(prefix);
  }
  /** The encoded key of number `n` in the queue `prefix`. */
  static encodeKey(prefix, n) {
    return prefix === null ? encodeKey(n) : encodeKey(`${prefix}-${String(n).padStart(DIGITS, "0")}`);
  }
  /** If the encoded key `b[start, end)` is a queue key: [queue, number]. */
  static parse(b, start, end) {
    const type = b[start];
    const len = end - start;
    if (type === KEY_INT && len === 9) {
      if (b[start + 1] !== 0 || b[start + 2] >= 4) return null;
      let n = 0;
      for (let i = start + 2; i < end; i++) n = n * 256 + b[i];
      return n > 0 && n < QUEUE_MAX ? [null, n] : null;
    }
    if (type === KEY_TEXT && len >= DIGITS + 2 && b[end - DIGITS - 1] === 45) {
      let n = 0;
      for (let i = end - DIGITS; i < end; i++) {
        const c = b[i] - 48;
        if (c < 0 || c > 9) return null;
        n = n * 10 + c;
      }
      return [Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8", start + 1, end - DIGITS - 1), n];
    }
    return null;
  }
  /** Notes an inserted key `b[start, end)` (a no-op unless it is a queue key). */
  add(b, start, end) {
    const q = _QueueIndex.parse(b, start, end);
    if (!q) return;
    let arr = this.#queues.get(q[0]);
    if (!arr) this.#queues.set(q[0], arr = []);
    const n = q[1];
    if (arr.length === 0 || n > arr[arr.length - 1]) arr.push(n);
    else if (n < arr[0]) arr.unshift(n);
    else arr.splice(lowerBound(arr, n), 0, n);
  }
  /** Notes a removed key `b[start, end)`. */
  remove(b, start, end) {
    const q = _QueueIndex.parse(b, start, end);
    if (!q) return;
    const arr = this.#queues.get(q[0]);
    if (!arr) return;
    const n = q[1];
    if (arr[0] === n) arr.shift();
    else if (arr[arr.length - 1] === n) arr.pop();
    else {
      const i = lowerBound(arr, n);
      if (arr[i] === n) arr.splice(i, 1);
    }
    if (arr.length === 0) this.#queues.delete(q[0]);
  }
};
function lowerBound(arr, n) {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = lo + hi >> 1;
    if (arr[mid] < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// src/shard/shard.ts
import * as nodeFs from "node:fs";
import * as path2 from "node:path";
import { randomBytes } from "node:crypto";

// src/format/segment.ts
var FILE_MAGIC = Buffer.from("LOGCACHE", "latin1");
var FORMAT_VERSION = 1;
var KIND_SEGMENT = 1;
var KIND_BASE = 2;
var FILE_HEADER_BYTES = 8 + 2 + 2 + 4;
var ID_DIGITS = 10;
var NAME_RE = /^(\d{10})\.(log|base)$/;
function segmentName(id) {
  return String(id).padStart(ID_DIGITS, "0") + ".log";
}
function baseName(id) {
  return String(id).padStart(ID_DIGITS, "0") + ".base";
}
function parseLogFileName(name) {
  const m = NAME_RE.exec(name);
  if (!m) return null;
  return { id: Number(m[1]), kind: m[2] === "log" ? KIND_SEGMENT : KIND_BASE };
}
function fileHeader(kind, id) {
  const buf = Buffer.alloc(FILE_HEADER_BYTES);
  FILE_MAGIC.copy(buf, 0);
  buf.writeUInt16LE(FORMAT_VERSION, 8);
  buf.writeUInt16LE(kind, 10);
  buf.writeUInt32LE(id, 12);
  return buf;
}
function checkFileHeader(buf, kind, id) {
  if (buf.length < FILE_HEADER_BYTES) return "short header";
  if (!buf.subarray(0, 8).equals(FILE_MAGIC)) return "bad magic";
  const version = buf.readUInt16LE(8);
  if (version !== FORMAT_VERSION) return `unsupported format version ${version}`;
  if (buf.readUInt16LE(10) !== kind) return "wrong file kind";
  if (buf.readUInt32LE(12) !== id) return "id does not match file name";
  return null;
}

// src/shard/state.ts
var APPLIED = 0;
var MALFORMED = 1;
var VOID = 2;
var ShardState = class {
  kd = new KeyDir();
  queues = new QueueIndex();
  /** Records applied so far (from the beginning of the shard's history): an item's version is this at its change. */
  seq = 0;
  rowidCounter = 0;
  settings = /* @__PURE__ */ new Map();
  /** The slot the last applied record stored a value into (set, add, push), or NIL: the reader caches its value. */
  lastStored = NIL;
  /** Writer id of the open transaction window, or 0. */
  txnOwner = 0;
  /** pid of the window's owner (for finding a dead owner). */
  txnPid = 0;
  reset() {
    this.kd.clear();
    this.queues.clear();
    this.seq = 0;
    this.rowidCounter = 0;
    this.settings.clear();
    this.txnOwner = 0;
    this.txnPid = 0;
  }
  /** The slot of the encoded key in record `r`, or NIL. */
  #slotOfKey(r) {
    return this.kd.find(r.buf, r.keyStart, r.keyStart + r.keyLength);
  }
  snapshot(slot) {
    const kd = this.kd;
    return {
      slot,
      version: kd.version[slot],
      file: kd.file[slot],
      offset: kd.offset[slot],
      frameLength: kd.frameLength[slot],
      valueOffset: kd.valueOffset[slot],
      valueLength: kd.valueLength[slot],
      mode: kd.mode[slot],
      expire: kd.expire[slot],
      tag: kd.tags.get(slot),
      number: kd.numbers.get(slot),
      valueFile: kd.files.get(slot)
    };
  }
  /**
   * Applies one record. `out` is filled for the writer's own records (null for everyone else's, which skips the
   * bookkeeping). Returns MALFORMED when the record does not decode (the caller reports it as corruption).
   */
  apply(r, loc, out) {
    if (this.txnOwner !== 0 && r.writer !== this.txnOwner && r.op !== OP_ABORT && r.op !== OP_ENTRY && r.op !== OP_BASE) {
      return VOID;
    }
    this.lastStored = NIL;
    return this.#apply(r, loc, out) ? APPLIED : MALFORMED;
  }
  #apply(r, loc, out) {
    if (r.op !== OP_ABORT) this.seq++;
    switch (r.op) {
      case OP_SET:
        this.#store(r, loc, out, false);
        return true;
      case OP_ADD:
        this.#store(r, loc, out, true);
        return true;
      case OP_DELETE: {
        const slot = this.#slotOfKey(r);
        if (slot === NIL || !(this.kd.expire[slot] > r.time)) {
          if (out) out.applied = false;
          return true;
        }
        if (out) {
          out.applied = true;
          if (out.wantItems || this.kd.files.has(slot)) out.removed.push(this.snapshot(slot));
        }
        this.#remove(slot);
        return true;
      }
      case OP_DELV: {
        let count = 0;
        const ok = walkTxnValue(r.buf, r.valueStart, r.valueLength, (ks, kl, version) => {
          const slot = this.kd.find(r.buf, ks, ks + kl);
          if (slot === NIL || this.kd.version[slot] !== version) return;
          if (out && (out.wantItems || this.kd.files.has(slot))) out.removed.push(this.snapshot(slot));
          this.#remove(slot);
          count++;
        }, () => {
        });
        if (out) {
          out.applied = count > 0;
          out.count = count;
        }
        return ok;
      }
      case OP_INCR:
        this.#incr(r, loc, out);
        return true;
      case OP_TOUCH: {
        const slot = this.#slotOfKey(r);
        const live = slot !== NIL && this.kd.expire[slot] > r.time;
        if (live) {
          this.kd.setExpire(slot, r.flags & FLAG_HAS_EXPIRE ? r.num1 : NEVER);
          this.kd.version[slot] = this.seq;
        }
        if (out) out.applied = live;
        return true;
      }
      case OP_CLEAR: {
        let count = 0;
        for (const slot of this.kd.slots()) {
          if (out) {
            const f = this.kd.files.get(slot);
            if (f) out.removed.push(this.snapshot(slot));
          }
          this.#remove(slot);
          count++;
        }
        if (out) {
          out.applied = true;
          out.count = count;
        }
        return true;
      }
      case OP_PUSH:
        this.#push(r, loc, out);
        return true;
      case OP_TXN:
        return this.#txn(r, loc, out);
      case OP_BEGIN:
        this.txnOwner = r.writer;
        this.txnPid = r.num1;
        if (out) out.applied = true;
        return true;
      case OP_ABORT:
        if (this.txnOwner === r.num1) {
          this.txnOwner = 0;
          this.txnPid = 0;
        }
        if (out) out.applied = true;
        return true;
      case OP_SETTING: {
        const name = r.buf.toString("utf8", r.keyStart, r.keyStart + r.keyLength);
        try {
          this.settings.set(name, JSON.parse(r.buf.toString("utf8", r.valueStart, r.valueStart + r.valueLength)));
        } catch {
          return false;
        }
        if (out) out.applied = true;
        return true;
      }
      case OP_ENTRY:
        return this.#entry(r, loc);
      case OP_BASE:
        if (r.valueLength < 4) return false;
        this.seq = r.num1;
        this.rowidCounter = r.num2;
        this.kd.highWater = r.buf.readUInt32LE(r.valueStart);
        this.txnOwner = r.valueLength >= 8 ? r.buf.readUInt32LE(r.valueStart + 4) : 0;
        this.txnPid = r.valueLength >= 12 ? r.buf.readUInt32LE(r.valueStart + 8) : 0;
        return true;
      default:
        return true;
    }
  }
  #remove(slot) {
    this.kd.account(slot, -1);
    const t = this.kd.keys;
    this.queues.remove(t.arena, t.keyStart[slot], t.keyStart[slot] + t.keyLength[slot]);
    this.kd.remove(slot);
  }
  /** Points a slot at the value carried by record `r` and takes its metadata. */
  #fill(slot, r, loc, time) {
    const kd = this.kd;
    kd.file[slot] = loc.file;
    kd.offset[slot] = loc.offset;
    kd.frameLength[slot] = loc.frameLength;
    kd.valueOffset[slot] = r.valueStart - loc.bufStart;
    kd.valueLength[slot] = r.valueLength;
    kd.mode[slot] = r.mode;
    kd.storeTime[slot] = time;
    kd.version[slot] = this.seq;
    kd.setExpire(slot, r.flags & FLAG_HAS_EXPIRE ? r.num1 : NEVER);
    if (r.flags & FLAG_HAS_TAG) kd.tags.set(slot, keyIdOfEncoded(r.buf.subarray(r.tagStart, r.tagStart + r.tagLength)));
    else if (kd.tags.size > 0) kd.tags.delete(slot);
    if (r.flags & FLAG_FILE) {
      kd.files.set(slot, { name: r.buf.toString("utf8", r.valueStart, r.valueStart + r.valueLength), size: r.num2 });
    } else if (kd.files.size > 0) kd.files.delete(slot);
    if (r.mode === MODE_RAW_NUMBER && r.valueLength === 8) kd.numbers.set(slot, r.buf.readDoubleLE(r.valueStart));
    else if (kd.numbers.size > 0) kd.numbers.delete(slot);
    kd.account(slot, 1);
    this.lastStored = slot;
  }
  /** Inserts the encoded key `b[start, end)` (absent). */
  #insert(b, start, end) {
    const slot = this.kd.insert(b, start, end);
    this.kd.rowid[slot] = ++this.rowidCounter;
    this.queues.add(b, start, end);
    return slot;
  }
  /** set and add: replace (keeping the insertion position) or insert. */
  #store(r, loc, out, onlyIfAbsent) {
    let slot = this.#slotOfKey(r);
    if (slot !== NIL) {
      if (onlyIfAbsent && this.kd.expire[slot] > r.time) {
        if (out) out.applied = false;
        return;
      }
      if (out && this.kd.files.has(slot)) out.removed.push(this.snapshot(slot));
      this.kd.account(slot, -1);
      this.kd.touchStored(slot);
    } else slot = this.#insert(r.buf, r.keyStart, r.keyStart + r.keyLength);
    this.#fill(slot, r, loc, r.time);
    if (out) out.applied = true;
  }
  #incr(r, loc, out) {
    const kd = this.kd;
    let slot = this.#slotOfKey(r);
    if (slot !== NIL && !(kd.expire[slot] < r.time)) {
      if (kd.mode[slot] !== MODE_RAW_NUMBER || !kd.numbers.has(slot)) {
        if (out) {
          out.applied = false;
          out.error = "type";
        }
        return;
      }
      const value2 = kd.numbers.get(slot) + r.num1;
      kd.numbers.set(slot, value2);
      kd.storeTime[slot] = r.time;
      kd.version[slot] = this.seq;
      kd.touchStored(slot);
      if (out) {
        out.applied = true;
        out.value = value2;
      }
      return;
    }
    if (r.flags & FLAG_DEFAULT_NULL) {
      if (out) {
        out.applied = false;
        out.error = "missing";
      }
      return;
    }
    const value = r.num2 + r.num1;
    if (slot !== NIL) {
      if (out) out.removed.push(this.snapshot(slot));
      kd.account(slot, -1);
      kd.touchStored(slot);
    } else slot = this.#insert(r.buf, r.keyStart, r.keyStart + r.keyLength);
    kd.file[slot] = loc.file;
    kd.offset[slot] = loc.offset;
    kd.frameLength[slot] = loc.frameLength;
    kd.valueOffset[slot] = 0;
    kd.valueLength[slot] = 0;
    kd.mode[slot] = MODE_RAW_NUMBER;
    kd.storeTime[slot] = r.time;
    kd.version[slot] = this.seq;
    kd.setExpire(slot, NEVER);
    kd.tags.delete(slot);
    kd.files.delete(slot);
    kd.numbers.set(slot, value);
    kd.account(slot, 1);
    if (out) {
      out.applied = true;
      out.value = value;
    }
  }
  #push(r, loc, out) {
    const prefix = r.flags & FLAG_HAS_PREFIX ? r.buf.toString("utf8", r.keyStart, r.keyStart + r.keyLength) : null;
    const front = (r.flags & FLAG_SIDE_FRONT) !== 0;
    const q = this.queues.get(prefix);
    const n = q === void 0 || q.length === 0 ? QUEUE_START : front ? q[0] - 1 : q[q.length - 1] + 1;
    const key = QueueIndex.encodeKey(prefix, n);
    let slot = this.kd.find(key, 0, key.length);
    if (slot !== NIL) {
      if (out) out.removed.push(this.snapshot(slot));
      this.kd.account(slot, -1);
      this.kd.touchStored(slot);
    } else slot = this.#insert(key, 0, key.length);
    this.#fill(slot, r, loc, r.time);
    if (out) {
      out.applied = true;
      out.key = key;
    }
  }
  /** Commits the writer's window: its nested commands apply as one step, all with the TXN's version. */
  #txn(r, loc, out) {
    const buf = r.buf;
    const bodies = [];
    const ok = walkTxnValue(buf, r.valueStart, r.valueLength, () => {
    }, (op, body, length) => bodies.push([op, body, length]));
    if (!ok) return false;
    if (this.txnOwner !== r.writer) {
      if (out) out.applied = false;
      return true;
    }
    this.txnOwner = 0;
    this.txnPid = 0;
    if (out) {
      out.applied = true;
      out.nested = [];
    }
    const seq = this.seq;
    const nested = newRecordView();
    for (const [op, body, length] of bodies) {
      if (!readRecord(buf, op, body, length, nested)) return false;
      this.applyNested(nested, loc, seq, out ? out.nested : null);
    }
    this.seq = seq;
    return true;
  }
  /** Applies one command of a transaction with version `seq` (the owner does this as it buffers them). */
  applyNested(r, loc, seq, outs, wantItems = false) {
    const o = outs ? { applied: false, removed: [], wantItems } : null;
    this.seq = seq - 1;
    this.lastStored = NIL;
    this.#apply(r, loc, o);
    if (o) outs.push(o);
    return o;
  }
  /** An item from a base file: its slot, rowid and version are carried, not allocated. */
  #entry(r, loc) {
    if (r.valueLength < ENTRY_META_BYTES) return false;
    const kd = this.kd;
    const rowid = r.buf.readDoubleLE(r.valueStart);
    const version = r.buf.readDoubleLE(r.valueStart + 8);
    const slotNo = r.buf.readUInt32LE(r.valueStart + 16);
    const ks = r.keyStart;
    const ke = ks + r.keyLength;
    if (r.keyLength === 0 || kd.find(r.buf, ks, ke) !== NIL || kd.has(slotNo)) return false;
    const slot = kd.insert(r.buf, ks, ke, slotNo);
    this.queues.add(r.buf, ks, ke);
    kd.rowid[slot] = rowid;
    r.valueStart += ENTRY_META_BYTES;
    r.valueLength -= ENTRY_META_BYTES;
    this.#fill(slot, r, loc, r.time);
    kd.version[slot] = version;
    this.seq--;
    return true;
  }
};

// src/shard/liveness.ts
import * as fs2 from "node:fs";
function processAlive(pid) {
  if (pid <= 0) return true;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === "EPERM";
  }
  try {
    const stat = fs2.readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch (err) {
    return !(process.platform === "linux" && err.code === "ENOENT");
  }
}

// src/shard/value-cache.ts
var ValueCache = class {
  constructor(capacity) {
    this.capacity = capacity;
    this.#ring = new Int32Array(capacity).fill(-1);
  }
  capacity;
  #map = /* @__PURE__ */ new Map();
  #ring;
  #next = 0;
  get size() {
    return this.#map.size;
  }
  /** The cached bytes of `slot` if they are of `version`. */
  get(slot, version) {
    const e = this.#map.get(slot);
    return e !== void 0 && e.version === version ? e.bytes : void 0;
  }
  set(slot, version, bytes) {
    const at = this.#next;
    const old = this.#ring[at];
    if (old >= 0 && this.#map.get(old)?.at === at) this.#map.delete(old);
    this.#ring[at] = slot;
    this.#next = at + 1 === this.capacity ? 0 : at + 1;
    this.#map.set(slot, { version, bytes, at });
  }
  clear() {
    this.#map.clear();
    this.#ring.fill(-1);
    this.#next = 0;
  }
};

// src/shard/shard.ts
var TXN_FILE = 4294967295;
var DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
var VALUE_CACHE_ENTRIES = 8192;
var VALUE_CACHE_MAX_BYTES = 4096;
var VALUE_CACHE_WINDOW_BYTES = 1024 * 1024;
var READ_BUFFER_BYTES = 64 * 1024;
var Shard = class {
  dir;
  state = new ShardState();
  /** Names this handle's records in the log. */
  writer;
  fs;
  segmentBytes;
  compactMinBytes;
  syncPolicy;
  /** Problems met while replaying since open (or the last clearReports). */
  reports = [];
  /** Called at the seal of `compactAt` with the state exactly as of that seal (compaction writes the base there). */
  onSealed = null;
  #seqNo = 0;
  #files = [];
  #active = -1;
  // local file number of the active segment
  #activeId = 0;
  #pos = 0;
  #pending = /* @__PURE__ */ new Map();
  /** Bytes of our frames written and not yet met by a replay. */
  #unreadOwn = 0;
  #lastWritten = null;
  #fv = newFrameView();
  #scan = newFrameView();
  #rv = newRecordView();
  #loc = { file: 0, offset: 0, frameLength: 0, bufStart: 0 };
  /** Bytes of frames applied since the load (base included): minus liveFrameBytes, what compaction reclaims. */
  logBytes = 0;
  #valueCache = new ValueCache(VALUE_CACHE_ENTRIES);
  #dirty = false;
  #timer = null;
  #closed = false;
  /** Reused for the per-operation tail check; values taken from it are copied. */
  #readBuf = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  #txn = null;
  /** A compaction finished: reload from its base at the next safe point (see #nextSegment). */
  #reloadWanted = false;
  /** A step between a seal and the next segment failed (I/O): the state must be rebuilt before anything else. */
  #mustReload = false;
  /** How long a write waits for another writer's transaction window to close (ms); Infinity waits forever. */
  waitTimeoutMs = 6e4;
  constructor(dir, options = {}) {
    this.dir = dir;
    this.fs = options.fs ?? nodeFs;
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.compactMinBytes = options.compactMinBytes ?? 8 * 1024 * 1024;
    this.syncPolicy = options.sync ?? "none";
    this.writer = randomBytes(4).readUInt32LE(0);
    this.#io("create directory", () => this.fs.mkdirSync(dir, { recursive: true }));
    this.load();
    if (this.syncPolicy === "interval") {
      this.#timer = setInterval(() => this.flush(), 1e3);
      this.#timer.unref();
    }
  }
  #io(what, fn) {
    try {
      return fn();
    } catch (err) {
      throw new IOError(`${what} in ${this.dir}`, err);
    }
  }
  /** Whether dead bytes in the log exceed both compactMinBytes and the live bytes (compaction would pay). */
  get wantsCompaction() {
    if (this.compactMinBytes <= 0) return false;
    const dead = this.logBytes - this.state.kd.liveFrameBytes;
    return dead > this.compactMinBytes && dead > this.state.kd.liveFrameBytes;
  }
  get activeSegmentId() {
    return this.#activeId;
  }
  /** Ids of the files this process holds open (segments and base). */
  openFiles() {
    return this.#files.filter((f) => f !== void 0).map(({ id, kind, name }) => ({ id, kind, name }));
  }
  // ---- loading --------------------------------------------------------------------------------------------------
  /** (Re)builds the state from the newest base and the segments after it. */
  load() {
    this.#reloadWanted = false;
    const txn = this.#txn;
    if (txn?.committing) txn.reloaded = true;
    this.#mustReload = false;
    try {
      this.#loadLog();
    } catch (err) {
      this.#mustReload = true;
      throw err instanceof LogcacheError ? err : new IOError(`load ${this.dir}`, err);
    }
    if (txn && !txn.committing && this.#txn === txn) this.#reapplyTxn(txn);
  }
  #loadLog() {
    for (let attempt = 0; ; attempt++) {
      this.#closeFiles();
      this.state.reset();
      this.#valueCache.clear();
      this.logBytes = 0;
      const { bases, segments } = this.#listLog();
      let start = segments.length > 0 ? segments[0] : 1;
      let loadedBase = false;
      for (const b of bases.sort((x, y) => y - x)) {
        if (this.#loadBase(b)) {
          start = b + 1;
          loadedBase = true;
          break;
        }
      }
      if (!loadedBase && bases.length > 0 && segments.length > 0 && segments[0] > 1) {
        this.reports.push({ file: baseName(bases[0]), offset: 0, bytes: 0, reason: "no readable base; older segments are gone" });
      }
      try {
        this.#openActive(start);
        this.sync();
        this.state.kd.fit();
        return;
      } catch (err) {
        if (err.code === "ENOENT" && attempt < 5) continue;
        throw err;
      }
    }
  }
  #listLog() {
    const bases = [];
    const segments = [];
    for (const name of this.#io("list directory", () => this.fs.readdirSync(this.dir))) {
      const p = parseLogFileName(name);
      if (!p) continue;
      (p.kind === KIND_BASE ? bases : segments).push(p.id);
    }
    segments.sort((a, b) => a - b);
    return { bases, segments };
  }
  #addFile(f) {
    this.#files.push(f);
    return this.#files.length - 1;
  }
  #closeFiles() {
    for (const f of this.#files) if (f) try {
      this.fs.closeSync(f.fd);
    } catch {
    }
    this.#files = [];
    this.#active = -1;
  }
  /** Loads base `id` into the (reset) state; false if it is unreadable (the caller tries an older one). */
  #loadBase(id) {
    const name = baseName(id);
    let fd;
    try {
      fd = this.fs.openSync(path2.join(this.dir, name), "r");
    } catch (err) {
      if (err.code === "ENOENT") return false;
      throw new IOError(`open ${name} in ${this.dir}`, err);
    }
    const fileNo = this.#addFile({ id, kind: KIND_BASE, name, fd });
    const header = Buffer.alloc(FILE_HEADER_BYTES);
    const size = this.fs.fstatSync(fd).size;
    this.fs.readSync(fd, header, 0, FILE_HEADER_BYTES, 0);
    const bad = size < FILE_HEADER_BYTES ? "base shorter than its header" : checkFileHeader(header, KIND_BASE, id);
    let complete = false;
    if (!bad) {
      const buf = Buffer.allocUnsafe(size - FILE_HEADER_BYTES);
      this.#io(`read ${name}`, () => this.fs.readSync(fd, buf, 0, buf.length, FILE_HEADER_BYTES));
      const { lastOp } = this.#applyBuffer(buf, buf.length, fileNo, FILE_HEADER_BYTES, name, false);
      complete = lastOp === OP_BASE;
    }
    if (bad || !complete) {
      this.reports.push({ file: name, offset: 0, bytes: size, reason: bad ?? "base has no trailer" });
      this.state.reset();
      this.#closeFiles();
      return false;
    }
    this.state.kd.rebuildFree();
    rebuildStoreOrder(this.state.kd);
    return true;
  }
  /**
   * Applies the good frames of `buf[0, len)` (file bytes from `fileOffset`), skipping and reporting bad ones.
   * With `stopAtSeal`, stops after a seal. Returns bytes consumed (an incomplete tail is left), the last op applied,
   * and the seal met: -1 none, 0 a plain seal, else the id of the base a finished compaction wrote.
   */
  #applyBuffer(buf, len, fileNo, fileOffset, name, stopAtSeal, trusted = false) {
    let p = 0;
    let lastOp = 0;
    let sealed = -1;
    while (p < len) {
      const f = trusted ? trustedFrame(buf, p, this.#fv) : readFrame(buf, p, len, this.#fv);
      if (f.status !== FRAME_OK) {
        const q = nextGoodFrame(buf, p, len, this.#scan);
        if (q < 0 && stopAtSeal) break;
        const skip = q < 0 ? len - p : q - p;
        this.reports.push({ file: name, offset: fileOffset + p, bytes: skip, reason: f.status === FRAME_INCOMPLETE ? "torn frame" : "checksum mismatch" });
        p += skip;
        continue;
      }
      if (stopAtSeal && (f.op === OP_ENTRY || f.op === OP_BASE)) {
        this.reports.push({ file: name, offset: fileOffset + p, bytes: f.next - p, reason: "malformed record" });
        p = f.next;
        continue;
      }
      if (f.op === OP_SEAL && stopAtSeal) {
        readRecord(buf, f.op, f.body, f.length, this.#rv);
        sealed = this.#rv.num1 === SEAL_COMPACTION_DONE ? this.#rv.num2 : 0;
        p = f.next;
        break;
      }
      lastOp = this.#applyFrame(buf, f, fileNo, fileOffset, name);
      if (stopAtSeal && lastOp !== 0 && len - f.next < VALUE_CACHE_WINDOW_BYTES) this.#cacheValue(buf, f, fileNo, trusted);
      p = f.next;
    }
    if (buf !== this.#readBuf) releaseRecordView(this.#rv);
    return { consumed: p, lastOp, sealed };
  }
  /** Applies one good frame; returns its op (0 when the body is not a record). */
  #applyFrame(buf, f, fileNo, fileOffset, name) {
    const r = this.#rv;
    const start = f.body - FRAME_HEADER_BYTES;
    if (!readRecord(buf, f.op, f.body, f.length, r)) {
      this.reports.push({ file: name, offset: fileOffset + start, bytes: f.next - start, reason: "malformed record" });
      return 0;
    }
    this.logBytes += f.next - start;
    const loc = this.#loc;
    loc.file = fileNo;
    loc.offset = fileOffset + start;
    loc.frameLength = f.next - start;
    loc.bufStart = start;
    const own = r.writer === this.writer ? this.#pending.get(r.seq) : void 0;
    if (own && f.op === OP_TXN && this.#txn?.committing && !this.#txn.reloaded) {
      this.#settleOwnTxn(own, r.seq, loc, buf);
      return f.op;
    }
    if (own) this.#markRead(own);
    const out = own ? { applied: false, removed: [], wantItems: own.wantItems } : null;
    const status = this.state.apply(r, loc, out);
    if (status === VOID) {
      if (own) own.voided = true;
      return 0;
    }
    if (own) {
      if (own.wantItems) this.#readRemoved(out);
      own.outcome = out;
      this.#pending.delete(r.seq);
    }
    if (status !== 0) this.reports.push({ file: name, offset: loc.offset, bytes: loc.frameLength, reason: "malformed record" });
    return f.op;
  }
  /**
   * Our own TXN reached the log. Its commands are already applied here (as they were buffered), so instead of
   * applying them again, point their values at the TXN frame. If our window was aborted meanwhile (another
   * process took us for dead), the local state is wrong: reload it.
   */
  #settleOwnTxn(own, seq, loc, buf) {
    const txn = this.#txn;
    this.#pending.delete(seq);
    this.#markRead(own);
    if (this.state.txnOwner !== this.writer) {
      own.outcome = { applied: false, removed: [] };
      this.#txn = null;
      this.load();
      return;
    }
    this.state.txnOwner = 0;
    this.state.txnPid = 0;
    this.state.seq = txn.baseSeq + 1;
    const kd = this.state.kd;
    const bodies = [];
    const r = newRecordView();
    walkTxnValue(buf, this.#rv.valueStart, this.#rv.valueLength, () => {
    }, (op, body, length) => {
      readRecord(buf, op, body, length, r);
      bodies.push(r.valueStart);
    });
    for (let i = txn.stored.length - 1; i >= 0; i--) {
      const { slot, version, op } = txn.stored[i];
      if (kd.version[slot] !== version || kd.file[slot] !== TXN_FILE) continue;
      kd.account(slot, -1);
      kd.file[slot] = loc.file;
      kd.offset[slot] = loc.offset;
      kd.frameLength[slot] = loc.frameLength;
      kd.valueOffset[slot] = bodies[op] - loc.bufStart;
      kd.account(slot, 1);
    }
    for (const [slot, v] of txn.values) if (kd.version[slot] === v.version) this.#valueCache.set(slot, v.version, v.bytes);
    own.outcome = { applied: true, removed: [] };
    this.#txn = null;
  }
  // ---- the active segment ----------------------------------------------------------------------------------
  /** Opens segment `id` as the active one, creating it (whole, via link) if it does not exist yet. */
  #openActive(id) {
    const name = segmentName(id);
    const full = path2.join(this.dir, name);
    let fd;
    try {
      fd = this.#openAppend(full);
    } catch (err) {
      if (err.code !== "ENOENT") throw new IOError(`open ${name}`, err);
      if (this.#compactedPast(id)) throw err;
      this.#createSegment(id);
      try {
        fd = this.#openAppend(full);
      } catch (again) {
        if (again.code === "ENOENT") throw again;
        throw new IOError(`open ${name}`, again);
      }
      if (this.#compactedPast(id)) {
        this.fs.closeSync(fd);
        try {
          this.fs.unlinkSync(full);
        } catch {
        }
        throw Object.assign(new Error(`${name} was compacted away while it was being created`), { code: "ENOENT" });
      }
    }
    const header = Buffer.alloc(FILE_HEADER_BYTES);
    const got = this.#io(`read ${name}`, () => this.fs.readSync(fd, header, 0, FILE_HEADER_BYTES, 0));
    if (got < FILE_HEADER_BYTES) {
      this.reports.push({ file: name, offset: 0, bytes: got, reason: "segment shorter than its header" });
      this.fs.closeSync(fd);
      this.#createSegment(id, true);
      fd = this.#io(`open ${name}`, () => this.#openAppend(full));
      fileHeader(KIND_SEGMENT, id).copy(header);
    }
    const bad = checkFileHeader(header, KIND_SEGMENT, id);
    if (bad) this.reports.push({ file: name, offset: 0, bytes: FILE_HEADER_BYTES, reason: bad });
    this.#active = this.#addFile({ id, kind: KIND_SEGMENT, name, fd });
    this.#activeId = id;
    this.#pos = FILE_HEADER_BYTES;
  }
  #openAppend(full) {
    return this.fs.openSync(full, nodeFs.constants.O_RDWR | nodeFs.constants.O_APPEND);
  }
  /** Whether a compaction has made a base at or past segment `id` (so the segment is gone, or garbage). */
  #compactedPast(id) {
    return this.#listLog().bases.some((b) => b >= id);
  }
  /** Writes segment `id` whole under a temporary name, then links it into place (or, `replace`, renames it over). */
  #createSegment(id, replace = false) {
    const tmp = path2.join(this.dir, `.tmp-${process.pid}-${this.writer.toString(16)}-${id}`);
    this.#io(replace ? "replace segment" : "create segment", () => {
      this.fs.writeFileSync(tmp, fileHeader(KIND_SEGMENT, id));
      if (replace) return this.fs.renameSync(tmp, path2.join(this.dir, segmentName(id)));
      try {
        this.fs.linkSync(tmp, path2.join(this.dir, segmentName(id)));
      } catch (err) {
        if (err.code !== "EEXIST") throw err;
      } finally {
        this.fs.unlinkSync(tmp);
      }
    });
  }
  /**
   * Catches up with the log: one pread at our end of the active segment when nothing changed (it returns 0
   * bytes; cheaper than fstat, whose Stats object costs more than the call), and when something did, that same
   * read already holds the new frames. Linearizable reads follow from calling this before every answer.
   */
  sync() {
    if (this.#mustReload) {
      for (const p of this.#pending.values()) {
        if (p.unread) {
          this.#markRead(p);
          p.lost = true;
        }
      }
      this.load();
    }
    for (; ; ) {
      const fd = this.#files[this.#active].fd;
      const rbuf = this.#readBuf;
      let n;
      try {
        n = this.fs.readSync(fd, rbuf, 0, rbuf.length, this.#pos);
      } catch (err) {
        throw new IOError(`read segment in ${this.dir}`, err);
      }
      if (n === 0) return this.#caughtUp();
      let buf;
      let trusted = false;
      const last = this.#lastWritten;
      if (last !== null && last.unread && n === this.#unreadOwn && n === last.frame.length) {
        buf = last.frame;
        trusted = true;
      } else if (n === rbuf.length) {
        let size;
        try {
          size = this.fs.fstatSync(fd).size;
        } catch (err) {
          throw new IOError(`stat segment in ${this.dir}`, err);
        }
        buf = Buffer.allocUnsafe(size - this.#pos);
        n = this.#io("read segment", () => this.fs.readSync(fd, buf, 0, buf.length, this.#pos));
      } else buf = rbuf;
      const { consumed, sealed } = this.#applyBuffer(buf, n, this.#active, this.#pos, this.#files[this.#active].name, true, trusted);
      this.#pos += consumed;
      if (sealed >= 0) {
        try {
          this.#nextSegment(sealed);
        } catch (err) {
          this.#mustReload = true;
          throw err;
        }
        continue;
      }
      return this.#caughtUp();
    }
  }
  /** At the tail of the log: the deferred reload after a compaction, if none of our frames is still unread. */
  #caughtUp() {
    if (!this.#reloadWanted || this.#unreadOwn > 0) return;
    for (const p of this.#pending.values()) if (p.unread) return;
    this.load();
  }
  /** Keeps small values read from the log, so the next get needs no pread (frames never change once written). */
  #cacheValue(buf, f, fileNo, ownFrame) {
    const slot = this.state.lastStored;
    if (slot < 0) return;
    const kd = this.state.kd;
    const len = kd.valueLength[slot];
    if (len > VALUE_CACHE_MAX_BYTES || kd.files.has(slot) || kd.file[slot] !== fileNo) return;
    const start = f.body - FRAME_HEADER_BYTES + kd.valueOffset[slot];
    const view = buf.subarray(start, start + len);
    this.#valueCache.set(slot, kd.version[slot], ownFrame ? view : Buffer.from(view));
  }
  #markRead(p) {
    if (p.unread) {
      p.unread = false;
      this.#unreadOwn -= p.frame.length;
    }
  }
  /** Past a seal: open the next segment, re-append our frames that landed after the seal, reload after compaction. */
  #nextSegment(compactedBase) {
    const sealedId = this.#activeId;
    this.onSealed?.(sealedId);
    const voided = [...this.#pending.values()].filter((p) => p.segment === sealedId && p.unread);
    for (const p of voided) this.#markRead(p);
    let reloaded = false;
    try {
      this.#openActive(sealedId + 1);
    } catch (err) {
      if (err.code !== "ENOENT") throw err;
      this.load();
      reloaded = true;
    }
    for (const p of voided) this.#write(p);
    const holdsReplaced = () => this.#files.some((f) => f !== void 0 && (f.kind === KIND_SEGMENT ? f.id <= compactedBase : f.id < compactedBase));
    if (!reloaded && compactedBase > 0 && holdsReplaced() && this.#compactedPast(compactedBase)) {
      this.#reloadWanted = true;
    }
  }
  // ---- writing ------------------------------------------------------------------------------------------------
  /**
   * Appends one command. With `wait`, replays until the command is applied and returns its outcome (a conditional
   * command's result is known only then); without, returns null and the next sync applies it.
   */
  append(op, input, deadline = Date.now() + this.waitTimeoutMs, wantItems = false) {
    if (this.#txn && !this.#txn.committing) return this.#buffer(op, input, wantItems);
    if (this.state.txnOwner !== 0 && this.state.txnOwner !== this.writer && op !== OP_ABORT) this.#waitWindow(deadline);
    if (this.state.txnOwner === this.writer && !this.#txn && op !== OP_ABORT && op !== OP_BEGIN) {
      this.append(OP_ABORT, { time: now(), num1: this.writer }, deadline);
    }
    const seq = this.#seqNo = this.#seqNo + 1 >>> 0;
    const frame = encodeRecord(op, input, this.writer, seq);
    if (this.#pos + frame.length > this.segmentBytes && this.#pos > FILE_HEADER_BYTES) this.seal(SEAL_ROLLOVER, 0);
    const p = { frame, segment: this.#activeId, outcome: null, voided: false, unread: false, wantItems };
    this.#pending.set(seq, p);
    try {
      this.#write(p);
      while (p.outcome === null) {
        this.sync();
        if (p.lost) throw new IOError("append", Object.assign(new Error("a failed read lost track of this write: it may or may not have applied"), { code: "EIO" }));
        if (p.voided && p.outcome === null) {
          this.#waitWindow(deadline);
          p.voided = false;
          this.#write(p);
        }
      }
    } catch (err) {
      this.#markRead(p);
      this.#pending.delete(seq);
      throw err;
    }
    return p.outcome;
  }
  /** In a transaction: apply the command here now (so later reads see it) and keep it for the TXN record. */
  #buffer(op, input, wantItems) {
    const txn = this.#txn;
    const record = { ...input, writer: this.writer, seq: 0 };
    const frame = encodeRecord(op, record);
    const r = newRecordView();
    readRecord(frame, op, FRAME_HEADER_BYTES, frame.length - FRAME_HEADER_BYTES, r);
    const loc = { file: TXN_FILE, offset: 0, frameLength: frame.length, bufStart: 0 };
    const outs = [];
    const out = this.state.applyNested(r, loc, txn.baseSeq + 1, outs, wantItems);
    if (wantItems) this.#readRemoved(out);
    const slot = this.state.lastStored;
    if (slot >= 0) {
      const version = this.state.kd.version[slot];
      txn.stored.push({ slot, version, op: txn.ops.length });
      txn.values.set(slot, { version, bytes: frame.subarray(r.valueStart, r.valueStart + r.valueLength) });
    }
    txn.ops.push({ op, record });
    return out;
  }
  /** After a rebuild of the state: buffers the transaction's commands again (same versions, same outcomes). */
  #reapplyTxn(txn) {
    const ops = txn.ops;
    txn.ops = [];
    txn.stored = [];
    txn.values = /* @__PURE__ */ new Map();
    for (const { op, record } of ops) this.#buffer(op, record, false);
  }
  /** Waits (sleeping, not spinning) until no other writer's transaction window is open; Timeout past `deadline`. */
  #waitWindow(deadline) {
    let nextLiveness = Date.now() + 50;
    let sleepMs = 0.05;
    for (; ; ) {
      this.sync();
      const owner = this.state.txnOwner;
      if (owner === 0 || owner === this.writer) return;
      const now2 = Date.now();
      if (now2 > deadline) throw new Timeout();
      if (now2 >= nextLiveness) {
        nextLiveness = now2 + 50;
        if (!processAlive(this.state.txnPid)) {
          this.append(OP_ABORT, { time: now2 / 1e3, num1: owner }, deadline);
          continue;
        }
      }
      Atomics.wait(SLEEP_CELL, 0, 0, sleepMs);
      sleepMs = Math.min(sleepMs * 2, 2);
    }
  }
  /** Opens a transaction window (waits for any other one to close). Commands until commit/abort are buffered. */
  beginTxn(deadline) {
    if (this.#txn) throw new Error("transaction already open");
    this.append(OP_BEGIN, { time: now(), num1: process.pid }, deadline);
    this.#txn = { baseSeq: this.state.seq, ops: [], stored: [], values: /* @__PURE__ */ new Map(), committing: false, reloaded: false };
  }
  get inTxn() {
    return this.#txn !== null;
  }
  /** Commits the buffered commands as one TXN record. */
  commitTxn() {
    const txn = this.#txn;
    txn.committing = true;
    try {
      this.append(OP_TXN, { time: now(), value: encodeTxnValue([], txn.ops) }, Infinity);
    } catch (err) {
      this.abortTxn();
      throw err;
    } finally {
      this.#txn = null;
    }
  }
  /** Drops the buffered commands: closes the window and rebuilds the state they changed. */
  abortTxn() {
    this.#txn = null;
    try {
      this.append(OP_ABORT, { time: now(), num1: this.writer }, Infinity);
    } catch {
    } finally {
      this.#mustReload = true;
      try {
        this.load();
      } catch {
      }
    }
  }
  #write(p) {
    const fd = this.#files[this.#active].fd;
    p.segment = this.#activeId;
    let n;
    try {
      n = this.fs.writeSync(fd, p.frame);
    } catch (err) {
      throw new IOError(`append in ${this.dir}`, err);
    }
    if (n !== p.frame.length) throw new IOError("short append", Object.assign(new Error("short write"), { code: "EIO" }));
    p.unread = true;
    this.#unreadOwn += n;
    this.#lastWritten = p;
    if (this.syncPolicy === "always") this.#io("fsync", () => this.fs.fdatasyncSync(fd));
    else this.#dirty = true;
  }
  /** Appends a seal and replays past it. */
  seal(reason, baseId) {
    const sealed = this.#activeId;
    const frame = encodeRecord(OP_SEAL, { writer: this.writer, seq: 0, time: now(), num1: reason, num2: baseId });
    const fd = this.#files[this.#active].fd;
    this.#io("append seal", () => this.fs.writeSync(fd, frame));
    while (this.#activeId === sealed) this.sync();
  }
  /** fsyncs the active segment if anything was written since the last flush. */
  flush() {
    if (!this.#dirty || this.#closed) return;
    this.#dirty = false;
    const fd = this.#files[this.#active]?.fd;
    if (fd !== void 0) this.#io("fsync", () => this.fs.fdatasyncSync(fd));
  }
  // ---- reading values -------------------------------------------------------------------------------------------
  /**
   * The value bytes of `slot` (inline value or value-file name), verified against the frame's CRC; null when the
   * frame no longer checks out (reported, never returned).
   */
  valueBytes(slot) {
    const kd = this.state.kd;
    return this.#valueAt(slot, kd.version[slot], kd.file[slot], kd.offset[slot], kd.frameLength[slot], kd.valueOffset[slot], kd.valueLength[slot]);
  }
  /**
   * The value bytes of item `slot` at `version`, stored at that location: from the open transaction's buffer, the
   * value cache, or a verified read of the frame.
   */
  #valueAt(slot, version, file, offset, frameLength, valueOffset, valueLength) {
    if (file === TXN_FILE) {
      const v = this.#txn?.values.get(slot);
      return v !== void 0 && v.version === version ? v.bytes : null;
    }
    return this.#valueCache.get(slot, version) ?? this.readFrameValue(file, offset, frameLength, valueOffset, valueLength);
  }
  /** Reads the inline values of the items a command of ours removed, while their locations are still ours. */
  #readRemoved(out) {
    for (const s of out.removed) {
      if (s.valueFile) continue;
      try {
        s.bytes = this.#valueAt(s.slot, s.version, s.file, s.offset, s.frameLength, s.valueOffset, s.valueLength);
      } catch (err) {
        s.bytes = null;
        s.error = err;
      }
    }
  }
  /** Reads a frame at a known location and returns its value bytes, or null if it does not check out. */
  readFrameValue(file, offset, frameLength, valueOffset, valueLength) {
    const f = this.#files[file];
    if (!f) return null;
    const buf = Buffer.allocUnsafe(frameLength);
    const n = this.#io("read value", () => this.fs.readSync(f.fd, buf, 0, frameLength, offset));
    const v = readFrame(buf, 0, n, newFrameView());
    if (v.status !== FRAME_OK) {
      this.reports.push({ file: f.name, offset, bytes: frameLength, reason: "checksum mismatch on read" });
      return null;
    }
    return buf.subarray(valueOffset, valueOffset + valueLength);
  }
  /** The open file behind a local file number (compaction and check read through it). */
  fileAt(file) {
    return this.#files[file];
  }
  /** Commands written or buffered whose outcome is not known yet. */
  get pendingCount() {
    return this.#pending.size;
  }
  close() {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#closeFiles();
  }
  get closed() {
    return this.#closed;
  }
};
var SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));
function trustedFrame(buf, p, out) {
  const length = buf.readUInt32LE(p + 8);
  out.status = FRAME_OK;
  out.op = buf[p + 12];
  out.body = p + FRAME_HEADER_BYTES;
  out.length = length;
  out.next = p + FRAME_HEADER_BYTES + length;
  return out;
}

// src/shard/sidecar.ts
import * as path3 from "node:path";
var MAGIC = Buffer.from("LCACCESS", "latin1");
var SIDECAR_HEADER_BYTES = 64;
var SIDECAR_ENTRY_BYTES = 24;
var HITS = 8;
var Sidecar = class {
  fd;
  #fs;
  #entry = Buffer.alloc(SIDECAR_ENTRY_BYTES);
  #counter = Buffer.alloc(16);
  constructor(dir, fs8) {
    this.#fs = fs8;
    this.fd = fs8.openSync(path3.join(dir, "access.bin"), fs8.constants.O_RDWR | fs8.constants.O_CREAT, 420);
    const head = Buffer.alloc(SIDECAR_HEADER_BYTES);
    const n = fs8.readSync(this.fd, head, 0, SIDECAR_HEADER_BYTES, 0);
    if (n < SIDECAR_HEADER_BYTES || !head.subarray(0, 8).equals(MAGIC)) {
      head.fill(0);
      MAGIC.copy(head, 0);
      fs8.writeSync(this.fd, head, 0, SIDECAR_HEADER_BYTES, 0);
    }
  }
  /** Records a get hit: under LRU the access time, under LFU the count (read, add one, write). */
  touch(slot, version, now2, countAccess) {
    const at = SIDECAR_HEADER_BYTES + slot * SIDECAR_ENTRY_BYTES;
    const e = this.#entry;
    let count = 0;
    if (countAccess) {
      const n = this.#fs.readSync(this.fd, e, 0, SIDECAR_ENTRY_BYTES, at);
      if (n === SIDECAR_ENTRY_BYTES && e.readDoubleLE(0) === version) count = e.readDoubleLE(16);
    }
    e.writeDoubleLE(version, 0);
    e.writeDoubleLE(now2, 8);
    e.writeDoubleLE(count + (countAccess ? 1 : 0), 16);
    this.#fs.writeSync(this.fd, e, 0, SIDECAR_ENTRY_BYTES, at);
  }
  /** Entries for slots [0, highWater): one read, for choosing eviction victims. */
  readAll(highWater) {
    const bytes = highWater * SIDECAR_ENTRY_BYTES;
    const buf = Buffer.alloc(bytes);
    if (bytes > 0) this.#fs.readSync(this.fd, buf, 0, bytes, SIDECAR_HEADER_BYTES);
    return new Float64Array(buf.buffer, buf.byteOffset, highWater * 3);
  }
  /** Shared hit/miss counters (statistics). */
  counters() {
    const c = this.#counter;
    this.#fs.readSync(this.fd, c, 0, 16, HITS);
    return [c.readDoubleLE(0), c.readDoubleLE(8)];
  }
  count(hit) {
    const [h, m] = this.counters();
    const c = this.#counter;
    c.writeDoubleLE(hit ? h + 1 : h, 0);
    c.writeDoubleLE(hit ? m : m + 1, 8);
    this.#fs.writeSync(this.fd, c, 0, 16, HITS);
  }
  resetCounters() {
    this.#fs.writeSync(this.fd, Buffer.alloc(16), 0, 16, HITS);
  }
  close() {
    try {
      this.#fs.closeSync(this.fd);
    } catch {
    }
  }
};

// src/shard/eviction.ts
var VictimList = class {
  #slots = [];
  #versions = [];
  #next = 0;
  #rankedAt = -Infinity;
  invalidate() {
    this.#slots = [];
    this.#next = 0;
  }
  take(kd, order, sidecar, seq, limit, skip) {
    if (order === "stored") return storedVictims(kd, limit, skip);
    const out = [];
    for (let attempt = 0; attempt < 2 && out.length < limit; attempt++) {
      if (this.#next >= this.#slots.length || seq - this.#rankedAt > Math.max(64, kd.count / 4)) {
        this.#rank(kd, order, sidecar());
        this.#rankedAt = seq;
      }
      while (this.#next < this.#slots.length && out.length < limit) {
        const s = this.#slots[this.#next++];
        if (kd.has(s) && kd.version[s] === this.#versions[this.#next - 1] && !skip.has(s)) out.push(s);
      }
    }
    return out;
  }
  #rank(kd, order, sidecar) {
    const side = sidecar.readAll(kd.highWater);
    const byCount = order === "accessCount";
    const slots = [];
    const rank2 = new Float64Array(kd.highWater);
    for (const s of kd.slots()) {
      const current = side[s * 3] === kd.version[s];
      rank2[s] = byCount ? current ? side[s * 3 + 2] : 0 : current ? side[s * 3 + 1] : kd.storeTime[s];
      slots.push(s);
    }
    slots.sort((a, b) => rank2[a] - rank2[b] || kd.rowid[a] - kd.rowid[b]);
    this.#slots = slots;
    this.#versions = slots.map((s) => kd.version[s]);
    this.#next = 0;
  }
};
function storedVictims(kd, limit, skip) {
  const out = [];
  for (let s = kd.stoHead; s !== NIL && out.length < limit; s = kd.stoNext[s]) if (!skip.has(s)) out.push(s);
  return out;
}
function expiredSlots(kd, now2, limit) {
  const heap = kd.expiries;
  const out = [];
  const keep = [];
  while (heap.size > 0 && out.length < limit) {
    const e = heap.peekKey();
    const s = heap.peekValue();
    if (!kd.has(s) || kd.expire[s] !== e) {
      heap.pop();
      continue;
    }
    if (!(e < now2)) break;
    heap.pop();
    keep.push([e, s]);
    if (!out.includes(s)) out.push(s);
  }
  for (const [e, s] of keep) heap.push(e, s);
  return out;
}

// src/shard/compaction.ts
import * as path5 from "node:path";

// src/shard/lock.ts
import lockfile from "proper-lockfile";
import * as fs3 from "node:fs";
import * as path4 from "node:path";
var STALE_MS = 3e4;
function tryLock(dir, name) {
  const file = path4.join(dir, name);
  const owner = `${file}.owner`;
  const intent = `${file}.want-${process.pid}`;
  try {
    fs3.writeFileSync(intent, String(process.pid));
  } catch {
  }
  try {
    for (let attempt = 0; ; attempt++) {
      let release;
      try {
        release = lockfile.lockSync(file, {
          realpath: false,
          stale: STALE_MS,
          // A lost lock must not crash the process: the guarded steps tolerate a second runner.
          onCompromised: () => {
          }
        });
      } catch (err) {
        const code = err.code;
        if (code === "ENOENT" && fs3.existsSync(dir)) return null;
        if (code !== "ELOCKED") throw err;
        if (attempt > 0 || !holderDead(dir, name, owner)) return null;
        try {
          fs3.unlinkSync(owner);
        } catch {
        }
        try {
          fs3.rmdirSync(`${file}.lock`);
        } catch {
        }
        continue;
      }
      try {
        fs3.renameSync(intent, owner);
      } catch {
      }
      return () => {
        try {
          fs3.unlinkSync(owner);
        } catch {
        }
        try {
          release();
        } catch {
        }
      };
    }
  } finally {
    try {
      fs3.unlinkSync(intent);
    } catch {
    }
  }
}
function holderDead(dir, name, owner) {
  let text = null;
  try {
    text = fs3.readFileSync(owner, "utf8");
  } catch {
  }
  const ownerPid = Number(text);
  if (text !== null && Number.isInteger(ownerPid) && ownerPid > 0) return ownerPid !== process.pid && !processAlive(ownerPid);
  const prefix = `${name}.want-`;
  let names;
  try {
    names = fs3.readdirSync(dir).filter((n) => n.startsWith(prefix));
  } catch {
    return false;
  }
  let anyAlive = false;
  for (const n of names) {
    const pid = Number(n.slice(prefix.length));
    if (pid === process.pid) continue;
    if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) {
      try {
        fs3.unlinkSync(path4.join(dir, n));
      } catch {
      }
    } else anyAlive = true;
  }
  return !anyAlive;
}

// src/shard/compaction.ts
var WRITE_BATCH = 1024 * 1024;
function logDiskBytes(shard) {
  let total = 0;
  for (const name of shard.fs.readdirSync(shard.dir)) {
    if (parseLogFileName(name)) {
      try {
        total += shard.fs.statSync(path5.join(shard.dir, name)).size;
      } catch {
      }
    }
  }
  return total;
}
function compact(shard) {
  try {
    return compactLocked(shard);
  } catch (err) {
    throw err instanceof LogcacheError ? err : new IOError(`compaction in ${shard.dir}`, err);
  }
}
function compactLocked(shard) {
  const release = tryLock(shard.dir, "compact");
  if (!release) return { base: 0, items: 0, bytesBefore: 0, bytesAfter: 0 };
  try {
    const bytesBefore = logDiskBytes(shard);
    shard.sync();
    let written = 0;
    let items = 0;
    const target = shard.activeSegmentId;
    shard.onSealed = (id) => {
      if (id !== target) return;
      items = writeBase(shard, id);
      written = id;
    };
    try {
      shard.seal(SEAL_COMPACTION_START, 0);
    } finally {
      shard.onSealed = null;
    }
    if (written === 0) return { base: 0, items: 0, bytesBefore, bytesAfter: bytesBefore };
    removeReplaced(shard, written);
    shard.seal(SEAL_COMPACTION_DONE, written);
    return { base: written, items, bytesBefore, bytesAfter: logDiskBytes(shard) };
  } finally {
    release();
  }
}
function writeBase(shard, id) {
  const { fs: fs8, dir, state } = shard;
  const kd = state.kd;
  const tmp = path5.join(dir, `.tmp-base-${process.pid}-${shard.writer.toString(16)}-${id}`);
  const fd = fs8.openSync(tmp, "w");
  let items = 0;
  try {
    let chunks = [fileHeader(KIND_BASE, id)];
    let chunkBytes = FILE_HEADER_BYTES;
    const emit = (frame) => {
      chunks.push(frame);
      chunkBytes += frame.length;
      if (chunkBytes >= WRITE_BATCH) {
        fs8.writeSync(fd, Buffer.concat(chunks));
        chunks = [];
        chunkBytes = 0;
      }
    };
    const meta = Buffer.allocUnsafe(ENTRY_META_BYTES);
    for (const slot of kd.slots()) {
      let value;
      const number = kd.numbers.get(slot);
      if (kd.mode[slot] === MODE_RAW_NUMBER && number !== void 0) {
        value = Buffer.allocUnsafe(8);
        value.writeDoubleLE(number);
      } else value = shard.valueBytes(slot);
      if (value === null) continue;
      const m = Buffer.from(meta);
      m.writeDoubleLE(kd.rowid[slot], 0);
      m.writeDoubleLE(kd.version[slot], 8);
      m.writeUInt32LE(slot, 16);
      const tag = kd.tags.get(slot);
      const file = kd.files.get(slot);
      const expire = kd.expire[slot];
      let flags = 0;
      if (expire !== NEVER) flags |= FLAG_HAS_EXPIRE;
      if (tag !== void 0) flags |= FLAG_HAS_TAG;
      if (file) flags |= FLAG_FILE;
      emit(encodeRecord(OP_ENTRY, {
        writer: shard.writer,
        seq: 0,
        time: kd.storeTime[slot],
        num1: expire === NEVER ? 0 : expire,
        num2: file?.size ?? 0,
        flags,
        mode: kd.mode[slot],
        key: kd.keys.view(slot),
        tag: tag === void 0 ? null : encodedOfKeyId(tag),
        value: [m, value]
      }));
      items++;
    }
    for (const [name, value] of state.settings) {
      emit(encodeRecord(OP_SETTING, {
        writer: shard.writer,
        seq: 0,
        time: 0,
        key: Buffer.from(name),
        value: Buffer.from(JSON.stringify(value))
      }));
    }
    const hw = Buffer.allocUnsafe(12);
    hw.writeUInt32LE(kd.highWater, 0);
    hw.writeUInt32LE(state.txnOwner, 4);
    hw.writeUInt32LE(state.txnPid, 8);
    emit(encodeRecord(OP_BASE, { writer: shard.writer, seq: 0, time: now(), num1: state.seq, num2: state.rowidCounter, value: hw }));
    if (chunks.length) fs8.writeSync(fd, Buffer.concat(chunks));
    fs8.fsyncSync(fd);
  } finally {
    fs8.closeSync(fd);
  }
  try {
    fs8.linkSync(tmp, path5.join(dir, baseName(id)));
  } catch (err) {
    if (err.code !== "EEXIST") throw err;
  } finally {
    fs8.unlinkSync(tmp);
  }
  fsyncDir(shard);
  return items;
}
function removeReplaced(shard, baseId) {
  for (const name of shard.fs.readdirSync(shard.dir)) {
    const p = parseLogFileName(name);
    if (!p) continue;
    if (p.kind === KIND_BASE && p.id < baseId || p.kind !== KIND_BASE && p.id <= baseId) {
      try {
        shard.fs.unlinkSync(path5.join(shard.dir, name));
      } catch {
      }
    }
  }
}
function fsyncDir(shard) {
  try {
    const fd = shard.fs.openSync(shard.dir, "r");
    try {
      shard.fs.fsyncSync(fd);
    } finally {
      shard.fs.closeSync(fd);
    }
  } catch {
  }
}

// src/shard/check.ts
import * as path6 from "node:path";
function isEngineFile(name) {
  return parseLogFileName(name) !== null || name === "access.bin" || name.startsWith(".tmp-") || name.endsWith(".lock") || /\.(owner|want-\d+)$/.test(name);
}
function leftoverOfDead(name) {
  const m = /^\.tmp-(?:base-)?(\d+)-|\.want-(\d+)$/.exec(name);
  if (!m) return false;
  const pid = Number(m[1] ?? m[2]);
  return pid !== process.pid && !processAlive(pid);
}
function checkShard(shard, disk, fix) {
  const { fs: fs8, dir } = shard;
  const warnings = [];
  const listed = fs8.readdirSync(dir);
  shard.sync();
  let corrupt = false;
  for (const f of shard.openFiles()) {
    const full = path6.join(dir, f.name);
    let buf;
    try {
      buf = fs8.readFileSync(full);
    } catch {
      continue;
    }
    const bad = checkFileHeader(buf, f.kind, f.id);
    if (bad) {
      warnings.push({ category: "CorruptionWarning", message: `${f.name}: ${bad}` });
      corrupt = true;
      continue;
    }
    const fv = newFrameView();
    const scratch = newFrameView();
    let p = FILE_HEADER_BYTES;
    while (p < buf.length) {
      const v = readFrame(buf, p, buf.length, fv);
      if (v.status === FRAME_OK) {
        p = v.next;
        continue;
      }
      const q = nextGoodFrame(buf, p, buf.length, scratch);
      const bytes = (q < 0 ? buf.length : q) - p;
      const tail = q < 0;
      warnings.push({
        category: tail ? "UserWarning" : "CorruptionWarning",
        message: `${tail ? "torn tail" : "corrupt frame"} in ${f.name} at offset ${p}: ${bytes} bytes ${tail ? "left by an interrupted write" : "skipped"}`
      });
      if (!tail) corrupt = true;
      p += bytes;
    }
  }
  const files = shard.openFiles();
  const first = files[0];
  if (first !== void 0 && first.kind === KIND_SEGMENT && first.id > 1 && !files.some((f) => f.kind === KIND_BASE)) {
    warnings.push({ category: "CorruptionWarning", message: `${first.name}: the log starts here without a base; the history before it is missing` });
    corrupt = true;
  }
  const orphans = listed.filter((n) => {
    const p = parseLogFileName(n);
    return p !== null && p.kind === KIND_SEGMENT && p.id > shard.activeSegmentId;
  }).sort();
  for (const o of orphans) {
    warnings.push({
      category: "CorruptionWarning",
      message: `${o}: segment cut off from the log (the seal of ${segmentName(shard.activeSegmentId)} is damaged, or a segment before it is gone)`
    });
    corrupt = true;
  }
  const kd = shard.state.kd;
  const referenced = /* @__PURE__ */ new Set();
  const missing = [];
  for (const [slot, file] of kd.files) {
    referenced.add(path6.normalize(file.name));
    const full = path6.join(dir, file.name);
    let size;
    try {
      size = fs8.statSync(full).size;
    } catch {
      warnings.push({ category: "UserWarning", message: `file not found: ${full}` });
      missing.push([kd.keyBytes(slot), kd.version[slot]]);
      continue;
    }
    if (size !== file.size) {
      warnings.push({ category: "UserWarning", message: `wrong file size: ${full}, ${size} != ${file.size}` });
      missing.push([kd.keyBytes(slot), kd.version[slot]]);
    }
  }
  const scan = scanFiles(fs8, dir, referenced, (name) => leftoverOfDead(name) ? "leftover" : isEngineFile(name) ? "engine" : "other");
  warnings.push(...fileWarnings(dir, scan));
  for (const r of shard.reports) {
    if (/checksum|torn|malformed/.test(r.reason) && !fs8.existsSync(path6.join(dir, r.file))) continue;
    const seen = warnings.some((w) => w.message.includes(`${r.file} at offset ${r.offset}`));
    if (!seen && r.reason !== "torn frame") {
      warnings.push({ category: "CorruptionWarning", message: `${r.reason} in ${r.file} at offset ${r.offset}: ${r.bytes} bytes` });
      corrupt = true;
    }
  }
  if (!fix) return warnings;
  for (const o of orphans) {
    try {
      fs8.unlinkSync(path6.join(dir, o));
    } catch {
    }
  }
  if (missing.length > 0) {
    const out = shard.append(OP_DELV, { time: now(), value: encodeTxnValue(missing.map(([key, version]) => ({ key, version })), []) });
    for (const s of out.removed) if (s.valueFile) disk.remove(s.valueFile.name);
  }
  if (corrupt || warnings.some((w) => w.message.startsWith("torn tail"))) {
    compact(shard);
    shard.reports.length = 0;
  }
  tidyFiles(fs8, dir, scan, disk);
  return warnings;
}
function scanFiles(fs8, dir, referenced, rootFile) {
  const scan = { unknown: [], empty: [], leftovers: [] };
  const walk = (rel) => {
    const entries = fs8.readdirSync(path6.join(dir, rel), { withFileTypes: true });
    if (rel !== "" && entries.length === 0) scan.empty.push(rel);
    for (const e of entries) {
      const r = rel === "" ? e.name : path6.join(rel, e.name);
      if (e.isDirectory()) {
        if (rel === "" && e.name.endsWith(".lock")) continue;
        walk(r);
        continue;
      }
      const kind = rel === "" ? rootFile(e.name) : "other";
      if (kind === "leftover") scan.leftovers.push(r);
      else if (kind === "other" && !referenced.has(r)) scan.unknown.push(r);
    }
  };
  walk("");
  return scan;
}
function fileWarnings(dir, scan) {
  return [
    ...scan.unknown.map((u) => ({ category: "UnknownFileWarning", message: `unknown file: ${path6.join(dir, u)}` })),
    ...scan.leftovers.map((l) => ({ category: "UnknownFileWarning", message: `leftover of a dead process: ${path6.join(dir, l)}` })),
    ...scan.empty.map((e) => ({ category: "EmptyDirWarning", message: `empty directory: ${path6.join(dir, e)}` }))
  ];
}
function tidyFiles(fs8, dir, scan, disk) {
  for (const u of scan.unknown) disk.remove(u);
  for (const l of scan.leftovers) try {
    fs8.unlinkSync(path6.join(dir, l));
  } catch {
  }
  for (const e of scan.empty) {
    for (let rel = e; rel !== "" && rel !== "."; rel = path6.dirname(rel)) {
      try {
        fs8.rmdirSync(path6.join(dir, rel));
      } catch {
        break;
      }
    }
  }
}

// src/shard/log-engine.ts
var CULL_BATCH = 10;
var REMOVE_BATCH = 1e3;
var MISS = /* @__PURE__ */ Symbol("miss");
var POLICY = {
  none: { access: "none", order: null },
  "least-recently-stored": { access: "none", order: "stored" },
  "least-recently-used": { access: "time", order: "accessTime" },
  "least-frequently-used": { access: "count", order: "accessCount" }
};
var LogEngine = class {
  shard;
  #disk;
  #settings;
  #keys;
  #sidecar = null;
  /** In a transaction: value files to delete once it commits, and the files its commands wrote. */
  #txnFiles = null;
  /** After a failed automatic compaction: the log size at which to try again. */
  #compactRetryAt = 0;
  #victims = new VictimList();
  #victimPolicy = "";
  #txnDepth = 0;
  constructor(directory, options) {
    this.shard = new Shard(directory, options);
    this.shard.waitTimeoutMs = options.timeout * 1e3;
  }
  storedSettings() {
    this.shard.sync();
    return this.shard.state.settings;
  }
  writeSetting(name, value) {
    this.shard.append(OP_SETTING, { time: now(), key: Buffer.from(name), value: Buffer.from(JSON.stringify(value)) });
  }
  attach(disk, settings) {
    this.#disk = disk;
    this.#settings = settings;
    this.#keys = new KeyEncoder(disk);
  }
  // ---- helpers --------------------------------------------------------------------------------------------------
  #policy() {
    return POLICY[this.#settings.evictionPolicy] ?? POLICY["least-recently-stored"];
  }
  /** A live slot for the encoded key `b[0, end)` at `now`, or NIL. */
  #live(b, end, now2) {
    const kd = this.shard.state.kd;
    const slot = kd.find(b, 0, end);
    return slot !== NIL && kd.expire[slot] > now2 ? slot : NIL;
  }
  /** The value of a slot; MISS when its bytes or file are gone. */
  #value(slot, read) {
    const kd = this.shard.state.kd;
    const mode = kd.mode[slot];
    if (mode === MODE_RAW_NUMBER) {
      const n = kd.numbers.get(slot);
      if (n !== void 0) return n;
    }
    const file = kd.files.get(slot);
    try {
      if (file) return this.#fetchFile(mode, file, read);
      const bytes = this.shard.valueBytes(slot);
      return bytes === null ? MISS : this.#disk.fetch(mode, null, bytes, read);
    } catch (err) {
      if (err.code === "ENOENT") return MISS;
      throw err;
    }
  }
  /**
   * A value file's value. A value file carries no checksum; its size is what the log vouches for, so a file of
   * another size is damaged (cut short, or grown): MISS, as for a frame that fails its CRC (check() reports it,
   * check({ fix: true }) deletes the item). A file that does not decode is damaged too: CorruptionError.
   * ENOENT (the file is gone) goes to the caller, which treats it as a miss.
   */
  #fetchFile(mode, file, read) {
    const full = path7.join(this.#disk.directory, file.name);
    let size;
    try {
      size = this.shard.fs.statSync(full).size;
    } catch (err) {
      if (err.code === "ENOENT") throw err;
      throw new IOError(`stat value file ${file.name}`, err);
    }
    if (size !== file.size) return MISS;
    try {
      return this.#disk.fetch(mode, file.name, null, read);
    } catch (err) {
      if (typeof err.code === "string") {
        if (err.code === "ENOENT") throw err;
        throw new IOError(`read value file ${file.name}`, err);
      }
      if (err instanceof LogcacheError) throw err;
      throw new CorruptionError(file.name, 0, size, `value file does not decode: ${err?.message ?? String(err)}`);
    }
  }
  #item(slot, value) {
    const kd = this.shard.state.kd;
    const e = kd.expire[slot];
    return { value, expireTime: e === NEVER ? null : e, tag: this.#tag(kd.tags.get(slot)) };
  }
  #tag(id) {
    return id === void 0 ? null : this.#disk.get(encodedOfKeyId(id));
  }
  /** Reads the value a command removed (pop, pull), then deletes its file. */
  #take(s) {
    try {
      let value;
      if (s.number !== void 0 && s.mode === MODE_RAW_NUMBER) value = s.number;
      else if (s.valueFile) {
        value = this.#fetchFile(s.mode, s.valueFile, false);
        if (value === MISS) return void 0;
      } else {
        if (s.error !== void 0) throw s.error;
        const bytes = s.bytes;
        if (bytes === void 0 || bytes === null) return void 0;
        value = this.#disk.fetch(s.mode, null, bytes, false);
      }
      return { value, expireTime: s.expire === NEVER ? null : s.expire, tag: this.#tag(s.tag) };
    } catch (err) {
      if (err.code === "ENOENT") return void 0;
      throw err;
    } finally {
      if (s.valueFile) this.#removeFile(s.valueFile.name);
    }
  }
  /** Deletes the value files of items a command of ours replaced or removed. */
  #removeFiles(out) {
    for (const s of out.removed) if (s.valueFile) this.#removeFile(s.valueFile.name);
  }
  /** Deletes a value file nothing refers to any more; inside a transaction, once it commits (an abort keeps the
   * item that owns it). */
  #removeFile(name) {
    if (this.#txnFiles) this.#txnFiles.remove.push(name);
    else this.#disk.remove(name);
  }
  #sidecarOpen() {
    return this.#sidecar ??= new Sidecar(this.shard.dir, this.shard.fs);
  }
  #record(key, stored, expire, tag, now2) {
    let flags = 0;
    if (expire !== null) flags |= FLAG_HAS_EXPIRE;
    if (tag !== null) flags |= FLAG_HAS_TAG;
    if (stored.filename !== null) flags |= FLAG_FILE;
    return {
      time: now2,
      num1: expire === null ? 0 : now2 + expire,
      num2: stored.size,
      flags,
      mode: stored.mode,
      key,
      tag: tag === null ? null : encodeKey(tag, "tag"),
      value: stored.filename !== null ? Buffer.from(stored.filename) : stored.inline
    };
  }
  /** Appends a storing command; removes the value file this call wrote when it fails or does not apply. */
  #store(op, rec, stored, deadline) {
    let out;
    try {
      out = this.shard.append(op, rec, deadline);
    } catch (err) {
      if (stored.filename !== null && err instanceof Timeout) this.#disk.remove(stored.filename);
      throw err;
    }
    if (!out.applied && stored.filename !== null) this.#disk.remove(stored.filename);
    else if (stored.filename !== null) this.#txnFiles?.written.push(stored.filename);
    this.#removeFiles(out);
    return out;
  }
  /** Conditional delete of items still at the versions seen. `want`: snapshots of every removed item. */
  #delv(items, deadline, want = false) {
    const out = this.shard.append(OP_DELV, {
      time: now(),
      value: encodeTxnValue(items.map(([key, version]) => ({ key, version })), [])
    }, deadline, want);
    if (!want) this.#removeFiles(out);
    return out;
  }
  #removeAll(items, deadline) {
    let count = 0;
    for (let i = 0; i < items.length; i += REMOVE_BATCH) {
      try {
        count += this.#delv(items.slice(i, i + REMOVE_BATCH), deadline).count ?? 0;
      } catch (err) {
        if (err instanceof Timeout) throw new Timeout(count);
        throw err;
      }
    }
    return count;
  }
  #entries(slots) {
    const kd = this.shard.state.kd;
    return [...slots].map((s) => [kd.keyBytes(s), kd.version[s]]);
  }
  // ---- reads ------------------------------------------------------------------------------------------------------
  get(key, read) {
    const sh = this.shard;
    const kb = this.#keys.encode(key);
    const end = this.#keys.length;
    sh.sync();
    const now2 = now();
    const slot = this.#live(kb, end, now2);
    const value = slot === NIL ? MISS : this.#value(slot, read);
    if (this.#settings.statistics) this.#sidecarOpen().count(value !== MISS);
    if (value === MISS) return void 0;
    const access = this.#policy().access;
    if (access !== "none") this.#sidecarOpen().touch(slot, sh.state.kd.version[slot], now2, access === "count");
    return this.#item(slot, value);
  }
  has(key) {
    const kb = this.#keys.encode(key);
    const end = this.#keys.length;
    this.shard.sync();
    return this.#live(kb, end, now()) !== NIL;
  }
  count() {
    this.shard.sync();
    return this.shard.state.kd.count;
  }
  volume() {
    this.shard.sync();
    return this.shard.state.kd.liveBytes;
  }
  // ---- writes ---------------------------------------------------------------------------------------------------
  set(key, stored, expire, tag, deadline) {
    const now2 = now();
    this.#store(OP_SET, this.#record(this.#disk.put(key), stored, expire, tag, now2), stored, deadline);
    this.#cullAfterWrite();
  }
  add(key, stored, expire, tag, deadline) {
    const now2 = now();
    const out = this.#store(OP_ADD, this.#record(this.#disk.put(key), stored, expire, tag, now2), stored, deadline);
    if (out.applied) this.#cullAfterWrite();
    return out.applied;
  }
  touch(key, expire, deadline) {
    const now2 = now();
    return this.shard.append(OP_TOUCH, {
      time: now2,
      key: this.#disk.put(key),
      num1: expire === null ? 0 : now2 + expire,
      flags: expire === null ? 0 : FLAG_HAS_EXPIRE
    }, deadline).applied;
  }
  incr(key, delta, dflt, deadline) {
    const keyBytes = this.#disk.put(key);
    this.shard.sync();
    const kd = this.shard.state.kd;
    const slot = kd.find(keyBytes);
    const now2 = now();
    if (slot !== NIL && !(kd.expire[slot] < now2)) {
      if (kd.mode[slot] !== MODE_RAW_NUMBER || !kd.numbers.has(slot)) throw new TypeError(`the value at key ${String(key)} is not a number`);
    } else if (dflt === null) throw new KeyError(key);
    const existed = slot !== NIL && kd.expire[slot] > now2;
    const out = this.shard.append(OP_INCR, {
      time: now(),
      key: keyBytes,
      num1: delta,
      num2: dflt ?? 0,
      flags: dflt === null ? FLAG_DEFAULT_NULL : 0
    }, deadline);
    if (out.error === "missing") throw new KeyError(key);
    if (out.error === "type") throw new TypeError(`the value at key ${String(key)} is not a number`);
    this.#removeFiles(out);
    if (!existed) this.#cullAfterWrite();
    return out.value;
  }
  delete(key, deadline) {
    const sh = this.shard;
    const keyBytes = this.#disk.put(key);
    if (this.#live(keyBytes, keyBytes.length, now()) === NIL) {
      sh.sync();
      if (this.#live(keyBytes, keyBytes.length, now()) === NIL) return false;
    }
    const out = sh.append(OP_DELETE, { time: now(), key: keyBytes }, deadline);
    this.#removeFiles(out);
    this.#maybeCompact();
    return out.applied;
  }
  pop(key, deadline) {
    const sh = this.shard;
    const keyBytes = this.#disk.put(key);
    sh.sync();
    if (this.#live(keyBytes, keyBytes.length, now()) === NIL) return void 0;
    const out = sh.append(OP_DELETE, { time: now(), key: keyBytes }, deadline, true);
    return out.applied ? this.#take(out.removed[0]) : void 0;
  }
  push(prefix, side, stored, expire, tag, deadline) {
    const rec = this.#record(prefix === null ? Buffer.alloc(0) : Buffer.from(prefix), stored, expire, tag, now());
    rec.flags |= (prefix !== null ? FLAG_HAS_PREFIX : 0) | (side === "front" ? FLAG_SIDE_FRONT : 0);
    const out = this.#store(OP_PUSH, rec, stored, deadline);
    this.#cullAfterWrite();
    return this.#disk.get(out.key);
  }
  pull(prefix, side, remove, deadline) {
    const sh = this.shard;
    for (; ; ) {
      sh.sync();
      const q = sh.state.queues.get(prefix);
      if (q === void 0 || q.length === 0) return void 0;
      const keyBytes = QueueIndex.encodeKey(prefix, side === "front" ? q[0] : q[q.length - 1]);
      const kd = sh.state.kd;
      const slot = kd.find(keyBytes);
      const expired = kd.expire[slot] < now();
      if (!remove && !expired) {
        const value = this.#value(slot, false);
        if (value === MISS) {
          this.#delv([[keyBytes, kd.version[slot]]], deadline);
          continue;
        }
        return [this.#disk.get(keyBytes), this.#item(slot, value)];
      }
      const out = this.#delv([[keyBytes, kd.version[slot]]], deadline, !expired);
      if (expired || out.count === 0) continue;
      const item = this.#take(out.removed[0]);
      if (item !== void 0) return [this.#disk.get(keyBytes), item];
    }
  }
  peekitem(last, deadline) {
    const sh = this.shard;
    for (; ; ) {
      sh.sync();
      const kd = sh.state.kd;
      const slot = last ? kd.insTail : kd.insHead;
      if (slot === NIL) return void 0;
      const keyBytes = kd.keyBytes(slot);
      const value = kd.expire[slot] < now() ? MISS : this.#value(slot, false);
      if (value === MISS) {
        this.#delv([[keyBytes, kd.version[slot]]], deadline);
        continue;
      }
      return [this.#disk.get(keyBytes), this.#item(slot, value)];
    }
  }
  // ---- bulk removal and culling ------------------------------------------------------------------------------------
  expire(now2, deadline) {
    this.shard.sync();
    const kd = this.shard.state.kd;
    const slots = [];
    if (kd.expiring > 0) {
      for (const s of kd.slots()) {
        const e = kd.expire[s];
        if (e > 0 && e < now2) slots.push(s);
      }
    }
    return this.#removeAll(this.#entries(slots), deadline);
  }
  evict(tag, deadline) {
    const tagId = keyIdOfEncoded(encodeKey(tag, "tag"));
    this.shard.sync();
    const slots = [];
    for (const [s, t] of this.shard.state.kd.tags) if (t === tagId) slots.push(s);
    return this.#removeAll(this.#entries(slots), deadline);
  }
  clear(deadline) {
    let out;
    try {
      out = this.shard.append(OP_CLEAR, { time: now() }, deadline);
    } catch (err) {
      if (err instanceof Timeout) throw new Timeout(0);
      throw err;
    }
    this.#removeFiles(out);
    return out.count ?? 0;
  }
  cull(deadline) {
    let count = this.expire(now(), deadline);
    if (this.#policy().order === null) return 0;
    while (this.volume() > this.#settings.sizeLimit) {
      const victims = this.#victimSlots(CULL_BATCH, /* @__PURE__ */ new Set());
      if (victims.length === 0) break;
      count += this.#removeAll(this.#entries(victims), deadline);
    }
    return count;
  }
  /** After a write: compaction when the log is mostly dead (the lock is tried, never waited for). */
  #maybeCompact() {
    if (!this.shard.wantsCompaction || this.shard.inTxn || this.shard.logBytes < this.#compactRetryAt) return;
    try {
      compact(this.shard);
    } catch (err) {
      if (!(err instanceof IOError)) throw err;
      this.#compactRetryAt = this.shard.logBytes + this.shard.compactMinBytes;
    }
  }
  /** diskcache's culling step after a write: up to cullLimit items, expired first, then policy victims. */
  #cullAfterWrite() {
    this.#maybeCompact();
    let limit = this.#settings.cullLimit;
    if (limit <= 0 || this.shard.inTxn) return;
    const kd = this.shard.state.kd;
    const order = this.#policy().order;
    if (kd.expiring === 0 && (order === null || kd.liveBytes < this.#settings.sizeLimit)) return;
    this.shard.sync();
    const chosen = new Set(expiredSlots(kd, now(), limit));
    limit -= chosen.size;
    if (limit > 0 && order !== null && kd.liveBytes >= this.#settings.sizeLimit) {
      for (const s of this.#victimSlots(limit, chosen)) chosen.add(s);
    }
    if (chosen.size === 0) return;
    try {
      this.#delv(this.#entries(chosen), Date.now() + this.shard.waitTimeoutMs);
    } catch (err) {
      if (!(err instanceof Timeout)) throw err;
    }
  }
  #victimSlots(limit, skip) {
    const st = this.shard.state;
    if (this.#victimPolicy !== this.#settings.evictionPolicy) {
      this.#victims.invalidate();
      this.#victimPolicy = this.#settings.evictionPolicy;
    }
    return this.#victims.take(st.kd, this.#policy().order, () => this.#sidecarOpen(), st.seq, limit, skip);
  }
  // ---- iteration, transactions, maintenance ---------------------------------------------------------------------
  keys(reverse) {
    this.shard.sync();
    const kd = this.shard.state.kd;
    const out = [];
    for (const s of kd.slots(reverse)) out.push(this.#disk.get(kd.keyBytes(s)));
    return out;
  }
  sortedKeys(reverse) {
    this.shard.sync();
    const kd = this.shard.state.kd;
    const encoded = [...kd.slots()].map((s) => kd.keyBytes(s));
    return sortEncodedKeys(encoded, reverse).map((e) => this.#disk.get(e));
  }
  transact(fn, deadline) {
    if (this.#txnDepth > 0) return fn();
    const sh = this.shard;
    sh.beginTxn(deadline);
    this.#txnDepth++;
    const files = this.#txnFiles = { remove: [], written: [] };
    let result;
    try {
      result = fn();
      if (result instanceof Promise) throw new TypeError("transact takes a synchronous function (it returned a Promise)");
    } catch (err) {
      this.#txnDepth--;
      this.#txnFiles = null;
      sh.abortTxn();
      for (const name of files.written) this.#disk.remove(name);
      throw err;
    }
    this.#txnDepth--;
    this.#txnFiles = null;
    sh.commitTxn();
    for (const name of files.remove) this.#disk.remove(name);
    this.#cullAfterWrite();
    return result;
  }
  check(fix) {
    return checkShard(this.shard, this.#disk, fix);
  }
  stats(reset) {
    const side = this.#sidecarOpen();
    const result = side.counters();
    if (reset) side.resetCounters();
    return result;
  }
  compact() {
    return compact(this.shard);
  }
  close() {
    this.#sidecar?.close();
    this.shard.close();
  }
};

// src/shard/sqlite-engine.ts
import fs5 from "node:fs";
import path9 from "node:path";

// src/shard/engine.ts
var METADATA_KEYS = /* @__PURE__ */ new Set(["count", "size", "hits", "misses"]);

// src/shard/sqlite-binding.ts
import fs4 from "node:fs";
import { createRequire as createRequire2 } from "node:module";
import path8 from "node:path";
var DBNAME = "cache.db";
var SETUP_RETRY_MS = 6e4;
function openDatabase(file) {
  const Binding = nodeSqlite() ?? betterSqlite3();
  return Binding ? new Binding(file) : null;
}
function nodeSqlite() {
  try {
    const getBuiltin = process.getBuiltinModule;
    const mod = getBuiltin ? getBuiltin("node:sqlite") : localRequire()("node:sqlite");
    return mod?.DatabaseSync ?? null;
  } catch {
    return null;
  }
}
function betterSqlite3() {
  const name = "better-sqlite3";
  try {
    return localRequire()(name);
  } catch {
    return null;
  }
}
function localRequire() {
  const url = import.meta.url;
  return typeof url === "string" ? createRequire2(url) : __require;
}
function isBusy(err) {
  const e = err;
  return typeof e?.code === "string" && e.code.startsWith("SQLITE_BUSY") || typeof e?.errcode === "number" && (e.errcode & 255) === 5 || err instanceof Error && err.message.includes("database is locked");
}
function isConstraint(err) {
  const e = err;
  return typeof e?.code === "string" && e.code.startsWith("SQLITE_CONSTRAINT") || typeof e?.errcode === "number" && (e.errcode & 255) === 19;
}
var sleepCell = new Int32Array(new SharedArrayBuffer(4));
var sleep1ms = () => void Atomics.wait(sleepCell, 0, 0, 1);
function retryBusy(deadline, fn) {
  for (; ; ) {
    try {
      return fn();
    } catch (err) {
      if (!isBusy(err) || Date.now() >= deadline) throw err;
      sleep1ms();
    }
  }
}
var TRIGGERS = [
  ["count_insert", "INSERT", "value + 1 WHERE key = 'count'"],
  ["count_delete", "DELETE", "value - 1 WHERE key = 'count'"],
  ["size_insert", "INSERT", "value + NEW.size WHERE key = 'size'"],
  ["size_update", "UPDATE", "value + NEW.size - OLD.size WHERE key = 'size'"],
  ["size_delete", "DELETE", "value - OLD.size WHERE key = 'size'"]
].map(([name, event, set]) => [
  `Settings_${name}`,
  `CREATE TRIGGER IF NOT EXISTS Settings_${name} AFTER ${event} ON Cache FOR EACH ROW BEGIN UPDATE Settings SET value = ${set}; END`
]);
var SCHEMA = [
  "CREATE TABLE IF NOT EXISTS Settings ( key TEXT NOT NULL UNIQUE, value)",
  "INSERT OR IGNORE INTO Settings VALUES ('count', 0), ('size', 0), ('hits', 0), ('misses', 0)",
  // diskcache keeps its pragmas as settings too; written once, they tell diskcache what this file uses.
  "INSERT OR IGNORE INTO Settings VALUES ('sqlite_auto_vacuum', 1), ('sqlite_cache_size', 8192), ('sqlite_journal_mode', 'wal'), ('sqlite_mmap_size', 67108864), ('sqlite_synchronous', 1)",
  "CREATE TABLE IF NOT EXISTS Cache ( rowid INTEGER PRIMARY KEY, key BLOB, raw INTEGER, store_time REAL, expire_time REAL, access_time REAL, access_count INTEGER DEFAULT 0, tag BLOB, size INTEGER DEFAULT 0, mode INTEGER DEFAULT 0, filename TEXT, value BLOB)",
  "CREATE UNIQUE INDEX IF NOT EXISTS Cache_key_raw ON Cache(key, raw)",
  "CREATE INDEX IF NOT EXISTS Cache_expire_time ON Cache (expire_time) WHERE expire_time IS NOT NULL",
  ...TRIGGERS.map(([, sql]) => sql)
];
var SCHEMA_NAMES = ["Settings", "Cache", ...TRIGGERS.map(([name]) => name)];
function openCacheDb(directory, timeoutMs, sync) {
  fs4.mkdirSync(directory, { recursive: true });
  const db = openDatabase(path8.join(directory, DBNAME));
  if (db === null) return null;
  try {
    const pragma = (name) => Object.values(db.prepare(`PRAGMA ${name}`).get() ?? {})[0];
    db.exec(`PRAGMA busy_timeout = ${Math.round(timeoutMs)}`);
    const deadline = Date.now() + SETUP_RETRY_MS;
    retryBusy(deadline, () => {
      const empty = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table'").get() === void 0;
      if (empty && pragma("auto_vacuum") !== 1) db.exec("PRAGMA auto_vacuum = 1");
      if (String(pragma("journal_mode")).toLowerCase() !== "wal") pragma("journal_mode = wal");
    });
    db.exec(`PRAGMA synchronous = ${sync === "always" ? "FULL" : "NORMAL"}`);
    db.exec("PRAGMA cache_size = 8192");
    db.exec("PRAGMA mmap_size = 67108864");
    const have = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'trigger')").all();
    const stale = have.filter((r) => r.type === "trigger" && String(r.sql).includes('"'));
    const present = new Set(have.filter((r) => !stale.includes(r)).map((r) => r.name));
    if (!SCHEMA_NAMES.every((n) => present.has(n))) {
      retryBusy(deadline, () => db.exec("BEGIN IMMEDIATE"));
      try {
        for (const r of stale) db.exec(`DROP TRIGGER IF EXISTS ${r.name}`);
        for (const sql of SCHEMA) db.exec(sql);
        db.exec("COMMIT");
      } catch (err) {
        db.exec("ROLLBACK");
        throw err;
      }
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
var TO_DISKCACHE = /* @__PURE__ */ new Map([["tagIndex", "tag_index"], ["evictionPolicy", "eviction_policy"], ["sizeLimit", "size_limit"], ["cullLimit", "cull_limit"]]);
var FROM_DISKCACHE = new Map([...TO_DISKCACHE].map(([a, b]) => [b, a]));
var BOOLEAN_SETTINGS = /* @__PURE__ */ new Set(["statistics", "tagIndex"]);
function settingKey(name) {
  return TO_DISKCACHE.get(name) ?? (/^disk[A-Z]/.test(name) ? name.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase()) : name);
}
function settingName(key) {
  return FROM_DISKCACHE.get(key) ?? (key.startsWith("disk_") ? key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()) : key);
}
function settingToSql(name, value) {
  if (typeof value === "number") return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof value === "string" || value === null) return value;
  if (typeof value === "boolean" && BOOLEAN_SETTINGS.has(name)) return value ? 1n : 0n;
  return Buffer.from(JSON.stringify(value) ?? "null");
}
function settingFromSql(name, value) {
  if (BOOLEAN_SETTINGS.has(name) && typeof value === "number") return value !== 0;
  if (!(value instanceof Uint8Array)) return value;
  try {
    return JSON.parse(Buffer.from(value).toString("utf8"));
  } catch {
    return Buffer.from(value);
  }
}
function checkFiles(db, dir, disk, fix) {
  const warnings = [];
  const warn = (category, message) => warnings.push({ category, message });
  const referenced = /* @__PURE__ */ new Set();
  for (const r of db.prepare("SELECT rowid, size, filename FROM Cache WHERE filename IS NOT NULL").all()) {
    const full = path8.join(dir, r.filename);
    referenced.add(path8.normalize(r.filename));
    const size2 = fs4.statSync(full, { throwIfNoEntry: false })?.size;
    if (size2 === void 0) {
      warn("UserWarning", `file not found: ${full}`);
      if (fix) db.prepare("DELETE FROM Cache WHERE rowid = ?").run(r.rowid);
    } else if (size2 !== r.size) {
      warn("UserWarning", `wrong file size: ${full}, ${size2} != ${r.size}`);
      if (fix) db.prepare("UPDATE Cache SET size = ? WHERE rowid = ?").run(size2, r.rowid);
    }
  }
  const scan = scanFiles(fs4, dir, referenced, (name) => name.startsWith(DBNAME) ? "engine" : "other");
  warnings.push(...fileWarnings(dir, scan));
  const count = db.prepare("SELECT COUNT(key) AS n FROM Cache").get().n;
  const size = db.prepare("SELECT COALESCE(SUM(size), 0) AS n FROM Cache").get().n;
  for (const [name, actual, what] of [["count", count, "COUNT(Cache.key)"], ["size", size, "SUM(Cache.size)"]]) {
    const stored = db.prepare("SELECT value FROM Settings WHERE key = ?").get(name).value;
    if (stored === actual) continue;
    warn("UserWarning", `Settings.${name} != ${what}; ${stored} != ${actual}`);
    if (fix) db.prepare("UPDATE Settings SET value = ? WHERE key = ?").run(actual, name);
  }
  if (!fix) return warnings;
  tidyFiles(fs4, dir, scan, disk);
  return warnings;
}

// src/shard/sqlite-engine.ts
var SqliteMissingError = class extends LogcacheError {
  constructor() {
    super("ERR_SQLITE_MISSING", "engine: 'sqlite' needs a SQLite binding: run Node.js 22.5 or later (node:sqlite), or `npm install better-sqlite3`");
  }
};
function openSqliteEngine(directory, options) {
  const db = openCacheDb(directory, options.timeout * 1e3, options.sync);
  if (db === null) throw new SqliteMissingError();
  return new SqliteEngine(directory, db, options.timeout * 1e3);
}
var DELETE_BATCH = 100;
var CULL_BATCH2 = 10;
var MISS2 = /* @__PURE__ */ Symbol("miss");
function policy(column, access) {
  return column === null ? { index: null, access: null, victims: null } : {
    index: `CREATE INDEX IF NOT EXISTS Cache_${column} ON Cache (${column})`,
    access,
    victims: `SELECT rowid, filename FROM Cache ORDER BY ${column} LIMIT ?`
  };
}
var POLICY2 = {
  none: policy(null, null),
  "least-recently-stored": policy("store_time", null),
  "least-recently-used": policy("access_time", "time"),
  "least-frequently-used": policy("access_count", "count")
};
var ACCESS_TIME = "UPDATE Cache SET access_time = ? WHERE rowid = ?";
var ACCESS_COUNT = "UPDATE Cache SET access_count = access_count + 1 WHERE rowid = ?";
var HIT = "UPDATE Settings SET value = value + 1 WHERE key = 'hits'";
var MISSED = "UPDATE Settings SET value = value + 1 WHERE key = 'misses'";
var ITEM = "rowid, key, expire_time, tag, mode, filename, value";
var LIVE = "key = ? AND raw = 1 AND (expire_time IS NULL OR expire_time > ?)";
var SELECT_LIVE = `SELECT ${ITEM} FROM Cache WHERE ${LIVE}`;
var HAS_LIVE = `SELECT rowid FROM Cache WHERE ${LIVE}`;
var SELECT_KEY = "SELECT rowid, filename, expire_time, mode, value FROM Cache WHERE key = ? AND raw = 1";
var INSERT = "INSERT INTO Cache( key, raw, store_time, expire_time, access_time, access_count, tag, size, mode, filename, value) VALUES (?, 1, ?, ?, ?, 0, ?, ?, ?, ?, ?)";
var UPDATE = "UPDATE Cache SET store_time = ?, expire_time = ?, access_time = ?, access_count = 0, tag = ?, size = ?, mode = ?, filename = ?, value = ? WHERE rowid = ?";
var DELETE_ROW = "DELETE FROM Cache WHERE rowid = ?";
var EXPIRED = "SELECT rowid, filename FROM Cache WHERE expire_time IS NOT NULL AND expire_time < ? ORDER BY expire_time LIMIT ?";
var SELECT_VOLUME = "SELECT (SELECT page_count FROM pragma_page_count()) AS pages, value FROM Settings WHERE key = 'size'";
function queueSelect(fields, prefixed, desc) {
  const digits = prefixed ? " AND length(key) = ? AND substr(key, -15) NOT GLOB '*[^0-9]*'" : "";
  const range = prefixed ? "? <= key AND key <= ?" : "? < key AND key < ?";
  return `SELECT ${fields} FROM Cache WHERE ${range} AND raw = 1${digits} ORDER BY key ${desc ? "DESC" : "ASC"} LIMIT 1`;
}
var queueSelects = (fields) => [false, true].map((p) => [false, true].map((d) => queueSelect(fields, p, d)));
var QUEUE_KEY = queueSelects("key");
var QUEUE_ITEM = queueSelects(ITEM);
var FIRST_LAST = [false, true].map((last) => `SELECT ${ITEM} FROM Cache ORDER BY rowid ${last ? "DESC" : "ASC"} LIMIT 1`);
function mapError(err) {
  return isBusy(err) ? new Timeout() : err;
}
function numberValue(n) {
  const inline2 = Buffer.allocUnsafe(8);
  inline2.writeDoubleLE(n, 0);
  return { mode: MODE_RAW_NUMBER, size: 0, filename: null, inline: inline2 };
}
var SqliteEngine = class {
  #dir;
  #db;
  #timeoutMs;
  #pageSize;
  #stmts = /* @__PURE__ */ new Map();
  #disk;
  #settings;
  /** 1 while a transaction is open (ours or the caller's): nested writes join it. */
  #depth = 0;
  #userTxn = false;
  /** A write inside transact() skipped its cull: transact culls once after the commit (as the log engine). */
  #cullPending = false;
  /** Value files of replaced or removed items, deleted once the transaction commits (diskcache's cleanup). */
  #cleanup = [];
  /** Value files written for the open transaction, deleted if it rolls back. */
  #written = [];
  #lastQueue = null;
  constructor(directory, db, timeoutMs) {
    this.#dir = path9.resolve(directory);
    this.#db = db;
    this.#timeoutMs = timeoutMs;
    this.#pageSize = this.#read("PRAGMA page_size").page_size;
  }
  /** A prepared statement, prepared on first use. */
  #q(sql) {
    let s = this.#stmts.get(sql);
    if (s === void 0) this.#stmts.set(sql, s = this.#db.prepare(sql));
    return s;
  }
  /** A one-row read; SQLITE_BUSY (rare in WAL mode) is a Timeout. */
  #read(sql, ...params) {
    try {
      return this.#q(sql).get(...params);
    } catch (err) {
      throw mapError(err);
    }
  }
  /** diskcache's _sql_retry: a statement outside a command retries a locked database for 60 s. */
  #retry(fn) {
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
  #run(deadline, fn) {
    if (this.#depth > 0) return fn();
    let result;
    try {
      retryBusy(deadline, () => this.#q("BEGIN IMMEDIATE").run());
      this.#depth = 1;
      result = fn();
      if (result instanceof Promise) throw new TypeError("transact takes a synchronous function (it returned a Promise)");
      this.#q("COMMIT").run();
    } catch (err) {
      if (this.#depth > 0) {
        try {
          this.#q("ROLLBACK").run();
        } catch {
        }
      }
      this.#end(this.#written);
      throw mapError(err);
    }
    this.#end(this.#cleanup);
    return result;
  }
  /** After COMMIT: the replaced items' files go; after ROLLBACK: the files written for it. */
  #end(remove) {
    this.#depth = 0;
    this.#cleanup = [];
    this.#written = [];
    for (const f of remove) this.#disk.remove(f);
  }
  /** A storing command: registers its new value file (removed if the command fails), then runs as #run. */
  #store(deadline, stored, fn) {
    if (stored.filename !== null) this.#written.push(stored.filename);
    return this.#run(deadline, fn);
  }
  #forget(filename) {
    if (filename !== null) this.#cleanup.push(filename);
  }
  #defaultDeadline() {
    return Date.now() + this.#timeoutMs;
  }
  #policy() {
    return POLICY2[this.#settings.evictionPolicy] ?? POLICY2["least-recently-stored"];
  }
  /** The row's value; MISS when its file is gone (diskcache: "key was deleted before we could retrieve result"). */
  #value(row, read) {
    try {
      return this.#disk.fetch(row.mode, row.filename, row.value, read);
    } catch (err) {
      if (err.code === "ENOENT") return MISS2;
      throw err;
    }
  }
  #item(row, value) {
    return { value, expireTime: row.expire_time, tag: row.tag === null ? null : this.#disk.get(row.tag) };
  }
  /** Reads the value of a row already deleted (pop, pull), then deletes its file (at the commit, in transact). */
  #take(row) {
    try {
      const value = this.#value(row, false);
      return value === MISS2 ? void 0 : this.#item(row, value);
    } finally {
      if (this.#depth > 0) this.#forget(row.filename);
      else if (row.filename !== null) this.#disk.remove(row.filename);
    }
  }
  #insert(key, now2, expire, tag, s) {
    this.#q(INSERT).run(key, now2, expire === null ? null : now2 + expire, now2, tag, s.size, s.mode, s.filename, s.inline);
  }
  #update(rowid, now2, expire, tag, s) {
    this.#q(UPDATE).run(now2, expire === null ? null : now2 + expire, now2, tag, s.size, s.mode, s.filename, s.inline, rowid);
  }
  /** diskcache's _cull, inside a storing command's transaction: up to cullLimit expired items, then victims. */
  #cull(now2) {
    let limit = this.#settings.cullLimit;
    if (limit <= 0) return;
    if (this.#userTxn) {
      this.#cullPending = true;
      return;
    }
    limit -= this.#deleteRows(this.#q(EXPIRED).all(now2, limit));
    const victims = this.#policy().victims;
    if (limit <= 0 || victims === null || this.volume() < this.#settings.sizeLimit) return;
    this.#deleteRows(this.#q(victims).all(limit));
  }
  /** Deletes rows (rowid, filename) in the open transaction; their files go at the commit. */
  #deleteRows(rows) {
    for (const r of rows) {
      this.#q(DELETE_ROW).run(r.rowid);
      this.#forget(r.filename);
    }
    return rows.length;
  }
  // ---- settings -------------------------------------------------------------------------------------------------
  storedSettings() {
    const out = /* @__PURE__ */ new Map();
    for (const row of this.#retry(() => this.#q("SELECT key, value FROM Settings").all())) {
      const key = row.key;
      if (METADATA_KEYS.has(key) || key.startsWith("sqlite_")) continue;
      const name = settingName(key);
      out.set(name, settingFromSql(name, row.value));
    }
    return out;
  }
  writeSetting(name, value) {
    this.#run(Date.now() + SETUP_RETRY_MS, () => {
      this.#q("INSERT OR REPLACE INTO Settings VALUES (?, ?)").run(settingKey(name), settingToSql(name, value));
    });
    if (name === "evictionPolicy") {
      const index = POLICY2[value]?.index;
      if (index) this.#retry(() => this.#db.exec(index));
    } else if (name === "tagIndex") {
      this.#retry(() => this.#db.exec(value ? "CREATE INDEX IF NOT EXISTS Cache_tag_rowid ON Cache(tag, rowid) WHERE tag IS NOT NULL" : "DROP INDEX IF EXISTS Cache_tag_rowid"));
    }
  }
  attach(disk, settings) {
    this.#disk = disk;
    this.#settings = settings;
  }
  // ---- reads ------------------------------------------------------------------------------------------------------
  get(key, read, deadline) {
    const k = this.#disk.put(key);
    const access = this.#policy().access;
    const statistics = this.#settings.statistics;
    if (!statistics && access === null) {
      const row = this.#read(SELECT_LIVE, k, now());
      const value = row === void 0 ? MISS2 : this.#value(row, read);
      return value === MISS2 ? void 0 : this.#item(row, value);
    }
    return this.#run(deadline > 0 ? deadline : this.#defaultDeadline(), () => {
      const row = this.#q(SELECT_LIVE).get(k, now());
      const value = row === void 0 ? MISS2 : this.#value(row, read);
      if (statistics) this.#q(value === MISS2 ? MISSED : HIT).run();
      if (value === MISS2) return void 0;
      if (access === "time") this.#q(ACCESS_TIME).run(now(), row.rowid);
      else if (access === "count") this.#q(ACCESS_COUNT).run(row.rowid);
      return this.#item(row, value);
    });
  }
  has(key) {
    return this.#read(HAS_LIVE, this.#disk.put(key), now()) !== void 0;
  }
  count() {
    return this.#read("SELECT value FROM Settings WHERE key = 'count'").value;
  }
  /** diskcache's volume: the database's pages plus the value files' bytes (Settings.size). */
  volume() {
    const row = this.#read(SELECT_VOLUME);
    return row.pages * this.#pageSize + row.value;
  }
  // ---- writes ---------------------------------------------------------------------------------------------------
  set(key, stored, expire, tag, deadline) {
    const k = this.#disk.put(key);
    const t = tag === null ? null : encodeKey(tag, "tag");
    const now2 = now();
    this.#store(deadline, stored, () => {
      const row = this.#q(SELECT_KEY).get(k);
      if (row !== void 0) {
        this.#forget(row.filename);
        this.#update(row.rowid, now2, expire, t, stored);
      } else this.#insert(k, now2, expire, t, stored);
      this.#cull(now2);
    });
  }
  add(key, stored, expire, tag, deadline) {
    const k = this.#disk.put(key);
    const t = tag === null ? null : encodeKey(tag, "tag");
    const now2 = now();
    return this.#store(deadline, stored, () => {
      const row = this.#q(SELECT_KEY).get(k);
      if (row !== void 0) {
        if (row.expire_time === null || row.expire_time > now2) {
          this.#forget(stored.filename);
          return false;
        }
        this.#forget(row.filename);
        this.#update(row.rowid, now2, expire, t, stored);
      } else this.#insert(k, now2, expire, t, stored);
      this.#cull(now2);
      return true;
    });
  }
  touch(key, expire, deadline) {
    const k = this.#disk.put(key);
    const now2 = now();
    return this.#run(deadline, () => {
      const row = this.#q(SELECT_KEY).get(k);
      if (row === void 0 || !(row.expire_time === null || row.expire_time > now2)) return false;
      this.#q("UPDATE Cache SET expire_time = ? WHERE rowid = ?").run(expire === null ? null : now2 + expire, row.rowid);
      return true;
    });
  }
  incr(key, delta, dflt, deadline) {
    const k = this.#disk.put(key);
    const now2 = now();
    return this.#run(deadline, () => {
      const row = this.#q(SELECT_KEY).get(k);
      if (row === void 0 || row.expire_time !== null && row.expire_time < now2) {
        if (dflt === null) throw new KeyError(key);
        const value2 = dflt + delta;
        if (row === void 0) this.#insert(k, now2, null, null, numberValue(value2));
        else {
          this.#forget(row.filename);
          this.#update(row.rowid, now2, null, null, numberValue(value2));
        }
        this.#cull(now2);
        return value2;
      }
      const v = row.value;
      if (row.mode !== MODE_RAW_NUMBER || v === null || v.length !== 8) {
        throw new TypeError(`the value at key ${String(key)} is not a number`);
      }
      const value = Buffer.from(v.buffer, v.byteOffset, 8).readDoubleLE(0) + delta;
      this.#q("UPDATE Cache SET store_time = ?, value = ? WHERE rowid = ?").run(now2, numberValue(value).inline, row.rowid);
      return value;
    });
  }
  delete(key, deadline) {
    const k = this.#disk.put(key);
    return this.#run(deadline, () => {
      const row = this.#q(SELECT_LIVE).get(k, now());
      return row !== void 0 && this.#deleteRows([row]) === 1;
    });
  }
  pop(key, deadline) {
    const k = this.#disk.put(key);
    const row = this.#run(deadline, () => {
      const r = this.#q(SELECT_LIVE).get(k, now());
      if (r !== void 0) this.#q(DELETE_ROW).run(r.rowid);
      return r;
    });
    return row === void 0 ? void 0 : this.#take(row);
  }
  /** The encoded bounds (and, prefixed, the key length) of a queue, for queueSelect; the last queue's are kept. */
  #queueArgs(prefix) {
    if (this.#lastQueue !== null && this.#lastQueue[0] === prefix) return this.#lastQueue[1];
    const lo = QueueIndex.encodeKey(prefix, 0);
    const args = prefix === null ? [lo, QueueIndex.encodeKey(null, QUEUE_MAX)] : [lo, QueueIndex.encodeKey(prefix, QUEUE_MAX), lo.length];
    this.#lastQueue = [prefix, args];
    return args;
  }
  push(prefix, side, stored, expire, tag, deadline) {
    const t = tag === null ? null : encodeKey(tag, "tag");
    const now2 = now();
    const front = side === "front";
    const args = this.#queueArgs(prefix);
    const k = this.#store(deadline, stored, () => {
      const row = this.#q(QUEUE_KEY[+(prefix !== null)][+!front]).get(...args);
      let n = QUEUE_START;
      if (row !== void 0) {
        const bytes = Buffer.from(row.key);
        const end = prefix === null ? bytes.readBigInt64BE(1) : BigInt(bytes.toString("latin1", bytes.length - 15));
        n = Number(end) + (front ? -1 : 1);
      }
      const key = QueueIndex.encodeKey(prefix, n);
      try {
        this.#insert(key, now2, expire, t, stored);
      } catch (err) {
        if (!isConstraint(err)) throw err;
        const old = this.#q(SELECT_KEY).get(key);
        this.#forget(old.filename);
        this.#update(old.rowid, now2, expire, t, stored);
      }
      this.#cull(now2);
      return key;
    });
    return this.#disk.get(k);
  }
  pull(prefix, side, remove, deadline) {
    return this.#head(QUEUE_ITEM[+(prefix !== null)][+(side === "back")], this.#queueArgs(prefix), remove, deadline);
  }
  peekitem(last, deadline) {
    return this.#head(FIRST_LAST[+last], [], false, deadline);
  }
  /**
   * The first row `select` gives, taken out when `remove`. Expired rows met are deleted and skipped, and so are
   * rows whose value file is gone (diskcache would loop on those; the log engine deletes them).
   */
  #head(select, args, remove, deadline) {
    for (; ; ) {
      const row = this.#run(deadline, () => {
        const r = this.#q(select).get(...args);
        if (r === void 0) return void 0;
        const expired = r.expire_time !== null && r.expire_time < now();
        if (!remove && !expired) return r;
        if (!expired) {
          this.#q(DELETE_ROW).run(r.rowid);
          return r;
        }
        this.#deleteRows([r]);
        return null;
      });
      if (row === void 0) return void 0;
      if (row === null) continue;
      if (remove) {
        const item = this.#take(row);
        if (item !== void 0) return [this.#disk.get(row.key), item];
        continue;
      }
      const value = this.#value(row, false);
      if (value !== MISS2) return [this.#disk.get(row.key), this.#item(row, value)];
      this.#run(deadline, () => this.#q("DELETE FROM Cache WHERE rowid = ? AND filename IS ?").run(row.rowid, row.filename));
    }
  }
  // ---- bulk removal and culling ------------------------------------------------------------------------------------
  /**
   * diskcache's _select_delete: batches of rows (`select` gives rowid and filename), each batch one transaction,
   * while `more()` and rows are left. `after`: the select's first parameter is a rowid to continue from. Timeout
   * carries the count so far (`count` is work done before).
   */
  #selectDelete(select, args, after, deadline, more = () => true, count = 0) {
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
  expire(now2, deadline) {
    const select = "SELECT rowid, filename FROM Cache WHERE 0 < expire_time AND expire_time < ? ORDER BY expire_time LIMIT ?";
    return this.#selectDelete(select, [now2, DELETE_BATCH], false, deadline);
  }
  evict(tag, deadline) {
    const select = "SELECT rowid, filename FROM Cache WHERE rowid > ? AND tag = ? ORDER BY rowid LIMIT ?";
    return this.#selectDelete(select, [0, encodeKey(tag, "tag"), DELETE_BATCH], true, deadline);
  }
  clear(deadline) {
    const select = "SELECT rowid, filename FROM Cache WHERE rowid > ? ORDER BY rowid LIMIT ?";
    return this.#selectDelete(select, [0, DELETE_BATCH], true, deadline);
  }
  cull(deadline) {
    const count = this.expire(now(), deadline);
    const victims = this.#policy().victims;
    if (victims === null) return 0;
    return this.#selectDelete(victims, [CULL_BATCH2], false, deadline, () => this.volume() > this.#settings.sizeLimit, count);
  }
  // ---- iteration, transactions, maintenance ---------------------------------------------------------------------
  keys(reverse) {
    const rows = this.#q(reverse ? "SELECT key FROM Cache ORDER BY rowid DESC" : "SELECT key FROM Cache ORDER BY rowid").all();
    return rows.map((r) => this.#disk.get(r.key));
  }
  sortedKeys(reverse) {
    const encoded = this.#q("SELECT key FROM Cache").all().map((r) => r.key);
    return sortEncodedKeys(encoded, reverse).map((e) => this.#disk.get(e));
  }
  transact(fn, deadline) {
    if (this.#depth > 0) return fn();
    this.#userTxn = true;
    this.#cullPending = false;
    let result;
    try {
      result = this.#run(deadline, fn);
    } finally {
      this.#userTxn = false;
    }
    if (this.#cullPending) {
      this.#cullPending = false;
      try {
        this.#run(this.#defaultDeadline(), () => this.#cull(now()));
      } catch (err) {
        if (!(err instanceof Timeout)) throw err;
      }
    }
    return result;
  }
  check(fix) {
    const integrity = this.#db.prepare("PRAGMA integrity_check").all().map((r) => String(Object.values(r)[0]));
    const warnings = integrity.length === 1 && integrity[0] === "ok" ? [] : integrity.map((message) => ({ category: "UserWarning", message }));
    if (fix && this.#depth === 0) this.#retry(() => this.#db.exec("VACUUM"));
    this.#run(this.#defaultDeadline(), () => warnings.push(...checkFiles(this.#db, this.#dir, this.#disk, fix)));
    return warnings;
  }
  stats(reset) {
    const read = () => {
      const rows = this.#q("SELECT key, value FROM Settings WHERE key IN ('hits', 'misses')").all();
      const get = (k) => rows.find((r) => r.key === k)?.value ?? 0;
      return [get("hits"), get("misses")];
    };
    if (!reset) return read();
    return this.#run(this.#defaultDeadline(), () => {
      const result = read();
      this.#q("UPDATE Settings SET value = 0 WHERE key IN ('hits', 'misses')").run();
      return result;
    });
  }
  /** VACUUM, then a checkpoint that truncates the WAL, so the file sizes show what it saved. */
  compact() {
    const bytes = () => ["", "-wal"].reduce((n, s) => n + (fs5.statSync(path9.join(this.#dir, DBNAME + s), { throwIfNoEntry: false })?.size ?? 0), 0);
    const bytesBefore = bytes();
    try {
      retryBusy(this.#defaultDeadline(), () => {
        this.#db.exec("VACUUM");
        this.#db.prepare("PRAGMA wal_checkpoint(TRUNCATE)").get();
      });
    } catch (err) {
      throw mapError(err);
    }
    return { base: 1, items: this.count(), bytesBefore, bytesAfter: bytes() };
  }
  close() {
    this.#db.close();
  }
};

// src/api/settings.ts
var EVICTION_POLICY = {
  none: { onAccess: "none", order: null },
  "least-recently-stored": { onAccess: "none", order: "stored" },
  "least-recently-used": { onAccess: "time", order: "accessTime" },
  "least-frequently-used": { onAccess: "count", order: "accessCount" }
};
var DEFAULT_SETTINGS = Object.freeze({
  statistics: false,
  tagIndex: false,
  evictionPolicy: "least-recently-stored",
  sizeLimit: 2 ** 30,
  cullLimit: 10,
  diskMinFileSize: 2 ** 15
});
var HANDLE_OPTIONS = /* @__PURE__ */ new Set(["timeout", "disk", "sync", "fs", "segmentBytes", "compactMinBytes", "shards", "engine"]);
function validateSetting(name, value) {
  switch (name) {
    case "statistics":
    case "tagIndex":
      if (typeof value !== "boolean" && value !== 0 && value !== 1) throw new TypeError(`${name} must be a boolean; got ${typeof value}`);
      return;
    case "evictionPolicy":
      if (typeof value !== "string" || !(value in EVICTION_POLICY)) {
        throw new RangeError(`evictionPolicy must be one of ${Object.keys(EVICTION_POLICY).map((k) => `'${k}'`).join(", ")}; got ${String(value)}`);
      }
      return;
    case "sizeLimit":
    case "cullLimit":
    case "diskMinFileSize":
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new RangeError(`${name} must be a finite number >= 0; got ${String(value)}`);
      }
      return;
    default:
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new TypeError(`setting name ${JSON.stringify(name)} is not an identifier`);
      try {
        if (JSON.stringify(value) === void 0) throw new Error();
      } catch {
        throw new TypeError(`setting ${name} must be JSON-serializable`);
      }
  }
}
function splitOptions(options) {
  const settings = {};
  for (const [name, value] of Object.entries(options)) {
    if (value === void 0 || HANDLE_OPTIONS.has(name) || METADATA_KEYS.has(name)) continue;
    validateSetting(name, value);
    settings[name] = name === "statistics" || name === "tagIndex" ? Boolean(value) : value;
  }
  return settings;
}

// src/api/memoize.ts
var MISS3 = /* @__PURE__ */ Symbol("memoize-miss");
var TYPED_MARKER = "\0typed";
function typeName2(v) {
  if (v === null) return "null";
  if (v instanceof Uint8Array) return "bytes";
  if (Array.isArray(v)) return "array";
  return typeof v;
}
function argsToKey(base, args, typed, ignore) {
  const kept = args.filter((_, i) => !ignore.has(i));
  const key = [base, ...kept];
  if (typed) key.push(TYPED_MARKER, ...kept.map(typeName2));
  return key;
}
function memoize(cache, opts = {}) {
  if (typeof opts === "function") throw new TypeError("memoize takes options and returns a decorator: cache.memoize()(fn)");
  const { typed = false, expire = null, tag = null } = opts;
  if (expire !== null && (typeof expire !== "number" || Number.isNaN(expire))) throw new TypeError("expire must be a number of seconds or null");
  if (tag !== null) encodeKey(tag, "tag");
  const ignored = opts.ignore ?? [];
  if (!isIterable(ignored) || typeof ignored === "string") {
    throw new TypeError(`ignore must be an iterable of argument positions; got ${typeName2(ignored)}`);
  }
  const ignore = new Set(ignored);
  return (fn) => {
    if (typeof fn !== "function") throw new TypeError(`fn must be a function (memoize decorates a function); got ${typeName2(fn)}`);
    const base = opts.name ?? fn.name;
    let async = fn.constructor?.name === "AsyncFunction";
    const cacheKey = (...args) => argsToKey(base, args, typed, ignore);
    const store = (key, value) => {
      if (expire === null || expire > 0) cache.set(key, value, { expire, tag, retry: true });
    };
    const wrapper = function(...args) {
      const key = cacheKey(...args);
      const hit = cache.get(key, { default: MISS3, retry: true });
      if (hit !== MISS3) return async ? Promise.resolve(hit) : hit;
      const result = fn.apply(this, args);
      if (result instanceof Promise) {
        async = true;
        return result.then((value) => {
          store(key, value);
          return value;
        });
      }
      store(key, result);
      return result;
    };
    wrapper.cacheKey = cacheKey;
    Object.defineProperty(wrapper, "name", { value: fn.name });
    return wrapper;
  };
}

// src/api/cache.ts
var MISS4 = /* @__PURE__ */ Symbol("miss");
function checkExpire(expire, name = "expire") {
  if (expire === void 0 || expire === null) return null;
  if (typeof expire !== "number" || Number.isNaN(expire)) throw new TypeError(`${name} must be a number of seconds or null; got ${String(expire)}`);
  return expire;
}
var MAX_RECORD_BYTES = MAX_BODY_BYTES - RECORD_FIXED_BYTES;
function tooLarge(name, bytes) {
  return new RangeError(`${name} is too large: the record would carry ${bytes} bytes of key, tag and inline value; one record holds at most ${MAX_RECORD_BYTES}`);
}
function utf8Bound(s, extra) {
  const bound = extra + 3 * s.length;
  return bound > MAX_RECORD_BYTES ? extra + Buffer.byteLength(s) : bound;
}
function sizeBound(key) {
  if (typeof key === "string") return 3 * key.length + 1;
  if (key instanceof Uint8Array) return 1 + key.length;
  if (typeof key === "number" || typeof key === "boolean" || key === null) return 9;
  return encodeKey(key).length;
}
function encodedSize(key) {
  if (typeof key === "string") return 1 + Buffer.byteLength(key);
  return key instanceof Uint8Array ? 1 + key.length : encodeKey(key).length;
}
function checkTag(tag) {
  if (tag === void 0 || tag === null) return null;
  const bytes = tag instanceof Uint8Array ? 1 + tag.length : encodeKey(tag, "tag").length;
  if (bytes > MAX_RECORD_BYTES) throw tooLarge("tag", bytes);
  return tag;
}
function checkOptions(opts) {
  if (typeof opts !== "object" || opts === null) {
    throw new TypeError(`options must be an object such as { expire: 60 }; got ${opts === null ? "null" : typeName(opts)}`);
  }
}
function checkTxnFn(fn) {
  if (typeof fn !== "function") throw new TypeError(`fn must be a function; got ${typeName(fn)}`);
  if (fn.constructor?.name === "AsyncFunction") throw new TypeError("fn must be synchronous: transact cannot hold a transaction across an await");
}
function checkSide(side, dflt) {
  if (side === void 0) return dflt;
  if (side !== "back" && side !== "front") throw new KeyError(side, `side must be 'back' or 'front'; got ${String(side)}`);
  return side;
}
function checkPrefix(prefix) {
  if (prefix === void 0 || prefix === null) return null;
  if (typeof prefix !== "string") throw new TypeError("prefix must be a string or null");
  return prefix;
}
function isStream(v) {
  return v instanceof Readable || typeof v === "object" && v !== null && Symbol.asyncIterator in v;
}
function checkReadValue(value) {
  if (!(value instanceof Uint8Array)) throw new TypeError(`value must be a readable stream or a Uint8Array with read: true; got ${typeName(value)}`);
}
function shape(value, item, expireTime, tag) {
  if (!expireTime && !tag) return value;
  const e = item?.expireTime ?? null;
  const t = item === void 0 ? null : item.tag;
  if (expireTime && tag) return [value, e, t];
  return expireTime ? [value, e] : [value, t];
}
var Cache = class {
  /** The cache directory (absolute). */
  directory;
  /** Seconds a write waits for another process's transaction before Timeout. */
  timeout;
  /** The Disk instance that turns keys and values into bytes and files. */
  disk;
  #engine;
  #settings;
  #closed = false;
  /**
   * Opens (creating if needed) the cache in `directory`; a fresh temporary directory when omitted. Settings given
   * here win over the stored ones and are stored for every later opener; settings not given keep their stored
   * values (diskcache's reopen semantics).
   * @throws TypeError/RangeError for a bad option (nothing is created); IOError when the directory cannot be used.
   */
  constructor(directory, options = {}) {
    if (directory !== void 0 && directory !== null && typeof directory !== "string") {
      throw new TypeError(`directory must be a string; got ${typeof directory}`);
    }
    if (typeof options !== "object" || options === null) throw new TypeError("options must be an object");
    const timeout = options.timeout ?? 60;
    if (typeof timeout !== "number" || !(timeout >= 0)) throw new RangeError(`timeout must be a number of seconds >= 0; got ${String(timeout)}`);
    const DiskClass = options.disk ?? Disk;
    if (typeof DiskClass !== "function" || !(DiskClass === Disk || DiskClass.prototype instanceof Disk)) {
      throw new TypeError("disk must be Disk or a subclass of Disk (the class, not an instance)");
    }
    if (options.sync !== void 0 && !["none", "interval", "always"].includes(options.sync)) {
      throw new RangeError(`sync must be 'none', 'interval' or 'always'; got ${String(options.sync)}`);
    }
    for (const [name, min] of [["segmentBytes", 1], ["compactMinBytes", 0]]) {
      const v = options[name];
      if (v !== void 0 && (typeof v !== "number" || !Number.isFinite(v) || v < min)) {
        throw new RangeError(`${name} must be a finite number of bytes >= ${min}; got ${String(v)}`);
      }
    }
    const given = splitOptions(options);
    this.directory = path10.resolve(directory ?? fs6.mkdtempSync(path10.join(os.tmpdir(), "logcache-")));
    this.timeout = timeout;
    const engine = options.engine ?? process.env.LOGCACHE_ENGINE ?? "log";
    if (engine !== "log" && engine !== "sqlite") throw new RangeError(`engine must be 'log' or 'sqlite'; got ${String(engine)}`);
    this.#engine = engine === "sqlite" ? openSqliteEngine(this.directory, { timeout, sync: options.sync }) : new LogEngine(this.directory, {
      timeout,
      sync: options.sync,
      segmentBytes: options.segmentBytes,
      compactMinBytes: options.compactMinBytes,
      fs: options.fs
    });
    const stored = this.#engine.storedSettings();
    const effective = { ...DEFAULT_SETTINGS };
    for (const [k, v] of stored) effective[k] = v;
    Object.assign(effective, given);
    for (const [k, v] of Object.entries(effective)) {
      if (!stored.has(k) || JSON.stringify(stored.get(k)) !== JSON.stringify(v)) this.#engine.writeSetting(k, v);
    }
    this.#settings = effective;
    const diskOptions = { minFileSize: effective.diskMinFileSize };
    for (const [k, v] of Object.entries(effective)) {
      if (k.startsWith("disk") && k !== "diskMinFileSize") diskOptions[k[4].toLowerCase() + k.slice(5)] = v;
    }
    this.disk = new DiskClass(this.directory, diskOptions);
    this.#engine.attach(this.disk, this.#settings);
    for (const name of Object.keys(effective)) this.#exposeSetting(name);
  }
  /** Any other setting is readable as a property too (diskcache: `Cache(foo=7).foo == 7`), stale until reset. */
  #exposeSetting(name) {
    if (name in this) return;
    Object.defineProperty(this, name, { get: () => this.#settings[name], enumerable: false, configurable: true });
  }
  // ---- settings -------------------------------------------------------------------------------------------------
  get statistics() {
    return Boolean(this.#settings.statistics);
  }
  get tagIndex() {
    return Boolean(this.#settings.tagIndex);
  }
  get evictionPolicy() {
    return this.#settings.evictionPolicy;
  }
  get sizeLimit() {
    return this.#settings.sizeLimit;
  }
  get cullLimit() {
    return this.#settings.cullLimit;
  }
  get diskMinFileSize() {
    return this.#settings.diskMinFileSize;
  }
  /** Every setting of this handle (a copy; stale until reset, as diskcache's attributes). */
  get settings() {
    return { ...this.#settings };
  }
  /**
   * diskcache's reset: without `value`, re-reads setting `name` from the store into this handle and returns it
   * (RangeError if it was never stored; 'count', 'size', 'hits' and 'misses' read the live counters); with
   * `value`, stores it (unless `update` is false), applies it to this handle and returns it.
   */
  reset(name, value, opts = {}) {
    const engine = this.#open();
    if (typeof name !== "string") throw new TypeError(`name must be a string; got ${typeName(name)}`);
    checkOptions(opts);
    if (name === "count") return this.size;
    if (name === "size") return this.volume();
    if (name === "hits" || name === "misses") return engine.stats(false)[name === "hits" ? 0 : 1];
    if (value === void 0) {
      const stored = engine.storedSettings();
      if (!stored.has(name)) throw new RangeError(`setting ${name} is not stored`);
      value = stored.get(name);
    } else {
      validateSetting(name, value);
      if (opts.update !== false) engine.writeSetting(name, value);
    }
    this.#settings[name] = value;
    this.#exposeSetting(name);
    if (name === "diskMinFileSize") this.disk.minFileSize = value;
    return value;
  }
  // ---- helpers --------------------------------------------------------------------------------------------------
  #open() {
    if (this.#closed) throw new ClosedError();
    return this.#engine;
  }
  #deadline(retry) {
    return retry ? Infinity : Date.now() + this.timeout * 1e3;
  }
  /**
   * Validates a key (TypeError/RangeError naming it) before anything is written; a custom Disk decides its own keys.
   * Returns an upper bound of its encoded size (exact but for strings, which are not encoded here).
   */
  #checkKey(key) {
    let bytes;
    if (this.disk.put !== Disk.prototype.put) bytes = this.disk.put(key).length;
    else if (key instanceof Uint8Array) bytes = 1 + key.length;
    else {
      const id = keyId(key);
      bytes = typeof key === "string" ? utf8Bound(key, 1) : id.length;
    }
    if (bytes > MAX_RECORD_BYTES) throw tooLarge("key", bytes);
    return bytes;
  }
  /**
   * Throws RangeError naming `name` when key, tag and `inline` value bytes cannot share one record. Cheap bounds
   * first; the exact sizes only for a record near the limit. A value stored in a file adds only its name. A
   * `prefix` (push) is carried as its UTF-8 bytes where other records carry the encoded key.
   */
  #checkRecord(name, key, keyBound, tag, inline2, prefix = false) {
    if (keyBound + (tag === null ? 0 : sizeBound(tag)) + inline2 <= MAX_RECORD_BYTES) return;
    const keyBytes = prefix ? Buffer.byteLength(key) : this.disk.put === Disk.prototype.put ? encodedSize(key) : this.disk.put(key).length;
    const total = keyBytes + (tag === null ? 0 : encodedSize(tag)) + inline2;
    if (total > MAX_RECORD_BYTES) throw tooLarge(name, total);
  }
  /** The value as the record will carry it; RangeError naming `value` (before any write) when it cannot fit. */
  #store(key, keyBound, tag, value, read, prefix = false) {
    if (tag !== null) this.#checkRecord("tag", key, keyBound, tag, 0, prefix);
    const stored = this.disk.store(value, read, prefix ? void 0 : key);
    if (stored.inline !== null && stored.inline.length > 0) this.#checkRecord("value", key, keyBound, tag, stored.inline.length, prefix);
    return stored;
  }
  // ---- writes ---------------------------------------------------------------------------------------------------
  /**
   * Sets `key` to `value`, replacing any item (expired or not; the item keeps its insertion position). Then culls
   * (up to cullLimit expired items, then policy victims while volume() >= sizeLimit). Always returns true.
   * With `read: true` and a stream (or async iterable), stores its bytes in a file and returns a Promise.
   * @param opts.expire seconds from now until the item expires (null: never). @param opts.tag a key-like tag.
   * @throws TypeError for a bad key, value, expire, tag or options (nothing written); RangeError naming `key`, `tag`
   * or `value` when they add up to more than one record holds (256 MiB; a large value goes to a file and adds only
   * its name); Timeout when another process's transaction holds the shard past `timeout` (unless `retry`).
   */
  set(key, value, opts = {}) {
    const engine = this.#open();
    const keyBound = this.#checkKey(key);
    checkOptions(opts);
    const expire = checkExpire(opts.expire);
    const tag = checkTag(opts.tag);
    if (opts.read && isStream(value)) {
      if (tag !== null) this.#checkRecord("tag", key, keyBound, tag, 0);
      return this.#stream(value, key).then((stored) => (engine.set(key, stored, expire, tag, this.#deadline(opts.retry)), true));
    }
    if (opts.read) checkReadValue(value);
    engine.set(key, this.#store(key, keyBound, tag, value, Boolean(opts.read)), expire, tag, this.#deadline(opts.retry));
    return true;
  }
  #stream(value, key) {
    return this.disk.storeStream(value, key);
  }
  /** diskcache's `cache[key] = value`: set with retry. */
  setItem(key, value) {
    this.set(key, value, { retry: true });
  }
  /**
   * Stores `value` only if `key` is absent or expired (atomically, across processes: of concurrent adders exactly
   * one wins). Returns whether it stored. Culls after a successful add.
   */
  add(key, value, opts = {}) {
    const engine = this.#open();
    const keyBound = this.#checkKey(key);
    checkOptions(opts);
    const expire = checkExpire(opts.expire);
    const tag = checkTag(opts.tag);
    if (opts.read && isStream(value)) {
      if (tag !== null) this.#checkRecord("tag", key, keyBound, tag, 0);
      return this.#stream(value, key).then((stored) => engine.add(key, stored, expire, tag, this.#deadline(opts.retry)));
    }
    if (opts.read) checkReadValue(value);
    return engine.add(key, this.#store(key, keyBound, tag, value, Boolean(opts.read)), expire, tag, this.#deadline(opts.retry));
  }
  /** Sets a new expiry (seconds from now; null: never) on a live item. Returns false if missing or expired. */
  touch(key, opts = {}) {
    const engine = this.#open();
    this.#checkKey(key);
    checkOptions(opts);
    return engine.touch(key, checkExpire(opts.expire), this.#deadline(opts.retry));
  }
  /**
   * Atomically adds `delta` to the number stored at `key` and returns the new value (across processes no increment
   * is lost). A missing or expired key starts from `default` (no expiry, no tag); a live item keeps its expiry
   * and tag. @throws KeyError when the key is missing and `default` is null; TypeError when the value is not a number.
   */
  incr(key, opts = {}) {
    const engine = this.#open();
    this.#checkKey(key);
    checkOptions(opts);
    const delta = opts.delta ?? 1;
    const dflt = opts.default === void 0 ? 0 : opts.default;
    if (typeof delta !== "number" || !Number.isFinite(delta)) throw new TypeError(`delta must be a finite number; got ${String(delta)}`);
    if (dflt !== null && (typeof dflt !== "number" || !Number.isFinite(dflt))) throw new TypeError(`default must be a finite number or null; got ${String(dflt)}`);
    return engine.incr(key, delta, dflt, this.#deadline(opts.retry));
  }
  /** incr with `-delta`. */
  decr(key, opts = {}) {
    checkOptions(opts);
    return this.incr(key, { ...opts, delta: -(opts.delta ?? 1) });
  }
  /**
   * Deletes a live item. Returns false when the key is missing or expired (an expired item is left in place, as
   * diskcache does).
   */
  delete(key, opts = {}) {
    const engine = this.#open();
    this.#checkKey(key);
    checkOptions(opts);
    return engine.delete(key, this.#deadline(opts.retry));
  }
  /** diskcache's `del cache[key]`: delete with retry; KeyError when missing. */
  deleteItem(key) {
    if (!this.delete(key, { retry: true })) throw new KeyError(key);
    return true;
  }
  /**
   * Removes a live item and returns its value (or `[value, expireTime]`, `[value, tag]`, `[value, expireTime, tag]`
   * with the flags); the default (wrapped the same way) when missing or expired.
   */
  pop(key, opts = {}) {
    const engine = this.#open();
    this.#checkKey(key);
    checkOptions(opts);
    const item = engine.pop(key, this.#deadline(opts.retry));
    return shape(item === void 0 ? opts.default ?? null : item.value, item, opts.expireTime, opts.tag);
  }
  // ---- reads ----------------------------------------------------------------------------------------------------
  /**
   * The value of a live item, or `default` (null) when missing or expired. With `expireTime`/`tag`, a tuple
   * `[value, expireTime]`, `[value, tag]` or `[value, expireTime, tag]` (a miss: `[default, null(, null)]`).
   * With `read`, a value stored in a binary file comes back as a readable stream. Cost when nothing changed:
   * one pread at the end of the log (to see whether another process wrote) and, for an uncached value, one more.
   */
  get(key, opts) {
    if (opts !== void 0) checkOptions(opts);
    const item = this.#open().get(key, opts?.read ?? false, 0);
    if (opts === void 0) return item === void 0 ? null : item.value;
    return shape(item === void 0 ? opts.default ?? null : item.value, item, opts.expireTime, opts.tag);
  }
  /** diskcache's `cache[key]`: KeyError when missing or expired. */
  getItem(key) {
    const v = this.get(key, { default: MISS4, retry: true });
    if (v === MISS4) throw new KeyError(key);
    return v;
  }
  /** The value with `read: true` (a stream for binary file values). KeyError when missing. */
  read(key, opts = {}) {
    checkOptions(opts);
    const v = this.get(key, { default: MISS4, read: true, retry: opts.retry });
    if (v === MISS4) throw new KeyError(key);
    return v;
  }
  /** Whether a live item exists for `key` (diskcache's `in`). */
  has(key) {
    return this.#open().has(key);
  }
  /** Number of items, expired ones included (diskcache's len). */
  get size() {
    return this.#open().count();
  }
  /** Bytes the cache's items take: live records in the log plus value files (shrinks when items go). */
  volume() {
    return this.#open().volume();
  }
  // ---- queues -----------------------------------------------------------------------------------------------------
  /**
   * Pushes `value` onto the queue `prefix` (integer keys without a prefix; 'prefix-000000000000042' keys with) at
   * the back (largest key + 1) or front (smallest − 1); an empty queue starts at 500000000000000. Returns the key.
   * Every integer key between 0 and 999999999999999 belongs to the queue without a prefix, as in diskcache.
   */
  push(value, opts = {}) {
    const engine = this.#open();
    checkOptions(opts);
    const side = checkSide(opts.side, "back");
    const prefix = checkPrefix(opts.prefix);
    const expire = checkExpire(opts.expire);
    const tag = checkTag(opts.tag);
    const deadline = this.#deadline(opts.retry);
    const raw = prefix ?? "";
    const bound = utf8Bound(raw, 0);
    if (bound > MAX_RECORD_BYTES) throw tooLarge("prefix", bound);
    if (opts.read && isStream(value)) {
      if (tag !== null) this.#checkRecord("tag", raw, bound, tag, 0, true);
      return this.#stream(value).then((stored) => engine.push(prefix, side, stored, expire, tag, deadline));
    }
    if (opts.read) checkReadValue(value);
    return engine.push(prefix, side, this.#store(raw, bound, tag, value, Boolean(opts.read), true), expire, tag, deadline);
  }
  /**
   * Removes and returns the front (or back) item of queue `prefix` as `[key, value]` (tuple forms with the flags);
   * `default` (`[null, null]`) when empty. Expired items met on the way are removed and skipped.
   */
  pull(opts = {}) {
    return this.#pull(opts, true);
  }
  /** As pull, but leaves the item in place (expired items met are still removed). */
  peek(opts = {}) {
    return this.#pull(opts, false);
  }
  #pull(opts, remove) {
    const engine = this.#open();
    checkOptions(opts);
    const side = checkSide(opts.side, "front");
    const prefix = checkPrefix(opts.prefix);
    const found = engine.pull(prefix, side, remove, this.#deadline(opts.retry));
    if (found === void 0) return shape(opts.default ?? [null, null], void 0, opts.expireTime, opts.tag);
    return shape([found[0], found[1].value], found[1], opts.expireTime, opts.tag);
  }
  /**
   * The last (or, with `last: false`, first) item in insertion order as `[key, value]` (tuple forms with the
   * flags); expired items at that end are removed and skipped. @throws KeyError('dictionary is empty').
   */
  peekitem(opts = {}) {
    checkOptions(opts);
    const found = this.#open().peekitem(opts.last ?? true, this.#deadline(opts.retry));
    if (found === void 0) throw new KeyError(void 0, "dictionary is empty");
    return shape([found[0], found[1].value], found[1], opts.expireTime, opts.tag);
  }
  // ---- bulk removal -------------------------------------------------------------------------------------------
  /** Removes items whose expiry is before `now` (epoch seconds; default the current time). Returns how many. */
  expire(opts = {}) {
    const engine = this.#open();
    checkOptions(opts);
    if (opts.now !== void 0 && opts.now !== null && typeof opts.now !== "number") throw new TypeError(`now must be epoch seconds; got ${typeName(opts.now)}`);
    return engine.expire(opts.now || now(), this.#deadline(opts.retry));
  }
  /** Removes every item tagged `tag`. `evict(null)` removes nothing (diskcache). Returns how many. */
  evict(tag, opts = {}) {
    const engine = this.#open();
    checkOptions(opts);
    if (tag === null || tag === void 0) return 0;
    return engine.evict(checkTag(tag), this.#deadline(opts.retry));
  }
  /** Removes every item, expired ones included, and their files. Returns how many. */
  clear(opts = {}) {
    checkOptions(opts);
    return this.#open().clear(this.#deadline(opts.retry));
  }
  /**
   * Removes expired items, then (unless the policy is 'none') policy victims in batches of 10 while
   * volume() > sizeLimit. Returns how many (0 under 'none', diskcache's quirk). Runs whatever cullLimit is.
   */
  cull(opts = {}) {
    checkOptions(opts);
    return this.#open().cull(this.#deadline(opts.retry));
  }
  // ---- iteration --------------------------------------------------------------------------------------------------
  /** Keys in insertion order, expired included; items inserted after the call are not yielded (diskcache). */
  [Symbol.iterator]() {
    return this.#open().keys(false)[Symbol.iterator]();
  }
  keys() {
    return this[Symbol.iterator]();
  }
  /** Keys in reverse insertion order (diskcache's reversed). */
  reversed() {
    return this.#open().keys(true)[Symbol.iterator]();
  }
  /** Keys in sort order (numbers, then text by code point, then bytes, then other keys), expired included. */
  iterkeys(opts = {}) {
    checkOptions(opts);
    return this.#open().sortedKeys(Boolean(opts.reverse))[Symbol.iterator]();
  }
  // ---- transactions, maintenance -----------------------------------------------------------------------------------
  /**
   * Runs `fn` as one atomic, isolated step across processes: other processes' writes wait until it ends, its
   * writes become visible together, and an exception inside undoes them all (and is rethrown). Nested calls join
   * the outer transaction. Returns fn's result. `fn` must be synchronous.
   * @throws Timeout when another transaction holds the shard past `timeout` (unless `retry`).
   */
  transact(fn, opts = {}) {
    const engine = this.#open();
    checkTxnFn(fn);
    checkOptions(opts);
    return engine.transact(fn, this.#deadline(opts.retry));
  }
  /**
   * Verifies every frame, value file and counter; returns the warnings (empty when healthy). With `fix`, repairs:
   * rewrites the log without corrupt records (a compaction), removes unknown files and empty directories.
   */
  check(opts = {}) {
    checkOptions(opts);
    return this.#open().check(Boolean(opts.fix));
  }
  /** Rewrites the live items into a base file and removes the segments it replaces (compaction on demand). */
  compact() {
    return this.#open().compact();
  }
  /** Stores tagIndex = true (the keydir is in memory, so there is no index to build: kept for diskcache's API). */
  createTagIndex() {
    this.reset("tagIndex", true);
  }
  dropTagIndex() {
    this.reset("tagIndex", false);
  }
  /**
   * Returns the `[hits, misses]` counted by get while statistics were on, then zeroes them if `reset`, then turns
   * statistics on or off (`enable`, default true: calling stats() turns them on, as in diskcache).
   */
  stats(opts = {}) {
    checkOptions(opts);
    validateSetting("statistics", opts.enable ?? true);
    const result = this.#open().stats(Boolean(opts.reset));
    this.reset("statistics", opts.enable ?? true);
    return result;
  }
  /** Memoizing decorator (see memoize.ts): `cache.memoize({ expire: 60 })(fn)`. */
  memoize(opts = {}) {
    return memoize(this, opts);
  }
  /** Closes the handle's files; further calls throw ClosedError. Idempotent. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#engine.close();
  }
  [Symbol.dispose]() {
    this.close();
  }
  /** The log-structured shard under this cache (tests and tools). */
  get shard() {
    return this.#engine.shard;
  }
};

// src/api/fanout.ts
import * as fs7 from "node:fs";
import * as os2 from "node:os";
import * as path12 from "node:path";

// src/api/subpath.ts
import * as path11 from "node:path";
function subPath(directory, kind, name) {
  if (typeof name !== "string" || name === "") throw new TypeError("name must be a non-empty string");
  if (name.includes("\0")) throw new TypeError("name must not contain NUL");
  if (path11.isAbsolute(name) || name.startsWith("\\")) throw new RangeError(`name must be relative; got ${JSON.stringify(name)}`);
  const parts = name.split("/");
  if (parts.some((p) => p === ".." || p === "." || p === "")) throw new RangeError(`name must not contain '..', '.' or empty parts; got ${JSON.stringify(name)}`);
  const base = path11.join(directory, kind);
  const full = path11.join(base, ...parts);
  if (!full.startsWith(base + path11.sep)) throw new RangeError(`name ${JSON.stringify(name)} leaves the directory`);
  return full;
}

// src/api/deque.ts
import { isDeepStrictEqual } from "node:util";
function checkMaxlen(maxlen) {
  if (maxlen === void 0 || maxlen === null) return Infinity;
  if (typeof maxlen !== "number" || Number.isNaN(maxlen) || maxlen < 0) throw new RangeError(`maxlen must be a number >= 0; got ${String(maxlen)}`);
  return maxlen;
}
function checkIterable(iterable) {
  if (!isIterable(iterable)) {
    throw new TypeError(`iterable must be iterable (an array, a string, a Set, ...); got ${typeName(iterable)}`);
  }
}
var Deque = class _Deque {
  cache;
  #maxlen;
  /**
   * Opens a deque in `directory` (a fresh temp dir when omitted) and appends `iterable`. `cache` wraps an
   * existing Cache instead (see fromcache).
   */
  constructor(iterable = [], opts = {}) {
    const maxlen = checkMaxlen(opts.maxlen);
    checkIterable(iterable);
    this.cache = opts.cache ?? new Cache(opts.directory ?? void 0, { evictionPolicy: "none" });
    this.#maxlen = maxlen;
    try {
      this.extend(iterable);
    } catch (err) {
      if (!opts.cache) this.cache.close();
      throw err;
    }
  }
  /** Wraps an existing Cache as is (its eviction policy is not changed). */
  static fromcache(cache, iterable = [], opts = {}) {
    return new _Deque(iterable, { cache, maxlen: opts.maxlen });
  }
  get directory() {
    return this.cache.directory;
  }
  get maxlen() {
    return this.#maxlen;
  }
  /** Sets maxlen and trims from the left until the deque fits. */
  set maxlen(value) {
    this.#maxlen = checkMaxlen(value);
    this.cache.transact(() => {
      while (this.cache.size > this.#maxlen) this.cache.pull({ side: "front", retry: true });
    }, { retry: true });
  }
  get length() {
    return this.cache.size;
  }
  #keys(reverse = false) {
    return [...this.cache.iterkeys({ reverse })];
  }
  /**
   * Adds to the back; past maxlen, drops one item from the front (one transaction). Without a maxlen the push alone
   * is one atomic command: no transaction, so a value the Disk refuses writes nothing at all.
   */
  append(value) {
    if (this.#maxlen === Infinity) {
      this.cache.push(value, { side: "back", retry: true });
      return;
    }
    this.cache.transact(() => {
      this.cache.push(value, { side: "back", retry: true });
      if (this.cache.size > this.#maxlen) this.cache.pull({ side: "front", retry: true });
    }, { retry: true });
  }
  /** Adds to the front; past maxlen, drops one item from the back. */
  appendleft(value) {
    if (this.#maxlen === Infinity) {
      this.cache.push(value, { side: "front", retry: true });
      return;
    }
    this.cache.transact(() => {
      this.cache.push(value, { side: "front", retry: true });
      if (this.cache.size > this.#maxlen) this.cache.pull({ side: "back", retry: true });
    }, { retry: true });
  }
  #take(side, remove, what) {
    const [key, value] = remove ? this.cache.pull({ side, retry: true }) : this.cache.peek({ side, retry: true });
    if (key === null) throw new IndexError(`${what} from an empty deque`);
    return value;
  }
  /** Removes and returns the back item. @throws IndexError when empty. */
  pop() {
    return this.#take("back", true, "pop");
  }
  popleft() {
    return this.#take("front", true, "pop");
  }
  /** The back item without removing it. @throws IndexError when empty. */
  peek() {
    return this.#take("back", false, "peek");
  }
  peekleft() {
    return this.#take("front", false, "peek");
  }
  /** append of each element, in order; not atomic as a whole (a value the Disk refuses stops it there, as in diskcache). */
  extend(iterable) {
    checkIterable(iterable);
    for (const v of iterable) this.append(v);
  }
  /** appendleft of each element, so the result is reversed ('abc' gives c, b, a). */
  extendleft(iterable) {
    checkIterable(iterable);
    for (const v of iterable) this.appendleft(v);
  }
  clear() {
    this.cache.clear({ retry: true });
  }
  /** Removes the first item equal (deep equality) to `value`. @throws RangeError when there is none. */
  remove(value) {
    for (const key of this.#keys()) {
      const v = this.cache.get(key, { default: MISSING });
      if (v !== MISSING && isDeepStrictEqual(v, value) && this.cache.delete(key, { retry: true })) return;
    }
    throw new RangeError("deque.remove(value): value not in deque");
  }
  /** Reverses the items in place. */
  reverse() {
    this.cache.transact(() => {
      const values = [...this].reverse();
      this.cache.clear({ retry: true });
      for (const v of values) this.cache.push(v, { retry: true });
    }, { retry: true });
  }
  /** Rotates right by `steps` (left when negative). @throws TypeError for a non-integer. */
  rotate(steps = 1) {
    if (!Number.isInteger(steps)) throw new TypeError(`steps: integer argument expected, got ${typeof steps}`);
    const n = this.length;
    if (n === 0) return;
    const count = Math.abs(steps) % n;
    for (let i = 0; i < count; i++) {
      try {
        if (steps >= 0) this.appendleft(this.pop());
        else this.append(this.popleft());
      } catch (err) {
        if (err instanceof IndexError) return;
        throw err;
      }
    }
  }
  /** How many items equal (deep equality) `value`. */
  count(value) {
    let n = 0;
    for (const v of this) if (isDeepStrictEqual(v, value)) n++;
    return n;
  }
  /** A new Deque object on the same directory (shares the data, as diskcache's copy does). */
  copy() {
    return _Deque.fromcache(new Cache(this.directory, { evictionPolicy: "none" }), [], { maxlen: this.#maxlen });
  }
  #keyAt(index) {
    if (!Number.isInteger(index)) throw new TypeError(`deque index must be an integer; got ${String(index)}`);
    const keys = this.#keys(index < 0);
    const i = index < 0 ? -index - 1 : index;
    if (i >= keys.length) throw new IndexError("deque index out of range");
    return keys[i];
  }
  /** The item at `index` (negative counts from the back). @throws IndexError out of range. */
  get(index) {
    const v = this.cache.get(this.#keyAt(index), { default: MISSING });
    if (v === MISSING) throw new IndexError("deque index out of range");
    return v;
  }
  at(index) {
    try {
      return this.get(index);
    } catch (err) {
      if (err instanceof IndexError) return void 0;
      throw err;
    }
  }
  set(index, value) {
    this.cache.set(this.#keyAt(index), value, { retry: true });
  }
  delete(index) {
    if (!this.cache.delete(this.#keyAt(index), { retry: true })) throw new IndexError("deque index out of range");
  }
  // JavaScript names.
  push(value) {
    this.append(value);
  }
  /** popleft, or undefined when empty (also when another process took the last item first). */
  shift() {
    const [key, value] = this.cache.pull({ side: "front", retry: true });
    return key === null ? void 0 : value;
  }
  unshift(value) {
    this.appendleft(value);
  }
  *[Symbol.iterator]() {
    for (const key of this.#keys()) {
      const v = this.cache.get(key, { default: MISSING });
      if (v !== MISSING) yield v;
    }
  }
  *reversed() {
    for (const key of this.#keys(true)) {
      const v = this.cache.get(key, { default: MISSING });
      if (v !== MISSING) yield v;
    }
  }
  /**
   * diskcache's sequence comparison: -1, 0 or 1 against an array or Deque (first unequal pair decides by
   * `<`, then length).
   */
  compare(other) {
    const a = [...this];
    const b = [...other];
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (isDeepStrictEqual(a[i], b[i])) continue;
      return a[i] < b[i] ? -1 : 1;
    }
    return Math.sign(a.length - b.length);
  }
  equals(other) {
    return this.compare(other) === 0;
  }
  lessThan(other) {
    return this.compare(other) < 0;
  }
  greaterThan(other) {
    return this.compare(other) > 0;
  }
  /** Runs fn as one transaction on the underlying cache. */
  transact(fn) {
    return this.cache.transact(fn, { retry: true });
  }
  close() {
    this.cache.close();
  }
  toString() {
    return `Deque(directory=${JSON.stringify(this.directory)})`;
  }
};
var MISSING = /* @__PURE__ */ Symbol("missing");

// src/api/index-map.ts
import { isDeepStrictEqual as isDeepStrictEqual2 } from "node:util";
var MISSING2 = /* @__PURE__ */ Symbol("missing");
function pairsOf(source) {
  let pairs;
  if (isIterable(source)) {
    pairs = [...source];
  } else if (typeof source === "object" && source !== null) {
    pairs = Object.entries(source).map(([k, v]) => [k, v]);
  } else {
    throw new TypeError(`entries must be a Map, an iterable of [key, value] pairs or a plain object; got ${typeName(source)}`);
  }
  pairs.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2) throw new TypeError(`entries[${i}] must be a [key, value] pair; got ${typeName(p)}`);
  });
  return pairs;
}
var Index = class _Index {
  cache;
  /** Opens an index in `directory` (a fresh temp dir when omitted or null), then adds `entries`. */
  constructor(directory, entries, cache) {
    const pairs = entries === void 0 ? [] : pairsOf(entries);
    this.cache = cache ?? new Cache(directory ?? void 0, { evictionPolicy: "none" });
    try {
      this.#setAll(pairs);
    } catch (err) {
      if (!cache) this.cache.close();
      throw err;
    }
  }
  /** Wraps an existing Cache as is, then adds `entries`. */
  static fromcache(cache, entries) {
    return new _Index(null, entries, cache);
  }
  get directory() {
    return this.cache.directory;
  }
  get size() {
    return this.cache.size;
  }
  get [Symbol.toStringTag]() {
    return "Index";
  }
  /** The value, or undefined when missing (Map semantics; getItem throws KeyError as diskcache's []). */
  get(key) {
    const v = this.cache.get(key, { default: MISSING2, retry: true });
    return v === MISSING2 ? void 0 : v;
  }
  getItem(key) {
    return this.cache.getItem(key);
  }
  set(key, value) {
    this.cache.set(key, value, { retry: true });
    return this;
  }
  has(key) {
    return this.cache.has(key);
  }
  delete(key) {
    return this.cache.delete(key, { retry: true });
  }
  clear() {
    this.cache.clear({ retry: true });
  }
  /** The value at `key`, storing `dflt` first if it is missing (atomic against other setdefaults). */
  setdefault(key, dflt) {
    for (; ; ) {
      const v = this.cache.get(key, { default: MISSING2, retry: true });
      if (v !== MISSING2) return v;
      this.cache.add(key, dflt, { retry: true });
    }
  }
  /** Removes and returns the value; `dflt` when missing. @throws KeyError when missing and no default given. */
  pop(key, ...dflt) {
    const v = this.cache.pop(key, { default: MISSING2, retry: true });
    if (v !== MISSING2) return v;
    if (dflt.length > 0) return dflt[0];
    throw new KeyError(key);
  }
  /** Removes and returns the last (or first) item as [key, value]. @throws KeyError('dictionary is empty'). */
  popitem(opts = {}) {
    return this.cache.transact(() => {
      const [k, v] = this.cache.peekitem({ last: opts.last ?? true, retry: true });
      this.cache.delete(k, { retry: true });
      return [k, v];
    }, { retry: true });
  }
  peekitem(opts = {}) {
    return this.cache.peekitem({ last: opts.last ?? true, retry: true });
  }
  push(value, opts = {}) {
    return this.cache.push(value, { ...opts, retry: true });
  }
  pull(opts = {}) {
    return this.cache.pull({ ...opts, retry: true });
  }
  /**
   * Adds every entry of a Map, an iterable of pairs or a plain object. The entries' shape and keys are checked
   * before the first write; a value the Disk refuses stops the update there (not atomic, as in diskcache).
   */
  update(entries) {
    this.#setAll(pairsOf(entries));
  }
  #setAll(pairs) {
    for (const [k] of pairs) this.cache.disk.put(k);
    for (const [k, v] of pairs) this.set(k, v);
  }
  *keys() {
    yield* this.cache.keys();
  }
  *values() {
    for (const [, v] of this.entries()) yield v;
  }
  *entries() {
    for (const k of this.cache.keys()) {
      const v = this.cache.get(k, { default: MISSING2, retry: true });
      if (v !== MISSING2) yield [k, v];
    }
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  /** Keys in reverse insertion order. */
  *reversed() {
    yield* this.cache.reversed();
  }
  forEach(fn, thisArg) {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
  /**
   * diskcache's equality: order-sensitive against another Index, order-insensitive against a Map or a plain
   * object (every own key's value equals the other's).
   */
  equals(other) {
    if (other instanceof _Index) {
      if (other.size !== this.size) return false;
      const a = [...this.entries()];
      const b = [...other.entries()];
      return a.every(([k, v], i) => isDeepStrictEqual2(k, b[i][0]) && isDeepStrictEqual2(v, b[i][1]));
    }
    const map = other instanceof Map ? other : new Map(Object.entries(other));
    if (map.size !== this.size) return false;
    for (const [k, v] of this.entries()) if (!map.has(k) || !isDeepStrictEqual2(map.get(k), v)) return false;
    return true;
  }
  memoize(opts = {}) {
    return this.cache.memoize(opts);
  }
  transact(fn) {
    return this.cache.transact(fn, { retry: true });
  }
  close() {
    this.cache.close();
  }
  toString() {
    return `Index(${JSON.stringify(this.directory)})`;
  }
};

// src/api/fanout.ts
var ROUTED = {
  set: () => false,
  add: () => false,
  touch: () => false,
  incr: () => null,
  decr: () => null,
  get: (opts) => opts?.default ?? null,
  pop: (opts) => opts?.default ?? null,
  delete: () => false,
  // These retry (diskcache's operators), so they never time out:
  setItem: null,
  getItem: null,
  deleteItem: null,
  read: null,
  has: null
};
var FanoutCache = class {
  directory;
  /** Seconds a shard waits for another process's transaction (default 0.010, as diskcache). */
  timeout;
  shards;
  disk;
  #subCaches = /* @__PURE__ */ new Map();
  #deques = /* @__PURE__ */ new Map();
  #indexes = /* @__PURE__ */ new Map();
  #options;
  /** Encodes a routed key (see shardFor). */
  #keys;
  /**
   * Opens (creating) `shards` Caches under `directory`. `sizeLimit` is divided among the shards and passed to
   * each explicitly (so reopening without it resets each shard to 2**30 / shards, as diskcache).
   */
  constructor(directory, options = {}) {
    if (directory !== void 0 && directory !== null && typeof directory !== "string") {
      throw new TypeError(`directory must be a string; got ${typeof directory}`);
    }
    const count = options.shards ?? 8;
    if (!Number.isInteger(count) || count < 1 || count > 999) throw new RangeError(`shards must be an integer from 1 to 999; got ${String(count)}`);
    const timeout = options.timeout ?? 0.01;
    const sizeLimit = options.sizeLimit ?? 2 ** 30;
    if (typeof sizeLimit !== "number" || !(sizeLimit >= 0)) throw new RangeError(`sizeLimit must be a finite number >= 0; got ${String(sizeLimit)}`);
    this.directory = path12.resolve(directory ?? fs7.mkdtempSync(path12.join(os2.tmpdir(), "logcache-")));
    this.timeout = timeout;
    this.#options = options;
    const { shards: _n, ...rest } = options;
    const shardOptions = { ...rest, timeout, sizeLimit: sizeLimit / count };
    const list = [];
    try {
      for (let i = 0; i < count; i++) list.push(new Cache(path12.join(this.directory, String(i).padStart(3, "0")), shardOptions));
    } catch (err) {
      for (const c of list) c.close();
      throw err;
    }
    this.shards = list;
    this.disk = list[0].disk;
    this.#keys = new KeyEncoder(this.disk);
  }
  /** The shard that holds `key`: CRC32C of its encoding, modulo the shard count (placement is on disk). */
  shardFor(key) {
    const b = this.#keys.encode(key);
    return this.shards[crc32c(b, 0, this.#keys.length) % this.shards.length];
  }
  // ---- settings (shard 0's, as diskcache's attribute passthrough) ------------------------------------------------
  get sizeLimit() {
    return this.shards[0].sizeLimit;
  }
  get cullLimit() {
    return this.shards[0].cullLimit;
  }
  get evictionPolicy() {
    return this.shards[0].evictionPolicy;
  }
  get statistics() {
    return this.shards[0].statistics;
  }
  get tagIndex() {
    return this.shards[0].tagIndex;
  }
  get diskMinFileSize() {
    return this.shards[0].diskMinFileSize;
  }
  get settings() {
    return this.shards[0].settings;
  }
  /** Applies reset to every shard (the value is not divided); returns the last shard's result. */
  reset(name, value, opts = {}) {
    let result;
    for (const s of this.shards) result = retrying(() => s.reset(name, value, opts));
    return result;
  }
  // ---- aggregates -------------------------------------------------------------------------------------------
  /** Items in every shard, expired included. */
  get size() {
    return this.shards.reduce((n, s) => n + s.size, 0);
  }
  volume() {
    return this.shards.reduce((n, s) => n + s.volume(), 0);
  }
  /** Removes expired items from every shard; never times out (a shard that does is retried). */
  expire(opts = {}) {
    return this.#sum((s) => s.expire(opts));
  }
  evict(tag, opts = {}) {
    return this.#sum((s) => s.evict(tag, opts));
  }
  cull(opts = {}) {
    return this.#sum((s) => s.cull(opts));
  }
  clear(opts = {}) {
    return this.#sum((s) => s.clear(opts));
  }
  /** Per shard: on Timeout(n) add n and run the same shard again, as diskcache does. */
  #sum(fn) {
    let total = 0;
    for (const s of this.shards) {
      for (; ; ) {
        try {
          total += fn(s);
          break;
        } catch (err) {
          if (!(err instanceof Timeout)) throw err;
          total += err.count ?? 0;
        }
      }
    }
    return total;
  }
  check(opts = {}) {
    return this.shards.flatMap((s) => s.check(opts));
  }
  /** Summed [hits, misses] of every shard; applies enable/reset to each. */
  stats(opts = {}) {
    let hits = 0;
    let misses = 0;
    for (const s of this.shards) {
      const [h, m] = s.stats(opts);
      hits += h;
      misses += m;
    }
    return [hits, misses];
  }
  createTagIndex() {
    for (const s of this.shards) s.createTagIndex();
  }
  dropTagIndex() {
    for (const s of this.shards) s.dropTagIndex();
  }
  /** Compacts every shard. */
  compact() {
    for (const s of this.shards) s.compact();
  }
  /** Keys of shard 000, then 001, …; each in insertion order. */
  *[Symbol.iterator]() {
    for (const s of this.shards) yield* s;
  }
  keys() {
    return this[Symbol.iterator]();
  }
  /** Exactly the reverse of forward iteration. */
  *reversed() {
    for (let i = this.shards.length - 1; i >= 0; i--) yield* this.shards[i].reversed();
  }
  /**
   * Runs `fn` holding every shard's transaction (taken in shard order): atomic and isolated across all shards.
   * Always retries (diskcache requires retry=True here).
   */
  transact(fn, opts = { retry: true }) {
    checkTxnFn(fn);
    if (opts.retry === false) throw new RangeError("retry must be true in FanoutCache.transact");
    const run = (i) => i === this.shards.length ? fn() : this.shards[i].transact(() => run(i + 1), { retry: true });
    return run(0);
  }
  memoize(opts = {}) {
    return memoize(this, opts);
  }
  // ---- sub-collections ----------------------------------------------------------------------------------------
  /** A Cache in `<dir>/cache/<name>` (memoized by name). `name` may hold '/' but must not leave the directory. */
  cache(name, options = {}) {
    let c = this.#subCaches.get(name);
    if (!c) {
      c = new Cache(subPath(this.directory, "cache", name), { disk: this.#options.disk, ...options });
      this.#subCaches.set(name, c);
    }
    return c;
  }
  /** A Deque in `<dir>/deque/<name>` (memoized by name; a later maxlen is ignored, as diskcache). */
  deque(name, opts = {}) {
    let d = this.#deques.get(name);
    if (!d) {
      checkMaxlen(opts.maxlen);
      const c = new Cache(subPath(this.directory, "deque", name), { disk: this.#options.disk, evictionPolicy: "none" });
      d = Deque.fromcache(c, [], opts);
      this.#deques.set(name, d);
    }
    return d;
  }
  /** An Index in `<dir>/index/<name>` (memoized by name). */
  index(name) {
    let x = this.#indexes.get(name);
    if (!x) {
      const c = new Cache(subPath(this.directory, "index", name), { disk: this.#options.disk, evictionPolicy: "none" });
      x = Index.fromcache(c);
      this.#indexes.set(name, x);
    }
    return x;
  }
  /** Closes every shard and forgets the sub-collections (diskcache does not close them either). */
  close() {
    for (const s of this.shards) s.close();
    this.#subCaches.clear();
    this.#deques.clear();
    this.#indexes.clear();
  }
  [Symbol.dispose]() {
    this.close();
  }
};
function retrying(fn) {
  for (; ; ) {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof Timeout)) throw err;
    }
  }
}
for (const [name, onTimeout] of Object.entries(ROUTED)) {
  Object.defineProperty(FanoutCache.prototype, name, {
    configurable: true,
    writable: true,
    // Fixed arity, not rest parameters: every routed method takes at most (key, a, b), and a spread call costs
    // more than the rest of the routing on a get.
    value: function(key, a, b) {
      const shard = this.shardFor(key);
      const method = shard[name];
      if (onTimeout === null) return method.call(shard, key, a, b);
      const opts = arguments.length >= 3 ? b : arguments.length === 2 ? a : void 0;
      try {
        return method.call(shard, key, a, b);
      } catch (err) {
        if (err instanceof Timeout && !opts?.retry) return onTimeout(opts);
        throw err;
      }
    }
  });
}

// src/api/recipes.ts
var POLL_MS = 1;
var sleep = (ms) => new Promise((r) => setTimeout(r, ms));
var GUARD = "\0stampede-guard";
async function pollUntil(attempt) {
  while (!attempt()) await sleep(POLL_MS);
}
async function holding(lock, fn) {
  await lock.acquire();
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
var Averager = class {
  constructor(cache, key, opts = {}) {
    this.cache = cache;
    this.key = key;
    this.opts = opts;
  }
  cache;
  key;
  opts;
  /** Adds `value` to the average (atomically across processes). */
  add(value) {
    this.cache.transact(() => {
      const [total, count] = this.cache.get(this.key, { default: [0, 0], retry: true });
      this.cache.set(this.key, [total + value, count + 1], { ...this.opts, retry: true });
    }, { retry: true });
  }
  /** The average, or null when nothing was added. */
  get() {
    const [total, count] = this.cache.get(this.key, { default: [0, 0], retry: true });
    return count === 0 ? null : total / count;
  }
  /** Removes the average and returns it (null when nothing was added). */
  pop() {
    const [total, count] = this.cache.pop(this.key, { default: [0, 0], retry: true });
    return count === 0 ? null : total / count;
  }
};
var Lock = class {
  constructor(cache, key, opts = {}) {
    this.cache = cache;
    this.key = key;
    this.opts = opts;
  }
  cache;
  key;
  opts;
  acquire() {
    return pollUntil(() => Boolean(this.cache.add(this.key, null, { ...this.opts, retry: true })));
  }
  release() {
    this.cache.delete(this.key, { retry: true });
  }
  locked() {
    return this.cache.has(this.key);
  }
  /** Runs `fn` holding the lock. */
  using(fn) {
    return holding(this, fn);
  }
};
var ownerCounter = 0;
var RLock = class {
  constructor(cache, key, opts = {}) {
    this.cache = cache;
    this.key = key;
    this.opts = opts;
  }
  cache;
  key;
  opts;
  #owner = `${process.pid}-${++ownerCounter}`;
  acquire() {
    return pollUntil(() => this.cache.transact(() => {
      const [owner, count] = this.cache.get(this.key, { default: [null, 0], retry: true });
      if (owner !== this.#owner && count !== 0) return false;
      this.cache.set(this.key, [this.#owner, count + 1], { ...this.opts, retry: true });
      return true;
    }, { retry: true }));
  }
  /** @throws Error('cannot release un-acquired lock') when this RLock does not hold it. */
  release() {
    this.cache.transact(() => {
      const [owner, count] = this.cache.get(this.key, { default: [null, 0], retry: true });
      if (owner !== this.#owner || count <= 0) throw new Error("cannot release un-acquired lock");
      this.cache.set(this.key, [owner, count - 1], { ...this.opts, retry: true });
    }, { retry: true });
  }
  using(fn) {
    return holding(this, fn);
  }
};
var BoundedSemaphore = class {
  constructor(cache, key, value = 1, opts = {}) {
    this.cache = cache;
    this.key = key;
    this.value = value;
    this.opts = opts;
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`value must be an integer >= 0; got ${String(value)}`);
  }
  cache;
  key;
  value;
  opts;
  acquire() {
    return pollUntil(() => this.cache.transact(() => {
      const v = this.cache.get(this.key, { default: this.value, retry: true });
      if (v <= 0) return false;
      this.cache.set(this.key, v - 1, { ...this.opts, retry: true });
      return true;
    }, { retry: true }));
  }
  /** @throws Error('cannot release un-acquired semaphore') past the initial value. */
  release() {
    this.cache.transact(() => {
      const v = this.cache.get(this.key, { default: this.value, retry: true });
      if (!(this.value > v)) throw new Error("cannot release un-acquired semaphore");
      this.cache.set(this.key, v + 1, { ...this.opts, retry: true });
    }, { retry: true });
  }
  using(fn) {
    return holding(this, fn);
  }
};
function throttle(cache, count, seconds, opts = {}) {
  if (!(count > 0) || !(seconds > 0)) throw new RangeError("count and seconds must be > 0");
  const rate = count / seconds;
  const timeFunc = opts.timeFunc ?? (() => Date.now() / 1e3);
  const sleepFunc = opts.sleepFunc ?? ((s) => sleep(s * 1e3));
  return (fn) => {
    const key = opts.name ?? fn.name;
    cache.set(key, [timeFunc(), count], { expire: opts.expire, tag: opts.tag, retry: true });
    return async (...args) => {
      for (; ; ) {
        const delay = cache.transact(() => {
          const [last, tallyBefore] = cache.get(key, { default: [timeFunc(), count], retry: true });
          const now2 = timeFunc();
          const tally = tallyBefore + (now2 - last) * rate;
          if (tally > count) {
            cache.set(key, [now2, count - 1], { expire: opts.expire, retry: true });
            return 0;
          }
          if (tally >= 1) {
            cache.set(key, [now2, tally - 1], { expire: opts.expire, retry: true });
            return 0;
          }
          return (1 - tally) / rate;
        }, { retry: true });
        if (delay === 0) return await fn(...args);
        await sleepFunc(delay);
      }
    };
  };
}
function barrier(cache, lockFactory, opts = {}) {
  return (fn) => {
    const lock = new lockFactory(cache, opts.name ?? fn.name, { expire: opts.expire, tag: opts.tag });
    return (...args) => holding(lock, () => fn(...args));
  };
}
function memoizeStampede(cache, expire, opts = {}) {
  if (typeof expire !== "number" || !(expire > 0)) throw new TypeError("expire must be a number of seconds > 0");
  const beta = opts.beta ?? 1;
  const ignore = new Set(opts.ignore ?? []);
  return (fn) => {
    const base = opts.name ?? fn.name;
    const cacheKey = (...args) => argsToKey(base, args, opts.typed ?? false, ignore);
    const timed = async (args) => {
      const start = performance.now();
      const result = await fn(...args);
      return [result, (performance.now() - start) / 1e3];
    };
    const store = (key, pair) => cache.set(key, pair, { expire, tag: opts.tag, retry: true });
    const wrapper = async (...args) => {
      const key = cacheKey(...args);
      const guard = [key, GUARD];
      for (; ; ) {
        const [pair, expireTime] = cache.get(key, { default: null, expireTime: true, retry: true });
        if (pair !== null) {
          const [result, delta] = pair;
          const ttl = (expireTime ?? Infinity) - Date.now() / 1e3;
          if (-delta * beta * Math.log(Math.random()) < ttl) return result;
          if (cache.add(guard, null, { expire: Math.max(delta, 1e-3), retry: true })) {
            void timed(args).then((p) => store(key, p), () => {
            }).finally(() => cache.delete(guard, { retry: true }));
          }
          return result;
        }
        if (cache.add(guard, null, { expire, retry: true })) {
          try {
            const again = cache.get(key, { default: null, retry: true });
            if (again !== null) return again[0];
            const p = await timed(args);
            store(key, p);
            return p[0];
          } finally {
            cache.delete(guard, { retry: true });
          }
        }
        await sleep(POLL_MS);
      }
    };
    return Object.assign(wrapper, { cacheKey });
  };
}

// src/api/constants.ts
var ENOVAL = /* @__PURE__ */ Symbol.for("logcache.ENOVAL");
var UNKNOWN = /* @__PURE__ */ Symbol.for("logcache.UNKNOWN");
var UnknownFileWarning = "UnknownFileWarning";
var EmptyDirWarning = "EmptyDirWarning";
export {
  Averager,
  BoundedSemaphore,
  Cache,
  ClosedError,
  CorruptionError,
  DEFAULT_SETTINGS,
  Deque,
  Disk,
  ENOVAL,
  EVICTION_POLICY,
  EmptyDirWarning,
  FanoutCache,
  IOError,
  Index,
  IndexError,
  JSONDisk,
  KeyError,
  Lock,
  LogcacheError,
  RLock,
  Timeout,
  UNKNOWN,
  UnknownFileWarning,
  argsToKey,
  barrier,
  memoize,
  memoizeStampede,
  throttle
};
//# sourceMappingURL=index.js.map
