/** Byte copies on the hot paths (record encoding, the key arena, key encoding). */

/**
 * Copies `src[start, end)` into `dst` at `at`; returns the offset after it. Short runs go byte by byte: below ~32
 * bytes the loop costs less than the native copy's call.
 */
export function copyBytes(dst: Uint8Array, at: number, src: Uint8Array, start = 0, end = src.length): number {
  const n = end - start;
  if (n <= 32) for (let i = 0; i < n; i++) dst[at + i] = src[start + i];
  else dst.set(src.subarray(start, end), at);
  return at + n;
}
