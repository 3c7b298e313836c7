/**
 * The background compactor's process (started by compactor.ts). Takes jobs (CompactorRequest) over IPC, one at a
 * time, and answers each. It exits at once, doing nothing more, when its parent is gone: the IPC channel's
 * disconnect while idle, and a look at its parent pid between pieces of work, once a millisecond (the work is
 * synchronous, so no event is seen during it). Between them too, on a machine with no CPU to spare, it pauses
 * briefly (pace.ts), so the processes serving requests get their CPU back within a millisecond. Before it creates a
 * file it looks at once, and at whether its parent still has that store open. A compaction cut short leaves nothing
 * that is not safe.
 *
 * It keeps a shard it was told about ("warm", sent when the shard is half way to wanting a compaction) open between
 * jobs and caught up with the log while idle (warm-shards.ts), so a job starts from a state already read instead of
 * reading the whole store first: the job's time, during which the old log stays on disk, is the base's writing alone.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { COMPACTOR_NICE, type CompactorReply, type CompactorRequest } from './compactor.js';
import { WarmShards } from './warm-shards.js';
import { abandonBaseInProgress } from './compaction.js';
import { pacer } from './pace.js';

/** The current parent pid from /proc (process.ppid is read once at start-up), else the start-up one. */
function parentPid(): number {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return process.ppid;
  }
}

const parent = parentPid();

// Background work: below the parent's CPU priority (compactor.ts, COMPACTOR_NICE, says why).
try {
  os.setPriority(0, Math.min(19, os.getPriority(0) + COMPACTOR_NICE));
} catch {
  // Not permitted here (some sandboxes): the compactor runs at its parent's priority.
}

function exitIfOrphaned(): void {
  if (parentPid() !== parent) {
    abandonBaseInProgress();
    process.exit(0);
  }
}

// Between pieces of work (every 64 frames read or written, each chunk, each warm tick): every 0.25 ms a pause when the
// machine has no CPU to spare (pace.ts says why; a writer woken from backpressure's sleep waits for a core no longer
// than that: docs/engine.md, "Pacing"), and every fourth time a look at the parent. Before a file is created (`now`):
// a look at the parent at once, so that a compactor whose parent was killed adds nothing to a store being removed.
const pace = pacer({ sliceMs: 0.25 });
let looks = 0;
const warm = new WarmShards((now) => {
  if ((pace.tick() && (++looks & 3) === 0) || now === true) exitIfOrphaned();
}, { inUse: parentHolds });

/** Whether the parent holds a file of `dir` open (any open handle on a store holds its active segment), from
 * /proc/<parent>/fd; true where that cannot be read. False where `dir` is gone: a store removed (its user closed it)
 * is no store to create anything in. */
function parentHolds(dir: string): boolean {
  let real: string;
  let fds: string[];
  try {
    real = fs.realpathSync(dir) + '/';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
  try {
    fds = fs.readdirSync(`/proc/${parent}/fd`);
  } catch {
    return true;
  }
  for (const fd of fds) {
    try {
      if (fs.readlinkSync(`/proc/${parent}/fd/${fd}`).startsWith(real)) return true;
    } catch { /* closed meanwhile */ }
  }
  return false;
}

function run({ id, job, explicit }: CompactorRequest): CompactorReply {
  try {
    exitIfOrphaned();
    return { id, type: 'done', result: warm.run(job, explicit === true) };
  } catch (err) {
    const e = err as Error & { cause?: NodeJS.ErrnoException };
    return { id, type: 'error', message: e?.message ?? String(err), code: e?.cause?.code };
  }
}

process.on('disconnect', () => process.exit(0));
process.on('message', (m: CompactorRequest) => {
  exitIfOrphaned();
  if (m.cool) return warm.cool(m.job.dir);
  if (m.warm) {
    try {
      warm.open(m.job);
    } catch { /* its jobs report what went wrong */ }
    return;
  }
  const reply = run(m);
  if (process.connected) process.send!(reply);
});
