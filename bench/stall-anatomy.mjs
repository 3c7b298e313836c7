/**
 * Where a stall bench's slow calls go: the stall workload's writer and reader (bench/stall.ts, logcache only), each
 * call timed, and for every call over --slow-ms: the time the thread spent waiting in the scheduler's run queue
 * during it (/proc/<pid>/task/<tid>/schedstat, Linux) and the garbage collections that overlapped it (V8's GC events).
 * Per process it prints the calls over --slow-ms, the full (mark-compact) and young (scavenge) collections with their
 * summed and longest pauses, and the slowest calls. Node's build must exist (`npm run build`).
 *
 *   node bench/stall-anatomy.mjs [--keys 100000] [--value 1024] [--slow-ms 5] [--no-compaction] [--module FILE]
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver, performance, constants } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const here = path.dirname(fileURLToPath(import.meta.url));
const moduleFile = path.resolve(opt('module', path.join(here, '..', 'dist', 'index.cjs')));
const keys = Number(opt('keys', 100_000));
const valueBytes = Number(opt('value', 1024));
const slowNs = Number(opt('slow-ms', 5)) * 1e6;
const noCompaction = args.includes('--no-compaction');
const role = process.env.STALL_ANATOMY_ROLE;

if (!role) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logcache-stall-anatomy-'));
  const stop = path.join(dir, '..', `${path.basename(dir)}.stop`);
  const child = (r) => fork(fileURLToPath(import.meta.url), args, { env: { ...process.env, STALL_ANATOMY_ROLE: r, STALL_DIR: dir, STALL_STOP: stop } });
  const done = (c) => new Promise((resolve) => c.on('exit', resolve));
  console.log(`${keys} keys × ${valueBytes} B, ${noCompaction ? 'no automatic compaction' : 'automatic compaction on'}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  await done(child('fill'));
  const reader = child('reader');
  await new Promise((r) => setTimeout(r, 300));
  await done(child('writer'));
  await done(reader);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(stop, { force: true });
} else {
  const { Cache } = createRequire(import.meta.url)(moduleFile);
  const dir = process.env.STALL_DIR;
  const stop = process.env.STALL_STOP;
  const cache = new Cache(dir, { sizeLimit: 2 ** 45, ...(noCompaction ? { compactMinBytes: 2 ** 45 } : {}) });
  const key = (i) => `key:${i}`;
  if (role === 'fill') {
    const b = Buffer.alloc(valueBytes, 0x61);
    for (let i = 0; i < keys; i++) cache.set(key(i), b);
    cache.close();
  } else {
    // Run-queue time of this (the main) thread, ns: the second field of schedstat.
    let fd = -1;
    try {
      fd = fs.openSync(`/proc/self/task/${process.pid}/schedstat`, 'r');
    } catch { /* not Linux: run-queue times are left out */ }
    const sb = Buffer.alloc(128);
    const waited = () => (fd < 0 ? 0 : Number(sb.toString('latin1', 0, fs.readSync(fd, sb, 0, 128, 0)).split(' ')[1]));
    const gcs = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) gcs.push({ start: e.startTime, ms: e.duration, kind: e.detail?.kind ?? e.kind });
    }).observe({ entryTypes: ['gc'] });
    const slow = [];
    let calls = 0;
    const timed = (fn) => {
      const w0 = waited();
      const at = performance.now();
      const s = process.hrtime.bigint();
      fn();
      const ns = Number(process.hrtime.bigint() - s);
      calls++;
      if (ns > slowNs) slow.push({ at, ms: ns / 1e6, queuedMs: (waited() - w0) / 1e6 });
    };
    const tick = () => new Promise((r) => setImmediate(r));
    if (role === 'writer') {
      const buf = Buffer.alloc(valueBytes, 0x62);
      for (let pass = 1; pass <= 3; pass++) {
        for (let i = 0; i < keys; i++) {
          buf.writeUInt32LE(i, 0);
          timed(() => cache.set(key(i), buf));
          if (i % 1000 === 999) await tick();
        }
      }
      fs.writeFileSync(stop, '');
    } else {
      const read = Array.from({ length: 1000 }, (_, j) => key(Math.floor((j * keys) / 1000)));
      while (!fs.existsSync(stop)) {
        for (const k of read) timed(() => cache.get(k));
        await tick();
      }
    }
    cache.close();
    await new Promise((r) => setTimeout(r, 50)); // the last GC events
    const major = gcs.filter((g) => g.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    const minor = gcs.filter((g) => g.kind === constants.NODE_PERFORMANCE_GC_MINOR);
    const sum = (a) => a.reduce((x, g) => x + g.ms, 0);
    const max = (a) => a.reduce((x, g) => Math.max(x, g.ms), 0);
    const f = (x) => x.toFixed(1);
    for (const c of slow) {
      const overlap = gcs.filter((g) => g.start < c.at + c.ms && g.start + g.ms > c.at);
      c.gcMs = sum(overlap);
    }
    const queued = slow.filter((c) => c.queuedMs >= c.ms / 2).length;
    const collected = slow.filter((c) => c.gcMs >= c.ms / 2).length;
    console.log(`${role}: ${calls} calls, ${slow.length} over ${slowNs / 1e6} ms (${queued} mostly run-queue wait, ${collected} mostly GC); `
      + `mark-compact ${major.length} (${f(sum(major))} ms, longest ${f(max(major))}), scavenge ${minor.length} (${f(sum(minor))} ms, longest ${f(max(minor))})`);
    for (const c of slow.sort((a, b) => b.ms - a.ms).slice(0, 5)) {
      console.log(`  ${f(c.ms)} ms at ${(c.at / 1000).toFixed(2)} s: run queue ${f(c.queuedMs)} ms, GC ${f(c.gcMs)} ms`);
    }
  }
}
