/** MurmurHash3 (x86, 32-bit) of `b[start, end)`: good spread for keys that differ only in their last bytes. */
export declare function hashBytes(b: Uint8Array, start: number, end: number): number;
export declare class KeyTable {
    #private;
    keyStart: Uint32Array<ArrayBuffer>;
    keyLength: Uint32Array<ArrayBuffer>;
    get count(): number;
    clear(): void;
    /** Gives the per-slot arrays room for `capacity` slots (the keydir grows all its arrays together). */
    resize(capacity: number): void;
    /** The slot holding the key `b[start, end)`, or -1. */
    find(b: Uint8Array, start: number, end: number): number;
    /** Records the key `b[start, end)` (not present: the caller looked) for a free slot. */
    add(slot: number, b: Uint8Array, start: number, end: number): void;
    /** Forgets the key of `slot`. */
    delete(slot: number): void;
    /** The arena the key of a slot lies in at keyStart (valid until the next add). */
    get arena(): Buffer;
    has(slot: number): boolean;
    /** The key's bytes: a view valid until the next add (copy it to keep it). */
    view(slot: number): Buffer;
    /** A copy of the key's bytes. */
    bytes(slot: number): Buffer;
    /** Bytes held: the table, the per-slot arrays and the arena (for memory reports and tests). */
    get byteSize(): number;
    /**
     * After a load: the smallest table at most three quarters full. Kept half full while it grows, a table can end a
     * load with three quarters of its buckets empty (28 bytes a key at 600,000 keys); a lookup in a fuller table
     * probes a little further. The first add after this grows it back to half full (one rehash).
     */
    fitTable(): void;
    /** Repacks the arena to fit its keys (after a load: growth by doubling leaves up to half of it unused). */
    trim(): void;
}
