/** The shapes shared by the core workload, its table and its JSON. */
import type { ActionStats } from './stats.js';

export const ACTIONS = ['get', 'set', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

/** The engines a Cache opens on (Cache's `engine` option). */
export const ENGINES = ['log', 'sqlite'] as const;
export type EngineName = (typeof ENGINES)[number];

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

/** What run.ts hands each of the bulk, eviction and scale workloads. */
export interface WorkloadContext {
  /** Scratch parent directory; each step works in a fresh subdirectory of it. */
  base: string;
  floor: import('./floor.js').Floor;
  /** Per child process, ms. */
  timeoutMs: number;
  quick: boolean;
  engines: readonly EngineName[];
  /** A progress line on stderr: `[workload] who: text …`. */
  progress(workload: string, who: string, text: string): void;
}

/** A contender that could not run a workload, and why (the engine is missing, its check failed, it crashed). */
export interface EngineSkipped {
  engine: string;
  skipped: string;
}
