/** The number of the first item pushed on an empty queue (diskcache's 500000000000000). */
export declare const QUEUE_START = 500000000000000;
/** Queue numbers lie in (0, QUEUE_MAX). */
export declare const QUEUE_MAX = 999999999999999;
export declare class QueueIndex {
    #private;
    clear(): void;
    get(prefix: string | null): number[] | undefined;
    /** The encoded key of number `n` in the queue `prefix`. */
    static encodeKey(prefix: string | null, n: number): Buffer;
    /** If the encoded key `b[start, end)` is a queue key: [queue, number]. */
    static parse(b: Uint8Array, start: number, end: number): [string | null, number] | null;
    /** Notes an inserted key `b[start, end)` (a no-op unless it is a queue key). */
    add(b: Uint8Array, start: number, end: number): void;
    /** Notes a removed key `b[start, end)`. */
    remove(b: Uint8Array, start: number, end: number): void;
}
