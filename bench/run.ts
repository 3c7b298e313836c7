/**
 * logcache benchmarks: `npm run bench -- [--workloads core,bulk,eviction,scale,cold-start]
 * [--engines log,sqlite] [--kinds cache,fanout8,sqlite,sqlite-fanout8] [--procs 1,2,8]
 * [--ops N] [--scale-keys N] [--no-peer] [--quick] [--dir DIR] [--charts DIR]
 * [--floor-ms MS] [--timeout S] [--stall-sizes 100k1k,1m100,1m1k] [--stall-passes 3]`.
 *
 * Prints the environment and the machine floor, then runs each workload of
 * ../shared/spec/benchmarks.md on both engines, each contender in processes of its
 * own (progress on stderr): core (diskcache's benchmark, with python-diskcache's
 * figures from the same run when /usr/bin/python3 has diskcache, unless --no-peer;
 * --peer, the default, is accepted and changes nothing), bulk, eviction, scale
 * (1,000,000 keys unless --scale-keys), cold-start (loading the built package, over bare node: cold-start.ts), and
 * stall when asked (`--workloads stall`: the worst call while automatic compaction runs, one writer and one reader
 * process, python-diskcache beside unless --no-peer; --stall-sizes picks sizes as <keys><k|m><value bytes><k?>,
 * default 100k1k,1m100; 1m1k, about 1 GB live, only when named). Prints a table per workload, then
 * issue 5's targets judged on the whole run (n/a where a side did not run; issue 2's
 * floor-scaled targets stay in the core section), writes one JSON (the verdicts under
 * `targets`) to bench/results/<date>[-quick][-<workloads>].json and SVG charts to
 * docs/benchmarks/ (bench/results/quick-charts/ with --quick). --quick shrinks every
 * workload (10,000 core ops, procs 1,2; bulk ÷10; eviction ÷10; scale 20,000 keys).
 * An engine or kind that cannot open (no SQLite binding, say) is skipped with its reason.
 * LOGCACHE_BENCH_MODULE=<file> benchmarks another build of the module.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderBulk, runBulk, type BulkSection } from './bulk.js';
import { renderColdStart, runColdStart, type ColdStartSection } from './cold-start.js';
import { writeCharts } from './charts.js';
import { runCoreSuite, WARMUP, type CoreSection } from './core-suite.js';
import { renderEviction, runEviction, type EvictionSection } from './eviction.js';
import { DEFAULT_KINDS, KINDS, moduleUrl } from './lib/contender.js';
import { describeEnv } from './lib/env.js';
import { measureFloor } from './lib/floor.js';
import { checkSameRunTargets, renderSameRunTargets } from './lib/same-run-targets.js';
import { ENGINES, type EngineName, type WorkloadContext } from './lib/types.js';
import { renderScale, runScale, type ScaleSection } from './scale.js';
import { parseSize, renderStall, runStall, type StallSection, type StallSize } from './stall.js';

const WORKLOADS = ['core', 'bulk', 'eviction', 'scale', 'cold-start', 'stall'] as const;
/** What runs without --workloads: stall takes minutes per size and is asked for by name. */
const DEFAULT_WORKLOADS = ['core', 'bulk', 'eviction', 'scale', 'cold-start'];

const OPTIONS = {
  workloads: { type: 'string', default: DEFAULT_WORKLOADS.join(',') },
  'stall-sizes': { type: 'string', default: '100k1k,1m100' },
  'stall-passes': { type: 'string', default: '3' },
  engines: { type: 'string', default: ENGINES.join(',') },
  kinds: { type: 'string', default: DEFAULT_KINDS.join(',') },
  procs: { type: 'string' },
  ops: { type: 'string' },
  'scale-keys': { type: 'string' },
  // The default (python-diskcache runs when it can); kept so commands written with it still parse.
  peer: { type: 'boolean' },
  'no-peer': { type: 'boolean' },
  quick: { type: 'boolean' },
  dir: { type: 'string' },
  charts: { type: 'string' },
  'floor-ms': { type: 'string', default: '300' },
  timeout: { type: 'string', default: '900' },
  help: { type: 'boolean', short: 'h' },
} as const;

function usage(msg: string): never {
  process.stderr.write(`bench: ${msg} (see --help)\n`);
  process.exit(2);
}

let a;
try {
  a = parseArgs({ options: OPTIONS }).values;
} catch (err) {
  usage((err as Error).message);
}
if (a.help) {
  console.log(fs.readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0]!.replace(/^\/\*\*|^ \* ?/gm, ''));
  process.exit(0);
}

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const quick = a.quick === true;
const workloads = list(a.workloads!);
const engines = list(a.engines!) as EngineName[];
const kinds = list(a.kinds!);
const procsList = list(a.procs ?? (quick ? '1,2' : '1,2,8')).map(Number);
const ops = Number(a.ops ?? (quick ? 10_000 : 100_000));
const scaleKeys = Number(a['scale-keys'] ?? (quick ? 20_000 : 1_000_000));
const timeoutMs = Number(a.timeout) * 1000;
for (const w of workloads) if (!(WORKLOADS as readonly string[]).includes(w)) usage(`--workloads: unknown workload '${w}' (known: ${WORKLOADS.join(', ')})`);
for (const e of engines) if (!(ENGINES as readonly string[]).includes(e)) usage(`--engines: unknown engine '${e}' (known: ${ENGINES.join(', ')})`);
for (const k of kinds) if (!KINDS[k]) usage(`--kinds: unknown kind '${k}' (known: ${Object.keys(KINDS).join(', ')})`);
if (procsList.some((p) => !Number.isInteger(p) || p < 1)) usage(`--procs: want a list of positive integers, got ${a.procs}`);
if (!Number.isInteger(ops) || ops <= WARMUP) usage(`--ops: want an integer above ${WARMUP}, got ${a.ops}`);
if (!Number.isInteger(scaleKeys) || scaleKeys < 2) usage(`--scale-keys: want an integer above 1, got ${a['scale-keys']}`);
const stallPasses = Number(a['stall-passes']);
if (!Number.isInteger(stallPasses) || stallPasses < 1) usage(`--stall-passes: want a whole number >= 1, got '${a['stall-passes']}'`);
const stallSizes = list(a['stall-sizes']!).map((x) => parseSize(x) ?? usage(`--stall-sizes: want sizes like 100k1k or 1m100, got '${x}'`)) as StallSize[];
if (!(timeoutMs > 0)) usage(`--timeout: want seconds above 0, got ${a.timeout}`);

