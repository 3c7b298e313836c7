/** IPC between core.ts and core-worker.ts (fork with `serialization: 'advanced'`, so typed arrays pass as they are). */
import type { Action } from './types.js';

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'fail'; message: string }
  | {
      type: 'result';
      /** Per-action call times, ns. */
      ns: Record<Action, Float64Array>;
      miss: Record<Action, number>;
      /** process.hrtime.bigint() after the last operation (one monotonic clock for all processes). */
      endNs: bigint;
    };

export type ParentMessage = { type: 'go' };
