/**
 * Stall (spec/benchmarks.md §5): the worst call while compaction runs. Per size (N keys `key:N` × V-byte Buffer
 * values): one process fills the store; then a writer process overwrites every key three times (automatic
 * compaction on, each engine's default) while a reader process does `get` in a loop over 1,000 of the keys
 * (spread over the key space), yielding to its event loop every 1,000 calls as a server would. After its last
 * write the writer stays idle (event loop free) so background work can finish, until the disk is under AFTER_RATIO ×
 * live or for IDLE_MS per IDLE_BYTES of live data (at least IDLE_MS), then checks a sample of values and closes.
 * Beside the engines runs the floor: logcache with automatic compaction off, same shape, no idle period. The parent
 * samples disk bytes ÷ live bytes every SAMPLE_MS: the files under the
 * directory plus unlinked files any of the processes (or their children) still hold open. Each call is timed
 * (hrtime); the worst call, p99.9 and counts over 1 ms and 5 ms come from bench/lib/latency.ts. Peak RSS: sampled
 * every 256 calls (and after any call over 1 ms), with `steady` the writer's RSS halfway through its first pass
 * (before the first compaction can start: dead bytes are still below live bytes). python-diskcache runs the same
 * shape (bench/stall_peer.py) under /usr/bin/python3 in the same invocation.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineTurn, isSkipped, runStep, type StepSkipped } from './lib/child.js';
import { storeBytes, withDescendants } from './lib/disk-usage.js';
import { Latency, type LatencySummary } from './lib/latency.js';
import { mdTable, section } from './lib/markdown.js';
import { openChecked, unavailable } from './lib/open.js';
import { bytes, dur, int } from './lib/oploop.js';
import { keyBytes } from './lib/payload.js';
import { reason } from './lib/reason.js';
import type { EngineName, WorkloadContext } from './lib/types.js';
import type { Progress } from './workload-worker.js';

/** Overwrite passes by default (`--stall-passes` sets another number: a longer run of sustained writes). */
export const PASSES = 3;
/** The writer's idle period after its last write ends once the disk has settled (under AFTER_RATIO × live), or after
 * IDLE_MS per IDLE_BYTES of live data (at least IDLE_MS): a compaction of 1 GB takes longer than one of 100 MB. */
const IDLE_MS = 10_000;
const IDLE_BYTES = 100e6;
/** The floor contender: logcache with automatic compaction off, same run, so a worst call can be told apart from
 * what the machine does to any busy process (scheduler waits, page-cache writeback, collections). */
