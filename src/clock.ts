/**
 * The clock every record's "now" comes from: epoch seconds with sub-millisecond resolution (Date.now() has
 * 1 ms, and an access in the same millisecond as a store would tie with it under least-recently-used).
 * Tests replace it with a fake through setClock.
 */
const origin = performance.timeOrigin;
let clock = (): number => (origin + performance.now()) / 1000;

/** Current time in epoch seconds. */
export function now(): number {
  return clock();
}

/** Replaces the clock (tests); returns a function that restores the previous one. */
export function setClock(fn: () => number): () => void {
  const previous = clock;
  clock = fn;
  return () => {
    clock = previous;
  };
}
