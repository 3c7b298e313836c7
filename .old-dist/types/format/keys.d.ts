/** What can be a key: diskcache's str/bytes/int/float/bool/None/tuple, in JavaScript. Arrays play tuples. */
export type Key = string | number | bigint | boolean | null | Uint8Array | readonly Key[];
/** int64 big-endian: integer numbers in [-2^63, 2^63), -0, and bigints in that range. */
export declare const KEY_INT = 1;
/** f64 big-endian: every other number, ±Infinity included (NaN is rejected). */
export declare const KEY_FLOAT = 2;
/** UTF-8 of a well-formed string. */
export declare const KEY_TEXT = 3;
/** The raw bytes of a Uint8Array or Buffer. */
export declare const KEY_BYTES = 4;
/** An array: `(length u32 big-endian | key)*`, one entry per element. */
export declare const KEY_TUPLE = 5;
/** `true`, no payload. */
export declare const KEY_TRUE = 6;
/** `false`, no payload. */
export declare const KEY_FALSE = 7;
/** `null`, no payload. */
export declare const KEY_NULL = 8;
/** ASCII decimal of a bigint outside int64. */
export declare const KEY_BIGINT = 9;
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
export declare function encodeKey(key: Key, argName?: string): Buffer;
/**
 * Decodes what {@link encodeKey} produced.
 *
 * KEY_INT comes back as a number when it is a safe integer, otherwise as a bigint; bytes come back as a new
 * Buffer; tuples as arrays.
 *
 * @param bytes an encoded key.
 * @throws RangeError when the bytes are not a well-formed encoding.
 */
export declare function decodeKey(bytes: Uint8Array): Key;
/**
 * The key's id in in-memory maps: equal to `keyIdOfEncoded(encodeKey(key))`, computed without encoding where
 * that is cheaper. A string's id is `'\u0003' + key` (no UTF-8 pass on the hot path); every other id is the type
 * byte's character followed by the latin1 reading of the payload.
 *
 * @param key the key.
 * @param argName the argument's name in error messages (default `'key'`).
 * @throws as {@link encodeKey}.
 */
export declare function keyId(key: Key, argName?: string): string;
/**
 * Encodes a string, integer-number or byte key into `out` (the hot path of a lookup: no Buffer per call), as
 * {@link encodeKey} would. Returns the length, or -1 when the key is of another type or does not fit: the caller
 * then uses encodeKey.
 *
 * @throws as {@link encodeKey}.
 */
export declare function encodeKeyInto(key: Key, out: Buffer, argName?: string): number;
/**
 * The id of an encoded key; see {@link keyId}. Text keys are decoded from UTF-8, every other key read as latin1.
 *
 * @param bytes an encoded key.
 */
export declare function keyIdOfEncoded(bytes: Uint8Array): string;
/** The encoded key of an id: the inverse of {@link keyIdOfEncoded}. */
export declare function encodedOfKeyId(id: string): Buffer;
/**
 * Orders encoded keys as diskcache's `iterkeys` does: numbers (INT and FLOAT together, compared exactly), then
 * text by Unicode code point, then bytes bytewise, then every other encoding bytewise on its encoded form.
 *
 * @returns negative, zero or positive, as `Array.prototype.sort` expects.
 */
export declare function compareEncodedKeys(a: Uint8Array, b: Uint8Array): number;
/** Encoded keys in iterkeys order (see {@link compareEncodedKeys}), sorted in place; descending with `reverse`. */
export declare function sortEncodedKeys<T extends Uint8Array>(encoded: T[], reverse: boolean): T[];
/**
 * A stable 32-bit hash of an encoded key for routing it to a shard: CRC32C of the bytes. Stable across
 * processes, versions and platforms, since shard placement is on disk.
 *
 * @returns an unsigned 32-bit integer.
 */
export declare function hashEncodedKey(bytes: Uint8Array): number;
/** Whether `v` can be iterated with for…of (strings included). */
export declare function isIterable(v: unknown): v is Iterable<unknown>;
/** `typeof`, except that objects name their class: "got Map", "got object" for a plain object. */
export declare function typeName(v: unknown): string;
