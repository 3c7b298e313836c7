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

/** Bytes of `n` (a non-negative safe integer) as an unsigned LEB128 varint. */
export function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    bytes++;
  }
  return bytes;
}

/** Writes `n` (a non-negative safe integer) at `at` as an unsigned LEB128 varint; returns the offset after it. */
export function writeVarint(dst: Uint8Array, at: number, n: number): number {
  while (n >= 128) {
    dst[at++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  dst[at++] = n;
  return at;
}

/** Most bytes a varint may take (56 bits, of which a value uses at most 53). */
const VARINT_MAX_BYTES = 8;

/**
 * Reads the varint at `cursor.at` in `src[.., end)` and moves the cursor past it. Returns -1 for bytes that are no
 * varint of a safe integer: running past `end` or VARINT_MAX_BYTES, a value over 2^53 − 1, or a longer encoding
 * than the value needs (one value, one encoding).
 */
export function readVarint(src: Uint8Array, cursor: { at: number }, end: number): number {
  let at = cursor.at;
  let value = 0;
  let scale = 1;
  for (let i = 0; i < VARINT_MAX_BYTES && at < end; i++) {
    const b = src[at++];
    value += (b & 0x7f) * scale;
    if (b < 0x80) {
      if ((b === 0 && i > 0) || value > Number.MAX_SAFE_INTEGER) return -1;
      cursor.at = at;
      return value;
    }
    scale *= 128;
  }
  return -1;
}
