/**
 * How an engine is chosen and opened: one call, which leaves the engine ready (its Disk and settings given through
 * `setup` as it opens; no second init step).
 */
import type { FsLike, SyncPolicy } from '../shard/shard.js';
import type { CacheEngine, EngineSetup } from './engine.js';
import { LogEngine } from './log-engine.js';
import { openSqliteEngine } from './sqlite-engine.js';

export type EngineName = 'log' | 'sqlite';

export interface OpenEngineOptions {
  /** 'log' or 'sqlite'; default: the LOGCACHE_ENGINE environment variable, else 'log'. */
  engine?: EngineName;
  /** Seconds a call waits for another process (transaction window, SQLite's busy handler). */
  timeout: number;
  sync?: SyncPolicy;
  /** Log engine only. */
  segmentBytes?: number;
  /** Log engine only. */
  compactMinBytes?: number;
  /** Log engine only: the file-system calls (tests inject faults). */
  fs?: FsLike;
  /** Log engine only: backpressure while compaction catches up (default true; src/shard/write-throttle.ts). */
  throttleWrites?: boolean;
  /** Log engine only: the lease of a transaction window (ms; src/shard/owner.ts). */
  txnLeaseMs?: number;
}

/**
 * Opens the engine for `directory`. LOGCACHE_ENGINE sets the default engine for a whole process (to run an
 * application's tests on the other one).
 * @throws RangeError for an unknown engine name (before anything touches disk); SqliteMissingError when 'sqlite'
 * has no binding.
 */
export function openEngine(directory: string, options: OpenEngineOptions, setup: EngineSetup): CacheEngine {
  const engine = options.engine ?? process.env.LOGCACHE_ENGINE ?? 'log';
  if (engine !== 'log' && engine !== 'sqlite') throw new RangeError(`engine must be 'log' or 'sqlite'; got ${String(engine)}`);
  const { timeout, sync } = options;
  return engine === 'sqlite'
    ? openSqliteEngine(directory, { timeout, sync }, setup)
    : new LogEngine(directory, { timeout, sync, segmentBytes: options.segmentBytes, compactMinBytes: options.compactMinBytes, fs: options.fs, txnLeaseMs: options.txnLeaseMs, throttleWrites: options.throttleWrites }, setup);
}
