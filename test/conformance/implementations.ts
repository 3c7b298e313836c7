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
 * Why the SQLite engine cannot run here, or false when it can. scripts/test.mjs probes for a binding (building
 * better-sqlite3 if needed) and passes its answer in LOGCACHE_SQLITE_BINDING ('' for none); run another way, the
 * engine is asked (its LOGCACHE_SQLITE_MISSING). LOGCACHE_TEST_SQLITE=0 skips the SQLite runs on purpose. Under CI=true
 * a missing binding throws: CI must run every engine.
 */
export function sqliteSkip(): string | false {
  if (process.env.LOGCACHE_TEST_SQLITE === '0') return 'LOGCACHE_TEST_SQLITE=0';
  const probed = process.env.LOGCACHE_SQLITE_BINDING;
  const missing = probed === undefined ? askEngine() : probed === '' ? 'no SQLite binding loads' : null;
  if (missing === null) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${missing}: the SQLite engine must run in CI`);
  return `${missing} (Node 22.5+, or a built better-sqlite3)`;
}

/** null when a Cache opens on the SQLite engine, else why not; any other error is a failure, thrown. */
function askEngine(): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-conf-probe-'));
  try {
    new Cache(dir, { engine: 'sqlite' }).close();
    return null;
  } catch (err) {
    if (err instanceof LogcacheError && err.code === 'LOGCACHE_SQLITE_MISSING') return err.message;
    throw err;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
