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
