/**
 * Open-addressing tables of Int32 pairs (entry, hash) with linear probing, as the key table (key-table.ts) and the
 * value cache's slot index (value-cache.ts) keep them: entry 0 is an empty bucket, a power of two of buckets, the
 * hash beside the entry so that moving or removing one needs no rehash. Deletion shifts the run back (no
 * tombstones), so a lookup stops at the first empty bucket.
 */

/** An empty bucket's entry. */
export const EMPTY = 0;

/** Stores the pair (entry, hash) in the first empty bucket of its probe run. */
export function place(buckets: Int32Array, mask: number, entry: number, hash: number): void {
  let i = hash & mask;
  while (buckets[2 * i] !== EMPTY) i = (i + 1) & mask;
  buckets[2 * i] = entry;
  buckets[2 * i + 1] = hash;
}

/** Empties bucket `i` and moves later members of its run back into the hole where their home allows it. */
export function removeAt(buckets: Int32Array, mask: number, i: number): void {
  for (let j = (i + 1) & mask; buckets[2 * j] !== EMPTY; j = (j + 1) & mask) {
    const home = buckets[2 * j + 1] & mask;
    // j may move to i if its home is not in the cyclic range (i, j].
    if (((j - home) & mask) >= ((j - i) & mask)) {
      buckets[2 * i] = buckets[2 * j];
      buckets[2 * i + 1] = buckets[2 * j + 1];
      i = j;
    }
  }
  buckets[2 * i] = EMPTY;
}
