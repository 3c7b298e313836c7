// Runs test files with Node's test runner, for scripts/test.mjs and scripts/torture.mjs.
import { spawnSync } from 'node:child_process';

/** The suites run on the pure-JS paths a user gets with `npm install --omit=optional --ignore-scripts`. */
export const PURE_JS_ENV = { CBOR_NATIVE_ACCELERATION_DISABLED: 'true', LOGCACHE_PURE_JS: '1' };

/**
 * `node --import tsx --test` over `files` (TypeScript through tsx), with the pure-JS environment plus `env`;
 * returns the exit status.
 */
export function nodeTest(files, { args = ['--test-concurrency=2'], env = {}, cwd } = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...args, ...files], {
    cwd, stdio: 'inherit', env: { ...process.env, ...PURE_JS_ENV, ...env },
  });
  return result.status ?? 1;
}
