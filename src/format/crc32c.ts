/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8 in plain JS (eight bytes per table step):
 * no native module, so nothing compiles at install and every bundler takes it as it is.
 */

const POLY = 0x82f63b78;

/**
 * The eight tables, filled at the first CRC rather than while the package loads (~0.4 ms there: the loops run in
 * V8's interpreter), in a function of their own (loops in a bundle's top-level code make V8 compile that whole
 * top-level code to baseline code during the load). The array itself is made at load and never replaced: a `const`
 * lets the optimizing compiler take it as a constant (reading a `let` holding it cost ~20% per CRC of 120 bytes).
 */
const TABLE = new Int32Array(8 * 256);
let filled = false;
function fillTables(): void {
  const table = TABLE;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    table[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 8; t++) table[t * 256 + n] = (table[(t - 1) * 256 + n] >>> 8) ^ table[table[(t - 1) * 256 + n] & 0xff];
  }
  filled = true;
}

/** CRC32C of `buf[start, end)`, eight bytes per step. */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = -1;
  let i = start;
  if (!filled) fillTables();
  const T = TABLE;
  for (; i + 8 <= end; i += 8) {
    const a = (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)) ^ crc;
    crc =
      T[1792 + (a & 0xff)] ^ T[1536 + ((a >>> 8) & 0xff)] ^ T[1280 + ((a >>> 16) & 0xff)] ^ T[1024 + (a >>> 24)] ^
      T[768 + buf[i + 4]] ^ T[512 + buf[i + 5]] ^ T[256 + buf[i + 6]] ^ T[buf[i + 7]];
  }
  for (; i < end; i++) crc = (crc >>> 8) ^ T[(crc ^ buf[i]) & 0xff];
  return (crc ^ -1) >>> 0;
}