export const FLOOR = 'log-floor';
const SAMPLE_MS = 500;
/** The issue's bound on disk ÷ live once compaction has caught up after the last write. */
const AFTER_RATIO = 1.3;
const READ_KEYS = 1000;
/** No eviction: every contender keeps every key (diskcache's default limit is 1 GB, below the largest size). */
const SIZE_LIMIT = 2 ** 45;
const PEER = fileURLToPath(new URL('./stall_peer.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

export interface StallSize {
  name: string;
  keys: number;
  valueBytes: number;
}

/** `100k1k` → 100,000 keys × 1,024 B; `1m100` → 1,000,000 × 100 B. */
export function parseSize(s: string): StallSize | null {
  const m = /^(\d+)([km]?)(\d+)(k?)$/.exec(s.trim().toLowerCase());
  if (!m) return null;
  const keys = Number(m[1]) * (m[2] === 'k' ? 1000 : m[2] === 'm' ? 1_000_000 : 1);
  const valueBytes = Number(m[3]) * (m[4] === 'k' ? 1024 : 1);
  return keys >= READ_KEYS && valueBytes >= 8 ? { name: s.trim().toLowerCase(), keys, valueBytes } : null;
}

interface StallParams {
  engine: EngineName;
  dir: string;
  keys: number;
  valueBytes: number;
  stopFile: string;
  /** Written by the parent once the disk has settled: the writer's idle period ends. */
  settledFile: string;
  idleMs: number;
  /** Automatic compaction off (the floor contender). */
  noCompaction?: boolean;
  /** Overwrite passes. */
  passes: number;
}

export interface WriterResult {
  set: LatencySummary;
  open_ms: number;
  steady_rss: number;
  peak_rss: number;
  /** The kernel's peak RSS of the process (getrusage), open included. */
  max_rss: number;
  /** Values read back after the idle period that were not the last pass's (must be 0). */
  wrong: number;
  wall_s: number;
}

export interface ReaderResult {
  get: LatencySummary;
  misses: number;
  wrong: number;
  peak_rss: number;
  max_rss: number;
}

export interface StallResult {
  contender: string;
  size: string;
  keys: number;
  value_bytes: number;
  live_bytes: number;
  /** The fill's sets (absent from results saved before it was timed). */
  fill?: FillResult;
  writer: WriterResult;
  reader: ReaderResult;
  /** Disk ÷ live: the maximum over every sample while writing, and the last sample before the writer closed. */
  disk_ratio_max: number;
  disk_ratio_after: number;
  /** Seconds from the writer's last write to the first sample under AFTER_RATIO × live (null: not within idle_cap_s). */
  settled_s?: number | null;
  /** The longest the writer idled after its last write (0 for the floor, which has nothing to wait for). */
  idle_cap_s?: number;
  disk_bytes_after: number;
  samples: number;
  /** Every sample: ms since the writer started, disk ÷ live, and the part of it in unlinked files still held open. */
  timeline: [number, number, number][];
}

export interface StallSection {
  workload: 'stall';
  params: { passes: number; idle_ms: number; idle_bytes?: number; sample_ms: number; read_keys: number };
  results: StallResult[];
  skipped: { contender: string; size: string; skipped: string }[];
}

const clock = process.hrtime.bigint;
const key = (i: number) => `key:${i}`;
const tick = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const rss = () => process.memoryUsage.rss();
const maxRss = () => process.resourceUsage().maxRSS * 1024;
const ms = (ns: bigint) => Math.round(Number(ns) / 1e4) / 100;

/** The value of key i after `pass` (0: the fill): its number and the pass in the first 8 bytes. */
function stamp(buf: Buffer, i: number, pass: number): Buffer {
  buf.writeUInt32LE(i, 0);
  buf.writeUInt32LE(pass, 4);
  return buf;
}

const stampOf = (v: unknown): [number, number] | null =>
  Buffer.isBuffer(v) || v instanceof Uint8Array ? [Buffer.from(v.buffer, v.byteOffset, 8).readUInt32LE(0), Buffer.from(v.buffer, v.byteOffset, 8).readUInt32LE(4)] : null;

const OPTS = { sizeLimit: SIZE_LIMIT };
/** compactMinBytes 0 turns automatic compaction off (docs/api.md). */
const optsOf = (p: StallParams) => (p.noCompaction ? { ...OPTS, compactMinBytes: 0 } : OPTS);

export interface FillResult {
  wall_s: number;
  /** Every set of the fill, timed: the store grows from empty to every key (growth steps are here, not later). */
  set: LatencySummary;
}

/** Child: fill every key once (each set timed; yielding every 1,000 like the writer) and close. */
async function fill(p: StallParams, progress: Progress): Promise<FillResult | StepSkipped> {
  const cache = await openChecked(p.engine, p.dir, optsOf(p));
  if (typeof cache === 'string') return unavailable(cache);
  progress(`fill ${int(p.keys)} × ${p.valueBytes} B`);
  const t = clock();
  const lat = new Latency();
  const buf = Buffer.alloc(p.valueBytes, 0x61);
  for (let i = 0; i < p.keys; i++) {
    stamp(buf, i, 0);
    const s = clock();
    cache.set(key(i), buf);
    lat.add(Number(clock() - s));
    if (i % 1000 === 999) await tick();
  }
  cache.close();
  return { wall_s: ms(clock() - t) / 1000, set: lat.summary() };
}

/** Child: p.passes overwrite passes, every set timed; idle; read back a sample; close. */
async function writer(p: StallParams, progress: Progress): Promise<WriterResult | StepSkipped> {
  const t0 = clock();
  const cache = await openChecked(p.engine, p.dir, optsOf(p));
  if (typeof cache === 'string') return unavailable(cache);
  const open_ms = ms(clock() - t0);
  const lat = new Latency();
  const buf = Buffer.alloc(p.valueBytes, 0x62);
  let steady = 0;
  let peak = 0;
  const start = clock();
  for (let pass = 1; pass <= p.passes; pass++) {
    progress(`overwrite pass ${pass} of ${p.passes}`);
    for (let i = 0; i < p.keys; i++) {
      const k = key(i);
      stamp(buf, i, pass);
      const s = clock();
      cache.set(k, buf);
      const ns = Number(clock() - s);
      lat.add(ns);
      if ((i & 255) === 0 || ns > 1e6) peak = Math.max(peak, rss());
      if (pass === 1 && i === p.keys >> 1) steady = rss();
      if (i % 1000 === 999) await tick();
    }
  }
  const wall_s = ms(clock() - start) / 1000;
  progress('idle');
  const idleEnd = Date.now() + p.idleMs;
  while (Date.now() < idleEnd && !fs.existsSync(p.settledFile)) {
    await sleep(100);
    peak = Math.max(peak, rss());
  }
  let wrong = 0;
  for (let j = 0; j < 1000; j++) {
    const i = Math.floor((j * p.keys) / 1000);
    const s = stampOf(cache.get(key(i)));
    if (s === null || s[0] !== i || s[1] !== p.passes) wrong++;
  }
  cache.close();
  return { set: lat.summary(), open_ms, steady_rss: steady, peak_rss: peak, max_rss: maxRss(), wrong, wall_s };
}

/** Child: get in a loop over READ_KEYS keys until the stop file appears. */
async function reader(p: StallParams, progress: Progress): Promise<ReaderResult | StepSkipped> {
  const cache = await openChecked(p.engine, p.dir, optsOf(p));
  if (typeof cache === 'string') return unavailable(cache);
  progress('reading');
  const keys = Array.from({ length: READ_KEYS }, (_, j) => Math.floor((j * p.keys) / READ_KEYS));
  const lat = new Latency();
  let misses = 0;
  let wrong = 0;
  let peak = 0;
  for (;;) {
    for (let j = 0; j < READ_KEYS; j++) {
      const i = keys[j]!;
      const k = key(i);
      const s = clock();
      const v = cache.get(k);
      const ns = Number(clock() - s);
      lat.add(ns);
      if (v === undefined || v === null) misses++;
      else if (stampOf(v)?.[0] !== i) wrong++;
      if ((j & 255) === 0 || ns > 1e6) peak = Math.max(peak, rss());
    }
    if (fs.existsSync(p.stopFile)) break;
    await tick();
  }
  cache.close();
  return { get: lat.summary(), misses, wrong, peak_rss: peak, max_rss: maxRss() };
}

export const steps = { fill, writer, reader };

// ---- the parent ----------------------------------------------------------------------------------------------------

interface Running<T> {
  pid: Promise<number>;
  result: Promise<T | StepSkipped>;
}

/** A step of ours (log or SQLite engine) in its own process. */
function ourStep<T>(ctx: WorkloadContext, who: string, step: string, p: StallParams, onIdle?: () => void): Running<T> {
  let setPid!: (pid: number) => void;
  const pid = new Promise<number>((r) => (setPid = r));
  const result = runStep<T>({
    workload: 'stall', step, params: p, timeoutMs: ctx.timeoutMs,
    onSpawn: (c: ChildProcess) => setPid(c.pid ?? 0),
    onProgress: (text) => {
      if (text === 'idle') onIdle?.();
      ctx.progress('stall', `${who} ${step}`, text);
    },
  });
  return { pid, result };
}

/** A step of the python-diskcache peer: progress lines on stderr, one JSON result on stdout's last line. */
function peerStep<T>(ctx: WorkloadContext, step: string, p: StallParams, onIdle?: () => void): Running<T> {
  const child = spawn(PYTHON, [PEER, step, JSON.stringify({ ...p, read_keys: READ_KEYS, size_limit: SIZE_LIMIT })], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    for (;;) {
      const nl = err.indexOf('\n');
      if (nl < 0) break;
      const line = err.slice(0, nl);
      err = err.slice(nl + 1);
      if (line === 'idle') onIdle?.();
      if (line) ctx.progress('stall', `python-diskcache ${step}`, line);
    }
  });
  const result = new Promise<T | StepSkipped>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ctx.timeoutMs);
    child.on('error', (e) => resolve({ skipped: `cannot run ${PYTHON}: ${reason(e)}` }));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as T | StepSkipped);
      } catch {
        resolve({ skipped: `peer exited (${signal ?? `code ${code}`}) without a result ${err.slice(-200)}` });
      }
    });
  });
  return { pid: Promise.resolve(child.pid ?? 0), result };
}

