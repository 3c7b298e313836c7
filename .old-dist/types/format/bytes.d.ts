/** Byte copies on the hot paths (record encoding, the key arena, key encoding). */
/**
 * Copies `src[start, end)` into `dst` at `at`; returns the offset after it. Short runs go byte by byte: below ~32
 * bytes the loop costs less than the native copy's call.
 */
export declare function copyBytes(dst: Uint8Array, at: number, src: Uint8Array, start?: number, end?: number): number;
