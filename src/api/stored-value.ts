/**
 * What a Cache write carries (./cache.ts): its key checked and measured, the record's size checked (key, tag and an
 * inline value share one record), and the value as the record will carry it (inline, or in a value file the Disk
 * writes, from a value or a stream). Touches the cache's Disk only: it writes value files, never the log.
 */
import { Disk, StoredValue } from '../format/disk.js';
import { Key, keyId } from '../format/keys.js';
import { asIOError } from '../errors.js';
import { MAX_RECORD_BYTES, encodedSize, sizeBound, tooLarge, utf8Bound } from './arguments.js';

/** The parts of a Cache these read: its Disk, and its directory (named in errors). */
interface Target { readonly disk: Disk; readonly directory: string }

/**
 * Validates a key (TypeError/RangeError naming it) before anything is written; a custom Disk decides its own keys.
 * Returns an upper bound of its encoded size (exact but for strings, which are not encoded here).
 */
export function checkKey(disk: Disk, key: Key): number {
  let bytes: number;
  if (disk.put !== Disk.prototype.put) bytes = disk.put(key).length;
  else if (key instanceof Uint8Array) bytes = 1 + key.length; // always valid; not copied just to be measured
  else {
    const id = keyId(key);
    bytes = typeof key === 'string' ? utf8Bound(key, 1) : id.length; // a non-text id is the encoding read as latin1
  }
  if (bytes > MAX_RECORD_BYTES) throw tooLarge('key', bytes);
  return bytes;
}

/**
 * Throws RangeError naming `name` when key, tag and `inline` value bytes cannot share one record. Cheap bounds
 * first; the exact sizes only for a record near the limit. A value stored in a file adds only its name. A
 * `prefix` (push) is carried as its UTF-8 bytes where other records carry the encoded key.
 */
export function checkRecord(disk: Disk, name: string, key: Key, keyBound: number, tag: Key | null, inline: number, prefix = false): void {
  if (keyBound + (tag === null ? 0 : sizeBound(tag)) + inline <= MAX_RECORD_BYTES) return;
  const keyBytes = prefix ? Buffer.byteLength(key as string) : disk.put === Disk.prototype.put ? encodedSize(key) : disk.put(key).length;
  const total = keyBytes + (tag === null ? 0 : encodedSize(tag)) + inline;
  if (total > MAX_RECORD_BYTES) throw tooLarge(name, total);
}

/** The value as the record will carry it; RangeError naming `value` (before any write) when it cannot fit. */
export function storeValue(c: Target, key: Key, keyBound: number, tag: Key | null, value: unknown, read: boolean, prefix = false): StoredValue {
  if (tag !== null) checkRecord(c.disk, 'tag', key, keyBound, tag, 0, prefix);
  let stored: StoredValue;
  try {
    stored = c.disk.store(value, read, prefix ? undefined : key);
  } catch (err) {
    throw asIOError(err, `write a value file in ${c.directory}`);
  }
  // Only an inline value can be too large, and an inline value has written nothing yet.
  if (stored.inline !== null && stored.inline.length > 0) checkRecord(c.disk, 'value', key, keyBound, tag, stored.inline.length, prefix);
  return stored;
}

/** A stream's (or async iterable's) bytes stored in a value file (`read: true`). */
export function storeStream(c: Target, value: unknown, key?: Key): Promise<StoredValue> {
  return c.disk.storeStream(value as AsyncIterable<Uint8Array>, key).catch((err: unknown) => {
    throw asIOError(err, `write a value file in ${c.directory}`);
  });
}
