/** Current time in epoch seconds. */
export declare function now(): number;
/** Replaces the clock (tests); returns a function that restores the previous one. */
export declare function setClock(fn: () => number): () => void;
