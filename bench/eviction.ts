/**
 * Eviction (spec/benchmarks.md §3) on each engine and eviction policy, one process
 * each: a Cache with sizeLimit 10 MB (10,000,000 bytes) takes 200,000 values of
 * 1 KiB (`key:N` → a Buffer) — twenty times the limit. Reported: set ops/s and
 * per-op percentiles (culling happens inside set), the final volume() and size,
 * bytes on disk, and whether volume() ends within 10% of the limit.
 */
import path from 'node:path';
import { engineTurn, isSkipped, runStep, type StepSkipped } from './lib/child.js';
import { mdTable, section } from './lib/markdown.js';
import { openChecked, unavailable } from './lib/open.js';
import { bytes, dirBytes, dur, int, timeOps, type OpStats } from './lib/oploop.js';
import { stamped } from './lib/payload.js';
import type { EngineName, EngineSkipped, WorkloadContext } from './lib/types.js';
import type { Progress } from './workload-worker.js';

/** diskcache's EVICTION_POLICY names ('none' never evicts for size: it shows what the others save). */
const POLICIES = ['least-recently-stored', 'least-recently-used', 'least-frequently-used', 'none'] as const;

export interface EvictionParams {
  engine: EngineName;
  dir: string;
  policy: string;
  sizeLimit: number;
  values: number;
  valueBytes: number;
}

export interface EvictionResult {
  engine: EngineName;
  policy: string;
  set: OpStats;
  volume: number;
  size: number;
  disk_bytes: number;
  /** volume() / sizeLimit. */
  volume_ratio: number;
  /** |volume() − sizeLimit| ≤ 10% of sizeLimit. */
  within_10pct: boolean;
}

export interface EvictionSection {
  workload: 'eviction';
  params: Omit<EvictionParams, 'engine' | 'dir' | 'policy'> & { policies: readonly string[] };
  results: EvictionResult[];
  skipped: (EngineSkipped & { policy: string })[];
}

async function run(p: EvictionParams, progress: Progress): Promise<EvictionResult | StepSkipped> {
  const cache = await openChecked(p.engine, p.dir, { sizeLimit: p.sizeLimit, evictionPolicy: p.policy });
  if (typeof cache === 'string') return unavailable(cache);
  let set: OpStats;
  let volume: number;
  let size: number;
  try {
    const template = Buffer.alloc(p.valueBytes, 0x5a);
    progress(`set ${int(p.values)} × ${bytes(p.valueBytes)} into ${int(p.sizeLimit)} bytes`);
    set = timeOps('set', p.values, (_, [k, v]: [string, Buffer]) => cache.set(k, v), {
      prepare: (i): [string, Buffer] => [`key:${i}`, stamped(template, i)],
      valueBytes: p.valueBytes,
    });
    volume = cache.volume();
    size = cache.size;
  } finally {
    cache.close();
  }
  const ratio = volume / p.sizeLimit;
  return {
    engine: p.engine, policy: p.policy, set, volume, size, disk_bytes: dirBytes(p.dir),
    volume_ratio: Math.round(ratio * 1000) / 1000, within_10pct: Math.abs(ratio - 1) <= 0.1,
  };
}

export const steps = { run };

export async function runEviction(ctx: WorkloadContext): Promise<EvictionSection> {
  const params = ctx.quick
    ? { sizeLimit: 1_000_000, values: 20_000, valueBytes: 1024 }
    : { sizeLimit: 10_000_000, values: 200_000, valueBytes: 1024 };
  const results: EvictionResult[] = [];
  const skipped: EvictionSection['skipped'] = [];
  for (const engine of ctx.engines) {
    for (const policy of POLICIES) {
      const dir = path.join(ctx.base, `eviction-${engine}-${policy}`);
      const who = `${engine} ${policy}`;
      const r = await engineTurn(ctx, 'eviction', who, dir, (onProgress) => runStep<EvictionResult>({
        workload: 'eviction', step: 'run', params: { engine, dir, policy, ...params }, timeoutMs: ctx.timeoutMs, onProgress,
      }));
      if (isSkipped(r)) {
        // An engine that cannot open will not open for the next policy either; a crash or a timeout may be this policy's.
        for (const q of r.unavailable ? POLICIES.slice(POLICIES.indexOf(policy)) : [policy]) skipped.push({ engine, policy: q, skipped: r.skipped });
        if (r.unavailable) break;
      } else {
        results.push(r);
        ctx.progress('eviction', who, `${int(r.set.ops_per_s)} sets/s, volume ${(r.volume_ratio * 100).toFixed(1)}% of the limit`);
      }
    }
  }
  return { workload: 'eviction', params: { ...params, policies: POLICIES }, results, skipped };
}

export function renderEviction(s: EvictionSection): string {
  const head = ['Policy', 'Engine', 'sets/s', 'Median', 'P99', 'Max', 'volume()', '÷ limit', 'size', 'on disk', 'within 10%'];
  const rows: string[][] = [];
  for (const policy of POLICIES) {
    for (const r of s.results.filter((x) => x.policy === policy)) {
      rows.push([policy, r.engine, int(r.set.ops_per_s), dur(r.set.median_us), dur(r.set.p99_us), dur(r.set.max_us),
        bytes(r.volume), `${(r.volume_ratio * 100).toFixed(1)}%`, int(r.size), bytes(r.disk_bytes),
        r.within_10pct ? 'yes' : policy === 'none' ? 'no (never evicts)' : 'NO']);
    }
  }
  for (const k of s.skipped) rows.push([k.policy, k.engine, 'skipped']);
  const p = s.params;
  const title = `Eviction: sizeLimit ${int(p.sizeLimit)} bytes, ${int(p.values)} sets of ${bytes(p.valueBytes)} values`;
  const why = new Map<string, string[]>();
  for (const k of s.skipped) why.set(`${k.engine}\0${k.skipped}`, [...(why.get(`${k.engine}\0${k.skipped}`) ?? []), k.policy]);
  const notes = [...why].map(([k, policies]) => `${k.split('\0')[0]} (${policies.join(', ')}) skipped: ${k.split('\0')[1]}`);
  return section(title, mdTable(head, rows, 2), notes);
}
