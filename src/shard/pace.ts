/**
 * Pacing of background work (the compactor) on a busy machine.
 *
 * The compactor runs below its parent's CPU priority (compactor.ts, COMPACTOR_NICE), so the scheduler gives it a
 * small share of a CPU that a busy process wants too. But the share comes in slices: once picked, it keeps the CPU
 * until the scheduler's next tick or later (4 ms at 250 Hz), and the process serving requests waits that long in
 * the run queue: the 8 ms waits bench/stall-anatomy.mjs finds in calls made while a compaction runs.
 *
 * A pacer is called often during the work (`tick`, between pieces of at most a few hundred microseconds). After
 * about `sliceMs` of work since its last pause it looks at the machine: when more tasks are runnable than there are
 * CPUs (`/proc/loadavg`'s running count, this process included), it sleeps `napMs`, giving the CPU back to whoever
 * waits for it at once rather than at the next tick. On a machine with a CPU to spare it never sleeps: the work runs
 * at full speed. Where `/proc/loadavg` cannot be read (not Linux), it never sleeps either.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { sleepMs } from '../clock.js';

export interface PacerOptions {
  /** Work between two looks at the machine (ms). */
  sliceMs?: number;
  /** How long a pause lasts (ms). */
  napMs?: number;
  /** CPUs this process may run on. */
  cpus?: number;
  /** Tasks runnable now, this process included (0: unknown, never pause). */
  runnable?: () => number;
  /** Clock in milliseconds. */
  now?: () => number;
  /** Sleeps, blocking the thread. */
  sleep?: (ms: number) => void;
}

export interface Pacer {
  /** Called between pieces of work: true when `sliceMs` have passed since the last look (the caller may do its own
   * periodic checks then), after pausing if the machine is busy. */
  tick(): boolean;
  /** Pauses taken so far. */
  readonly pauses: number;
}

let loadavgFd = -1;
const loadavgBuf = Buffer.alloc(128);

/** The running count of `/proc/loadavg` ("0.42 0.30 0.25 3/345 12345": 3), or 0 when it cannot be read. */
export function runnableTasks(): number {
  try {
    if (loadavgFd < 0) loadavgFd = fs.openSync('/proc/loadavg', 'r');
    const n = fs.readSync(loadavgFd, loadavgBuf, 0, loadavgBuf.length, 0);
    const text = loadavgBuf.toString('latin1', 0, n);
    const m = / (\d+)\/\d+ /.exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}


export function pacer(o: PacerOptions = {}): Pacer {
  const sliceMs = o.sliceMs ?? 1;
  const napMs = o.napMs ?? 0.25;
  const cpus = o.cpus ?? os.availableParallelism();
  const runnable = o.runnable ?? runnableTasks;
  const now = o.now ?? (() => performance.now());
  const sleep = o.sleep ?? sleepMs;
  let since = now();
  let pauses = 0;
  return {
    tick(): boolean {
      if (now() - since < sliceMs) return false;
      if (runnable() > cpus) {
        sleep(napMs);
        pauses++;
      }
      since = now();
      return true;
    },
    get pauses() {
      return pauses;
    },
  };
}
