#!/usr/bin/env node
// Runs the test suite with Node's test runner (Node 20 takes no glob patterns, so the files are listed here).
// Usage: node scripts/test.mjs [dir-or-file ...]   (default: every *.test.ts under test/)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(path) {
  if (statSync(path).isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path).sort().flatMap((name) => find(join(path, name)));
}

const roots = process.argv.slice(2);
const files = (roots.length ? roots : ['test']).flatMap(find);
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// The suite runs on the pure-JS paths a user gets with `npm install --omit=optional --ignore-scripts`.
const env = { ...process.env, CBOR_NATIVE_ACCELERATION_DISABLED: 'true', LOGCACHE_PURE_JS: '1' };
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
