#!/usr/bin/env node
// The reliability suite on its own (test/torture): `npm run torture` runs the long mode (1,000 kills, thousands of
// corrupt inputs and faults); `npm run torture -- --short` runs the short mode the default suite runs;
// `npm run torture -- kill faults` runs only the files whose names start so.
// Prints each test's figures and their totals, and writes them to test/torture/results/<date>-<mode>.json.
// LOGCACHE_TORTURE_SEED=<n> repeats a run (every run prints its seed).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeTest } from './node-test.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const short = process.argv.includes('--short');
const mode = short ? 'short' : 'long';
// Optional file names (e.g. kill faults) pick some of the suite's files.
const picked = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = fs.readdirSync(path.join(root, 'test/torture')).filter((f) => f.endsWith('.test.ts')).sort()
  .filter((f) => picked.length === 0 || picked.some((p) => f.startsWith(p))).map((f) => `test/torture/${f}`);
const figuresFile = path.join(os.tmpdir(), `logcache-torture-${process.pid}.jsonl`);
fs.rmSync(figuresFile, { force: true });
const started = Date.now();
console.log(`torture suite, ${mode} mode: ${files.join(' ')}`);
const status = nodeTest(files, {
  args: ['--test-concurrency=1', '--test-timeout=14400000'], cwd: root,
  env: { LOGCACHE_TORTURE: mode, LOGCACHE_TORTURE_FIGURES: figuresFile },
});
const minutes = ((Date.now() - started) / 60000).toFixed(1);
const records = fs.existsSync(figuresFile) ? fs.readFileSync(figuresFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
fs.rmSync(figuresFile, { force: true });
console.log(`\n${'test'.padEnd(14)} figures`);
for (const r of records) {
  const { test, mode: _m, ...rest } = r;
  console.log(`${test.padEnd(14)} ${Object.entries(rest).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}
console.log(`\n${mode} run: ${minutes} min, exit ${status}, node ${process.version}, ${os.cpus().length} cpus`);
const outDir = path.join(root, 'test/torture/results');
fs.mkdirSync(outDir, { recursive: true });
const tag = picked.length ? `-${picked.join('-')}` : '';
const out = path.join(outDir, `${new Date().toISOString().slice(0, 10)}-${mode}${tag}.json`);
fs.writeFileSync(out, JSON.stringify({ mode, minutes: Number(minutes), status, node: process.version, records }, null, 2) + '\n');
console.log(`figures written to ${path.relative(root, out)}`);
process.exit(status);
