/**
 * The contenders: logcache's classes, loaded lazily so the bench typechecks and
 * runs (skipping what is missing) while the engine is still being written.
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The slice of the Cache surface the core workload uses (all synchronous). */
export interface BenchCache {
  /** The value, or undefined/null on a miss. */
  get(key: Buffer): unknown;
  /** true; false counts as a miss, as in the peer harness. */
  set(key: Buffer, value: Buffer): unknown;
  /** false on a miss. */
  delete(key: Buffer): boolean;
  close(): void;
}

type CacheClass = new (dir: string, opts?: Record<string, unknown>) => BenchCache;

interface KindSpec {
  /** Export of the logcache module. */
  exportName: string;
  opts?: Record<string, unknown>;
  /** Shown in tables. */
  label: string;
  /** The storage engine ('log' unless opts say otherwise). */
  engine: 'log' | 'sqlite';
  /** The python-diskcache harness's kind with the same shape, if any. */
  peer?: string;
}

/**
 * The kinds of the core workload, named as in the peer harness (`--kinds cache,fanout8`), plus the
 * same classes on the SQLite engine (skipped, with the engine's reason, where it cannot open).
 */
export const KINDS: Readonly<Record<string, KindSpec>> = {
  cache: { exportName: 'Cache', label: 'Cache', engine: 'log', peer: 'cache' },
  fanout8: { exportName: 'FanoutCache', opts: { shards: 8 }, label: 'FanoutCache(8)', engine: 'log', peer: 'fanout8' },
  sqlite: { exportName: 'Cache', opts: { engine: 'sqlite' }, label: 'Cache (sqlite)', engine: 'sqlite' },
  'sqlite-fanout8': {
    exportName: 'FanoutCache', opts: { shards: 8, engine: 'sqlite' }, label: 'FanoutCache(8) (sqlite)', engine: 'sqlite',
  },
};

/** Every kind, the default of `--kinds`. */
export const DEFAULT_KINDS = ['cache', 'fanout8', 'sqlite', 'sqlite-fanout8'] as const;

export type Opener = (dir: string) => BenchCache;

/**
 * Where logcache is imported from: `src/index.ts` through tsx, unless
 * LOGCACHE_BENCH_MODULE names another file (a build in dist/, a stand-in).
 */
export function moduleUrl(): string {
  const override = process.env['LOGCACHE_BENCH_MODULE'];
  if (override) return pathToFileURL(override).href;
  // The built bundle, as users run it (`npm run bench` builds it first); LOGCACHE_BENCH_MODULE=src/index.ts
  // measures the sources through tsx instead.
  const dist = new URL('../../dist/esm/index.js', import.meta.url);
  return fs.existsSync(dist) ? dist.href : new URL('../../src/index.js', import.meta.url).href;
}

/** An opener for `kind`, or a sentence saying why it cannot run. */
export async function loadKind(kind: string, url = moduleUrl()): Promise<Opener | string> {
  const spec = KINDS[kind];
  if (!spec) return `unknown kind '${kind}' (known: ${Object.keys(KINDS).join(', ')})`;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    return `cannot import ${url}: ${(err as Error).message.split('\n')[0]}`;
  }
  const Ctor = mod[spec.exportName];
  if (typeof Ctor !== 'function') return `${spec.exportName} is not exported yet`;
  const C = Ctor as CacheClass;
  return (dir) => (spec.opts ? new C(dir, { ...spec.opts }) : new C(dir));
}

const isMiss = (v: unknown): boolean => v === undefined || v === null;

function sameBytes(v: unknown, want: Buffer): boolean {
  return v instanceof Uint8Array && Buffer.compare(Buffer.from(v.buffer, v.byteOffset, v.byteLength), want) === 0;
}

/**
 * A set/get/delete round trip on a private key, and a read of a pre-filled key
 * (written by another process). Returns null when sound, else what went wrong.
 */
export function checkContender(cache: BenchCache, num: number): string | null {
  const key = Buffer.from(`bench-check-${num}`);
  const value = Buffer.from('x'.repeat(50) + String(num));
  const got0 = cache.get(Buffer.from('0'));
  if (!sameBytes(got0, Buffer.from('0'))) return `pre-filled key '0' read back as ${describe(got0)}`;
  const s = cache.set(key, value);
  if (s !== true) return `set returned ${describe(s)}, want true`;
  const g = cache.get(key);
  if (!sameBytes(g, value)) return `get after set returned ${describe(g)}`;
  if (cache.delete(key) !== true) return 'delete of a present key did not return true';
  const g2 = cache.get(key);
  if (!isMiss(g2)) return `get after delete returned ${describe(g2)}, want a miss`;
  if (cache.delete(key) !== false) return 'delete of a missing key did not return false';
  return null;
}

function describe(v: unknown): string {
  if (v instanceof Uint8Array) return `<${v.constructor.name} ${Buffer.from(v).toString('utf8', 0, 40)}>`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
