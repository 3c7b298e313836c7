/**
 * Background compaction: one child process per process (the compactor service), started by the library and
 * shared by every handle it opens (docs/engine.md, "Compaction", says why a child process and not a worker thread).
 * The child (compactor-main.ts) takes jobs over IPC: it opens the shard on its own, compacts it as compaction.ts
 * does and answers; every process, this one included, then moves to the new base a slice at a time
 * (base-switch.ts). A caller's call only sends a job (one IPC write).
 *
 * Starting a process costs a fork of this one (milliseconds, tens with a large heap on a busy machine), so the
 * service is started once per process, when a shard first gets close to wanting a compaction, from the event loop
 * (setImmediate), not inside a call (but for a loop that never yields: see compactInBackground), and kept, idle,
 * between jobs; asking for a compaction is then one IPC write. It is unref'd (with its IPC channel): a short-lived process exits without
 * waiting for it, and the child exits as soon as its parent is gone (the channel's disconnect while idle; a look at
 * its parent pid between chunks of work, which also catches a parent killed with SIGKILL). A child that dies (killed,
 * an exception, a full disk) leaves only what a cut-short compaction leaves (a START seal, a temporary file, a lock
 * whose owner is dead): nothing is lost, its jobs fail, and the next compaction redoes the work.
 */
import type { ChildProcess } from 'node:child_process';
import { builtin } from '../builtin.js';
import * as path from 'node:path';
import { IOError } from '../errors.js';
import { compactorEntry } from './compactor-entry.js';
import type { CompactionResult } from './compaction.js';
import type { SyncPolicy } from './shard.js';

/**
 * How much lower than its parent's the compactor's CPU priority is (nice steps). Compaction is background work:
 * on a machine whose cores are busy, a compactor at its parent's priority takes its share of a core from the
 * processes serving requests (each of their calls then waits behind it in the scheduler's queue: the stall bench's
 * slowest calls were such waits). At +10 the scheduler gives it about a tenth of a core it shares with a busy
 * process (weights 110 and 1024); on an idle core it runs at full speed. The price: on a saturated machine a
 * compactor falls behind its writers and the disk grows with the writes meanwhile (docs/engine.md, "Priority", has
 * the trade-off measured at +0, +5 and +10).
 */
export const COMPACTOR_NICE = 10;

/** What the child needs to open the shard as its parent does. */
export interface CompactorJob {
  dir: string;
  segmentBytes: number;
  sync: SyncPolicy;
  /** The parent's compactMinBytes: a warm shard compacts by the parent's rule (compaction-rule.ts). */
  compactMinBytes: number;
}

/** A job to run and answer (`explicit`: compactAsync(), which must not be left to another compactor), or, unanswered,
 * a shard to read and keep caught up (`warm`) or to let go of (`cool`: this process closed its last handle on it). */
export type CompactorRequest = { id: number; job: CompactorJob; warm?: boolean; explicit?: boolean; cool?: boolean };
export type CompactorReply =
  | { id: number; type: 'done'; result: CompactionResult }
  | { id: number; type: 'error'; message: string; code?: string };

interface Pending {
  dir: string;
  job: CompactorJob;
  /** Sent again once already, to a fresh compactor, after the first one died under it. */
  retried: boolean;
  keepAlive: boolean;
  /** Asked by compactAsync(): runs even where another compactor keeps the shard warm (warm-shards.ts). */
  explicit: boolean;
  resolve: (r: CompactionResult) => void;
  reject: (e: unknown) => void;
  done: Promise<CompactionResult>;
}

interface Service {
  child: ChildProcess;
  pending: Map<number, Pending>;
}

let service: Service | null = null;
let starting = false;
/** When the pending start was asked for: a process whose loop never turns gets it inline after START_WAIT_MS. */
let startAskedAt = 0;
const START_WAIT_MS = 1000;
let nextId = 1;
/** Jobs by directory: two handles on one directory share one. */
const byDir = new Map<string, Pending>();
/** Jobs asked for while no service ran: sent once one is started (from the event loop). */
const queued: { id: number; job: CompactorJob }[] = [];
/** Shards the compactor was told to keep warm, by directory: told again to a compactor started after one died. */
const warmJobs = new Map<string, CompactorJob>();

/**
 * Has the compactor open `job`'s shard and keep it caught up, so that a job on it starts from a state already read
 * (warm-shards.ts). Called once a shard's log is half way to wanting a compaction, so a process that never compacts
 * (a reader, a short CLI) never starts a compactor; starts the service from the event loop if it is not running.
 */
export function warmCompactor(job: CompactorJob): void {
  if (!compactorEntry()) return;
  job = { ...job, dir: path.resolve(job.dir) };
  warmJobs.set(job.dir, job);
  if (service) sendWarm(service, job);
  else startLater();
}

function sendWarm(s: Service, job: CompactorJob, cool = false): void {
  try {
    s.child.send({ id: 0, job, warm: !cool, cool } satisfies CompactorRequest);
  } catch { /* a dead channel: the exit handler starts another, which is told again */ }
}

/** Handles of this process that used the compactor, by directory. */
const users = new Map<string, number>();

/**
 * A handle on `dir` starts (`use`) or stops using the compactor (it asked it to warm the shard, or for a job). Once no
 * handle of this process on `dir` uses it, the compactor lets go of its warm copy: it would otherwise go on reading,
 * and compacting, a store this process no longer uses (one its user may be removing). Another writing process's
 * compactor warms it again when it needs to.
 */
