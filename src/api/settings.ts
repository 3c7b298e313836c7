/**
 * Settings: diskcache's DEFAULT_SETTINGS and EVICTION_POLICY with camelCase names, their validation, and the
 * split of constructor options into persisted settings and per-handle options.
 */
import { METADATA_KEYS } from '../engine/engine.js';

export type EvictionPolicyName = 'least-recently-stored' | 'least-recently-used' | 'least-frequently-used' | 'none';

/** How an eviction policy orders victims, and what a get hit records (diskcache's EVICTION_POLICY). */
export interface EvictionPolicy {
  /** What a get hit updates in the access sidecar: nothing, the access time, or the access count. */
  onAccess: 'none' | 'time' | 'count';
  /** Victim order: by store order, access time, access count; null never evicts for size. */
  order: 'stored' | 'accessTime' | 'accessCount' | null;
}

export const EVICTION_POLICY: Record<string, EvictionPolicy> = {
  none: { onAccess: 'none', order: null },
  'least-recently-stored': { onAccess: 'none', order: 'stored' },
  'least-recently-used': { onAccess: 'time', order: 'accessTime' },
  'least-frequently-used': { onAccess: 'count', order: 'accessCount' },
};

export interface Settings {
  statistics: boolean;
  tagIndex: boolean;
  evictionPolicy: EvictionPolicyName;
  sizeLimit: number;
  cullLimit: number;
  diskMinFileSize: number;
  [extra: string]: unknown;
}

/** diskcache's DEFAULT_SETTINGS (the sqlite_* pragmas have no counterpart here; the SQLite engine sets diskcache's own). */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  statistics: false,
  tagIndex: false,
  evictionPolicy: 'least-recently-stored',
  sizeLimit: 2 ** 30,
  cullLimit: 10,
  diskMinFileSize: 2 ** 15,
});

/** diskcache's metadata counters: never settable through options (dropped silently, as diskcache does). */

/** Options that belong to this handle and are not persisted. */
export const HANDLE_OPTIONS = new Set(['timeout', 'disk', 'sync', 'fs', 'segmentBytes', 'compactMinBytes', 'shards', 'engine', 'transactionLease']);

/** Throws TypeError/RangeError naming the setting when `value` is not valid for `name`. */
export function validateSetting(name: string, value: unknown): void {
  switch (name) {
    case 'statistics':
    case 'tagIndex':
      if (typeof value !== 'boolean' && value !== 0 && value !== 1) throw new TypeError(`${name} must be a boolean; got ${typeof value}`);
      return;
    case 'evictionPolicy':
      if (typeof value !== 'string' || !(value in EVICTION_POLICY)) {
        throw new RangeError(`evictionPolicy must be one of ${Object.keys(EVICTION_POLICY).map((k) => `'${k}'`).join(', ')}; got ${String(value)}`);
      }
      return;
    case 'sizeLimit':
    case 'cullLimit':
    case 'diskMinFileSize':
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new RangeError(`${name} must be a finite number >= 0; got ${String(value)}`);
      }
      return;
    default:
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new TypeError(`setting name ${JSON.stringify(name)} is not an identifier`);
      try {
        if (JSON.stringify(value) === undefined) throw new Error();
      } catch {
        throw new TypeError(`setting ${name} must be JSON-serializable`);
      }
  }
}

/** Splits constructor options into settings to persist (validated) and handle options. */
export function splitOptions(options: Record<string, unknown>): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined || HANDLE_OPTIONS.has(name) || METADATA_KEYS.has(name)) continue;
    validateSetting(name, value);
    settings[name] = name === 'statistics' || name === 'tagIndex' ? Boolean(value) : value;
  }
  return settings;
}
