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
export function compactionWanted(logBytes: number, liveBytes: number, minBytes: number, idle: boolean, segmentBytes = -1): boolean {
  if (minBytes <= 0) return false;
  const dead = logBytes - liveBytes;
  if (segmentBytes >= 0 && segmentBytes > linkBytes(liveBytes, minBytes)) return true;
  return dead > minBytes && dead > (idle ? liveBytes * IDLE_DEAD_FRACTION : liveBytes);
}

/** Whether a writing process is half way to asking for a compaction (by either rule above, not idle): its compactor
 * is then started and asked to read the shard ahead (warm-shards.ts). */
export function compactionHalfWay(logBytes: number, liveBytes: number, minBytes: number, segmentBytes = -1): boolean {
  return logBytes - liveBytes > minBytes / 2 || (segmentBytes >= 0 && segmentBytes > linkBytes(liveBytes, minBytes) / 2);
}

/** The segments' bytes past which a background compactor writes a chain link. */
const linkBytes = (liveBytes: number, minBytes: number): number => Math.max(minBytes, liveBytes / LINK_FRACTION);

/**
 * With a background compactor, which writes chain links (chain.ts): the segments after the newest base are compacted
 * into a link once they hold more than max(minBytes, live ÷ LINK_FRACTION), dead or not (`segmentBytes` ≥ 0 above).
 * So the log is a chain of bases of about that size each, a compaction rewrites that much and the oldest bases once
 * they are mostly dead, and the disk it takes beyond the live items stays a fraction of them (docs/engine.md, "Disk
 * during a compaction"), where a whole base rewrites every live item while the files it replaces stay.
 */
export const LINK_FRACTION = 8;

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
 * not caught up), then rising with them to THROTTLE_MAX_SHARE once they exceed that by THROTTLE_RAMP of it. The same
 * for the segments after the newest base (`segmentBytes` ≥ 0: a background compactor writes chain links) once they
 * exceed max(floor, LINK_THROTTLE_FACTOR × live ÷ LINK_FRACTION), the floor falling from THROTTLE_MIN_FACTOR to
 * LINK_THROTTLE_MIN_FACTOR × minBytes as the live bytes grow to twice the difference: half as much again
 * as what a link compacts, so a link never rewrites much more than that (the stall bench at 100,000 × 1 KiB: disk at
 * most 2.27× live with twice, 4 × minBytes at least; 2.07× with twice, 2 × minBytes; 1.81× with this; benchmarks.md).
 * `minBytes` ≤ 0 (automatic compaction off): 0.
 */
export function throttleShare(logBytes: number, liveBytes: number, minBytes: number, segmentBytes = -1): number {
  if (minBytes <= 0) return 0;
  const dead = over(logBytes - liveBytes, Math.max(liveBytes, THROTTLE_MIN_FACTOR * minBytes));
  // (A small store's floor is THROTTLE_MIN_FACTOR × minBytes, as for dead bytes: eight writers on one small shard
  // outrun a compactor that has just started, and would wait; it falls to LINK_THROTTLE_MIN_FACTOR × minBytes as the
  // live bytes grow, where a link's share of the disk matters.)
  const floor = Math.max(LINK_THROTTLE_MIN_FACTOR * minBytes, THROTTLE_MIN_FACTOR * minBytes - liveBytes / 2);
  const segments = segmentBytes < 0 ? 0 : over(segmentBytes, Math.max(floor, (LINK_THROTTLE_FACTOR * liveBytes) / LINK_FRACTION));
  const worst = Math.max(dead, segments);
  return worst <= 0 ? 0 : Math.min(worst / THROTTLE_RAMP, 1) * THROTTLE_MAX_SHARE;
}

/** Backpressure on the segments starts at LINK_THROTTLE_FACTOR links' worth of them, and, in a store of more than
 * 4 × minBytes live, at least LINK_THROTTLE_MIN_FACTOR × minBytes. */
export const LINK_THROTTLE_FACTOR = 1.5;
export const LINK_THROTTLE_MIN_FACTOR = 2;

/** How far `bytes` lie past `start`, as a fraction of it. */
const over = (bytes: number, start: number): number => (bytes - start) / start;
