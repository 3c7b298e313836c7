/**
 * check()'s side of a value file's lifetime (value-lifetime.ts says the rules): an item whose file a writer replaced
 * while check() looked is not damage, and a file younger than IN_FLIGHT_GRACE_MS may belong to a write in flight.
 * Loaded with check() (a part of its own in Node's build), not with the package.
 */
import * as path from 'node:path';
import type { FsLike, Shard } from '../shard/shard.js';
import { NIL } from '../shard/keydir.js';
import { IN_FLIGHT_GRACE_MS } from '../shard/value-lifetime.js';

/** Whether the file `relative` in `dir` was modified within the grace period (or cannot be told: then it is kept). */
export function maybeInFlight(fs: FsLike, dir: string, relative: string, now = Date.now()): boolean {
  try {
    return now - fs.statSync(path.join(dir, relative)).mtimeMs < IN_FLIGHT_GRACE_MS;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
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
