/**
 * One step of a workload in a process of its own (bench/workload-worker.ts under
 * tsx): the engine is loaded there, never in the parent, so nothing of one
 * contender (heap, JIT state, open files, a native binding) weighs on the next.
 * The child reports progress lines, then one result or a reason it could not run.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('../workload-worker.ts', import.meta.url));

/**
 * LOGCACHE_BENCH_NODE_FLAGS: more node flags for every workload and core process, split on spaces; e.g.
 * `LOGCACHE_BENCH_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'` writes a CPU profile per process.
 */
export function extraNodeFlags(): string[] {
  return (process.env['LOGCACHE_BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);
}

export type ChildMessage =
  | { type: 'progress'; text: string }
  | { type: 'result'; value: unknown }
  | { type: 'skip'; reason: string };

export interface StepOptions {
  /** Module under bench/ exporting `steps` (e.g. 'bulk'). */
  workload: string;
  /** Name of the step in that module's `steps`. */
  step: string;
  params: unknown;
  timeoutMs: number;
  /** Extra node flags (e.g. --expose-gc). */
  nodeFlags?: readonly string[];
  onProgress: (text: string) => void;
}

/** The step's result, or `{ skipped }` with why it could not run (missing engine, failed check, crash, timeout). */
export function runStep<T>(o: StepOptions): Promise<T | { skipped: string }> {
  return new Promise((resolve) => {
    const child = fork(WORKER, [o.workload, o.step], {
      execArgv: ['--import', 'tsx', ...(o.nodeFlags ?? []), ...extraNodeFlags()],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let done = false;
    const finish = (v: T | { skipped: string }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) {
        // Give close() and exit a moment, then make sure it is gone before the next step starts.
        const kill = setTimeout(() => child.kill('SIGKILL'), 'skipped' in (v as object) ? 0 : 30_000);
        child.once('exit', () => { clearTimeout(kill); resolve(v); });
      } else {
        resolve(v);
      }
    };
    const timer = setTimeout(() => finish({ skipped: `timed out after ${o.timeoutMs / 1000} s` }), o.timeoutMs);
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'progress') o.onProgress(m.text);
      else if (m.type === 'skip') finish({ skipped: m.reason });
      else finish(m.value as T);
    });
    child.on('exit', (code, signal) => {
      setTimeout(() => finish({ skipped: `process exited (${signal ?? `code ${code}`}) before reporting` }), 500).unref();
    });
    child.send({ params: o.params });
  });
}

export function isSkipped(v: unknown): v is { skipped: string } {
  return typeof v === 'object' && v !== null && 'skipped' in v;
}
