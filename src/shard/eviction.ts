/**
 * Eviction: which items go when a shard is over its size limit (diskcache's EVICTION_POLICY cull orders).
 * Least-recently-stored walks the keydir's store-order list (O(victims)); least-recently-used and
 * least-frequently-used rank every item by its sidecar entry (one read of the sidecar, O(n log n)).
 */
import { ACCESS_ENTRY_FIELDS, FIELD_ACCESS_COUNT, FIELD_ACCESS_TIME, FIELD_VERSION } from '../format/access.js';
import { KeyDir, NIL } from './keydir.js';
import type { Sidecar } from './sidecar.js';

import type { VictimOrder } from './reports.js';

export type { VictimOrder };

/**
 * Ranked victims for least-recently-used and least-frequently-used, reused across culls: ranking every item
 * costs O(n log n), and a write over the size limit culls only a few. A list serves until it runs out or the
 * keydir has changed by more than a quarter of its items; an entry that was removed or changed since (another
 * version) is skipped. The order is advisory (an item read after the ranking may still go first).
 */
export class VictimList {
  #slots: number[] = [];
  #versions: number[] = [];
  #next = 0;
  #rankedAt = -Infinity;

  invalidate(): void {
    this.#slots = [];
    this.#next = 0;
  }

  take(kd: KeyDir, order: VictimOrder, sidecar: () => Sidecar, seq: number, limit: number, skip: ReadonlySet<number>): number[] {
    if (order === 'stored') return storedVictims(kd, limit, skip);
    const out: number[] = [];
    for (let attempt = 0; attempt < 2 && out.length < limit; attempt++) {
      if (this.#next >= this.#slots.length || seq - this.#rankedAt > Math.max(64, kd.count / 4)) {
        this.#rank(kd, order, sidecar());
        this.#rankedAt = seq;
      }
      while (this.#next < this.#slots.length && out.length < limit) {
        const s = this.#slots[this.#next++];
        if (kd.has(s) && kd.version[s] === this.#versions[this.#next - 1] && !skip.has(s)) out.push(s);
      }
    }
    return out;
  }

  #rank(kd: KeyDir, order: VictimOrder, sidecar: Sidecar): void {
    // An entry written for another version of the slot's item counts as never accessed.
    const side = sidecar.readAll(kd.highWater);
    const byCount = order === 'accessCount';
    const slots: number[] = [];
    const rank = new Float64Array(kd.highWater);
    for (const s of kd.slots()) {
      const e = s * ACCESS_ENTRY_FIELDS;
      const current = side[e + FIELD_VERSION] === kd.version[s];
      rank[s] = byCount ? (current ? side[e + FIELD_ACCESS_COUNT] : 0) : current ? side[e + FIELD_ACCESS_TIME] : kd.storeTime[s];
      slots.push(s);
    }
    slots.sort((a, b) => rank[a] - rank[b] || kd.rowid[a] - kd.rowid[b]);
    this.#slots = slots;
    this.#versions = slots.map((s) => kd.version[s]);
    this.#next = 0;
  }
}

/** Least-recently-stored: the head of the store-order list, O(victims). */
function storedVictims(kd: KeyDir, limit: number, skip: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let s = kd.stoHead; s !== NIL && out.length < limit; s = kd.stoNext[s]) if (!skip.has(s)) out.push(s);
  return out;
}

/**
 * Up to `limit` items whose expiry is before `now`, soonest expiry first, from the expiry heap: stale entries
 * (item gone or expiry changed) are dropped; the entries returned stay in the heap until their items go.
 */
export function expiredSlots(kd: KeyDir, now: number, limit: number): number[] {
  const heap = kd.expiries;
  const out: number[] = [];
  const keep: [number, number][] = [];
  while (heap.size > 0 && out.length < limit) {
    const e = heap.peekKey();
    const s = heap.peekValue();
    if (!kd.has(s) || kd.expire[s] !== e) {
      heap.pop();
      continue;
    }
    if (!(e < now)) break;
    heap.pop();
    keep.push([e, s]);
    if (!out.includes(s)) out.push(s);
  }
  for (const [e, s] of keep) heap.push(e, s);
  return out;
}
