/**
 * The conformance suite on Cache over the SQLite engine. Without a SQLite binding every rule is skipped with the
 * reason; under CI=true the missing binding fails instead (scripts/test.mjs fails the run the same way).
 * implementations.ts says how the binding is found.
 */
import { Cache } from '../../src/index.js';
import { suite } from './suite.js';
import { CACHE_SUPPORTS, sqliteSkip } from './implementations.js';

suite({
  name: 'Cache(sqlite)',
  open: (dir, options) => new Cache(dir, { ...options, engine: 'sqlite' }),
  supports: CACHE_SUPPORTS,
  skip: sqliteSkip(),
});
