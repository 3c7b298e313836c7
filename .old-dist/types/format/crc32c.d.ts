/** CRC32C of `buf[start, end)` in plain JS, eight bytes per step. */
export declare function crc32cJs(buf: Uint8Array, start?: number, end?: number): number;
/** Which implementation is in use: 'sse4.2' or 'js'. */
export declare const CRC32C_IMPL: 'sse4.2' | 'js';
/** CRC32C of `buf[start, end)`. */
export declare function crc32c(buf: Buffer, start?: number, end?: number): number;
