#!/usr/bin/env node
// Runs the test suite with Node's test runner (Node 20 takes no glob patterns, so the files are listed here).
// Usage: node scripts/test.mjs [dir-or-file ...]   (default: every *.test.ts under test/)
//
// Both engines pass the same conformance suite (test/conformance): test/conformance/cache-sqlite.test.ts runs it on
// the SQLite engine by name. With no arguments, the files that follow the default engine (SQLITE_AGAIN: FanoutCache's
// conformance run, test/api) run a second time with LOGCACHE_ENGINE=sqlite. The SQLite runs need a binding: node:sqlite
// (Node 22.5+), or the better-sqlite3 devDependency, which `npm install --ignore-scripts` leaves unbuilt: it is built
// here once (~2 min, with the machine's g++ and Node's headers) before any SQLite run. Without one the SQLite runs are
// skipped (cache-sqlite.test.ts registers its rules as skipped); under CI=true a missing binding fails the run.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { nodeTest } from './node-test.mjs';

function find(path) {
  if (statSync(path).isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path).sort().flatMap((name) => find(join(path, name)));
}

/**
 * Whether a SQLite binding loads, as the engine looks for one (src/engine/sqlite-binding.ts: node:sqlite, else
 * better-sqlite3); builds better-sqlite3 once when it is installed but not built. Each probe is a fresh process (one
 * that failed to load a native module keeps the failure cached).
 */
function sqliteBinding() {
  const loads = (source) => spawnSync(process.execPath, ['-e', source], { stdio: 'ignore' }).status === 0;
  // Before Node 22.13, node:sqlite needs a flag: getBuiltinModule then throws or answers undefined.
  if (loads("if (!process.getBuiltinModule?.('node:sqlite')?.DatabaseSync) process.exit(1)")) return 'node:sqlite';
  const better = "new (require('better-sqlite3'))(':memory:').close()";
  if (loads(better)) return 'better-sqlite3';
  try {
    createRequire(import.meta.url).resolve('better-sqlite3');
  } catch {
    return null;
  }
  console.log('# building better-sqlite3 (devDependency) for the SQLite engine run: npm rebuild better-sqlite3 …');
  const built = spawnSync('npm', ['rebuild', 'better-sqlite3'], { stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32' });
  return built.status === 0 && loads(better) ? 'better-sqlite3' : null;
}

/** The file that runs the conformance suite on the SQLite engine (it skips itself without a binding). */
const SQLITE_SUITE = 'test/conformance/cache-sqlite.test.ts';
/** Run again with LOGCACHE_ENGINE=sqlite in the default run: the tests that open the default engine. */
const SQLITE_AGAIN = ['test/conformance/fanout.test.ts', 'test/api'];

const roots = process.argv.slice(2);
const files = (roots.length ? roots : ['test']).flatMap(find);
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const sqliteWanted = process.env.LOGCACHE_TEST_SQLITE !== '0';
const again = roots.length === 0 && sqliteWanted;
let status = 0;
let binding = null;
// Probed (and better-sqlite3 built) before the first run, so the SQLite conformance file finds the binding.
const probed = sqliteWanted && (again || files.some((f) => f.split(sep).join('/').endsWith(SQLITE_SUITE)));
if (probed) {
  binding = sqliteBinding();
  if (binding === null) {
    console.log('# SQLite engine runs SKIPPED: no SQLite binding (Node 22.5+, or a buildable better-sqlite3)');
    if (process.env.CI === 'true') status = 1;
  }
}
// The probe's answer goes to the test files, so the SQLite conformance file skips exactly when this run does.
const first = nodeTest(files, { env: probed ? { LOGCACHE_SQLITE_BINDING: binding ?? '' } : {} });
status ||= first;
if (again && binding !== null) {
  console.log(`# FanoutCache's conformance run and test/api again on the SQLite engine (${binding})`);
  const second = nodeTest(SQLITE_AGAIN.flatMap(find), { env: { LOGCACHE_ENGINE: 'sqlite' } });
  status ||= second;
}
process.exit(status);
