/**
 * Shared pieces of the torture suite: the mode (short in the default suite, long under `npm run torture`), seeded
 * randomness, fresh directories, byte-for-byte directory snapshots, the figures each test reports, a watchdog for
 * hung cases, and how assertion messages show values.
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
import { Worker } from 'node:worker_threads';
import { mulberry32, randomBytes } from '../fixtures/prng.js';
import { removeDir } from '../fixtures/tmp.js';

export const LONG = process.env.LOGCACHE_TORTURE === 'long';
export const MODE = LONG ? 'long' : 'short';
export const BASE_SEED = Number(process.env.LOGCACHE_TORTURE_SEED ?? (LONG ? Date.now() % 1_000_000_007 : 20_261_101));
export const HERE = path.dirname(fileURLToPath(import.meta.url));

/** `short` in the default suite, `long` under LOGCACHE_TORTURE=long; an explicit env override wins over both. */
export function count(envName: string, short: number, long: number): number {
  const v = process.env[envName];
  return v !== undefined && v !== '' ? Number(v) : LONG ? long : short;
}

/** Seeded randomness (test/fixtures/prng.ts): every case of the suite is named by its seed. */
export class Rng {
  readonly #next: () => number;
  constructor(seed: number) {
    this.#next = mulberry32(seed >>> 0 || 0x9e3779b9);
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.#next();
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
    return randomBytes(this.#next, n);
  }
}

/** A fresh temporary directory under `parent`, removed when the test ends. */
export function tmpdir(t: { after(fn: () => void): void }, prefix: string, parent = os.tmpdir()): string {
  const dir = fs.mkdtempSync(path.join(parent, `lc-torture-${prefix}-`));
  // LOGCACHE_TORTURE_KEEP=1 keeps the directories (to look at a failure).
  if (!process.env.LOGCACHE_TORTURE_KEEP) t.after(() => removeDir(dir));
  return dir;
}

/** Every entry under `dir`, a directory before its contents, as a path relative to `dir` with '/' between names; a
 * directory's ends in '/'. */
export function walk(dir: string): string[] {
  const out: string[] = [];
  const visit = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        out.push(r + '/');
        visit(r);
      } else out.push(r);
    }
  };
  visit('');
  return out;
}

/** Every file (SHA-256 of its bytes) and directory under `dir`: equal snapshots mean a byte-for-byte equal tree. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!fs.existsSync(dir)) return out;
  for (const r of walk(dir)) {
    out.set(r, r.endsWith('/') ? 'dir' : createHash('sha256').update(fs.readFileSync(path.join(dir, r))).digest('hex'));
  }
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

export interface Watchdog {
  /** A case starts: from now on it is timed, and named by `label` if it hangs. */
  enter(label: string): void;
  /** The case is done: nothing is timed until the next enter. */
  leave(): void;
  stop(): void;
}

/**
 * A thread that kills this process, naming the case, when one case runs past `limitMs` (a hang in synchronous code
 * would stop the test runner's own timeout too). Shared cells: [0] ticks at each enter, [1] 1 inside a case, [2] the
 * label's length; the label's bytes follow.
 */
export function watchdog(limitMs: number): Watchdog {
  const LABEL_BYTES = 2048;
  const sab = new SharedArrayBuffer(12 + LABEL_BYTES);
  const cells = new Int32Array(sab, 0, 3);
  const text = new Uint8Array(sab, 12);
  const worker = new Worker(`
    const { workerData: { sab, limitMs } } = require('node:worker_threads');
    const cells = new Int32Array(sab, 0, 3), text = new Uint8Array(sab, 12);
    let last = -1, since = Date.now();
    setInterval(() => {
      const tick = Atomics.load(cells, 0);
      if (tick !== last || Atomics.load(cells, 1) === 0) { last = tick; since = Date.now(); return; }
      if (Date.now() - since > limitMs) {
        const label = Buffer.from(text.slice(0, Atomics.load(cells, 2))).toString();
        require('node:fs').writeSync(2, 'watchdog: case hung for ' + limitMs + ' ms: ' + label + '\\n');
        process.kill(process.pid, 'SIGKILL');
      }
    }, 250);`, { eval: true, execArgv: [], workerData: { sab, limitMs } });
  worker.unref();
  return {
    enter(label) {
      const b = Buffer.from(label).subarray(0, LABEL_BYTES);
      text.set(b);
      Atomics.store(cells, 2, b.length);
      Atomics.add(cells, 0, 1);
      Atomics.store(cells, 1, 1);
    },
    leave: () => Atomics.store(cells, 1, 0),
    stop: () => void worker.terminate(),
  };
}

/** A value for an assertion message: a Buffer as its first bytes and length, anything else as JSON; at most ~200
 * characters. */
export function show(v: unknown): string {
  const s = Buffer.isBuffer(v) ? `<Buffer ${v.subarray(0, 16).toString('hex')}… ${v.length} bytes>` : JSON.stringify(v) ?? String(v);
  return s.length > 200 ? s.slice(0, 200) + '…' : s;
}

/** Equal as the models compare values: Buffers by their bytes (never equal to anything else), anything else by its
 * JSON. */
export function same(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  return JSON.stringify(a) === JSON.stringify(b);
}
