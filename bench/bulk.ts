/**
 * Bulk (spec/benchmarks.md §2) on each engine, one process per engine: 100,000
 * keys `key:N` with 100-byte string values — set all, get all in random order,
 * get 100,000 misses, delete all — then 10,000 × 4 KiB Buffers and 200 × 1 MiB
 * Buffers (set, get in random order, delete). Per-op median, p90, p99 and ops/s.
 */
import path from 'node:path';
import { engineTurn, isSkipped, runStep, type StepSkipped } from './lib/child.js';
import type { Floor } from './lib/floor.js';
import { mdTable, section } from './lib/markdown.js';
import { openChecked, unavailable } from './lib/open.js';
import { dur, int, permutation, timeOps, type OpStats } from './lib/oploop.js';
import { isStamped, padded, stamped, VALUE_BYTES } from './lib/payload.js';
import { floorFor, timesFloor } from './lib/table.js';
import type { Action, EngineName, EngineSkipped, WorkloadContext } from './lib/types.js';
import type { Progress } from './workload-worker.js';

export interface BulkParams {
  engine: EngineName;
  dir: string;
  /** String-valued keys (100,000). */
  keys: number;
  /** 4 KiB Buffer values (10,000). */
  small: number;
  /** 1 MiB Buffer values (200). */
  large: number;
}

export interface BulkResult {
  engine: EngineName;
  steps: OpStats[];
}

export interface BulkSection {
  workload: 'bulk';
  params: Omit<BulkParams, 'engine' | 'dir'> & { value_bytes: number; small_bytes: number; large_bytes: number };
  results: BulkResult[];
  skipped: EngineSkipped[];
}

const SMALL_BYTES = 4096;
const LARGE_BYTES = 1 << 20;

/** `key:N`'s 100-byte value: N, a colon, then filler. */
const value100 = (n: number): string => padded(`${n}:`);

/** Child side: the whole workload on one engine. */
async function run(p: BulkParams, progress: Progress): Promise<BulkResult | StepSkipped> {
  const cache = await openChecked(p.engine, p.dir);
  if (typeof cache === 'string') return unavailable(cache);
  const steps: OpStats[] = [];
  const n = p.keys;
  const order = permutation(n, 1);
  let wrong = 0;
  try {
    const found = (v: unknown) => v !== undefined && v !== null;
    progress(`set ${int(n)} keys (100-byte strings)`);
    steps.push(timeOps('set str100', n, (_, [k, v]: [string, string]) => cache.set(k, v), { prepare: (i): [string, string] => [`key:${i}`, value100(i)] }));
    progress(`get ${int(n)} in random order`);
    steps.push(timeOps('get str100 (random order)', n, (_, k: string) => cache.get(k), {
      prepare: (i) => `key:${order[i]}`,
      check: (i, v) => { if (found(v) && v !== value100(order[i]!)) wrong++; },
    }));
    progress(`get ${int(n)} missing keys`);
    steps.push(timeOps('get miss', n, (_, k: string) => cache.get(k), { prepare: (i) => `miss:${i}` }));
    progress(`delete ${int(n)} keys`);
    steps.push(timeOps('delete str100', n, (_, k: string) => cache.delete(k), { prepare: (i) => `key:${i}` }));

    for (const [count, size, label] of [[p.small, SMALL_BYTES, '4 KiB'], [p.large, LARGE_BYTES, '1 MiB']] as const) {
      const template = Buffer.alloc(size);
      for (let i = 0; i < size; i++) template[i] = (i * 131 + 7) & 0xff;
      const shuffled = permutation(count, 2);
      progress(`set ${int(count)} × ${label} Buffers`);
      steps.push(timeOps(`set ${label}`, count, (_, [k, v]: [string, Buffer]) => cache.set(k, v),
        { prepare: (i): [string, Buffer] => [`key:${i}`, stamped(template, i)], valueBytes: size }));
      progress(`get ${int(count)} × ${label} in random order`);
      steps.push(timeOps(`get ${label} (random order)`, count, (_, k: string) => cache.get(k), {
        prepare: (i) => `key:${shuffled[i]}`,
        check: (i, v) => { if (found(v) && !isStamped(v, size, shuffled[i]!)) wrong++; },
        valueBytes: size,
      }));
      progress(`delete ${int(count)} × ${label}`);
      steps.push(timeOps(`delete ${label}`, count, (_, k: string) => cache.delete(k), { prepare: (i) => `key:${i}` }));
    }
  } finally {
    cache.close();
  }
  if (wrong) return { skipped: `failed: ${wrong} get(s) returned another key's value` };
  return { engine: p.engine, steps };
}

export const steps = { run };

/** Parent side: each engine in a process of its own, in a fresh directory. */
export async function runBulk(ctx: WorkloadContext): Promise<BulkSection> {
  const params = ctx.quick ? { keys: 10_000, small: 1_000, large: 20 } : { keys: 100_000, small: 10_000, large: 200 };
  const results: BulkResult[] = [];
  const skipped: EngineSkipped[] = [];
  for (const engine of ctx.engines) {
    const dir = path.join(ctx.base, `bulk-${engine}`);
    const r = await engineTurn(ctx, 'bulk', engine, dir, (onProgress) => runStep<BulkResult>({
      workload: 'bulk', step: 'run', params: { engine, dir, ...params }, timeoutMs: ctx.timeoutMs, onProgress,
    }));
    if (isSkipped(r)) skipped.push({ engine, skipped: r.skipped });
    else results.push(r);
  }
  return { workload: 'bulk', params: { ...params, value_bytes: VALUE_BYTES, small_bytes: SMALL_BYTES, large_bytes: LARGE_BYTES }, results, skipped };
}

/** One row per step and engine, the engines of a step side by side; ×floor against `floor`. */
export function renderBulk(s: BulkSection, floor: Floor): string {
  const head = ['Step', 'Engine', 'Count', 'Miss', 'Median', 'P90', 'P99', 'Max', 'ops/s', 'MiB/s', '×floor'];
  const rows: string[][] = [];
  const ops = s.results[0]?.steps.map((x) => x.op) ?? [];
  for (const op of ops) {
    for (const r of s.results) {
      const x = r.steps.find((y) => y.op === op);
      if (!x) continue;
      // A step's name starts with its action (`get 4 KiB (random order)`): pread is get's floor, write the others'.
      const ratio = timesFloor(x.median_us, floorFor(op.split(' ', 1)[0] as Action, floor)) ?? '—';
      rows.push([op, r.engine, int(x.count), int(x.miss), dur(x.median_us), dur(x.p90_us), dur(x.p99_us), dur(x.max_us),
        int(x.ops_per_s), x.mib_per_s === undefined ? '' : int(x.mib_per_s), ratio]);
    }
  }
  for (const k of s.skipped) rows.push(['(all)', k.engine, 'skipped']);
  const p = s.params;
  const title = `Bulk: ${int(p.keys)} keys × ${p.value_bytes} B strings, ${int(p.small)} × 4 KiB, ${int(p.large)} × 1 MiB Buffers`;
  return section(title, mdTable(head, rows, 2), s.skipped.map((k) => `${k.engine} skipped: ${k.skipped}`));
}
