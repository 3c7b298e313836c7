/**
 * Opening a Cache on one engine for the bulk, eviction and scale workloads, in a
 * worker process. logcache is imported lazily (as contender.ts does) so the bench
 * typechecks while the SQLite engine is still being written; an engine that cannot
 * open gives a sentence (with the error's code) instead of a throw.
 */
import type { StepSkipped } from './child.js';
import { moduleUrl } from './contender.js';
import { reason } from './reason.js';
import type { EngineName } from './types.js';

/** The slice of the Cache surface these workloads use. */
export interface WorkloadCache {
  get(key: string): unknown;
  set(key: string, value: unknown): unknown;
  delete(key: string): boolean;
  volume(): number;
  readonly size: number;
  close(): void;
}

export type CacheClass = new (dir: string, opts?: Record<string, unknown>) => WorkloadCache;

let ctor: CacheClass | string | undefined;

/** logcache's Cache class (imported once), or why it cannot be imported. */
export async function cacheClass(): Promise<CacheClass | string> {
  if (ctor !== undefined) return ctor;
  try {
    const mod = (await import(moduleUrl())) as Record<string, unknown>;
    ctor = typeof mod['Cache'] === 'function' ? (mod['Cache'] as CacheClass) : 'Cache is not exported';
  } catch (err) {
    ctor = `cannot import ${moduleUrl()}: ${reason(err)}`;
  }
  return ctor;
}

/** A Cache on `engine` in `dir` with `opts`, or a sentence saying why it cannot open. */
async function openCache(engine: EngineName, dir: string, opts: Record<string, unknown> = {}): Promise<WorkloadCache | string> {
  const C = await cacheClass();
  if (typeof C === 'string') return C;
  try {
    return new C(dir, { ...opts, engine });
  } catch (err) {
    return reason(err);
  }
}

/**
 * A string and a Buffer round trip on keys private to this process (the stall workload's writer and reader open one
 * directory at once: on shared keys one's delete found the other's done, and the check failed); null when sound,
 * else what went wrong.
 */
export function roundTrip(cache: WorkloadCache): string | null {
  const buf = Buffer.from('bench-check-bytes');
  const cases: [string, unknown][] = [[`bench-check:${process.pid}:s`, 'v'.repeat(100)], [`bench-check:${process.pid}:b`, buf]];
  for (const [key, value] of cases) {
    cache.set(key, value);
    const got = cache.get(key);
    const same = Buffer.isBuffer(value) ? Buffer.isBuffer(got) && got.equals(value) : got === value;
    if (!same) return `get after set of ${key} returned ${String(got).slice(0, 40)}`;
    if (cache.delete(key) !== true) return `delete of present ${key} did not return true`;
    const gone = cache.get(key);
    if (gone !== undefined && gone !== null) return `get after delete of ${key} returned ${String(gone).slice(0, 40)}`;
  }
  return null;
}

/** Open and check, or a sentence (the cache is closed when the check fails). */
export async function openChecked(engine: EngineName, dir: string, opts: Record<string, unknown> = {}): Promise<WorkloadCache | string> {
  const cache = await openCache(engine, dir, opts);
  if (typeof cache === 'string') return cache;
  const problem = roundTrip(cache);
  if (problem === null) return cache;
  cache.close();
  return `correctness check failed: ${problem}`;
}

/** A step's skip when the engine cannot be opened (openChecked's or cacheClass's sentence): no later step will open it. */
export function unavailable(why: string): StepSkipped {
  return { skipped: why, unavailable: true };
}
