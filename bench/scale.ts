/**
 * Scale (spec/benchmarks.md §4) on each engine: one process builds 1,000,000 keys
 * `key:N` × 100-byte values and closes; a fresh process (node --expose-gc) reopens
 * the directory and times the constructor and the first get, measures heap, external
 * and RSS bytes per key after open (against a baseline taken after importing
 * logcache, both after a settled gc: see settle()), times `size`, then overwrites every key 5 times with
 * each engine's default compaction on (log: automatic at compactMinBytes 8 MiB of
 * dead bytes; SQLite: diskcache's auto_vacuum) and reports disk bytes / live bytes,
 * live bytes being the keys' and values' own bytes.
 */
import path from 'node:path';
import { engineTurn, isSkipped, runStep, type StepSkipped } from './lib/child.js';
import { mdTable, section } from './lib/markdown.js';
import { cacheClass, openChecked, unavailable } from './lib/open.js';
import { bytes, dirBytes, dur, int, timeOps, type OpStats } from './lib/oploop.js';
import { keyBytes, padded, VALUE_BYTES } from './lib/payload.js';
import { reason } from './lib/reason.js';
import type { EngineName, EngineSkipped, WorkloadContext } from './lib/types.js';
import type { Progress } from './workload-worker.js';

export interface ScaleParams {
  engine: EngineName;
  dir: string;
  keys: number;
  overwrites: number;
}

export interface ScaleBuild {
  set: OpStats;
  close_ms: number;
}

export interface ScaleReopen {
  open_ms: number;
  first_get_us: number;
  heap_per_key: number;
  external_per_key: number;
  rss_per_key: number;
  size_ms: number;
  size: number;
  /** Bytes of the keys and values themselves. */
  live_bytes: number;
  disk_bytes_built: number;
  /**
   * The overwrite passes pooled: count and ops_per_s over all their timed calls, wall_s summed; median_us is the
   * median of the passes' medians (not the median of every call), p90_us, p99_us and max_us the worst pass's.
   */
  overwrite: OpStats;
  disk_bytes_end: number;
  volume_end: number;
  /** disk_bytes_end / live_bytes. */
  amplification: number;
  /** Disk bytes / live bytes after each overwrite pass (compaction makes it a saw-tooth: where a pass ends in the
   * cycle decides the end figure). */
  amplification_by_pass: number[];
}

export interface ScaleResult extends ScaleBuild, ScaleReopen {
  engine: EngineName;
}

export interface ScaleSection {
  workload: 'scale';
  params: Omit<ScaleParams, 'engine' | 'dir'> & { value_bytes: number };
  results: ScaleResult[];
  skipped: EngineSkipped[];
}

const value = (n: number, pass: number) => padded(`${pass}:${n}:`);
const ms = (ns: bigint) => Math.round(Number(ns) / 1e4) / 100;

/** Child: build the keys, close. */
async function build(p: ScaleParams, progress: Progress): Promise<ScaleBuild | StepSkipped> {
  const cache = await openChecked(p.engine, p.dir);
  if (typeof cache === 'string') return unavailable(cache);
  progress(`build ${int(p.keys)} keys × ${VALUE_BYTES} B`);
  const set = timeOps('set', p.keys, (_, [k, v]: [string, string]) => cache.set(k, v), { prepare: (i): [string, string] => [`key:${i}`, value(i, 0)] });
  const t = process.hrtime.bigint();
  cache.close();
  return { set, close_ms: ms(process.hrtime.bigint() - t) };
}

/** Child (with --expose-gc): reopen, first get, memory, size, overwrites. */
async function reopen(p: ScaleParams, progress: Progress): Promise<ScaleReopen | StepSkipped> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return { skipped: 'run without --expose-gc' };
  // Not openChecked: the constructor is what this step times, and the check would write to the built directory.
  const C = await cacheClass();
  if (typeof C === 'string') return unavailable(C);
  const disk_bytes_built = dirBytes(p.dir);
  const clock = process.hrtime.bigint;
  progress(`reopen ${int(p.keys)} keys in a fresh process, first get`);
  await settle(gc);
  const m0 = process.memoryUsage();
  const t0 = clock();
  let cache;
  try {
    cache = new C(p.dir, { engine: p.engine });
  } catch (err) {
    return { skipped: reason(err) };
  }
  const t1 = clock();
  const probe = Math.floor(p.keys / 2);
  const got = cache.get(`key:${probe}`);
  const t2 = clock();
  if (got !== value(probe, 0)) {
    cache.close();
    return { skipped: `failed: first get of key:${probe} returned ${String(got).slice(0, 40)}` };
  }
  await settle(gc);
  const m1 = process.memoryUsage();
  progress('size');
  const t3 = clock();
  const size = cache.size;
  const size_ms = ms(clock() - t3);
  const live_bytes = keyBytes(p.keys) + p.keys * VALUE_BYTES;

  const ns: OpStats[] = [];
  const byPass: number[] = [];
  for (let pass = 1; pass <= p.overwrites; pass++) {
    progress(`overwrite ${int(p.keys)} keys, pass ${pass} of ${p.overwrites}`);
    ns.push(timeOps('overwrite', p.keys, (_, [k, v]: [string, string]) => cache.set(k, v), {
      prepare: (i): [string, string] => [`key:${i}`, value(i, pass)],
    }));
    byPass.push(Math.round((dirBytes(p.dir) / live_bytes) * 100) / 100);
  }
  const volume_end = cache.volume();
  cache.close();
  const disk_bytes_end = dirBytes(p.dir);
  const per = (d: number) => Math.round(d / p.keys) || 0; // no -0
  // The passes' figures, pooled: ops/s over all the timed calls, the worst pass's tail.
  const secs = ns.reduce((s, x) => s + x.count / x.ops_per_s, 0);
  const pick = (f: (x: OpStats) => number | null) => Math.max(...ns.map((x) => f(x) ?? 0));
  const overwrite: OpStats = {
    op: `overwrite ×${p.overwrites}`, count: p.keys * p.overwrites, miss: 0,
    median_us: ns.map((x) => x.median_us ?? 0).sort((a, b) => a - b)[Math.floor(ns.length / 2)] ?? null,
    p90_us: pick((x) => x.p90_us), p99_us: pick((x) => x.p99_us), max_us: pick((x) => x.max_us),
    wall_s: Math.round(ns.reduce((s, x) => s + x.wall_s, 0) * 1000) / 1000,
    ops_per_s: secs > 0 ? Math.round((p.keys * p.overwrites) / secs) : 0,
  };
  return {
    open_ms: ms(t1 - t0), first_get_us: Math.round(Number(t2 - t1) / 10) / 100,
    heap_per_key: per(m1.heapUsed - m0.heapUsed), external_per_key: per(m1.external - m0.external),
    rss_per_key: per(m1.rss - m0.rss), size_ms, size, live_bytes, disk_bytes_built, overwrite, disk_bytes_end, volume_end,
    amplification: Math.round((disk_bytes_end / live_bytes) * 100) / 100, amplification_by_pass: byPass,
  };
}

