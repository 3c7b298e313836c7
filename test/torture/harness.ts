/**
 * Shared pieces of the torture suite: the mode (short in the default suite, long under `npm run torture`), seeded
 * randomness, fresh directories, byte-for-byte directory snapshots, and the figures each test reports.
 *
 *   LOGCACHE_TORTURE=long        long mode (the counts in docs/reliability.md)
 *   LOGCACHE_TORTURE_SEED=<n>    base seed (default: fixed in short mode, time-derived in long mode; always printed)
 *   LOGCACHE_TORTURE_FIGURES=<f> append each test's figures to <f> as JSON lines (scripts/torture.mjs does)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const LONG = process.env.LOGCACHE_TORTURE === 'long';
export const MODE = LONG ? 'long' : 'short';
export const BASE_SEED = Number(process.env.LOGCACHE_TORTURE_SEED ?? (LONG ? Date.now() % 1_000_000_007 : 20_261_101));
export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '../..');

/** `short` in the default suite, `long` under LOGCACHE_TORTURE=long; an explicit env override wins over both. */
export function count(envName: string, short: number, long: number): number {
  const v = process.env[envName];
  return v !== undefined && v !== '' ? Number(v) : LONG ? long : short;
}

/** A small, fast, seedable PRNG (mulberry32): every case of the suite is named by its seed. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0 || 0x9e3779b9;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** Picks a key of `weights` with probability proportional to its weight. */
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as [K, number][];
    let r = this.next() * entries.reduce((n, [, w]) => n + w, 0);
    for (const [k, w] of entries) if ((r -= w) < 0) return k;
    return entries[entries.length - 1][0];
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

/** A fresh temporary directory, removed when the test ends. */
export function tmpdir(t: { after(fn: () => void): void }, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lc-torture-${prefix}-`));
  // LOGCACHE_TORTURE_KEEP=1 keeps the directories (to look at a failure).
  if (!process.env.LOGCACHE_TORTURE_KEEP) t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every file (SHA-256 of its bytes) and directory under `dir`: equal snapshots mean a byte-for-byte equal tree. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!fs.existsSync(dir)) return out;
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        out.set(r + '/', 'dir');
        walk(r);
      } else out.set(r, createHash('sha256').update(fs.readFileSync(path.join(dir, r))).digest('hex'));
    }
  };
  walk('');
  return out;
}

/** The differences between two snapshots, for an assertion message (empty when equal). */
export function snapshotDiff(before: Map<string, string>, after: Map<string, string>): string[] {
  const diff: string[] = [];
  for (const [k, v] of before) if (after.get(k) !== v) diff.push(after.has(k) ? `changed ${k}` : `removed ${k}`);
  for (const k of after.keys()) if (!before.has(k)) diff.push(`added ${k}`);
  return diff;
}

/** Copies a directory tree (the pristine store each corruption case starts from). */
export function copyTree(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}

/**
 * Records a test's figures: returns a one-line summary for `t.diagnostic`, and appends them to the figures file
 * when LOGCACHE_TORTURE_FIGURES names one (scripts/torture.mjs prints them).
 */
export function figures(name: string, values: Record<string, number | string>): string {
  const file = process.env.LOGCACHE_TORTURE_FIGURES;
  const record = { test: name, mode: MODE, seed: BASE_SEED, ...values };
  if (file) fs.appendFileSync(file, JSON.stringify(record) + '\n');
  return `${name} [${MODE}, seed ${BASE_SEED}]: ` + Object.entries(values).map(([k, v]) => `${k}=${v}`).join(' ');
}

/** Sleeps without blocking the event loop. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
