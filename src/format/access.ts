/**
 * The access sidecar's layout (docs/format.md, "Access sidecar"): access time and count per slot, kept out of the
 * log, and the shared hit/miss counters.
 *
 *   header := magic "LCACCESS" (8) | hits f64 | misses f64 | reserved (40)                 = 64 bytes
 *   entry  := version f64 | accessTime f64 | accessCount f64                               = 24 bytes, at 64 + slot × 24
 *
 * An entry whose version differs from the item's is stale and read as "never accessed".
 */
export const ACCESS_MAGIC = Buffer.from('LCACCESS', 'latin1');
const MAGIC_BYTES = 8;
/** Offset of the hits counter; misses follows it. */
export const ACCESS_HITS = MAGIC_BYTES;
export const ACCESS_MISSES = ACCESS_HITS + 8;
/** Both counters, read and written together. */
export const ACCESS_COUNTERS_BYTES = 8 + 8;
const RESERVED_BYTES = 40;
export const ACCESS_HEADER_BYTES = MAGIC_BYTES + ACCESS_COUNTERS_BYTES + RESERVED_BYTES;

/** Offsets inside an entry. */
export const ENTRY_VERSION = 0;
export const ENTRY_ACCESS_TIME = ENTRY_VERSION + 8;
export const ENTRY_ACCESS_COUNT = ENTRY_ACCESS_TIME + 8;
export const ACCESS_ENTRY_BYTES = ENTRY_ACCESS_COUNT + 8;
/** f64 fields per entry: entries read as one Float64Array hold slot s's fields at s × ACCESS_ENTRY_FIELDS + field. */
export const ACCESS_ENTRY_FIELDS = ACCESS_ENTRY_BYTES / 8;
export const FIELD_VERSION = ENTRY_VERSION / 8;
export const FIELD_ACCESS_TIME = ENTRY_ACCESS_TIME / 8;
export const FIELD_ACCESS_COUNT = ENTRY_ACCESS_COUNT / 8;

/** File offset of `slot`'s entry. */
export function accessEntryOffset(slot: number): number {
  return ACCESS_HEADER_BYTES + slot * ACCESS_ENTRY_BYTES;
}

/** Whether `head` (the file's first bytes) is a sidecar header of ours. */
export function isAccessHeader(head: Buffer, length: number): boolean {
  return length >= ACCESS_HEADER_BYTES && head.subarray(0, MAGIC_BYTES).equals(ACCESS_MAGIC);
}

/** A fresh header: the magic, zero counters. */
export function freshAccessHeader(head: Buffer): Buffer {
  head.fill(0);
  ACCESS_MAGIC.copy(head, 0);
  return head;
}
