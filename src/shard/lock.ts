/**
 * Locks for the rare structural steps (compaction, check with fix), through proper-lockfile: a mkdir plus an
 * mtime refresh. It is never taken on the hot path (a lock costs ~300 µs here, 100 writes). A holder whose event
 * loop stalls past `stale` can lose it to another process, so every guarded step is safe to run twice at once
 * (compaction writes a deterministic base and links it into place); the lock only avoids wasted work.
 *
 * A holder killed with SIGKILL would block the step for `stale` (30 s) on mtime alone, so holders say who they are:
 * before the mkdir a process writes `<name>.want-<pid>`, and once it holds the lock it renames that to
 * `<name>.owner`. A process that finds the lock taken reads the owner's pid (or, while there is no owner file yet,
 * the pids of every `want` file) and takes the lock over when none of them runs.
 */
import { properLockfile } from './lockfile.cjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOCK_DIR_SUFFIX, lockIntentName, lockIntentPrefix, lockOwnerName } from '../format/files.js';
import { processAlive } from './liveness.js';

const STALE_MS = 30_000;

/** Tries to take `name` in `dir` without waiting; returns a release function, or null when another holds it. */
export function tryLock(dir: string, name: string): (() => void) | null {
  const file = path.join(dir, name);
  const owner = lockOwnerName(file);
  const intent = lockIntentName(file, process.pid);
  try { fs.writeFileSync(intent, String(process.pid)); } catch { /* only a hint for takers-over */ }
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

/** Whether the lock's holder is dead: the owner file's pid, or, before there is one, every other `want` file's. */
function holderDead(dir: string, name: string, owner: string): boolean {
  let text: string | null = null;
  try {
    text = fs.readFileSync(owner, 'utf8');
  } catch { /* no owner yet: the holder is between its mkdir and its rename */ }
  const ownerPid = Number(text);
  if (text !== null && Number.isInteger(ownerPid) && ownerPid > 0) return ownerPid !== process.pid && !processAlive(ownerPid);
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
    if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) {
      try { fs.unlinkSync(path.join(dir, n)); } catch { /* another taker removed it */ }
    } else anyAlive = true;
  }
  return !anyAlive;
}
