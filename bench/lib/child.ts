/**
 * One step of a workload in a process of its own (bench/workload-worker.ts under
 * tsx): the engine is loaded there, never in the parent, so nothing of one
 * contender (heap, JIT state, open files, a native binding) weighs on the next.
 * The child reports progress lines, then one result or a reason it could not run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WorkloadContext } from './types.js';

const WORKER = fileURLToPath(new URL('../workload-worker.ts', import.meta.url));

/**
 * LOGCACHE_BENCH_NODE_FLAGS: more node flags for every workload and core process, split on spaces; e.g.
 * `LOGCACHE_BENCH_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'` writes a CPU profile per process.
 */
function extraNodeFlags(): string[] {
  return (process.env['LOGCACHE_BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);
}

/** A bench script (a .ts file) in a child of its own under tsx, with IPC that passes typed arrays as they are. */
export function forkBench(script: string, args: readonly string[], nodeFlags: readonly string[] = []): ChildProcess {
  return fork(script, args, {
    execArgv: ['--import', 'tsx', ...nodeFlags, ...extraNodeFlags()],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/**
 * Why a step did not run. `unavailable`: the engine could not be opened at all (not importable, the constructor
 * threw, the correctness check failed), so no later step on that engine will fare better.
 */
export interface StepSkipped {
  skipped: string;
  unavailable?: true;
}

export type ChildMessage =
  | { type: 'progress'; text: string }
  | { type: 'result'; value: unknown }
  | { type: 'skip'; reason: string; unavailable?: true };

interface StepOptions {
  /** Module under bench/ exporting `steps` (e.g. 'bulk'). */
  workload: string;
  /** Name of the step in that module's `steps`. */
  step: string;
  params: unknown;
  timeoutMs: number;
  /** Extra node flags (e.g. --expose-gc). */
  nodeFlags?: readonly string[];
  onProgress: (text: string) => void;
  /** Called with the child once it is started (a workload that watches the process: its pid, its files). */
  onSpawn?: (child: ChildProcess) => void;
}

/** The step's result, or a StepSkipped with why it could not run (missing engine, failed check, crash, timeout). */
export function runStep<T>(o: StepOptions): Promise<T | StepSkipped> {
  return new Promise((resolve) => {
    const child = forkBench(WORKER, [o.workload, o.step], o.nodeFlags);
    o.onSpawn?.(child);
    let done = false;
    const finish = (v: T | StepSkipped) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) {
        // Give close() and exit a moment, then make sure it is gone before the next step starts.
        const kill = setTimeout(() => child.kill('SIGKILL'), isSkipped(v) ? 0 : 30_000);
        child.once('exit', () => { clearTimeout(kill); resolve(v); });
      } else {
        resolve(v);
      }
    };
    const timer = setTimeout(() => finish({ skipped: `timed out after ${o.timeoutMs / 1000} s` }), o.timeoutMs);
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'progress') o.onProgress(m.text);
      else if (m.type === 'skip') finish(m.unavailable ? { skipped: m.reason, unavailable: true } : { skipped: m.reason });
      else finish(m.value as T);
    });
    child.on('exit', (code, signal) => {
      setTimeout(() => finish({ skipped: `process exited (${signal ?? `code ${code}`}) before reporting` }), 500).unref();
    });
    child.send({ params: o.params });
  });
}

export function isSkipped(v: unknown): v is StepSkipped {
  return typeof v === 'object' && v !== null && 'skipped' in v;
}

/**
 * The parent's side of one engine's turn at a workload: a fresh `dir`, the 'opening' progress line, the steps
 * `run` starts (each through runStep, with the progress callback it is given), `dir` removed again, and a skip
 * reported on stderr (`[workload] who: skipped: why`). Returns what `run` gave; the caller files it.
 */
export async function engineTurn<T>(ctx: WorkloadContext, workload: string, who: string, dir: string,
  run: (onProgress: (text: string) => void) => Promise<T | StepSkipped>): Promise<T | StepSkipped> {
  const onProgress = (text: string) => ctx.progress(workload, who, text);
  fs.rmSync(dir, { recursive: true, force: true });
  onProgress('opening');
  const r = await run(onProgress);
  // Retried: a compactor whose parent just exited may still add a file while the tree is removed (it exits at its
  // next look at its parent).
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  if (isSkipped(r)) process.stderr.write(`[${workload}] ${who}: skipped: ${r.skipped}\n`);
  return r;
}
