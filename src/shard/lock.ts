/**
 * Locks for the rare structural steps (compaction, check with fix), through proper-lockfile: a mkdir plus an
 * mtime refresh. It is never taken on the hot path (a lock costs ~300 µs here, 100 writes). A holder whose event
 * loop stalls past `stale` can lose it to another process, so every guarded step is safe to run twice at once
 * (compaction writes a deterministic base and links it into place); the lock only avoids wasted work.
 */
import lockfile from 'proper-lockfile';
import * as path from 'node:path';

const STALE_MS = 30_000;

/** Tries to take `name` in `dir` without waiting; returns a release function, or null when another holds it. */
export function tryLock(dir: string, name: string): (() => void) | null {
  try {
    const release = lockfile.lockSync(path.join(dir, name), {
      realpath: false,
      stale: STALE_MS,
      // A lost lock must not crash the process: the guarded steps tolerate a second runner.
      onCompromised: () => {},
    });
    return () => {
      try {
        release();
      } catch {
        /* already released or taken over */
      }
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') return null;
    throw err;
  }
}