export function useCompactor(dir: string, use: boolean): void {
  dir = path.resolve(dir);
  const n = (users.get(dir) ?? 0) + (use ? 1 : -1);
  if (n > 0) return void users.set(dir, n);
  users.delete(dir);
  const job = warmJobs.get(dir);
  warmJobs.delete(dir);
  if (service) sendWarm(service, job ?? { dir, segmentBytes: 0, sync: 'none', compactMinBytes: 0 }, true);
}

function startService(): void {
  const entry = compactorEntry();
  if (!entry) return;
  // node:child_process loaded here, at the first compactor's start: loading the package costs none of it (~5 ms).
  const child = builtin<typeof import('node:child_process')>('node:child_process').fork(entry.file, [], { execArgv: entry.execArgv, stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'json' });
  const s: Service = { child, pending: new Map() };
  service = s;
  starting = false;
  child.on('message', (m: CompactorReply) => {
    const p = s.pending.get(m.id);
    if (!p) return;
    s.pending.delete(m.id);
    settle(m.id, p, m);
  });
  child.on('error', () => { /* a spawn failure also exits */ });
  child.on('exit', (code, signal) => {
    if (service === s) service = null;
    // Its jobs go to a fresh compactor once (it may have died of something else's doing); then they fail.
    for (const [id, p] of s.pending) {
      if (p.retried) settle(id, p, { id, type: 'error', message: `compactor process exited (${signal ?? `code ${code}`})`, code: 'ECHILD' });
      else {
        p.retried = true;
        queued.push({ id, job: p.job });
      }
    }
    s.pending.clear();
    if (queued.length) startLater();
  });
  for (const job of warmJobs.values()) sendWarm(s, job);
  for (const q of queued.splice(0)) send(s, q.id, q.job);
  refresh(s);
}

function settle(id: number, p: Pending, m: CompactorReply): void {
  if (byDir.get(p.dir) === p) byDir.delete(p.dir);
  if (m.type === 'done') p.resolve(m.result);
  else p.reject(new IOError(`background compaction in ${p.dir}`, Object.assign(new Error(m.message), { code: m.code ?? 'EIO' })));
  if (service) refresh(service);
  void id;
}

function send(s: Service, id: number, job: CompactorJob): void {
  const p = byDir.get(path.resolve(job.dir));
  if (p) s.pending.set(id, p);
  try {
    s.child.send({ id, job, explicit: p?.explicit ?? false } satisfies CompactorRequest);
  } catch (err) {
    s.pending.delete(id);
    if (p) settle(id, p, { id, type: 'error', message: String(err), code: 'EPIPE' });
  }
}

/** The child keeps this process alive only while a job someone awaits is running. */
function refresh(s: Service): void {
  const channel = s.child.channel as { ref?(): void; unref?(): void } | undefined;
  if ([...s.pending.values()].some((p) => p.keepAlive)) {
    s.child.ref();
    channel?.ref?.();
  } else {
    s.child.unref();
    channel?.unref?.();
  }
}

/**
 * Compacts `job.dir` in the compactor process. `keepAlive`: the caller awaits the result, so the child keeps this
 * process alive until it is done; otherwise (automatic compaction) it does not. Resolves with the child's result
 * (base 0: another process was compacting); rejects with an IOError when the child failed or died.
 */
export function compactInBackground(job: CompactorJob, keepAlive: boolean): Promise<CompactionResult> {
  const dir = path.resolve(job.dir);
  job = { ...job, dir };
  const current = byDir.get(dir);
  if (current) {
    if (keepAlive && !current.keepAlive) {
      current.keepAlive = true;
      if (service) refresh(service);
    }
    // An automatic job may be left to the compactor that keeps the shard warm: an awaited one then runs itself.
    if (keepAlive && !current.explicit) {
      return current.done.then((r) => (r.base === 0 && r.skipped === 'locked' ? compactInBackground(job, true) : r));
    }
    return current.done;
  }
  if (!compactorEntry()) return Promise.reject(new IOError('background compaction', new Error('no compactor entry file beside the module')));
  let resolve!: (r: CompactionResult) => void;
  let reject!: (e: unknown) => void;
  const done = new Promise<CompactionResult>((res, rej) => { resolve = res; reject = rej; });
  const p: Pending = { dir, job, retried: false, keepAlive, explicit: keepAlive, resolve, reject, done };
  byDir.set(dir, p);
  const id = nextId++;
  if (service) {
    send(service, id, job);
    refresh(service);
  } else {
    queued.push({ id, job });
    // A loop that has not turned for START_WAIT_MS (a script writing without ever yielding) would never start it:
    // start it here, inside this call, once (a fork's cost, not a compaction's).
    if (starting && Date.now() - startAskedAt > START_WAIT_MS) startService();
    else startLater();
  }
  return done;
}

/** Starts the service from the event loop (never inside a caller's call) and sends it the queued jobs. */
function startLater(): void {
  if (starting) return;
  starting = true;
  startAskedAt = Date.now();
  setImmediate(() => {
    if (!service) startService();
    else for (const q of queued.splice(0)) send(service, q.id, q.job);
  });
}

/** Whether a job for `dir` is in flight. */
export function compacting(dir: string): boolean {
  return byDir.has(path.resolve(dir));
}

/** The pid of this process's compactor, if one runs (tests and the torture suite kill it). */
export function compactorPid(): number | undefined {
  return service?.child.pid;
}
