/**
 * The keydir: an in-memory index from key id to slot, with the item's metadata in parallel typed arrays
 * (Bitcask's keydir, laid out as lru-cache lays out its entries). A slot's number is the same in every process
 * (lowest free slot first, derived only from the log), so the access sidecar can be addressed by slot.
 *
 * Two doubly linked lists thread the live slots: insertion order (diskcache's rowid order: iteration, peekitem)
 * and store order (least-recently-stored eviction). Rare fields (tags, value files, numbers) live in sparse maps.
 */
import { NumberHeap, PairHeap } from './heap.js';
import { KeyTable } from './key-table.js';
export declare const NIL = -1;
/** Expiry of an item that never expires. */
export declare const NEVER: number;
export interface ValueFile {
    name: string;
    size: number;
}
export declare class KeyDir {
    #private;
    /** Encoded key bytes → slot. */
    readonly keys: KeyTable;
    capacity: number;
    /** One past the highest slot ever used: with the free heap, it fixes future slot numbers. */
    highWater: number;
    readonly free: NumberHeap;
    file: Uint32Array<ArrayBuffer>;
    offset: Float64Array<ArrayBuffer>;
    frameLength: Uint32Array<ArrayBuffer>;
    valueOffset: Uint32Array<ArrayBuffer>;
    valueLength: Uint32Array<ArrayBuffer>;
    mode: Uint8Array<ArrayBuffer>;
    expire: Float64Array<ArrayBuffer>;
    storeTime: Float64Array<ArrayBuffer>;
    rowid: Float64Array<ArrayBuffer>;
    version: Float64Array<ArrayBuffer>;
    insPrev: Int32Array<ArrayBuffer>;
    insNext: Int32Array<ArrayBuffer>;
    stoPrev: Int32Array<ArrayBuffer>;
    stoNext: Int32Array<ArrayBuffer>;
    insHead: number;
    insTail: number;
    stoHead: number;
    stoTail: number;
    readonly tags: Map<number, string>;
    readonly files: Map<number, ValueFile>;
    /** Values of MODE_RAW_NUMBER items: kept in memory so incr and get need no read. */
    readonly numbers: Map<number, number>;
    /** Bytes of the frames live items point into (what compaction keeps). */
    liveFrameBytes: number;
    /** Bytes of live items' value files. */
    liveFileBytes: number;
    /** Items with a finite expiry. */
    expiring: number;
    /** (expire time, slot) of items with a finite expiry, soonest first; stale entries are dropped when met. */
    readonly expiries: PairHeap;
    get count(): number;
    /** The slot of the encoded key `b[start, end)`, or NIL. */
    find(b: Uint8Array, start?: number, end?: number): number;
    /** Whether a live item holds `slot`. */
    has(slot: number): boolean;
    /** A copy of the encoded key of a live slot. */
    keyBytes(slot: number): Buffer;
    clear(): void;
    /**
     * After a load: shrinks the per-slot arrays to the slots in use plus an eighth, the key table to at most three
     * quarters full, and the key arena to its keys.
     * Growth by doubling leaves up to half of each unused, and a reopened cache may never grow again.
     */
    fit(): void;
    /**
     * Allocates the lowest free slot (or `slot`, when loading a base) for the encoded key `b[start, end)` (absent:
     * the caller looked) and links it at both tails.
     */
    insert(b: Uint8Array, start: number, end: number, slot?: number): number;
    /** After a base is loaded: every slot below highWater that no item holds is free. */
    rebuildFree(): void;
    /** Moves a slot to the tail of the store-order list (it was just stored). */
    touchStored(slot: number): void;
    /** Frees a slot; the caller has already subtracted its bytes. */
    remove(slot: number): void;
    /** Adds (sign 1) or removes (sign -1) an item's bytes from the live totals. */
    account(slot: number, sign: 1 | -1): void;
    /** What volume() reports: live frames plus live value files (it shrinks as items go). */
    get liveBytes(): number;
    setExpire(slot: number, expire: number): void;
    /** Live slots in insertion order (or reverse). Safe against removal of the slot just yielded. */
    slots(reverse?: boolean): Generator<number>;
}
/** After loading a base (written in insertion order): relinks the store-order list by (storeTime, rowid). */
export declare function rebuildStoreOrder(kd: KeyDir): void;
