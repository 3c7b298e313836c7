/**
 * What a base costs on disk (issue 14's "after the last write, under 1.3× live"): `node --import tsx
 * bench/base-size.ts [--sizes 1m100,100k1k] [--passes 2] [--dir DIR]`. Per size, fills N keys `key:i` with V-byte
 * Buffers, overwrites them (passes − 1 times), runs `compact()` and reports the base file's bytes and the log's
 * bytes after it, each ÷ live (the keys' and values' own bytes), and the compaction's time; then reads every 997th
 * key back. Set LOGCACHE_BENCH_MODULE to a build's dist/index.js to measure that build (two runs, one per build,
 * compare formats). Prints a table and writes bench/results/<date>-base-size.json. Nothing here is timed against a
 * target: the time is for orientation (it moves with the machine's load).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { moduleUrl } from './lib/contender.js';
import { bytes, dur } from './lib/oploop.js';

const { values: a } = parseArgs({
  options: { sizes: { type: 'string', default: '1m100,100k1k' }, passes: { type: 'string', default: '2' }, dir: { type: 'string' } },
});
const passes = Math.max(1, Number(a.passes));

/** `1m100` → 1,000,000 keys × 100 B; `100k1k` → 100,000 × 1,024 B. */
function parseSize(s: string): { keys: number; valueBytes: number } {
  const m = /^(\d+)([km]?)(\d+)(k?)$/.exec(s);
  if (!m) throw new Error(`--sizes: ${s} is not <keys><k|m><value bytes><k?>`);
  const keys = Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'm' ? 1e6 : 1);
  return { keys, valueBytes: Number(m[3]) * (m[4] === 'k' ? 1024 : 1) };
}

interface Handle {
  get(k: string): unknown;
  set(k: string, v: unknown): unknown;
  compact(): { base: number; bytesAfter: number };
  close(): void;
}
const url = moduleUrl();
const { Cache } = (await import(url)) as { Cache: new (dir: string, o?: object) => Handle };

const rows: Record<string, unknown>[] = [];
for (const size of (a.sizes ?? '').split(',')) {
  const { keys, valueBytes } = parseSize(size);
  const parent = fs.mkdtempSync(path.join(a.dir ?? os.tmpdir(), 'logcache-base-size-'));
  try {
    const c = new Cache(parent, { compactMinBytes: 0 });
    const value = Buffer.alloc(valueBytes, 0x61);
    let live = 0;
    for (let pass = 0; pass < passes; pass++) {
      for (let i = 0; i < keys; i++) {
        const k = `key:${i}`;
        c.set(k, value);
        if (pass === 0) live += Buffer.byteLength(k) + valueBytes;
      }
    }
    const t0 = performance.now();
    const r = c.compact();
    const compactUs = (performance.now() - t0) * 1000;
    const baseBytes = fs.readdirSync(parent).filter((n) => n.endsWith('.base')).reduce((s, n) => s + fs.statSync(path.join(parent, n)).size, 0);
    let wrong = 0;
    for (let i = 0; i < keys; i += 997) if (!value.equals(c.get(`key:${i}`) as Buffer)) wrong++;
    c.close();
    rows.push({ size, keys, valueBytes, passes, live, baseBytes, base: baseBytes / live, logAfter: r.bytesAfter / live, compactUs, wrong });
  } finally {
    fs.rmSync(parent, { recursive: true, force: true });
  }
}

const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
console.log(`\nbase size (${url}; ${passes} pass${passes > 1 ? 'es' : ''} before compact())\n`);
console.log(line(['size', 'live', 'base', 'base ÷ live', 'log after ÷ live', 'compact()', 'wrong values']));
console.log(line(['---', '---:', '---:', '---:', '---:', '---:', '---:']));
for (const r of rows) {
  console.log(line([String(r.size), bytes(r.live as number), bytes(r.baseBytes as number), (r.base as number).toFixed(3),
    (r.logAfter as number).toFixed(3), dur(r.compactUs as number), String(r.wrong)]));
}
const out = path.join(import.meta.dirname, 'results', `${new Date().toISOString().slice(0, 10)}-base-size.json`);
fs.writeFileSync(out, JSON.stringify({ module: url, node: process.version, load: os.loadavg(), rows }, null, 2) + '\n');
console.log(`\nJSON: ${path.relative(process.cwd(), out)}`);
if (rows.some((r) => (r.wrong as number) > 0)) process.exitCode = 1;
