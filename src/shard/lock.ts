/**
 * Locks for the rare structural steps (compaction, check with fix), through proper-lockfile: a mkdir plus an
 * mtime refresh. It is never taken on the hot path (a lock costs ~300 µs here, 100 writes). A holder whose event
 * loop stalls past `stale` can lose it to another process, so every guarded step is safe to run twice at once
 * (compaction writes a deterministic base and links it into place); the lock only avoids wasted work.
 *
 * A holder killed with SIGKILL would block the step for `stale` (30 s) on mtime alone, so the holder also writes
 * its pid to `<name>.owner`; a process that finds the lock taken by a pid that no longer runs takes it over.
 */
import lockfile from 'proper-lockfile';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { processAlive } from './liveness.js';

const STALE_MS = 30_000;

/** Tries to take `name` in `dir` without waiting; returns a release function, or null when another holds it. */
export function tryLock(dir: string, name: string): (() => void) | null {
  const file = path.join(dir, name);
  const owner = `${file}.owner`;
  for (let attempt = 0; ; attempt++) {
    let release: () => void;
    try {
      release = lockfile.lockSync(file, {
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
      if (attempt > 0 || process.env.LC_NOTAKEOVER || !ownerDead(owner)) return null;
      // The holder died holding it: take it over (a race with another taker at worst runs the step twice).
      try { fs.rmdirSync(`${file}.lock`); } catch { /* the holder released it meanwhile */ }
      continue;
    }
    try { fs.writeFileSync(owner, String(process.pid)); } catch { /* only a hint for takers-over */ }
    return () => {
      try { fs.unlinkSync(owner); } catch { /* taken over */ }
      try {
        release();
      } catch {
        /* already released or taken over */
      }
    };
  }
}

/** Whether the pid in `owner` no longer runs (false when unknown: the mtime rule decides then). */
function ownerDead(owner: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(owner, 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  return !processAlive(pid);
}
