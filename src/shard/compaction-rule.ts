/**
 * When compaction pays (docs/engine.md, "Compaction"): the one rule every trigger applies — a write of this process
 * (auto-compaction.ts), an idle writer's timer, and a compactor's warm shard (warm-shards.ts).
 */

/** Time after the last write before the idle threshold applies (ms). */
export const IDLE_MS = 1000;
/** Dead bytes ÷ live bytes above which an idle store compacts. */
export const IDLE_DEAD_FRACTION = 0.25;

/**
 * Whether a log of `logBytes` holding `liveBytes` of live items should be compacted: dead bytes past `minBytes` and
 * past the live bytes, or, once the store has been `idle` (no write for IDLE_MS), past a quarter of them.
 * `minBytes` ≤ 0 turns automatic compaction off.
 */
export function compactionWanted(logBytes: number, liveBytes: number, minBytes: number, idle: boolean): boolean {
  if (minBytes <= 0) return false;
  const dead = logBytes - liveBytes;
  return dead > minBytes && dead > (idle ? liveBytes * IDLE_DEAD_FRACTION : liveBytes);
}

/** Backpressure starts once dead bytes exceed the live bytes and this many times minBytes (a small store compacts
 * in a moment once its compactor gets a core; a few MiB of dead bytes are not worth slowing its writers). */
export const THROTTLE_MIN_FACTOR = 4;
/** How far past that point the dead bytes may grow (as a fraction of it) before a writer gives up
 * THROTTLE_MAX_SHARE of its time (write-throttle.ts). */
export const THROTTLE_RAMP = 0.5;
/** The largest share of its time a writing process gives up while compaction catches up. */
export const THROTTLE_MAX_SHARE = 0.8;

/**
 * The share of its time a writing process gives up so the background compactor can catch up: 0 until the dead bytes
 * exceed max(live, THROTTLE_MIN_FACTOR × minBytes) (past the compaction trigger, so a compaction is wanted and has
 * not caught up), then rising with them to THROTTLE_MAX_SHARE once they exceed that by THROTTLE_RAMP of it.
 * `minBytes` ≤ 0 (automatic compaction off): 0.
 */
export function throttleShare(logBytes: number, liveBytes: number, minBytes: number): number {
  if (minBytes <= 0) return 0;
  const start = Math.max(liveBytes, THROTTLE_MIN_FACTOR * minBytes);
  const over = (logBytes - liveBytes - start) / start;
  return over <= 0 ? 0 : Math.min(over / THROTTLE_RAMP, 1) * THROTTLE_MAX_SHARE;
}