/** One contender at one size: fill, then writer and reader at once while the parent samples the disk. */
async function runOne(ctx: WorkloadContext, contender: string, size: StallSize, passes: number): Promise<StallResult | StepSkipped> {
  const dir = path.join(ctx.base, `stall-${contender}-${size.name}`);
  const stopFile = path.join(ctx.base, `stall-stop-${contender}-${size.name}`);
  const settledFile = path.join(ctx.base, `stall-settled-${contender}-${size.name}`);
  const unmark = () => {
    fs.rmSync(stopFile, { force: true });
    fs.rmSync(settledFile, { force: true });
  };
  unmark();
  const live = keyBytes(size.keys) + size.keys * size.valueBytes;
  const floor = contender === FLOOR;
  const p: StallParams = {
    engine: contender === 'python' || floor ? 'log' : (contender as EngineName), dir, keys: size.keys, valueBytes: size.valueBytes,
    stopFile, settledFile, idleMs: floor ? 0 : Math.max(IDLE_MS, Math.round((IDLE_MS * live) / IDLE_BYTES)), noCompaction: floor, passes,
  };
  const step = <T>(name: string, onIdle?: () => void): Running<T> =>
    contender === 'python' ? peerStep<T>(ctx, name, p, onIdle) : ourStep<T>(ctx, contender, name, p, onIdle);
  const who = contender === 'python' ? 'python-diskcache' : floor ? 'logcache, no compaction' : contender;
  return engineTurn(ctx, 'stall', `${who} ${size.name}`, dir, async () => {
    const f = await step<FillResult>('fill').result;
    if (isSkipped(f)) return f;
    let idleAt = 0;
    const r = step<ReaderResult>('reader');
    const w = step<WriterResult>('writer', () => (idleAt = Date.now()));
    const pids = await Promise.all([w.pid, r.pid]);
    let writerDone = false;
    let maxRatio = 0;
    let after = 0;
    let settledAt = 0;
    let samples = 0;
    const timeline: [number, number, number][] = [];
    const t0 = Date.now();
    const sample = () => {
      if (writerDone) return;
      const { bytes: b, held } = storeBytes(dir, withDescendants(pids));
      samples++;
      timeline.push([Date.now() - t0, Math.round((b / live) * 100) / 100, Math.round((held / live) * 100) / 100]);
      if (idleAt === 0) maxRatio = Math.max(maxRatio, b / live);
      else {
        after = b;
        if (settledAt === 0 && b < live * AFTER_RATIO) {
          settledAt = Date.now();
          fs.writeFileSync(settledFile, '');
        }
      }
    };
    const timer = setInterval(sample, SAMPLE_MS);
    const wr = await w.result;
    writerDone = true;
    clearInterval(timer);
    fs.writeFileSync(stopFile, '');
    const rr = await r.result;
    unmark();
    if (isSkipped(wr)) return wr;
    if (isSkipped(rr)) return rr;
    const round = (x: number) => Math.round(x * 100) / 100;
    return {
      contender: who, size: size.name, keys: size.keys, value_bytes: size.valueBytes, live_bytes: live, fill: f, writer: wr, reader: rr,
      disk_ratio_max: round(maxRatio), disk_ratio_after: round(after / live), disk_bytes_after: after,
      settled_s: settledAt === 0 ? null : round((settledAt - idleAt) / 1000), idle_cap_s: p.idleMs / 1000, samples, timeline,
    };
  });
}

