/** The keydir's per-slot typed arrays (keydir.ts, key-table.ts) all grow and shrink the same way. */
type SlotArray = Float64Array | Uint32Array | Int32Array | Uint8Array;
/** A new array of `a`'s type with `capacity` elements, holding `a`'s first ones (none when `keep` is false). */
export declare function resized<T extends SlotArray>(a: T, capacity: number, keep?: boolean): T;
export {};
