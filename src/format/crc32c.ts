/**
 * CRC32C (Castagnoli) over a byte range, through fast-crc32c: its SSE4.2 binding when the optional native
 * package compiled, its pure-JS table otherwise (the only path `--omit=optional --ignore-scripts` gives).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const impl: { calculate(input: Buffer | string, initial?: number): number } = require('fast-crc32c');

/** CRC32C of `buf[start, end)`. */
export function crc32c(buf: Buffer, start = 0, end = buf.length): number {
  // subarray shares memory: no copy on the hot path.
  return impl.calculate(start === 0 && end === buf.length ? buf : buf.subarray(start, end)) >>> 0;
}
