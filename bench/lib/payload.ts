/**
 * The keys and values of the bulk, eviction and scale workloads: keys `key:N`,
 * string values padded to VALUE_BYTES, Buffers stamped with their key's number (so
 * a get that returns another key's value is caught).
 */

/** Bytes of each string value. */
export const VALUE_BYTES = 100;

const KEY_PREFIX = 'key:';

/** A VALUE_BYTES string: `head`, then `v` filler. */
export function padded(head: string): string {
  return head.padEnd(VALUE_BYTES, 'v');
}

/** A copy of `template` with n in its first 4 bytes (little-endian). */
export function stamped(template: Buffer, n: number): Buffer {
  const b = Buffer.from(template);
  b.writeUInt32LE(n, 0);
  return b;
}

/** `v` is what stamped(template of `size` bytes, n) made. */
export function isStamped(v: unknown, size: number, n: number): boolean {
  return Buffer.isBuffer(v) && v.length === size && v.readUInt32LE(0) === n;
}

/** Decimal digits in 0 … n − 1, summed (closed form: every number of d digits counted at once). */
function digits(n: number): number {
  let total = 0;
  for (let lo = 0, hi = 10, d = 1; lo < n; lo = hi, hi *= 10, d++) total += (Math.min(n, hi) - lo) * d;
  return total;
}

/** Total bytes of the keys `key:0` … `key:${n − 1}`, exact (ASCII: one byte a character). */
export function keyBytes(n: number): number {
  return KEY_PREFIX.length * n + digits(n);
}

/** Mean bytes of the keys `key:0` … `key:${n − 1}`. */
export function meanKeyBytes(n: number): number {
  return KEY_PREFIX.length + digits(n) / n;
}