/** Per size: each engine (the log engine followed by its floor, with compaction off), then python-diskcache. */
export async function runStall(ctx: WorkloadContext, sizes: readonly StallSize[], peer: boolean, passes = PASSES): Promise<StallSection> {
  const contenders: string[] = ctx.engines.flatMap((e) => (e === 'log' ? [e, FLOOR] : [e]));
  if (peer) contenders.push('python');
  const results: StallResult[] = [];
  const skipped: StallSection['skipped'] = [];
  for (const size of sizes) {
    for (const c of contenders) {
      const r = await runOne(ctx, c, size, passes);
      if (isSkipped(r)) skipped.push({ contender: c, size: size.name, skipped: r.skipped });
      else results.push(r);
    }
  }
  return { workload: 'stall', params: { passes, idle_ms: IDLE_MS, idle_bytes: IDLE_BYTES, sample_ms: SAMPLE_MS, read_keys: READ_KEYS }, results, skipped };
}

const ok = (pass: boolean) => (pass ? 'pass' : 'MISS');
const isFloor = (r: StallResult) => r.contender === 'logcache, no compaction';

export function renderStall(s: StallSection): string {
  const rows: [string, (r: StallResult) => string][] = [
    ['fill (empty → N keys), set: worst / p99.9 / median', (r) => r.fill?.set
      ? `${dur(r.fill.set.max_us)} / ${dur(r.fill.set.p999_us)} / ${dur(r.fill.set.median_us)}` : '–'],
    ['set: worst / p99.9 / median', (r) => `${dur(r.writer.set.max_us)} / ${dur(r.writer.set.p999_us)} / ${dur(r.writer.set.median_us)}`],
    ['set: calls > 1 ms / > 5 ms (of all)', (r) => `${int(r.writer.set.over_1ms)} / ${int(r.writer.set.over_5ms)} (${int(r.writer.set.count)})`],
    ['get: worst / p99.9 / median', (r) => `${dur(r.reader.get.max_us)} / ${dur(r.reader.get.p999_us)} / ${dur(r.reader.get.median_us)}`],
    ['get: calls > 1 ms / > 5 ms (of all)', (r) => `${int(r.reader.get.over_1ms)} / ${int(r.reader.get.over_5ms)} (${int(r.reader.get.count)})`],
    ['disk ÷ live: max while writing / after', (r) => `${r.disk_ratio_max.toFixed(2)} / ${isFloor(r) ? '–' : r.disk_ratio_after.toFixed(2)}`],
    [`disk < ${AFTER_RATIO}× live: seconds after the last write`, (r) => (isFloor(r) ? '–' : r.settled_s == null
      ? `not within ${Math.round(r.idle_cap_s ?? IDLE_MS / 1000)} s` : `${r.settled_s.toFixed(1)} s`)],
    ['writer RSS: steady / peak (÷)', (r) => `${bytes(r.writer.steady_rss)} / ${bytes(r.writer.peak_rss)} (${(r.writer.peak_rss / r.writer.steady_rss).toFixed(2)})`],
    ['reader RSS: peak', (r) => bytes(r.reader.peak_rss)],
    ['writer: open / passes wall', (r) => `${dur(r.writer.open_ms * 1000)} / ${r.writer.wall_s.toFixed(1)} s`],
    ['wrong values read (must be 0)', (r) => `${r.writer.wrong} + ${r.reader.wrong}`],
    ['targets: worst ≤ 10 ms, p99.9 ≤ 1 ms', (r) => ok(Math.max(r.writer.set.max_us ?? Infinity, r.reader.get.max_us ?? Infinity) <= 10_000
      && Math.max(r.writer.set.p999_us ?? Infinity, r.reader.get.p999_us ?? Infinity) <= 1000)],
    [`targets: disk ≤ 2× always, < ${AFTER_RATIO}× after`, (r) => isFloor(r) ? '– (nothing compacts)' : ok(r.disk_ratio_max <= 2 && r.disk_ratio_after < AFTER_RATIO)],
    ['target: writer peak RSS < 1.5× steady', (r) => ok(r.writer.peak_rss < 1.5 * r.writer.steady_rss)],
  ];
  const out: string[] = [];
  for (const size of [...new Set(s.results.map((r) => r.size))]) {
    const rs = s.results.filter((r) => r.size === size);
    const head = ['Measure', ...rs.map((r) => r.contender)];
    const title = `Stall: ${int(rs[0]!.keys)} keys × ${rs[0]!.value_bytes} B, ${s.params.passes} overwrite passes, one writer + one reader`;
    out.push(section(title, mdTable(head, rows.map(([n, f]) => [n, ...rs.map(f)]))));
  }
  const notes = s.skipped.map((k) => `${k.contender} ${k.size} skipped: ${k.skipped}`);
  if (s.results.some(isFloor)) {
    notes.push('"logcache, no compaction" is the machine\'s floor in this run: the same writer and reader with automatic '
      + 'compaction off. Its worst calls are what the machine does to any busy process (scheduler waits, page-cache '
      + 'writeback, collections); compaction\'s own share of a worst call is what lies beyond them.');
  }
  return [...out, ...notes.map((n) => `note: ${n}`)].join('\n\n');
}
