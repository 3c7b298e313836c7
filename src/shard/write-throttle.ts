/**
 * Backpressure (docs/engine.md, "Backpressure"): while a shard's log is past the point where compaction is wanted, a
 * writing process gives up a share of its time (compaction-rule.ts, throttleShare), so that the background compactor,
 * which runs below its parent's priority, gets a core. Without it, a writer and a reader that keep every core busy
 * starve the compactor and the log grows as long as they write.
 *
 * The time between two writes counts as work (at most MAX_BUSY_MS of it: a writer that writes now and then owes
 * little); `share ÷ (1 − share)` of it is owed, at most MAX_OWED_MS. A synchronous write pays once it owes PAY_MS,
 * sleeping at most MAX_SLEEP_MS in one call; an asynchronous caller (whenWritable) awaits its debt with a timer
 * instead, and its next write only adds to the debt. Nothing is owed once the share is 0 again.
 */

/** A gap between two writes counts as at most this much work (ms). */
const MAX_BUSY_MS = 1;
/** The most a process owes at once (ms). */
const MAX_OWED_MS = 4;
/** A synchronous write sleeps once the debt reaches this (ms), */
const PAY_MS = 0.25;
/** and sleeps at most this long in one call (ms). */
export const MAX_SLEEP_MS = 0.5;
/** An asynchronous caller waits once the debt reaches a timer's resolution (ms). */
const ASYNC_PAY_MS = 1;

const cell = new Int32Array(new SharedArrayBuffer(4));
/** Blocks the thread for `ms` (fractions allowed): nothing wakes the cell. */
const sleepSync = (ms: number): void => void Atomics.wait(cell, 0, 0, ms);
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class WriteThrottle {
  /** When the last write (or sleep) ended, by `now`; 0: not throttling. */
  #mark = 0;
  #owed = 0;
  /** The caller awaited its debt (whenWritable): its next write adds to the debt and does not sleep. */
  #deferNext = false;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => void = sleepSync,
    private readonly wait: (ms: number) => Promise<void> = delay,
  ) {}

  /** The debt (ms), for tests and stats. */
  get owed(): number {
    return this.#owed;
  }

  /** After a write, with `share` (0 ≤ share < 1) in force now: adds to the debt, and pays some of it by sleeping. */
  afterWrite(share: number): void {
    if (share <= 0) {
      this.#mark = 0;
      this.#owed = 0;
      this.#deferNext = false;
      return;
    }
    const t = this.now();
    if (this.#mark > 0) this.#owed = Math.min(MAX_OWED_MS, this.#owed + (Math.min(t - this.#mark, MAX_BUSY_MS) * share) / (1 - share));
    this.#mark = t;
    if (this.#deferNext) {
      this.#deferNext = false;
      return;
    }
    if (this.#owed < PAY_MS) return;
    const ms = Math.min(this.#owed, MAX_SLEEP_MS);
    this.sleep(ms);
    this.#owed -= ms;
    this.#mark = this.now();
  }

  /** Before an asynchronous caller's write: a Promise for its whole debt once it is worth a timer, else undefined. */
  owedAsync(): Promise<void> | undefined {
    if (this.#mark === 0) return undefined;
    this.#deferNext = true;
    if (this.#owed < ASYNC_PAY_MS) return undefined;
    const ms = this.#owed;
    this.#owed = 0;
    return this.wait(ms).then(() => {
      if (this.#mark > 0) this.#mark = this.now();
    });
  }
}
