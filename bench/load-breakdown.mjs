#!/usr/bin/env node
/**
 * Where loading a CommonJS file's time goes, in a fresh process per run: reading it (`readFileSync`, utf8), compiling
 * it (`vm.compileFunction` with CommonJS's wrapper parameters, as Node's loader does) and running its top-level code.
 * Medians of CPU time (`process.cpuUsage()`, ms) over `runs` fresh processes; the files run in turn, so two builds
 * compared in one call see the same machine. Complements the cold-start bench (cold-start.ts), which gives the
 * whole cost over bare node.
 *
 *   node bench/load-breakdown.mjs [runs=21] [file.cjs ...]    (default: dist/index.cjs)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = `
const fs = require('node:fs'), vm = require('node:vm'), path = require('node:path'), Module = require('node:module');
const file = path.resolve(process.argv[1]);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const a = cpu(); const src = fs.readFileSync(file, 'utf8'); const b = cpu();
const fn = vm.compileFunction(src, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
const c = cpu();
const m = new Module(file, module); m.filename = file; m.paths = Module._nodeModulePaths(path.dirname(file));
fn.call(m.exports, m.exports, (id) => m.require(id), m, file, path.dirname(file));
const d = cpu();
console.log(JSON.stringify([b - a, c - b, d - c]));
`;

const [runsArg, ...given] = process.argv.slice(2);
const runs = Number(runsArg ?? 21);
if (!(runs > 0)) throw new TypeError(`runs: want a number above 0, got ${runsArg}`);
const files = given.length > 0 ? given : [fileURLToPath(new URL('../dist/index.cjs', import.meta.url))];
const env = { ...process.env };
delete env['NODE_EXTRA_CA_CERTS']; // read by every Node process at start: not the file's cost (cold-start.ts says more)
const samples = files.map(() => [[], [], []]);
for (let i = 0; i < runs; i++) {
  files.forEach((file, k) => {
    const r = spawnSync(process.execPath, ['-e', CHILD, file], { encoding: 'utf8', env });
    if (r.status !== 0) throw new Error(`${file}: ${r.stderr}`);
    JSON.parse(r.stdout).forEach((ms, j) => samples[k][j].push(ms));
  });
}
const median = (xs) => { const s = [...xs].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
console.log(`CPU ms, medians of ${runs} fresh processes each`);
for (const [k, file] of files.entries()) {
  const [read, compile, run] = samples[k].map(median);
  console.log(`${file}: read ${read.toFixed(2)}, compile ${compile.toFixed(2)}, run ${run.toFixed(2)}, total ${(read + compile + run).toFixed(2)}`);
}