const ownDir = a.dir === undefined;
const base = a.dir ? path.resolve(a.dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'logcache-bench-'));
fs.mkdirSync(base, { recursive: true });
const override = process.env['LOGCACHE_BENCH_MODULE'];
const command = `${override ? `LOGCACHE_BENCH_MODULE=${override} ` : ''}npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;

const env = describeEnv(base);
const loadAtStart = os.loadavg();
console.log(`logcache ${env.logcache} · Node ${env.node} · ${env.cpu} ×${env.cpus} · ${env.os} · load average ${loadAtStart.map((x) => x.toFixed(1)).join(' ')}`);
console.log(`bench dir ${env.dir} (${env.fs}) · ${env.date} · module ${moduleUrl()}`);
console.log(`command: ${command}`);
const floor = measureFloor(base, Number(a['floor-ms']));
const us = (ns: number) => `${(ns / 1000).toFixed(2)} µs`;
console.log(`floor (tinybench median): write 120 B O_APPEND ${us(floor.write_ns)} · pread 120 B ${us(floor.pread_ns)} · fstat ${us(floor.fstat_ns)}\n`);

const ctx: WorkloadContext = {
  base, floor, timeoutMs, quick, engines,
  progress: (w, who, text) => process.stderr.write(`[${w}] ${who}: ${text} …\n`),
};
// The sections in the order they ran, which is their order in the JSON.
const out: {
  core?: CoreSection; bulk?: BulkSection; eviction?: EvictionSection; scale?: ScaleSection; coldStart?: ColdStartSection;
  stall?: StallSection;
} = {};

if (workloads.includes('core')) {
  out.core = await runCoreSuite({ env, floor, base, procsList, ops, kinds, quick, timeoutMs, peer: a['no-peer'] !== true });
}
if (workloads.includes('bulk')) {
  out.bulk = await runBulk(ctx);
  console.log(`\n${renderBulk(out.bulk, floor)}`);
}
if (workloads.includes('eviction')) {
  out.eviction = await runEviction(ctx);
  console.log(`\n${renderEviction(out.eviction)}`);
}
if (workloads.includes('scale')) {
  // A million keys built, reopened and overwritten 5 times takes minutes per engine: scale the timeout with the keys.
  out.scale = await runScale({ ...ctx, timeoutMs: timeoutMs * Math.max(1, scaleKeys / 250_000) }, scaleKeys);
  console.log(`\n${renderScale(out.scale)}`);
}
if (workloads.includes('cold-start')) {
  out.coldStart = runColdStart(quick ? 11 : 31);
  console.log(`\n${renderColdStart(out.coldStart)}`);
}
if (workloads.includes('stall')) {
  out.stall = await runStall(ctx, stallSizes, a['no-peer'] !== true, stallPasses);
  console.log(`\n${renderStall(out.stall)}`);
}
// Last, because they need core and scale together.
const targets = out.core || out.scale ? checkSameRunTargets({ core: out.core, scale: out.scale }) : undefined;
if (targets) console.log(`
${renderSameRunTargets(targets)}`);

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
fs.mkdirSync(resultsDir, { recursive: true });
const partial = DEFAULT_WORKLOADS.every((w) => workloads.includes(w)) && workloads.length === DEFAULT_WORKLOADS.length ? '' : `-${workloads.join('-')}`;
const file = path.join(resultsDir, `${env.date.slice(0, 10)}${quick ? '-quick' : ''}${partial}.json`);
fs.writeFileSync(file, `${JSON.stringify({
  env, floor, command,
  // 1, 5 and 15-minute load averages: a shared machine's figures mean little without them.
  load_average: { start: loadAtStart, end: os.loadavg() },
  params: { workloads, engines, kinds, procs: procsList, ops_per_proc: ops, scale_keys: scaleKeys, quick, stall_sizes: stallSizes.map((x) => x.name) },
  ...out,
  targets,
}, null, 2)}\n`);
const chartsDir = a.charts ? path.resolve(a.charts)
  : quick ? path.join(resultsDir, 'quick-charts') : fileURLToPath(new URL('../docs/benchmarks/', import.meta.url));
const charts = writeCharts(chartsDir, { core: out.core, bulk: out.bulk, env, floor, command });
console.log(`\nJSON: ${path.relative(process.cwd(), file)}`);
if (charts.length) console.log(`charts: ${charts.map((c) => path.relative(process.cwd(), c)).join(', ')}`);
if (ownDir) fs.rmSync(base, { recursive: true, force: true });
