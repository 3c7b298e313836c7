/**
 * Keys (docs/format.md, "Keys"): how a cache key becomes the bytes that name it on disk, and back.
 *
 *     key := type u8 | payload
 *
 * Two keys are the same key exactly when their encodings are equal, so the encoding is canonical: `1`, `1.0` and
 * `1n` all become one INT. This file knows nothing of shards or values.
 */
import { copyBytes } from './bytes.js';
import { crc32c } from './crc32c.js';

/** What can be a key: diskcache's str/bytes/int/float/bool/None/tuple, in JavaScript. Arrays play tuples. */
export type Key = string | number | bigint | boolean | null | Uint8Array | readonly Key[];

/** int64 big-endian: integer numbers in [-2^63, 2^63), -0, and bigints in that range. */
export const KEY_INT = 0x01;
/** f64 big-endian: every other number, ±Infinity included (NaN is rejected). */
export const KEY_FLOAT = 0x02;
/** UTF-8 of a well-formed string. */
export const KEY_TEXT = 0x03;
/** The raw bytes of a Uint8Array or Buffer. */
export const KEY_BYTES = 0x04;
/** An array: `(length u32 big-endian | key)*`, one entry per element. */
export const KEY_TUPLE = 0x05;
/** `true`, no payload. */
export const KEY_TRUE = 0x06;
/** `false`, no payload. */
export const KEY_FALSE = 0x07;
/** `null`, no payload. */
export const KEY_NULL = 0x08;
/** ASCII decimal of a bigint outside int64. */
export const KEY_BIGINT = 0x09;

const TWO_32 = 2 ** 32;
const TWO_63 = 2 ** 63;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Tuples nest at most this deep: a self-containing array would otherwise overflow the stack. */
const MAX_DEPTH = 512;

// String.prototype.isWellFormed is ES2024 (Node 20 has it; the project's lib is ES2022).
/** Whether a string is well-formed UTF-16 (no lone surrogate): only then does UTF-8 hold it. */
export const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * Encodes a key: its type byte, then its payload (see the KEY_* constants).
 *
 * Integer numbers in [-2^63, 2^63) and bigints in that range share KEY_INT, so `1`, `1.0` and `1n` are one key
 * (numbers above 2^53 convert exactly). Arrays encode each element recursively.
 *
 * @param key the key.
 * @param argName the argument's name in error messages (default `'key'`; the cache passes `'tag'` for tags).
 * @returns a new Buffer the caller may keep.
 * @throws RangeError for NaN (anywhere in the key) or arrays nested more than 512 deep; TypeError for a string
 *   with a lone surrogate (UTF-8 would turn it into U+FFFD and two keys would collide) or a value of another type.
 */
export function encodeKey(key: Key, argName = 'key'): Buffer {
  return encode(key, argName, 0);
}

