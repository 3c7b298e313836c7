/**
 * The contenders: logcache's classes, loaded lazily so the bench typechecks and
 * runs (skipping what is missing) while the engine is still being written.
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { reason } from './reason.js';

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
  /** The class, engine aside, as issue 5's targets name it: `Cache`, `FanoutCache(8)`. */
  classLabel: string;
  /** Shown in tables: classLabel, with ` (sqlite)` after it on the SQLite engine. */
  label: string;
  /** The storage engine: opts.engine, else 'log'. */
  engine: 'log' | 'sqlite';
  /** The python-diskcache harness's kind with the same shape, if any. */
  peer?: string;
  /** The kind with the same class on the SQLite engine (a log kind's comparator in issue 5's targets), if any. */
  sqlite?: string;
}

/** A kind's spec, its engine (opts.engine, else 'log') and table label derived. */
function kindSpec(s: Omit<KindSpec, 'label' | 'engine'>): KindSpec {
  const engine = s.opts?.['engine'] === 'sqlite' ? 'sqlite' : 'log';
  return { ...s, label: engine === 'log' ? s.classLabel : `${s.classLabel} (sqlite)`, engine };
}

/**
 * The kinds of the core workload, named as in the peer harness (`--kinds cache,fanout8`), plus the
 * same classes on the SQLite engine (skipped, with the engine's reason, where it cannot open).
 */
export const KINDS: Readonly<Record<string, KindSpec>> = {
  cache: kindSpec({ exportName: 'Cache', classLabel: 'Cache', peer: 'cache', sqlite: 'sqlite' }),
  fanout8: kindSpec({ exportName: 'FanoutCache', opts: { shards: 8 }, classLabel: 'FanoutCache(8)', peer: 'fanout8', sqlite: 'sqlite-fanout8' }),
  sqlite: kindSpec({ exportName: 'Cache', opts: { engine: 'sqlite' }, classLabel: 'Cache' }),
  'sqlite-fanout8': kindSpec({ exportName: 'FanoutCache', opts: { shards: 8, engine: 'sqlite' }, classLabel: 'FanoutCache(8)' }),
};

/** Every kind, the default of `--kinds`. */
export const DEFAULT_KINDS: readonly string[] = Object.keys(KINDS);

export type Opener = (dir: string) => BenchCache;

/**
 * Where logcache is imported from: the file LOGCACHE_BENCH_MODULE names, when set (another build, a stand-in,
 * `src/index.ts` for the sources through tsx); else the built bundle `dist/index.js`, as users load it
 * (`npm run bench` builds it first); else, when there is no build, `src/index.ts` through tsx.
 */
export function moduleUrl(): string {
  const override = process.env['LOGCACHE_BENCH_MODULE'];
  if (override) return pathToFileURL(override).href;
  const dist = new URL('../../dist/index.js', import.meta.url);
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
    return `cannot import ${url}: ${reason(err)}`;
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
