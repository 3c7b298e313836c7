/**
 * The conformance suite on FanoutCache with 1 shard and with 8, on the default engine (LOGCACHE_ENGINE, else the
 * log engine: scripts/test.mjs runs this file again with LOGCACHE_ENGINE=sqlite).
 */
import { FanoutCache } from '../../src/index.js';
import { suite } from './suite.js';
import { defaultEngine, fanoutSupports } from './implementations.js';

for (const shards of [1, 8]) {
  suite({
    name: `FanoutCache(${shards}, ${defaultEngine()})`,
    open: (dir, options) => new FanoutCache(dir, { ...options, shards }),
    supports: fanoutSupports(shards),
  });
}
