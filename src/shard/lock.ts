/**
 * Locks for the rare structural steps (compaction, check with fix, a compactor's warm shard), through proper-lockfile:
 * a mkdir plus an mtime refresh. It is never taken on the hot path (a lock costs ~300 µs here, 100 writes). A holder whose event
 * loop stalls past `stale` can lose it to another process, so every guarded step is safe to run twice at once
 * (compaction writes a deterministic base and links it into place); the lock only avoids wasted work.
 *
 * A holder killed with SIGKILL would block the step for `stale` (30 s) on mtime alone, so holders say who they are:
 * before the mkdir a process writes `<name>.want-<pid>`, and once it holds the lock it renames that to
 * `<name>.owner`. Each holds the process's identity (owner.ts: pid, start time, pid namespace, boot id). A process
 * that finds the lock taken reads the owner's identity (or, while there is no owner file yet, every `want` file's)
 * and takes the lock over only when each of them is proven dead: a pid of another pid namespace or boot proves
 * nothing (a container sharing the volume), and a pid now running a process that started at another time is a
 * reused pid. Otherwise the lock goes only once its mtime is `stale`. A file holding a bare pid (logcache before
 * 2026-12-05) is judged by the pid alone, as it was then.
 */
import { properLockfile } from './lockfile.cjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOCK_DIR_SUFFIX, lockIntentName, lockIntentPrefix, lockOwnerName } from '../format/files.js';
import { processAlive } from './liveness.js';
import { ownerVerdict, selfIdentity, type OwnerIdentity } from './owner.js';

const STALE_MS = 30_000;

/** Tries to take `name` in `dir` without waiting; returns a release function, or null when another holds it. */
export function tryLock(dir: string, name: string): (() => void) | null {
  const file = path.join(dir, name);
  const owner = lockOwnerName(file);
  const intent = lockIntentName(file, process.pid);
  try { fs.writeFileSync(intent, identityText(selfIdentity())); } catch { /* only a hint for takers-over */ }
  try {
    for (let attempt = 0; ; attempt++) {
      let release: () => void;
      try {
        release = properLockfile().lockSync(file, {
          realpath: false,
          stale: STALE_MS,
          // A lost lock must not crash the process: the guarded steps tolerate a second runner.
          onCompromised: () => {},
        });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // ENOENT: the lock directory vanished under lockSync's mtime probe (another process took it over).
        if (code === 'ENOENT' && fs.existsSync(dir)) return null;
        if (code !== 'ELOCKED') throw err;
        if (attempt > 0 || !holderDead(dir, name, owner)) return null;
        // The holder died holding it: take it over (a race with another taker at worst runs the step twice).
        try { fs.unlinkSync(owner); } catch { /* none */ }
        try { fs.rmdirSync(`${file}${LOCK_DIR_SUFFIX}`); } catch { /* the holder released it meanwhile */ }
        continue;
      }
      try { fs.renameSync(intent, owner); } catch { /* only a hint for takers-over */ }
      return () => {
        try { fs.unlinkSync(owner); } catch { /* taken over */ }
        try {
          release();
        } catch {
          /* already released or taken over */
        }
      };
    }
  } finally {
    try { fs.unlinkSync(intent); } catch { /* renamed to the owner file */ }
  }
}

/** A lock file's text: `pid startTicks pidNs bootId`. */
function identityText(id: OwnerIdentity): string {
  return `${id.pid} ${id.startTicks} ${id.pidNs} ${id.bootId || '-'}`;
}

/**
 * Whether the process a lock file names is proven gone: by its identity, or, for a file holding a bare pid (an older
 * writer) or none that parses, by `fallbackPid` (the pid in the file, else the one in its name) alone.
 */
function provenDead(text: string | null, fallbackPid: number): boolean {
  const f = text?.trim().split(' ') ?? [];
  if (f.length === 4) {
    const id: OwnerIdentity = { pid: Number(f[0]), startTicks: Number(f[1]), pidNs: Number(f[2]), bootId: f[3] === '-' ? '' : f[3]! };
    if (Number.isSafeInteger(id.pid) && id.pid > 0 && Number.isSafeInteger(id.startTicks) && Number.isSafeInteger(id.pidNs)) {
      return id.pid !== process.pid && ownerVerdict(id) === 'dead';
    }
  }
  const pid = f.length === 1 && /^\d+$/.test(f[0]!) ? Number(f[0]) : fallbackPid;
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid);
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Whether the lock's holder is dead: the owner file's process, or, before there is one, every other `want` file's. */
function holderDead(dir: string, name: string, owner: string): boolean {
  const text = readText(owner);
  if (text !== null && /^\d+( \d+ \d+ [0-9a-f-]+)?$/.test(text.trim())) return provenDead(text, NaN);
  // No owner yet: the holder is between its mkdir and its rename.
  const prefix = lockIntentPrefix(name);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.startsWith(prefix));
  } catch {
    return false;
  }
  let anyAlive = false;
  for (const n of names) {
    const pid = Number(n.slice(prefix.length));
    if (pid === process.pid) continue;
    const file = path.join(dir, n);
    if (provenDead(readText(file), pid)) {
      try { fs.unlinkSync(file); } catch { /* another taker removed it */ }
    } else anyAlive = true;
  }
  return !anyAlive;
}
