import { Key } from './keys.js';
/** Inline bytes (a Uint8Array/Buffer below `minFileSize`); fetched as a Buffer. */
export declare const MODE_RAW_BYTES = 1;
/** Inline UTF-8 text (a well-formed string shorter than `minFileSize` characters). */
export declare const MODE_RAW_TEXT = 2;
/** Inline f64 little-endian: any number, never a file. */
export declare const MODE_RAW_NUMBER = 3;
/** Inline CBOR (cbor-x) for every other value. */
export declare const MODE_CBOR = 4;
/** A file of raw bytes: a large Uint8Array, or anything stored with `read: true`. */
export declare const MODE_BINARY_FILE = 5;
/** A UTF-8 text file. */
export declare const MODE_TEXT_FILE = 6;
/** A CBOR file. */
export declare const MODE_CBOR_FILE = 7;
/** Inline UTF-16LE text: a string with lone surrogates, which UTF-8 would turn into U+FFFD. */
export declare const MODE_TEXT16 = 8;
/** A UTF-16LE text file. */
export declare const MODE_TEXT16_FILE = 9;
/** Inline zlib-compressed JSON (JSONDisk). */
export declare const MODE_JSON = 10;
/** A file of zlib-compressed JSON (JSONDisk). */
export declare const MODE_JSON_FILE = 11;
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
    [extra: string]: unknown;
}
/**
 * diskcache's Disk: encodes keys (`put`/`get`/`hash`), stores and fetches values (`store`/`fetch`), names and
 * removes value files (`filename`/`remove`). Subclass it to change any of these; the cache takes the class.
 */
export declare class Disk {
    #private;
    /** The cache directory (absolute); value files live below it. */
    readonly directory: string;
    /** Values of this many bytes (strings: characters) or more go to their own file. */
    minFileSize: number;
    /**
     * @param directory the cache directory.
     * @param options `minFileSize` (bytes, default 2**15); other keys are for subclasses.
     * @throws RangeError when `minFileSize` is not a number >= 0.
     */
    constructor(directory: string, options?: DiskOptions);
    /** Encodes a key ({@link encodeKey}). @throws TypeError/RangeError naming `key` for a bad key. */
    put(key: Key): Buffer;
    /** Decodes a key that `put` encoded ({@link decodeKey}). */
    get(bytes: Uint8Array): Key;
    /** The shard-routing hash of an encoded key: CRC32C, an unsigned 32-bit integer stable across processes. */
    hash(bytes: Uint8Array): number;
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
    store(value: unknown, read: boolean, key?: Key): StoredValue;
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
    storeStream(source: AsyncIterable<Uint8Array> | NodeJS.ReadableStream, key?: Key): Promise<StoredValue>;
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
    fetch(mode: number, filename: string | null, inline: Uint8Array | null, read: boolean): unknown;
    /**
     * Names a new value file: 16 random bytes as 32 hex digits, `hex[0:2]/hex[2:4]/hex[4:32].val` (at most
     * 256 × 256 directories). Subclasses may return any path below the directory; the cache keeps `relative`.
     *
     * @param key the item's key, or undefined when not known yet; ignored here.
     * @param value the value being stored; ignored here.
     * @returns `relative` (with `/`) and `full` = `directory` joined with it.
     */
    filename(key?: Key, value?: unknown): {
        relative: string;
        full: string;
    };
    /**
     * Deletes a value file, then its parent directories while they are empty, up to but not including
     * `directory`. Never throws (two processes may remove the same file); a path outside the directory is left alone.
     *
     * @param relative the file, relative to the directory, as `filename()` returned it.
     */
    remove(relative: string): void;
    /** Writes `bytes` to a new file named by `filename(key, value)`; a failed write removes it (ENOSPC...). */
    protected writeFile(mode: number, bytes: Uint8Array, key: Key | undefined, value: unknown): StoredValue;
    /** The value's bytes: the inline ones, or the file's (file modes). */
    protected readBytes(mode: number, filename: string | null, inline: Uint8Array | null): Uint8Array;
}
/**
 * diskcache's JSONDisk: keys and values as zlib-compressed JSON. Keys become KEY_BYTES, so `1` and `1.0` stay one
 * key (JSON writes both as `1`) and `[1, 2]` is compared as its JSON text. Values come back parsed (Map, Date and
 * the like as JSON makes them); `read: true` values are stored raw, as by Disk.
 */
export declare class JSONDisk extends Disk {
    #private;
    /** zlib level, -1 (zlib's default) to 9; default 1. */
    compressLevel: number;
    /**
     * @param directory the cache directory.
     * @param options Disk's, plus `compressLevel` (default 1).
     * @throws RangeError when `compressLevel` is not an integer from -1 to 9.
     */
    constructor(directory: string, options?: DiskOptions & {
        compressLevel?: number;
    });
    /** The key's JSON, deflated, as a KEY_BYTES key. @throws TypeError naming `key` when JSON cannot hold it. */
    put(key: unknown): Buffer;
    /** Parses a key `put` made. Keys the cache encodes itself (push's queue keys, tags) decode as plain keys. */
    get(bytes: Uint8Array): Key;
    /**
     * With `read` false: the value's JSON, deflated, inline below `minFileSize` bytes (MODE_JSON), else a file
     * (MODE_JSON_FILE). With `read` true: as Disk (raw bytes to a file).
     *
     * @throws TypeError naming `value` when JSON cannot hold it (undefined, functions, symbols, bigints, cycles).
     */
    store(value: unknown, read: boolean, key?: Key): StoredValue;
    /** Parses MODE_JSON and MODE_JSON_FILE values, whatever `read` says; other modes as Disk. */
    fetch(mode: number, filename: string | null, inline: Uint8Array | null, read: boolean): unknown;
}
