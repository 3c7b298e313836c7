/**
 * diskcache's core workload (spec/benchmarks.md §1) on one logcache kind: pre-fill
 * RANGE keys, fork P workers (core-worker.ts), release them together through a
 * start barrier, merge their per-action samples into the peer harness's shape.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerMessage } from './lib/protocol.js';
import { mergeSorted, summarise } from './lib/stats.js';
import { ACTIONS, type Action, type CoreResult } from './lib/types.js';
import { forkBench } from './lib/child.js';

export interface CoreOptions {
  kind: string;
  procs: number;
  /** Operations per process (default 100,000). */
  ops: number;
  /** Distinct keys (default 100). */
  range: number;
  /** Leading operations per process not timed (default 1,000). */
  warmup: number;
  /** Parent directory; the cache goes in `<base>/<kind>-<procs>`, made afresh. */
  base: string;
  /** Give up on a contender after this long, ms. */
  timeoutMs: number;
}

/** A contender that could not run, and why. */
export interface Skipped {
  kind: string;
  procs: number;
  skipped: string;
}

const WORKER = fileURLToPath(new URL('./core-worker.ts', import.meta.url));

/** Run one kind at one process count; a Skipped when the kind is missing or fails its check. */
export async function runCore(o: CoreOptions): Promise<CoreResult | Skipped> {
  const dir = path.join(o.base, `${o.kind}-${o.procs}`);
  fs.rmSync(dir, { recursive: true, force: true });
  let stuck: number;
  try {
    stuck = await prefill(o, dir);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { kind: o.kind, procs: o.procs, skipped: (err as Error).message };
  }
  try {
    const r = await runWorkers(o, dir);
    if (stuck) r.note = [`the pre-fill process was still running ${EXIT_GRACE_MS} ms after close(); killed`, r.note].filter(Boolean).join('; ');
    return r;
  } catch (err) {
    return { kind: o.kind, procs: o.procs, skipped: (err as Error).message };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type Result = Extract<WorkerMessage, { type: 'result' }>;

function spawnWorker(o: CoreOptions, dir: string, num: number): ChildProcess {
  return forkBench(WORKER, [o.kind, dir, String(num), String(o.ops), String(o.range), String(o.warmup)]);
}

/** Pre-fill the keys in a process of its own (worker number -1); resolves to 1 if it had to be killed after close(), rejects with why it could not. */
function prefill(o: CoreOptions, dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawnWorker(o, dir, -1);
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Wait for it to go (or kill it) so it cannot overlap the timed run.
      void reap([child], err ? 0 : EXIT_GRACE_MS).then((stuck) => (err ? reject(err) : resolve(stuck)));
    };
    const timer = setTimeout(() => settle(new Error(`pre-fill timed out after ${o.timeoutMs} ms`)), o.timeoutMs);
    child.on('message', (m: WorkerMessage) => settle(m.type === 'ready' ? null : new Error(m.type === 'fail' ? m.message : 'pre-fill: unexpected message')));
    child.on('exit', (code, signal) => {
      setTimeout(() => settle(new Error(`pre-fill process exited (${signal ?? `code ${code}`}) without a word`)), 500).unref();
    });
  });
}

function runWorkers(o: CoreOptions, dir: string): Promise<CoreResult> {
  return new Promise((resolve, reject) => {
    const children: ChildProcess[] = [];
    const results: Result[] = [];
    const reported = new Set<number>();
    let ready = 0;
    let start = 0n;
    let done = false;
    const finish = (err: Error | null, value?: CoreResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      if (err) reject(err); else resolve(value!);
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${o.timeoutMs} ms`)), o.timeoutMs);

    for (let num = 0; num < o.procs; num++) {
      const child = spawnWorker(o, dir, num);
      children.push(child);
      child.on('message', (m: WorkerMessage) => {
        if (m.type === 'fail') return finish(new Error(`process ${num}: ${m.message}`));
        if (m.type === 'ready') {
          if (++ready === o.procs) {
            start = process.hrtime.bigint();
            for (const c of children) c.send({ type: 'go' });
          }
          return;
        }
        reported.add(num);
        results.push(m);
        if (results.length === o.procs) {
          // Wall ends at the last process's last operation (same monotonic clock in every process),
          // so close() and shipping the samples back are not counted.
          const end = results.reduce((x, r) => (r.endNs > x ? r.endNs : x), 0n);
          const wall = Number(end - start) / 1e9;
          const result = merge(o, results, wall);
          void reap(children, EXIT_GRACE_MS).then((stuck) => {
            if (stuck) result.note = `${stuck} process(es) still running ${EXIT_GRACE_MS} ms after close(); killed (a timer left running?)`;
            finish(null, result);
          });
        }
      });
      child.on('exit', (code, signal) => {
        // A result sent just before exit may still be in the pipe: look again shortly.
        setTimeout(() => {
          if (!reported.has(num)) finish(new Error(`process ${num} exited (${signal ?? `code ${code}`}) before reporting`));
        }, 500).unref();
      });
    }
  });
}

const EXIT_GRACE_MS = 10_000;

/** Wait for every child to exit; SIGKILL those still running after `graceMs`; resolves to how many were killed. */
function reap(children: readonly ChildProcess[], graceMs: number): Promise<number> {
  const running = () => children.filter((c) => c.exitCode === null && c.signalCode === null);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      const stuck = running();
      for (const c of stuck) c.kill('SIGKILL');
      resolve(stuck.length);
    }, graceMs);
    const check = () => {
      if (running().length === 0) {
        clearTimeout(t);
        resolve(0);
      }
    };
    for (const c of children) c.once('exit', check);
    check();
  });
}

function merge(o: CoreOptions, results: readonly Result[], wall: number): CoreResult {
  const stats = {} as Record<Action, ReturnType<typeof summarise>>;
  for (const a of ACTIONS) {
    const sorted = mergeSorted(results.map((r) => r.ns[a]));
    stats[a] = summarise(sorted, results.reduce((s, r) => s + r.miss[a], 0));
  }
  return {
    kind: o.kind, procs: o.procs, ops_per_proc: o.ops, wall_s: Math.round(wall * 1000) / 1000,
    ...stats, ops_per_s: Math.round((o.procs * o.ops) / wall),
  };
}
