export type EvictionPolicyName = 'least-recently-stored' | 'least-recently-used' | 'least-frequently-used' | 'none';
/** How an eviction policy orders victims, and what a get hit records (diskcache's EVICTION_POLICY). */
export interface EvictionPolicy {
    /** What a get hit updates in the access sidecar: nothing, the access time, or the access count. */
    onAccess: 'none' | 'time' | 'count';
    /** Victim order: by store order, access time, access count; null never evicts for size. */
    order: 'stored' | 'accessTime' | 'accessCount' | null;
}
export declare const EVICTION_POLICY: Record<string, EvictionPolicy>;
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
export declare const DEFAULT_SETTINGS: Readonly<Settings>;
/** diskcache's metadata counters: never settable through options (dropped silently, as diskcache does). */
/** Options that belong to this handle and are not persisted. */
export declare const HANDLE_OPTIONS: Set<string>;
/** Throws TypeError/RangeError naming the setting when `value` is not valid for `name`. */
export declare function validateSetting(name: string, value: unknown): void;
/** Splits constructor options into settings to persist (validated) and handle options. */
export declare function splitOptions(options: Record<string, unknown>): Record<string, unknown>;
