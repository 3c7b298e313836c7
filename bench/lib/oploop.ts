/**
 * Per-operation timing for the bulk, eviction and scale workloads: each call timed
 * with hrtime as core-worker.ts does (a fixed count of distinct operations, so a
 * timed loop fits better than tinybench's time budget), summarised with the peer
 * harness's percentiles (stats.ts). ops/s is the count over the sum of the timed
 * calls (so building a value between calls is not counted; a GC pause it causes may be).
 */
import fs from 'node:fs';
import path from 'node:path';
import { mulberry32 } from './prng.js';
import { summarise, type ActionStats } from './stats.js';

/** One timed step: `count` calls of one operation (`miss`: calls that found nothing), in the core's shape. */
export interface OpStats extends Omit<ActionStats, 'total_us'> {
  op: string;
  /** The whole loop, untimed work between calls included. */
  wall_s: number;
  /** count / (sum of the timed calls). */
  ops_per_s: number;
  /** Payload moved per second, when the step moves values of a known size. */
  mib_per_s?: number;
}

/** A call's result that counts as a miss: nothing found (get), nothing removed (delete). */
const isMiss = (v: unknown): boolean => v === undefined || v === null || v === false;

interface TimeOptions<P> {
  /** Runs untimed before each call (building a value); its result is the call's second argument. */
  prepare?: (i: number) => P;
  /** Runs untimed after each call with its result (checking a value read back). */
  check?: (i: number, result: unknown) => void;
  /** Payload bytes per call, for MiB/s. */
  valueBytes?: number;
}

/** Time `count` calls of `call(i)`; a result of undefined, null or false counts as a miss. */
export function timeOps<P = undefined>(op: string, count: number, call: (i: number, p: P) => unknown, o: TimeOptions<P> = {}): OpStats {
  const ns = new Float64Array(count);
  const clock = process.hrtime.bigint;
  const { prepare, check } = o;
  let miss = 0;
  const t0 = clock();
  for (let i = 0; i < count; i++) {
    const p = prepare ? prepare(i) : (undefined as P);
    const s = clock();
    const r = call(i, p);
    ns[i] = Number(clock() - s);
    if (isMiss(r)) miss++;
    if (check) check(i, r);
  }
  const wall = Number(clock() - t0) / 1e9;
  const { total_us, ...stats } = summarise(ns.sort(), miss);
  // Back to whole ns (round3 kept them exactly), so ops/s divides by the exact sum of the calls.
  const secs = Math.round((total_us ?? 0) * 1000) / 1e9;
  const out: OpStats = {
    op, ...stats,
    wall_s: Math.round(wall * 1000) / 1000,
    ops_per_s: secs > 0 ? Math.round(count / secs) : 0,
  };
  if (o.valueBytes !== undefined && secs > 0) out.mib_per_s = Math.round((count * o.valueBytes) / secs / 2 ** 20);
  return out;
}

/** A permutation of 0..n-1 from mulberry32(seed) (Fisher–Yates). */
export function permutation(n: number, seed: number): Uint32Array {
  const rng = mulberry32(seed);
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** Apparent bytes of every file under `dir` (what `du --apparent-size` sums). */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    try {
      if (e.isDirectory()) total += dirBytes(p);
      else if (e.isFile()) total += fs.statSync(p).size;
    } catch { /* removed meanwhile */ }
  }
  return total;
}

/** `12,345` */
export const int = (x: number): string => Math.round(x).toLocaleString('en-US');

/** A duration given in µs, with a unit that keeps 3 significant figures: `0.912 µs`, `41.2 µs`, `3.20 ms`, `1.52 s`. */
export function dur(us: number | null | undefined): string {
  if (us === null || us === undefined || !Number.isFinite(us)) return '—';
  if (us >= 1e6) return `${(us / 1e6).toPrecision(3)} s`;
  if (us >= 1e3) return `${(us / 1e3).toPrecision(3)} ms`;
  return `${us.toPrecision(3)} µs`;
}

/** Bytes in binary units: `9.54 MiB`. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${Number(v.toPrecision(3))} ${units[u]}`;
}
