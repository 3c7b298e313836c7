/**
 * Eviction: which items go when a shard is over its size limit (diskcache's EVICTION_POLICY cull orders).
 * Least-recently-stored walks the keydir's store-order list (O(victims)); least-recently-used and
 * least-frequently-used rank every item by its sidecar entry (one read of the sidecar, O(n log n)).
 */
import { KeyDir, NIL } from './keydir.js';
import type { Sidecar } from './sidecar.js';

export type VictimOrder = 'stored' | 'accessTime' | 'accessCount';

/** Up to `limit` victims in policy order (ties by insertion order), excluding `skip`. */
export function chooseVictims(kd: KeyDir, order: VictimOrder, sidecar: () => Sidecar, limit: number, skip: ReadonlySet<number>): number[] {
  const out: number[] = [];
  if (order === 'stored') {
    for (let s = kd.stoHead; s !== NIL && out.length < limit; s = kd.stoNext[s]) if (!skip.has(s)) out.push(s);
    return out;
  }
  // An entry written for another version of the slot's item counts as never accessed.
  const side = sidecar().readAll(kd.highWater);
  const byCount = order === 'accessCount';
  const rank = new Map<number, number>();
  for (const s of kd.slots()) {
    if (skip.has(s)) continue;
    const current = side[s * 3] === kd.version[s];
    rank.set(s, byCount ? (current ? side[s * 3 + 2] : 0) : current ? side[s * 3 + 1] : kd.storeTime[s]);
  }
  const all = [...rank.keys()];
  all.sort((a, b) => rank.get(a)! - rank.get(b)! || kd.rowid[a] - kd.rowid[b]);
  return all.slice(0, limit);
}

/** Up to `limit` items whose expiry is before `now`, soonest expiry first. */
export function expiredSlots(kd: KeyDir, now: number, limit: number): number[] {
  if (kd.expiring === 0) return [];
  const expired: number[] = [];
  for (const s of kd.slots()) if (kd.expire[s] < now) expired.push(s);
  expired.sort((a, b) => kd.expire[a] - kd.expire[b]);
  return expired.slice(0, limit);
}
