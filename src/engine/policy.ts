/**
 * The eviction policies (diskcache's EVICTION_POLICY), written once for every engine: their names, what a get hit
 * records under each, and how each orders victims. The engines turn a policy and the statistics flag into hooks
 * once, at open and when Cache.reset changes either (CacheEngine.settingChanged), so `get` calls a function and
 * never looks a setting up: a hook that has nothing to do is NOOP, as lru-cache installs no-op functions for the
 * features that are off.
 */
import type { VictimOrder } from '../shard/reports.js';

export type EvictionPolicyName = 'least-recently-stored' | 'least-recently-used' | 'least-frequently-used' | 'none';

/** What a get hit updates: nothing, the access time, or the access count. */
export type HitRecord = 'none' | 'time' | 'count';

/** How an eviction policy orders victims, and what a get hit records (diskcache's EVICTION_POLICY). */
export interface EvictionPolicy {
  /** What a get hit updates in the access record (the log engine's sidecar, the SQLite engine's columns). */
  onAccess: HitRecord;
  /** Victim order: by store order, access time, access count; null never evicts for size. */
  order: VictimOrder | null;
}

export const EVICTION_POLICY: Readonly<Record<EvictionPolicyName, Readonly<EvictionPolicy>>> = Object.freeze({
  none: Object.freeze({ onAccess: 'none', order: null }),
  'least-recently-stored': Object.freeze({ onAccess: 'none', order: 'stored' }),
  'least-recently-used': Object.freeze({ onAccess: 'time', order: 'accessTime' }),
  'least-frequently-used': Object.freeze({ onAccess: 'count', order: 'accessCount' }),
} as const);

/** The policy used when a directory stores no policy, and for a stored name this version does not know. */
export const DEFAULT_EVICTION_POLICY: EvictionPolicyName = 'least-recently-stored';

export function isEvictionPolicyName(name: unknown): name is EvictionPolicyName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(EVICTION_POLICY, name);
}

/** The policy named `name`; the default policy for a name that is not one (a setting stored by a newer version). */
export function evictionPolicy(name: string): Readonly<EvictionPolicy> {
  return EVICTION_POLICY[isEvictionPolicyName(name) ? name : DEFAULT_EVICTION_POLICY];
}

/** The hook of a feature that is off. */
export const NOOP = (): void => {};

/**
 * The hook a get hit runs under `policy`: `recordTime` (least-recently-used), `recordCount`
 * (least-frequently-used), or NOOP.
 */
export function hitHook<A extends unknown[]>(
  policy: Readonly<EvictionPolicy>, recordTime: (...args: A) => void, recordCount: (...args: A) => void,
): (...args: A) => void {
  switch (policy.onAccess) {
    case 'time': return recordTime;
    case 'count': return recordCount;
    default: return NOOP;
  }
}

/** The hook every get runs with its outcome: `count` when statistics are on, else NOOP. */
export function statisticsHook(statistics: boolean, count: (hit: boolean) => void): (hit: boolean) => void {
  return statistics ? count : NOOP;
}
