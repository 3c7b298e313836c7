/** A binary min-heap of numbers; the keydir's free-slot list (lowest free slot first, so every process agrees). */
export declare class NumberHeap {
    #private;
    get size(): number;
    clear(): void;
    push(v: number): void;
    pop(): number | undefined;
}
/**
 * A min-heap of (key, value) number pairs ordered by key: the keydir's expiry queue (expire time, slot).
 * Entries are not removed when an item changes; readers drop the ones that no longer match (lazy deletion).
 */
export declare class PairHeap {
    #private;
    get size(): number;
    clear(): void;
    peekKey(): number;
    peekValue(): number;
    push(key: number, value: number): void;
    pop(): void;
}
