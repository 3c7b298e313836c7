/**
 * logcache benchmarks: `npm run bench -- [--procs 1,2,8] [--ops N] [--kinds cache,fanout8]
 * [--peer | --no-peer] [--quick] [--dir DIR] [--floor-ms MS] [--timeout S]`.
 *
 * Prints the environment and the machine floor, runs diskcache's core workload on
 * each kind and process count (progress on stderr), folds in python-diskcache's
 * figures from the same run when its harness can run, prints the table and the
 * targets, and writes JSON to bench/results/<date>-core.json.
 * LOGCACHE_BENCH_MODULE=<file> benchmarks another build of the module.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCore, type Skipped } from './core.js';
import { KINDS, moduleUrl } from './lib/contender.js';
import { describeEnv } from './lib/env.js';
import { measureFloor } from './lib/floor.js';
import { peerUnavailable, peerVersion, runPeer } from './lib/peer.js';
import { renderTable } from './lib/table.js';
import { checkTargets, renderTargets } from './lib/targets.js';
import type { CoreResult, ImplResults } from './lib/types.js';

const RANGE = 100;
const WARMUP = 1000;

function parse() {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message} (see --help)\n`);
    process.exit(2);
  }
}

const OPTIONS = {
  procs: { type: 'string' },
  ops: { type: 'string' },
  kinds: { type: 'string', default: 'cache,fanout8' },
  peer: { type: 'boolean' },
  'no-peer': { type: 'boolean' },
  quick: { type: 'boolean' },
  dir: { type: 'string' },
  'floor-ms': { type: 'string', default: '300' },
  timeout: { type: 'string', default: '900' },
  help: { type: 'boolean', short: 'h' },
} as const;
const a = parse();

if (a.help) {
  console.log(fs.readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0]!.replace(/^\/\*\*|^ \* ?/gm, ''));
  process.exit(0);
}

const quick = a.quick === true;
const procsList = (a.procs ?? (quick ? '1,2' : '1,2,8')).split(',').map(Number);
const ops = Number(a.ops ?? (quick ? 10_000 : 100_000));
const kinds = a.kinds!.split(',').filter(Boolean);
const timeoutMs = Number(a.timeout) * 1000;
function usage(msg: string): never {
  process.stderr.write(`bench: ${msg} (see --help)\n`);
  process.exit(2);
}
if (procsList.some((p) => !Number.isInteger(p) || p < 1)) usage(`--procs: want a list of positive integers, got ${a.procs}`);
if (!Number.isInteger(ops) || ops <= WARMUP) usage(`--ops: want an integer above ${WARMUP}, got ${a.ops}`);
for (const k of kinds) if (!KINDS[k]) usage(`--kinds: unknown kind '${k}' (known: ${Object.keys(KINDS).join(', ')})`);
if (!(timeoutMs > 0)) usage(`--timeout: want seconds above 0, got ${a.timeout}`);

const ownDir = a.dir === undefined;
const base = a.dir ? path.resolve(a.dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'logcache-bench-'));
fs.mkdirSync(base, { recursive: true });
const note = (s: string) => process.stderr.write(`${s}\n`);

const env = describeEnv(base);
console.log(`logcache ${env.logcache} · Node ${env.node} · ${env.cpu} ×${env.cpus} · ${env.os}`);
console.log(`bench dir ${env.dir} (${env.fs}) · ${env.date} · module ${moduleUrl()}`);
const floor = measureFloor(base, Number(a['floor-ms']));
const us = (ns: number) => `${(ns / 1000).toFixed(2)} µs`;
console.log(`floor (tinybench median): write 120 B O_APPEND ${us(floor.write_ns)} · pread 120 B ${us(floor.pread_ns)} · fstat ${us(floor.fstat_ns)}`);
console.log(`core workload: ${ops.toLocaleString('en-US')} ops/process (first ${WARMUP} untimed), ${RANGE} keys, procs ${procsList.join(',')}, ` +
  `PRNG mulberry32 seeded with the process number\n`);

let peer = false;
const notes: string[] = [];
if (a['no-peer'] !== true) {
  const why = peerUnavailable();
  if (why === null) peer = true;
  else if (a.peer) notes.push(`python-diskcache skipped: ${why}`);
}
const peerImpl = peer ? `python-diskcache ${peerVersion()}` : null;

const ours: CoreResult[] = [];
const theirs: CoreResult[] = [];
const skipped: Skipped[] = [];
for (const procs of procsList) {
  for (const kind of kinds) {
    note(`[core] logcache ${kind} × ${procs} proc(s), ${ops} ops each …`);
    const r = await runCore({ kind, procs, ops, range: RANGE, warmup: WARMUP, base, timeoutMs });
    if ('skipped' in r) {
      skipped.push(r);
      note(`[core]   skipped: ${r.skipped}`);
    } else {
      ours.push(r);
      note(`[core]   ${r.ops_per_s.toLocaleString('en-US')} ops/s, get median ${r.get.median_us} µs, set median ${r.set.median_us} µs`);
    }
  }
  if (peer) {
    note(`[core] ${peerImpl} ${kinds.join(',')} × ${procs} proc(s), ${ops} ops each …`);
    try {
      const pdir = path.join(base, `peer-${procs}`);
      const res: ImplResults = runPeer(procs, ops, kinds, pdir, timeoutMs);
      fs.rmSync(pdir, { recursive: true, force: true });
      theirs.push(...res.results);
      for (const r of res.results) note(`[core]   ${r.kind}: ${r.ops_per_s.toLocaleString('en-US')} ops/s`);
    } catch (err) {
      notes.push(`python-diskcache × ${procs} failed: ${(err as Error).message.split('\n')[0]}`);
      note(`[core]   failed: ${(err as Error).message.split('\n')[0]}`);
    }
  }
}

for (const procs of procsList) {
  const entries = [
    ...ours.filter((r) => r.procs === procs).map((r) => ({ label: `logcache ${env.logcache} ${KINDS[r.kind]!.label}`, result: r })),
    ...theirs.filter((r) => r.procs === procs).map((r) => ({ label: `${peerImpl} ${KINDS[r.kind]?.label ?? r.kind}`, result: r })),
  ];
  if (entries.length === 0) continue;
  const title = `Core workload, ${procs} process${procs > 1 ? 'es' : ''} × ${ops.toLocaleString('en-US')} ops (${RANGE} keys; 90% get, 9% set, 1% delete)`;
  console.log(renderTable(title, entries, floor));
  console.log();
}
for (const s of skipped) notes.push(`logcache ${s.kind} × ${s.procs} skipped: ${s.skipped}`);
for (const r of ours) if (r.note) notes.push(`logcache ${r.kind} × ${r.procs}: ${r.note}`);
if (peer) notes.push('ops/s: python-diskcache\'s wall time counts process start-up and close(); logcache\'s runs from a start barrier to the last operation.');
for (const n of notes) console.log(`note: ${n}`);

const targets = checkTargets(ours, kinds, floor);
console.log(`\n${renderTargets(targets, floor)}`);
if (quick || ops < 100_000) console.log(`  (${ops.toLocaleString('en-US')} ops per process: JIT warm-up weighs on these; judge targets on a full run)`);

const resultsDir = new URL('./results/', import.meta.url);
fs.mkdirSync(resultsDir, { recursive: true });
const file = new URL(`${env.date.slice(0, 10)}-core${quick ? '-quick' : ''}.json`, resultsDir);
const impls: ImplResults[] = [{ impl: `logcache ${env.logcache}`, results: ours }];
if (peerImpl) impls.push({ impl: peerImpl, results: theirs });
fs.writeFileSync(file, `${JSON.stringify({
  workload: 'core', env, floor,
  params: { ops_per_proc: ops, range: RANGE, warmup: WARMUP, procs: procsList, kinds, quick, prng: 'mulberry32(seed = process number)' },
  impls, skipped, notes, targets,
}, null, 2)}\n`);
console.log(`\nJSON: ${path.relative(process.cwd(), new URL(file).pathname)}`);
if (ownDir) fs.rmSync(base, { recursive: true, force: true });
