/**
 * The clock every record's "now" comes from (docs/engine.md, "Time"): the system's wall clock in epoch seconds, as
 * python-diskcache's time.time(), so that every process, whenever it started, stamps and judges expiry, `add` and
 * the Lock recipe on the same time line, also after the wall clock is stepped (NTP, a suspended VM, an operator).
 *
 * Date.now() has 1 ms resolution, and an access in the same millisecond as a store would tie with it under
 * least-recently-used: between steps the time advances with performance.now() (sub-microsecond, monotonic),
 * re-anchored to Date.now() at any call where the two differ by more than a millisecond. So a step of the wall
 * clock is followed at the next call, and processes agree to within a millisecond.
 * Tests replace the clock with a fake through setClock.
 */
/**
 * Wall clock minus the monotonic clock (ms), as of the last re-anchoring; NaN until the first call, which anchors it.
 * `performance` is first touched by that call, not when the package loads: the global's first use loads
 * node:perf_hooks (~2 ms of a cold start). performance.now() counts from the process's timeOrigin, which the
 * offset absorbs.
 */
let offset = NaN;

function wallClock(): number {
  const mono = performance.now();
  const wall = Date.now();
  // A wall-clock step (or drift past 1 ms), or the first call: follow it. Date.now() truncates, so mono + offset
  // runs up to 1 ms ahead.
  if (!(wall - (mono + offset) <= 0) || mono + offset - wall > 1) offset = wall - mono;
  return (mono + offset) / 1000;
}

let clock = wallClock;

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

const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));
/** Sleeps `ms` milliseconds (fractions too), blocking the thread: the synchronous waits for another process (a
 * transaction window, a locked database, the compaction lock) sleep rather than spin. */
export const sleepMs = (ms: number): void => void Atomics.wait(SLEEP_CELL, 0, 0, ms);
