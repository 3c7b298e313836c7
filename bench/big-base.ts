/**
 * A base larger than 2 GiB (issue 14): `node --import tsx bench/big-base.ts [--gib 2.1] [--dir DIR]`. Node caps one
 * read at 2^31 − 1 bytes, so a base read whole could not be opened at all. Fills a Cache with 30,000-byte values
 * (stored inline, below diskMinFileSize) until the live data passes --gib GiB, opens a second handle, compacts with
 * the first (a base over the limit), lets the second handle switch to it while it reads, opens a third handle cold
 * (loads the base), then compacts again in the background (the compactor loads the big base and writes a new one)
 * and reads everything back; then flips one byte of the base past 2 GiB and runs check() (it reads every frame
 * again, in chunks). Prints a table and one JSON line; needs about 3 × the live size of free disk.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { moduleUrl } from './lib/contender.js';
import { bytes, dur } from './lib/oploop.js';

const { values: a } = parseArgs({ options: { gib: { type: 'string', default: '2.1' }, dir: { type: 'string' } } });
const VALUE_BYTES = 30_000;
const target = Number(a.gib) * 2 ** 30;
const count = Math.ceil(target / VALUE_BYTES);
const base = fs.mkdtempSync(path.join(a.dir ?? os.tmpdir(), 'logcache-bigbase-'));
const dir = path.join(base, 'cache');

interface Handle {
  get(k: string): unknown;
  set(k: string, v: unknown): unknown;
  compact(): { base: number };
  compactAsync(): Promise<{ base: number }>;
  check(): { message: string }[];
  close(): void;
  readonly size: number;
}
const { Cache } = (await import(moduleUrl())) as { Cache: new (dir: string, o?: object) => Handle };
const clock = () => performance.now();
const value = (i: number, round: number) => {
  const b = Buffer.alloc(VALUE_BYTES, 0x61 + (i % 26));
  b.writeUInt32LE(i, 0);
  b.writeUInt32LE(round, 4);
  return b;
};
const same = (v: unknown, i: number, round: number) => Buffer.isBuffer(v) && v.readUInt32LE(0) === i && v.readUInt32LE(4) === round;
const baseSize = () => Math.max(0, ...fs.readdirSync(dir).filter((n) => n.endsWith('.base')).map((n) => fs.statSync(path.join(dir, n)).size));
const rows: [string, string][] = [];
const result: Record<string, number | string | boolean> = { count, value_bytes: VALUE_BYTES };

try {
  const opts = { compactMinBytes: 0, sizeLimit: 2 ** 45 };
  const writer = new Cache(dir, opts);
  let t = clock();
  for (let i = 0; i < count; i++) writer.set(`k${i}`, value(i, 0));
  // Some dead data (the same values again), or compact() finds nothing to reclaim: a base would be larger than the log.
  for (let i = 0; i < count; i += 50) writer.set(`k${i}`, value(i, 0));
  result.fill_s = (clock() - t) / 1000;
  const reader = new Cache(dir, opts);
  t = clock();
  let r1 = writer.compact();
  // The writer's background compactor may hold the lock (it keeps the shard warm and compacts by itself): wait for
  // its base instead (up to 10 minutes).
  while (r1.base === 0 && baseSize() <= 2 ** 31 && clock() - t < 600_000) {
    await new Promise((r) => setTimeout(r, 200));
    r1 = writer.compact();
  }
  if (r1.base === 0) r1 = { base: Math.max(0, ...fs.readdirSync(dir).filter((n) => n.endsWith('.base')).map((n) => Number.parseInt(n, 10))) };
  result.compact_s = (clock() - t) / 1000;
  result.base_bytes = baseSize();
  rows.push(['fill', `${count.toLocaleString('en-US')} × ${VALUE_BYTES} B in ${result.fill_s.toFixed(1)} s`]);
  rows.push(['compact() (in-process, or the background compactor\'s)', `${(result.compact_s as number).toFixed(1)} s → base ${r1.base}, ${bytes(result.base_bytes as number)}`]);
  // The second handle switches to the base in slices while it reads.
  let worst = 0;
  let wrong = 0;
  t = clock();
  for (let n = 0; n < 200_000; n++) {
    const i = (n * 7919) % count;
    const s = clock();
    const v = reader.get(`k${i}`);
    worst = Math.max(worst, clock() - s);
    if (!same(v, i, 0)) wrong++;
  }
  rows.push(['reader after the compaction: 200,000 gets (switching)', `worst ${dur(worst * 1000)}, ${wrong} wrong, ${((clock() - t) / 1000).toFixed(1)} s`]);
  result.switch_worst_get_ms = worst;
  t = clock();
  const cold = new Cache(dir, opts);
  result.open_s = (clock() - t) / 1000;
  let coldWrong = 0;
  for (let i = 0; i < count; i += 97) if (!same(cold.get(`k${i}`), i, 0)) coldWrong++;
  rows.push(['cold open (loads the base in chunks)', `${(result.open_s as number).toFixed(1)} s, ${cold.size.toLocaleString('en-US')} items, ${coldWrong} wrong`]);
  for (let i = 0; i < count; i += 10) writer.set(`k${i}`, value(i, 1));
  t = clock();
  const r2 = await writer.compactAsync();
  result.compact_async_s = (clock() - t) / 1000;
  let finalWrong = 0;
  for (let i = 0; i < count; i += 7) if (!same(cold.get(`k${i}`), i, i % 10 === 0 ? 1 : 0)) finalWrong++;
  rows.push(['compactAsync() (the compactor loads and rewrites it)', `${(result.compact_async_s as number).toFixed(1)} s → base ${r2.base}, ${bytes(baseSize())}, ${finalWrong} wrong`]);
  for (const h of [writer, reader, cold]) h.close();
  // check() reads every frame of the base again, in chunks: damage past 2 GiB is found (a whole-file read fails there).
  const newest = fs.readdirSync(dir).filter((n) => n.endsWith('.base')).sort().pop()!;
  const at = 2 ** 31 + 65_536; // inside an ENTRY frame that starts past 2 GiB (values are 30 kB)
  const fd = fs.openSync(path.join(dir, newest), 'r+');
  const one = Buffer.alloc(1);
  fs.readSync(fd, one, 0, 1, at);
  one[0] ^= 0xff;
  fs.writeSync(fd, one, 0, 1, at);
  fs.closeSync(fd);
  const checker = new Cache(dir, opts);
  t = clock();
  const warnings = checker.check();
  result.check_s = (clock() - t) / 1000;
  checker.close();
  const found = warnings.filter((w) => /corrupt frame/.test(w.message) && Number(/at offset (\d+)/.exec(w.message)?.[1]) > 2 ** 31);
  result.check_found = found.length;
  rows.push(['check() after one byte flipped past 2 GiB in the base', `${(result.check_s as number).toFixed(1)} s, ${found.length ? found[0].message : 'not found'}`]);
  result.wrong = wrong + coldWrong + finalWrong;
  result.ok = result.wrong === 0 && (result.base_bytes as number) > 2 ** 31 && r2.base > r1.base && found.length === 1;
  result.max_rss = process.resourceUsage().maxRSS * 1024;
  rows.push(['peak RSS of this process', bytes(result.max_rss)]);
  rows.push(['verdict: a base over 2 GiB opens, reloads, compacts and is checked', result.ok ? 'pass' : 'FAIL']);
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
console.log(`| Big base (${os.loadavg()[0]!.toFixed(1)} load) | |\n| --- | ---: |\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}`);
console.log(JSON.stringify(result));
