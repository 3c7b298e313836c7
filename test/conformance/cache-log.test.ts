/** The conformance suite on Cache over the log engine (named explicitly, whatever LOGCACHE_ENGINE says). */
import { Cache } from '../../src/index.js';
import { suite } from './suite.js';
import { CACHE_SUPPORTS } from './implementations.js';

suite({ name: 'Cache(log)', open: (dir, options) => new Cache(dir, { ...options, engine: 'log' }), supports: CACHE_SUPPORTS });
