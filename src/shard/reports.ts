/**
 * What a shard shows the public API: check()'s warnings, compact()'s result and the victim orders of the policy
 * table. A leaf module (it imports nothing), so the package's public type declarations never reach the engine's
 * internals through these types.
 */

/** One finding of check(). */
export interface CheckWarning {
  /** 'UserWarning', 'UnknownFileWarning', 'EmptyDirWarning' (diskcache's) or 'CorruptionWarning'. */
  category: string;
  message: string;
}

/** What one compaction did. */
export interface CompactionResult {
  /** Id of the base written (the sealed segment it covers), or 0 when none was: see `skipped`. */
  base: number;
  /** Why no base was written: another process was compacting, or the log holds nothing a base would reclaim. */
  skipped?: 'locked' | 'nothing to reclaim';
  items: number;
  bytesBefore: number;
  bytesAfter: number;
  /** A chain link (format.md, "Chains"): how many of the oldest bases it merged, and how many it builds on. Absent for a
   * whole base. */
  merged?: number;
  kept?: number;
}

/** How an eviction policy orders its victims (the public policy table names it): by store time, access time or count. */
export type VictimOrder = 'stored' | 'accessTime' | 'accessCount';
