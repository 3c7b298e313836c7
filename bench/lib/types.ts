/** The shapes shared by the core workload, its table and its JSON. */
import type { ActionStats } from './stats.js';

export const ACTIONS = ['get', 'set', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

/** One (implementation, kind, process count) run, in the peer harness's JSON shape. */
export interface CoreResult {
  kind: string;
  procs: number;
  ops_per_proc: number;
  /** Wall seconds: ours from the start barrier to the last operation's end; the peer's also counts process start-up and close(). */
  wall_s: number;
  get: ActionStats;
  set: ActionStats;
  delete: ActionStats;
  ops_per_s: number;
  /** Anything odd about this run (ours only). */
  note?: string;
}

/** One implementation's results (the peer prints exactly `{ impl, results }`). */
export interface ImplResults {
  impl: string;
  results: CoreResult[];
}
