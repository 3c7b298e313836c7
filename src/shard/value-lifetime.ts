/**
 * How long a value file lives, whoever else may still need it (docs/engine.md, "Value files"):
 *
 * - a writer writes a value file before the record that names it; until that record is in the log the file is
 *   referenced by nothing, so check({ fix: true }) spares every unreferenced file younger than IN_FLIGHT_GRACE_MS
 *   (an orphan of a crashed writer goes at a later check: src/engine/check-in-flight.ts), and a writer whose record
 *   took longer than half of that to reach the log makes sure its file is still there before it acknowledges the
 *   write;
 * - a file is deleted only after the record that stops referencing it is in the log, so a reader that finds a file
 *   gone syncs and reads again: it then sees the newer value (or the deletion), never a miss of a key that existed.
 */

/** An unreferenced value file younger than this may belong to a write in flight. */
export const IN_FLIGHT_GRACE_MS = 10 * 60_000;

/**
 * How long a reader goes on syncing and reading again while the value file it found is gone (ms). Each round that
 * goes on found a newer write that replaced the file (a round that finds none answers at once), so a reader beside a
 * writer that overwrites the key faster than the reader can open the file keeps up for this long rather than for a
 * number of rounds (a slowed reader lost 16 rounds in a row under load, and missed the key).
 */
export const REREAD_MS = 1000;

/** Whether a write that started at `startedMs` waited long enough that a concurrent check may have taken its file. */
export function waitedPastGrace(startedMs: number, now = Date.now()): boolean {
  return now - startedMs > IN_FLIGHT_GRACE_MS / 2;
}
