/** What each implementation run by the conformance suite supports, and whether the SQLite engine can run here. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cache, LogcacheError } from '../../src/index.js';
import type { Supports } from './suite.js';

export const CACHE_SUPPORTS: Supports = {
  queues: true, sortedKeys: true, insertionOrder: true, extraSettingProperties: true, shards: 1, storesSizeLimit: true,
};

/** diskcache's FanoutCache: no queues, peekitem or iterkeys; one insertion order only with one shard. */
export function fanoutSupports(shards: number): Supports {
  return {
    queues: false, sortedKeys: false, insertionOrder: shards === 1, extraSettingProperties: false, shards, storesSizeLimit: false,
  };
}

/** The engine a Cache opens on when none is given (Cache's own rule). */
export function defaultEngine(): string {
  return process.env.LOGCACHE_ENGINE ?? 'log';
}

/**
 * Why the SQLite engine cannot run here (no binding: the engine's ERR_SQLITE_MISSING), or false when it can. Under
 * CI=true a missing binding throws: CI must run every engine.
 */
export function sqliteMissing(): string | false {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-conf-probe-'));
  try {
    new Cache(dir, { engine: 'sqlite' }).close();
    return false;
  } catch (err) {
    if (!(err instanceof LogcacheError && err.code === 'ERR_SQLITE_MISSING')) throw err;
    if (process.env.CI === 'true') throw new Error('CI=true and no SQLite binding: the SQLite engine must run in CI', { cause: err });
    return `no SQLite binding (Node 22.5+, or a built better-sqlite3): ${err.message}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