/**
 * A full GC, a pause, another: V8 frees the backing stores of dead ArrayBuffers (a segment's read buffer) on a
 * background sweeper, so `external` read right after one gc() still counts buffers that are already garbage.
 */
async function settle(gc: () => void): Promise<void> {
  gc();
  await new Promise((r) => setTimeout(r, 100));
  gc();
}

export const steps = { build, reopen };

export async function runScale(ctx: WorkloadContext, keys: number): Promise<ScaleSection> {
  const params = { keys, overwrites: 5 };
  const results: ScaleResult[] = [];
  const skipped: EngineSkipped[] = [];
  for (const engine of ctx.engines) {
    const dir = path.join(ctx.base, `scale-${engine}`);
    const p: ScaleParams = { engine, dir, ...params };
    const r = await engineTurn(ctx, 'scale', engine, dir, async (onProgress): Promise<ScaleResult | StepSkipped> => {
      const b = await runStep<ScaleBuild>({ workload: 'scale', step: 'build', params: p, timeoutMs: ctx.timeoutMs, onProgress });
      if (isSkipped(b)) return b;
      const o = await runStep<ScaleReopen>({
        workload: 'scale', step: 'reopen', params: p, timeoutMs: ctx.timeoutMs, nodeFlags: ['--expose-gc'], onProgress,
      });
      return isSkipped(o) ? o : { engine, ...b, ...o };
    });
    if (isSkipped(r)) {
      skipped.push({ engine, skipped: r.skipped });
    } else {
      results.push(r);
      ctx.progress('scale', engine, `reopen ${dur(r.open_ms * 1000)}, first get ${dur(r.first_get_us)}, ${r.heap_per_key} heap B/key, disk ÷ live ${r.amplification}`);
    }
  }
  return { workload: 'scale', params: { ...params, value_bytes: VALUE_BYTES }, results, skipped };
}

export function renderScale(s: ScaleSection): string {
  const rows: [string, (r: ScaleResult) => string][] = [
    ['build: sets/s', (r) => int(r.set.ops_per_s)],
    ['build: set median / p99', (r) => `${dur(r.set.median_us)} / ${dur(r.set.p99_us)}`],
    ['build: close()', (r) => dur(r.close_ms * 1000)],
    ['disk after build', (r) => `${bytes(r.disk_bytes_built)} (${(r.disk_bytes_built / r.live_bytes).toFixed(2)}× live)`],
    ['reopen (constructor), fresh process', (r) => dur(r.open_ms * 1000)],
    ['first get after reopen', (r) => dur(r.first_get_us)],
    ['heap bytes per key after open', (r) => int(r.heap_per_key)],
    ['external bytes per key after open', (r) => int(r.external_per_key)],
    ['RSS bytes per key after open', (r) => int(r.rss_per_key)],
    ['`size`', (r) => `${dur(r.size_ms * 1000)} (${int(r.size)})`],
    [`overwrite all ×${s.params.overwrites}: sets/s`, (r) => int(r.overwrite.ops_per_s)],
    ['overwrite: median of pass medians / worst pass p99', (r) => `${dur(r.overwrite.median_us)} / ${dur(r.overwrite.p99_us)}`],
    ['live bytes (keys + values)', (r) => bytes(r.live_bytes)],
    ['disk at the end', (r) => bytes(r.disk_bytes_end)],
    ['disk ÷ live at the end', (r) => `${r.amplification.toFixed(2)}×`],
    ['disk ÷ live after each pass', (r) => (r.amplification_by_pass ?? []).map((x) => x.toFixed(2)).join(' · ')],
  ];
  const head = ['Measure', ...s.results.map((r) => r.engine), ...s.skipped.map((k) => k.engine)];
  const table = rows.map(([name, f]) => [name, ...s.results.map(f), ...s.skipped.map(() => 'skipped')]);
  const title = `Scale: ${int(s.params.keys)} keys × ${s.params.value_bytes} B`;
  return section(title, mdTable(head, table), s.skipped.map((k) => `${k.engine} skipped: ${k.skipped}`));
}
