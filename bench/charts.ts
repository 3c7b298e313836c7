/**
 * The run's charts (lib/svg.ts), written to docs/benchmarks/ by default:
 * core-latency.svg (median, p90, p99 per action, 1 process: log Cache, SQLite Cache,
 * python-diskcache Cache), core-throughput.svg (ops/s against process count, every
 * contender), bulk-throughput.svg (ops/s per bulk step, log vs SQLite).
 * Redraw from a saved run: `node --import tsx bench/charts.ts bench/results/<file>.json [DIR]`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BulkSection } from './bulk.js';
import type { CoreSection } from './core-suite.js';
import { KINDS } from './lib/contender.js';
import type { BenchEnv } from './lib/env.js';
import type { Floor } from './lib/floor.js';
import { barChart, compact, type Series } from './lib/svg.js';
import { ACTIONS, type CoreResult } from './lib/types.js';

const us = (v: number) => (v >= 1000 ? `${Number((v / 1000).toPrecision(3))} ms` : `${Number(v.toPrecision(3))} µs`);

/** The machine, floor and command, for every chart's foot. */
function machine(env: BenchEnv, floor: Floor, command: string): string[] {
  return [
    `${env.date.slice(0, 10)} · ${env.cpu} ×${env.cpus} · Node ${env.node} · ${env.fs} · floor: write ${(floor.write_ns / 1000).toFixed(2)} µs, pread ${(floor.pread_ns / 1000).toFixed(2)} µs`,
    command,
  ];
}

/** Why python-diskcache has no figures at `procs`, if the run says. */
function peerWhy(core: CoreSection, procs: number): string | undefined {
  if (core.peer_skipped !== undefined) return `skipped: ${core.peer_skipped}`;
  const failed = core.peer_failed?.find((f) => f.procs === procs);
  return failed ? `× ${procs} failed: ${failed.reason}` : undefined;
}

function coreLatency(core: CoreSection, command: string): string | null {
  const ours = core.impls[0]?.results ?? [];
  const peer = core.impls[1];
  const procs = Math.min(...core.impls.flatMap((i) => i.results.map((r) => r.procs)));
  if (!Number.isFinite(procs)) return null;
  const picks: [string, CoreResult | undefined, string][] = [
    ['logcache Cache (log)', ours.find((r) => r.kind === 'cache' && r.procs === procs), 'cache'],
    ['logcache Cache (sqlite)', ours.find((r) => r.kind === 'sqlite' && r.procs === procs), 'sqlite'],
    [`${peer?.impl ?? 'python-diskcache'} Cache`, peer?.results.find((r) => r.kind === 'cache' && r.procs === procs), 'peer'],
  ];
  const groups: string[] = [];
  const get: ((r: CoreResult) => number | null)[] = [];
  for (const a of ACTIONS) {
    for (const [name, key] of [['median', 'median_us'], ['p90', 'p90_us'], ['p99', 'p99_us']] as const) {
      groups.push(`${a} ${name}`);
      get.push((r) => r[a][key]);
    }
  }
  const series: Series[] = picks.filter(([, r]) => r).map(([name, r]) => ({ name, values: get.map((f) => f(r!)) }));
  const absent = picks.filter(([, r]) => !r).map(([name, , kind]) => {
    const why = core.skipped.find((s) => s.kind === kind && s.procs === procs)?.skipped
      ?? (kind === 'peer' ? peerWhy(core, procs) : undefined)
      ?? 'not run';
    return `${name}: ${why}`.slice(0, 150);
  });
  return barChart({
    title: `Core workload latency, ${procs} process${procs > 1 ? 'es' : ''} (lower is better)`,
    groups, series, xLabel: 'action and percentile', yLabel: 'latency per call', log: true, format: us,
    footnotes: [...absent, ...machine(core.env, core.floor, command)], width: 860,
  });
}

function coreThroughput(core: CoreSection, command: string): string | null {
  const procs = [...new Set(core.impls.flatMap((i) => i.results.map((r) => r.procs)))].sort((a, b) => a - b);
  if (procs.length === 0) return null;
  const series: Series[] = [];
  for (const impl of core.impls) {
    const kinds = [...new Set(impl.results.map((r) => r.kind))];
    const who = impl.impl.startsWith('logcache') ? 'logcache' : impl.impl;
    for (const k of kinds) {
      series.push({ name: `${who} ${KINDS[k]?.label ?? k}`, values: procs.map((p) => impl.results.find((r) => r.kind === k && r.procs === p)?.ops_per_s ?? null) });
    }
  }
  const skipped = [...new Set(core.skipped.map((s) => `logcache ${KINDS[s.kind]?.label ?? s.kind}: skipped (${s.skipped})`.slice(0, 150)))];
  return barChart({
    title: 'Core workload throughput (higher is better)',
    groups: procs.map((p) => `${p} process${p > 1 ? 'es' : ''}`), series, xLabel: 'processes', yLabel: 'ops/s, all processes', format: compact,
    footnotes: [...skipped, ...machine(core.env, core.floor, command)], width: 860,
  });
}

function bulkThroughput(bulk: BulkSection, env: BenchEnv, floor: Floor, command: string): string | null {
  if (bulk.results.length === 0) return null;
  const groups = bulk.results[0]!.steps.map((s) => s.op.replace(' (random order)', ''));
  const series = bulk.results.map((r) => ({ name: `logcache Cache (${r.engine})`, values: r.steps.map((s) => s.ops_per_s) }));
  return barChart({
    title: `Bulk workload: ${bulk.params.keys.toLocaleString('en-US')} keys, then 4 KiB and 1 MiB values (higher is better)`,
    groups, series, xLabel: 'step', yLabel: 'ops/s', log: true, format: compact, width: 980,
    footnotes: [...bulk.skipped.map((k) => `${k.engine}: skipped (${k.skipped})`.slice(0, 150)), ...machine(env, floor, command)],
  });
}

/** Write every chart the run has data for; returns the files written. */
export function writeCharts(dir: string, o: { core?: CoreSection; bulk?: BulkSection; env: BenchEnv; floor: Floor; command: string }): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const charts: [string, string | null][] = [
    ['core-latency.svg', o.core ? coreLatency(o.core, o.command) : null],
    ['core-throughput.svg', o.core ? coreThroughput(o.core, o.command) : null],
    ['bulk-throughput.svg', o.bulk ? bulkThroughput(o.bulk, o.env, o.floor, o.command) : null],
  ];
  const written: string[] = [];
  for (const [name, svg] of charts) {
    if (svg === null) continue;
    const file = path.join(dir, name);
    fs.writeFileSync(file, svg);
    written.push(file);
  }
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [json, dir = fileURLToPath(new URL('../docs/benchmarks/', import.meta.url))] = process.argv.slice(2);
  if (!json) throw new Error('usage: node --import tsx bench/charts.ts bench/results/<file>.json [DIR]');
  const run = JSON.parse(fs.readFileSync(json, 'utf8')) as { core?: CoreSection; bulk?: BulkSection; env: BenchEnv; floor: Floor; command: string };
  for (const f of writeCharts(dir, run)) console.log(f);
}
