import type { FsLike } from './shard.js';
export declare const SIDECAR_HEADER_BYTES = 64;
export declare const SIDECAR_ENTRY_BYTES = 24;
export declare class Sidecar {
    #private;
    readonly fd: number;
    constructor(dir: string, fs: FsLike);
    /** Records a get hit: under LRU the access time, under LFU the count (read, add one, write). */
    touch(slot: number, version: number, now: number, countAccess: boolean): void;
    /** Entries for slots [0, highWater): one read, for choosing eviction victims. */
    readAll(highWater: number): Float64Array;
    /** Shared hit/miss counters (statistics). */
    counters(): [hits: number, misses: number];
    count(hit: boolean): void;
    resetCounters(): void;
    close(): void;
}
