// Runs test files with Node's test runner, for scripts/test.mjs and scripts/torture.mjs.
import { spawnSync } from 'node:child_process';

/**
 * `node --import tsx --test` over `files` (TypeScript through tsx), with `env` added to the environment;
 * returns the exit status.
 */
export function nodeTest(files, { args = ['--test-concurrency=2'], env = {}, cwd } = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...args, ...files], {
    cwd, stdio: 'inherit', env: { ...process.env, ...env },
  });
  return result.status ?? 1;
}
