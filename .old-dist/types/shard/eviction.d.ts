/**
 * Eviction: which items go when a shard is over its size limit (diskcache's EVICTION_POLICY cull orders).
 * Least-recently-stored walks the keydir's store-order list (O(victims)); least-recently-used and
 * least-frequently-used rank every item by its sidecar entry (one read of the sidecar, O(n log n)).
 */
import { KeyDir } from './keydir.js';
import type { Sidecar } from './sidecar.js';
export type VictimOrder = 'stored' | 'accessTime' | 'accessCount';
/**
 * Ranked victims for least-recently-used and least-frequently-used, reused across culls: ranking every item
 * costs O(n log n), and a write over the size limit culls only a few. A list serves until it runs out or the
 * keydir has changed by more than a quarter of its items; an entry that was removed or changed since (another
 * version) is skipped. The order is advisory (an item read after the ranking may still go first).
 */
export declare class VictimList {
    #private;
    invalidate(): void;
    take(kd: KeyDir, order: VictimOrder, sidecar: () => Sidecar, seq: number, limit: number, skip: ReadonlySet<number>): number[];
}
/**
 * Up to `limit` items whose expiry is before `now`, soonest expiry first, from the expiry heap: stale entries
 * (item gone or expiry changed) are dropped; the entries returned stay in the heap until their items go.
 */
export declare function expiredSlots(kd: KeyDir, now: number, limit: number): number[];
