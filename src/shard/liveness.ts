/**
 * Whether a process still runs: the dead-owner checks of transaction windows (shard.ts) and of the compaction
 * lock (lock.ts). Local processes only (a pid names nothing on another machine).
 */
import * as fs from 'node:fs';

/** True when `pid` runs (or cannot be told: pid <= 0, or no permission to signal it). */
export function processAlive(pid: number): boolean {
  if (pid <= 0) return true;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A dead child its parent has not reaped yet (a zombie) still takes signals: on Linux, ask /proc. (A parent
  // blocked waiting for the window its own dead child left open would never reap it.)
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch (err) {
    // Gone since the signal (Linux), or no /proc here (other systems): trust the signal.
    return !(process.platform === 'linux' && (err as NodeJS.ErrnoException).code === 'ENOENT');
  }
}
