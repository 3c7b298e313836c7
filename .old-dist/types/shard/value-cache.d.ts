/**
 * Small values recently read from the log, by slot, so the next get of a just-written or just-replayed item needs
 * no pread (frames never change once written). Bounded; the oldest insertion is evicted through a ring of slots,
 * which is O(1) — a Map's "first key" after many deletions is not (V8 walks the deleted holes), and that walk once
 * took half of a 1,000,000-key reopen.
 */
export interface CachedValue {
    version: number;
    bytes: Buffer;
}
export declare class ValueCache {
    #private;
    readonly capacity: number;
    constructor(capacity: number);
    get size(): number;
    /** The cached bytes of `slot` if they are of `version`. */
    get(slot: number, version: number): Buffer | undefined;
    set(slot: number, version: number, bytes: Buffer): void;
    clear(): void;
}
