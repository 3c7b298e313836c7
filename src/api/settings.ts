/**
 * Settings: diskcache's DEFAULT_SETTINGS with camelCase names, their validation, and the split of constructor
 * options into persisted settings and per-handle options. The eviction policies are ../engine/policy.ts's.
 */
import { METADATA_KEYS } from '../engine/engine.js';
import { DEFAULT_EVICTION_POLICY, EVICTION_POLICY, EvictionPolicyName, isEvictionPolicyName } from '../engine/policy.js';

export { EVICTION_POLICY } from '../engine/policy.js';
export type { EvictionPolicy, EvictionPolicyName } from '../engine/policy.js';

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
  evictionPolicy: DEFAULT_EVICTION_POLICY,
  sizeLimit: 2 ** 30,
  cullLimit: 10,
  diskMinFileSize: 2 ** 15,
});

/** diskcache's metadata counters: never settable through options (dropped silently, as diskcache does). */

/** Options that belong to this handle and are not persisted. */
export const HANDLE_OPTIONS = new Set(['timeout', 'disk', 'sync', 'fs', 'segmentBytes', 'compactMinBytes', 'throttleWrites', 'shards', 'engine', 'transactionLease']);

/** Throws TypeError/RangeError naming the setting when `value` is not valid for `name`. */
export function validateSetting(name: string, value: unknown): void {
  switch (name) {
    case 'statistics':
    case 'tagIndex':
      if (typeof value !== 'boolean' && value !== 0 && value !== 1) throw new TypeError(`${name} must be a boolean; got ${typeof value}`);
      return;
    case 'evictionPolicy':
      if (!isEvictionPolicyName(value)) {
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
