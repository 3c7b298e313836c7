/**
 * How long a value file lives, whoever else may still need it (docs/engine.md, "Value files"):
 *
 * - a writer writes a value file before the record that names it; until that record is in the log the file is
 *   referenced by nothing, so check({ fix: true }) spares every unreferenced file younger than IN_FLIGHT_GRACE_MS
 *   (an orphan of a crashed writer goes at a later check), and a writer whose record took longer than half of that
 *   to reach the log makes sure its file is still there before it acknowledges the write;
 * - a file is deleted only after the record that stops referencing it is in the log, so a reader that finds a file
 *   gone syncs and reads again: it then sees the newer value (or the deletion), never a miss of a key that existed.
 */
import * as path from 'node:path';
import type { FsLike, Shard } from './shard.js';
import { NIL } from './keydir.js';

/** An unreferenced value file younger than this may belong to a write in flight. */
export const IN_FLIGHT_GRACE_MS = 10 * 60_000;

/** How many times a reader syncs and reads again when the value file it found is gone (each time a newer write replaced it). */
export const REREAD_ATTEMPTS = 16;

/** Whether the file `relative` in `dir` was modified within the grace period (or cannot be told: then it is kept). */
export function maybeInFlight(fs: FsLike, dir: string, relative: string, now = Date.now()): boolean {
  try {
    return now - fs.statSync(path.join(dir, relative)).mtimeMs < IN_FLIGHT_GRACE_MS;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** Whether a write that started at `startedMs` waited long enough that a concurrent check may have taken its file. */
export function waitedPastGrace(startedMs: number, now = Date.now()): boolean {
  return now - startedMs > IN_FLIGHT_GRACE_MS / 2;
}

/**
 * check(): items whose value file was missing (or of the wrong size) when looked at; after a sync, those a writer
 * replaced meanwhile (the file went with the old version) are dropped from `missing` and their warnings from
 * `warnings`. `missingWarnings[i]` is the warning of `missing[i]`.
 */
export function dropReplaced(shard: Shard, missing: [Buffer, number][], missingWarnings: unknown[], warnings: unknown[]): void {
  if (missing.length === 0) return;
  shard.sync();
  const kd = shard.state.kd;
  for (let i = missing.length - 1; i >= 0; i--) {
    const slot = kd.find(missing[i][0]);
    if (slot !== NIL && kd.versionOf(slot) === missing[i][1]) continue;
    warnings.splice(warnings.indexOf(missingWarnings[i]), 1);
    missing.splice(i, 1);
    missingWarnings.splice(i, 1);
  }
}

/**
 * check(): drops from `scan.unknown` the value files (anything below the shard directory) that a live item names
 * after a fresh sync, or that are young enough to belong to a write in flight.
 */
export function spareInFlight(shard: Shard, scan: { unknown: string[] }): void {
  shard.sync();
  const now = Date.now();
  const referenced = new Set([...shard.state.kd.valueFiles()].map(([, f]) => path.normalize(f.name)));
  scan.unknown = scan.unknown.filter((u) => !u.includes(path.sep) || (!referenced.has(u) && !maybeInFlight(shard.fs, shard.dir, u, now)));
}
