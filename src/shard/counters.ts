/**
 * The exactness rule of integer counters, shared by both engines (a leaf: it imports nothing).
 */

/**
 * Whether an integer counter's step lost exactness: both operands integers and the sum past 2^53, where a double
 * no longer holds every integer. Such an incr applies nothing (decided where the command applies, so every process
 * agrees); Cache counts beyond 2^53 with bigints instead.
 */
export function unsafeSum(a: number, b: number, sum: number): boolean {
  return Number.isInteger(a) && Number.isInteger(b) && !Number.isSafeInteger(sum);
}

/** The error of an unsafe integer incr (see unsafeSum). */
export function unsafeIncr(key: unknown): RangeError {
  return new RangeError(`incr at key ${String(key)} would pass 2^53, beyond which a number is not exact: count with a ` +
    'bigint (delta: 1n, or default: 0n for a new counter)');
}
