/** `logcache bench`: a short set/get/delete benchmark in a temporary cache, as a table or JSON. */
import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cache } from '../index.js';
import { UsageError, intFlag } from './args.js';
import type { Ctx } from './context.js';
import { version } from './format.js';

interface BenchRow { action: string; count: number; miss: number; median: number; p90: number; p99: number; max: number; total: number; opsPerSec: number }

function summarize(action: string, samples: Float64Array, miss: number): BenchRow {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const total = samples.reduce((a, b) => a + b, 0);
  return { action, count: samples.length, miss, median: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1], total, opsPerSec: samples.length / (total / 1e6) };
}

export function cmdBench(ctx: Ctx): number {
  const p = ctx.args.positional;
  if (p.length > 1) throw new UsageError(`bench takes at most DIR; got ${p.length} arguments`);
  const parent = path.resolve(p[0] ?? os.tmpdir());
  if (!nodeFs.existsSync(parent)) throw new UsageError(`no such directory: ${parent}`);
  const count = intFlag(ctx.args, '--count', 10_000);
  const size = intFlag(ctx.args, '--size', 100);
  const dir = nodeFs.mkdtempSync(path.join(parent, 'logcache-bench-'));
  const value = 'x'.repeat(size);
  const rows: BenchRow[] = [];
  const cache = new Cache(dir);
  try {
    const time = (action: string, op: (i: number) => boolean) => {
      const samples = new Float64Array(count);
      let miss = 0;
      for (let i = 0; i < count; i++) {
        const t0 = process.hrtime.bigint();
        const hit = op(i);
        samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
        if (!hit) miss++;
      }
      rows.push(summarize(action, samples, miss));
    };
    const NONE = Symbol('none');
    time('set', (i) => cache.set(`key-${i}`, value));
    time('get', (i) => cache.get(`key-${i}`, { default: NONE }) !== NONE);
    time('get (miss)', (i) => cache.get(`absent-${i}`, { default: NONE }) !== NONE);
    time('delete', (i) => cache.delete(`key-${i}`));
  } finally {
    cache.close();
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
  const env = { logcache: version(), node: process.version, platform: `${process.platform}-${process.arch}`, cpu: os.cpus()[0]?.model ?? 'unknown', directory: parent, count, valueBytes: size };
  if (ctx.json) {
    ctx.emitJson({ env, unit: 'microseconds', rows });
    return 0;
  }
  ctx.print(`logcache ${env.logcache}, Node ${env.node}, ${env.platform}, ${env.cpu}`);
  ctx.print(`${count} operations each, ${size}-byte values, in ${parent}`);
  const cols = ['Action', 'Count', 'Miss', 'Median', 'P90', 'P99', 'Max', 'Total', 'ops/s'];
  const us = (v: number) => `${v.toFixed(1)} µs`;
  const table = rows.map((r) => [r.action, String(r.count), String(r.miss), us(r.median), us(r.p90), us(r.p99), us(r.max), `${(r.total / 1000).toFixed(1)} ms`, String(Math.round(r.opsPerSec))]);
  const widths = cols.map((c, i) => Math.max(c.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  ctx.print(line(cols));
  ctx.print(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) ctx.print(line(row));
  return 0;
}
