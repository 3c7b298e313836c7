import type { Shard } from './shard.js';
export interface CompactionResult {
    /** Id of the base written (the sealed segment it covers), or 0 when another process was compacting. */
    base: number;
    items: number;
    bytesBefore: number;
    bytesAfter: number;
}
/** Bytes the shard's log files take on disk now. */
export declare function logDiskBytes(shard: Shard): number;
/** Compacts now, unless another process holds the compaction lock. A failed file-system call gives an IOError;
 * what it leaves (a START seal without a base, a temporary file) is harmless and the next compaction redoes it. */
export declare function compact(shard: Shard): CompactionResult;