function encode(key: unknown, name: string, depth: number): Buffer {
  switch (typeof key) {
    case 'string': {
      if (!isWellFormed(key)) throw loneSurrogate(name);
      const out = Buffer.allocUnsafe(1 + Buffer.byteLength(key, 'utf8'));
      out[0] = KEY_TEXT;
      out.write(key, 1, 'utf8');
      return out;
    }
    case 'number': {
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
    case 'bigint': {
      if (key >= INT64_MIN && key <= INT64_MAX) {
        const out = Buffer.allocUnsafe(9);
        out[0] = KEY_INT;
        out.writeBigInt64BE(key, 1);
        return out;
      }
      return Buffer.from(String.fromCharCode(KEY_BIGINT) + key.toString(), 'latin1');
    }
    case 'boolean':
      return Buffer.of(key ? KEY_TRUE : KEY_FALSE);
    case 'object': {
      if (key === null) return Buffer.of(KEY_NULL);
      if (key instanceof Uint8Array) {
        const out = Buffer.allocUnsafe(1 + key.length);
        out[0] = KEY_BYTES;
        out.set(key, 1);
        return out;
      }
      if (Array.isArray(key)) {
        if (depth >= MAX_DEPTH) throw new RangeError(`${name} nests arrays more than ${MAX_DEPTH} deep (a cycle?)`);
        const parts: Buffer[] = [];
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
    `${name} must be a string, number, bigint, boolean, null, Uint8Array or an array of keys; got ${typeName(key)}`,
  );
}

/**
 * Decodes what {@link encodeKey} produced.
 *
 * KEY_INT comes back as a number when it is a safe integer, otherwise as a bigint; bytes come back as a new
 * Buffer; tuples as arrays.
 *
 * @param bytes an encoded key.
 * @throws RangeError when the bytes are not a well-formed encoding.
 */
export function decodeKey(bytes: Uint8Array): Key {
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
      return buf.toString('utf8', 1);
    case KEY_BYTES:
      return Buffer.from(buf.subarray(1)); // a copy: the caller may not scribble on the engine's buffers
    case KEY_TUPLE: {
      const out: Key[] = [];
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
      if (n > 1 && /^-?\d+$/.test(buf.toString('latin1', 1))) return BigInt(buf.toString('latin1', 1));
      break;
  }
  throw new RangeError(`malformed encoded key (type ${type}, ${n} bytes)`);
}

/**
 * The key's id in in-memory maps: equal to `keyIdOfEncoded(encodeKey(key))`, computed without encoding where
 * that is cheaper. A string's id is `'\u0003' + key` (no UTF-8 pass on the hot path); every other id is the type
 * byte's character followed by the latin1 reading of the payload.
 *
 * @param key the key.
 * @param argName the argument's name in error messages (default `'key'`).
 * @throws as {@link encodeKey}.
 */
export function keyId(key: Key, argName = 'key'): string {
  if (typeof key === 'string') {
    if (!isWellFormed(key)) throw loneSurrogate(argName);
    return '\u0003' + key;
  }
  if (typeof key === 'number' && isInt64(key, argName)) {
    // Nine char codes straight from the two halves: no Buffer for integer keys (queues, counters).
    const hi = Math.floor(key / TWO_32);
    const lo = key - hi * TWO_32;
    const h = hi >>> 0;
    return String.fromCharCode(
      KEY_INT, h >>> 24, (h >>> 16) & 255, (h >>> 8) & 255, h & 255,
      lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255,
    );
  }
  // The type byte is below 0x80, so latin1 of the whole encoding is fromCharCode(type) + latin1(payload).
  return encode(key, argName, 0).toString('latin1');
}

/**
 * Encodes a string, integer-number or byte key into `out` (the hot path of a lookup: no Buffer per call), as
 * {@link encodeKey} would. Returns the length, or -1 when the key is of another type or does not fit: the caller
 * then uses encodeKey.
 *
 * @throws as {@link encodeKey}.
 */
export function encodeKeyInto(key: Key, out: Buffer, argName = 'key'): number {
  if (typeof key === 'string') {
    const n = key.length;
    if (1 + 3 * n > out.length) return -1;
    out[0] = KEY_TEXT;
    // ASCII byte by byte (a native write costs more for short keys); anything else through UTF-8.
    for (let i = 0; i < n; i++) {
      const c = key.charCodeAt(i);
      if (c >= 0x80) {
        if (!isWellFormed(key)) throw loneSurrogate(argName);
        return 1 + out.write(key, 1, 'utf8');
      }
      out[1 + i] = c;
    }
    return 1 + n;
  }
  if (typeof key === 'number' && isInt64(key, argName) && out.length >= 9) {
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

/**
 * The id of an encoded key; see {@link keyId}. Text keys are decoded from UTF-8, every other key read as latin1.
 *
 * @param bytes an encoded key.
 */
export function keyIdOfEncoded(bytes: Uint8Array): string {
  // The type byte 0x03 is its own UTF-8 character, so decoding a whole text key gives '\u0003' + text.
  const buf = asBuffer(bytes);
  return buf.toString(buf[0] === KEY_TEXT ? 'utf8' : 'latin1');
}

/** The encoded key of an id: the inverse of {@link keyIdOfEncoded}. */
export function encodedOfKeyId(id: string): Buffer {
  // Text ids are the type byte followed by the string itself; every other id is latin1 of the encoded bytes.
  if (id.charCodeAt(0) === KEY_TEXT) {
    const text = Buffer.from(id.slice(1), 'utf8');
    const out = Buffer.allocUnsafe(text.length + 1);
    out[0] = KEY_TEXT;
    text.copy(out, 1);
    return out;
  }
  return Buffer.from(id, 'latin1');
}

/**
 * Orders encoded keys as diskcache's `iterkeys` does: numbers (INT and FLOAT together, compared exactly), then
 * text by Unicode code point, then bytes bytewise, then every other encoding bytewise on its encoded form.
 *
 * @returns negative, zero or positive, as `Array.prototype.sort` expects.
 */
export function compareEncodedKeys(a: Uint8Array, b: Uint8Array): number {
  const ra = rank(a[0]);
  const rb = rank(b[0]);
  if (ra !== rb) return ra - rb;
  const x = asBuffer(a);
  const y = asBuffer(b);
  // Text: UTF-8 byte order is code-point order. Bytes and the rest: bytewise. Same type byte, so the whole
  // encodings compare as their payloads.
  if (ra !== 0) return Buffer.compare(x, y);
  const vx = x[0] === KEY_INT ? readInt64(x) : x.readDoubleBE(1);
  const vy = y[0] === KEY_INT ? readInt64(y) : y.readDoubleBE(1);
  return compareNumbers(vx, vy);
}

/** Encoded keys in iterkeys order (see {@link compareEncodedKeys}), sorted in place; descending with `reverse`. */
export function sortEncodedKeys<T extends Uint8Array>(encoded: T[], reverse: boolean): T[] {
  encoded.sort(compareEncodedKeys);
  return reverse ? encoded.reverse() : encoded;
}

/**
 * A stable 32-bit hash of an encoded key for routing it to a shard: CRC32C of the bytes. Stable across
 * processes, versions and platforms, since shard placement is on disk.
 *
 * @returns an unsigned 32-bit integer.
 */
export function hashEncodedKey(bytes: Uint8Array): number {
  return crc32c(asBuffer(bytes));
}

// ---- helpers --------------------------------------------------------------------------------------------------

function isInt64(n: number, name: string): boolean {
  if (Number.isNaN(n)) throw new RangeError(`${name} must not be NaN (NaN equals nothing, so it could never be found)`);
  return Number.isInteger(n) && n >= -TWO_63 && n < TWO_63;
}

/** Writes an integer number in [-2^63, 2^63) at offset 1. Exact: every step divides or multiplies by 2^32. */
function writeInt64(out: Buffer, n: number): void {
  n += 0; // -0 → 0
  const hi = Math.floor(n / TWO_32);
  out.writeInt32BE(hi, 1);
  out.writeUInt32BE(n - hi * TWO_32, 5);
}

/** The int64 at offset 1: a number when safe, else a bigint. */
function readInt64(buf: Buffer): number | bigint {
  const hi = buf.readInt32BE(1);
  // |hi| < 2^21 keeps hi·2^32 + lo within ±2^53, where it is exact.
  if (hi >= -0x200000 && hi < 0x200000) {
    const v = hi * TWO_32 + buf.readUInt32BE(5);
    if (Number.isSafeInteger(v)) return v;
  }
  return buf.readBigInt64BE(1);
}

/** Exact comparison of an int64 (number or bigint) or a double with another; a bigint side is never a double. */
function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  return typeof a === 'bigint' ? compareBigDouble(a, b as number) : -compareBigDouble(b as bigint, a);
}

/** Converting the bigint to a double would round; compare it with floor(d) as a bigint instead. */
function compareBigDouble(i: bigint, d: number): number {
  if (!Number.isFinite(d)) return d > 0 ? -1 : 1;
  const floor = Math.floor(d);
  const f = BigInt(floor);
  if (i < f) return -1;
  if (i > f) return 1;
  return d > floor ? -1 : 0;
}

function rank(type: number | undefined): number {
  return type === KEY_INT || type === KEY_FLOAT ? 0 : type === KEY_TEXT ? 1 : type === KEY_BYTES ? 2 : 3;
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

function loneSurrogate(name: string): TypeError {
  return new TypeError(`${name} must be a well-formed string; it has a lone surrogate, which UTF-8 cannot keep apart`);
}

/** Whether `v` can be iterated with for…of (strings included). */
export function isIterable(v: unknown): v is Iterable<unknown> {
  return typeof (v as { [Symbol.iterator]?: unknown } | null | undefined)?.[Symbol.iterator] === 'function';
}

/** `typeof`, except that objects name their class: "got Map", "got object" for a plain object. */
export function typeName(v: unknown): string {
  if (typeof v !== 'object' || v === null) return typeof v;
  const name = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name && name !== 'Object' ? name : 'object';
}
