/**
 * The engine interface: what Cache (and through it FanoutCache) asks of one shard's storage engine, and the types
 * it answers in. Arguments arrive validated; an engine owns durability, concurrency across processes, expiry,
 * culling and eviction. Implementations: LogEngine (log-engine.ts, the log-structured default) and, for comparison,
 * SqliteEngine (sqlite-engine.ts); open.ts chooses one.
 */
import type { Disk, StoredValue } from '../format/disk.js';
import type { Key } from '../format/keys.js';
import type { CheckWarning } from './check.js';
import type { CompactionResult } from '../shard/compaction.js';

export type { CheckWarning } from './check.js';
/** What compact() did (the SQLite engine's VACUUM answers in the same shape). */
export type { CompactionResult } from '../shard/compaction.js';

/** An item as an engine hands it back. */
export interface Item {
  value: unknown;
  expireTime: number | null;
  tag: unknown;
}

/** The handle's settings, read live by the engine (they change with Cache.reset). */
export interface EngineSettings {
  statistics: boolean;
  evictionPolicy: string;
  sizeLimit: number;
  cullLimit: number;
}

export type Side = 'front' | 'back';

/**
 * How an engine gets its Disk and the handle's live settings as it opens: called once, from the engine's
 * constructor, with the settings stored in the directory and the engine's writeSetting (the handle stores the
 * settings that differ before it builds its Disk from them).
 */
export type EngineSetup = (
  stored: Map<string, unknown>, writeSetting: (name: string, value: unknown) => void,
) => { disk: Disk; settings: EngineSettings };

/** Names in the settings store that are diskcache's counters and totals, not settings (Cache.reset reads them). */
export const METADATA_KEYS: ReadonlySet<string> = new Set(['count', 'size', 'hits', 'misses']);

export { unsafeSum, unsafeIncr } from '../shard/counters.js';

export interface CacheEngine {
  /** Settings stored in the directory (read at open and by reset). */
  storedSettings(): Map<string, unknown>;
  writeSetting(name: string, value: unknown): void;
  /**
   * Cache.reset has changed setting `name` in the live settings: the engine re-chooses what depends on it (the
   * eviction policy's and the statistics' hooks), which it otherwise chooses once, at open.
   */
  settingChanged(name: string): void;

  /** A live item, counting statistics and recording the access for LRU/LFU; undefined on a miss. */
  get(key: Key, read: boolean, deadline: number): Item | undefined;
  has(key: Key): boolean;
  /** Items, expired ones included. */
  count(): number;
  volume(): number;

  /** `expire` is seconds from now (null: never). Each storing command culls afterwards. */
  set(key: Key, stored: StoredValue, expire: number | null, tag: Key | null, deadline: number): void;
  add(key: Key, stored: StoredValue, expire: number | null, tag: Key | null, deadline: number): boolean;
  touch(key: Key, expire: number | null, deadline: number): boolean;
  /** @throws KeyError (missing and no default), TypeError (not a number), RangeError (unsafeSum: nothing applied). */
  incr(key: Key, delta: number, dflt: number | null, deadline: number): number;
  delete(key: Key, deadline: number): boolean;
  pop(key: Key, deadline: number): Item | undefined;
  push(prefix: string | null, side: Side, stored: StoredValue, expire: number | null, tag: Key | null, deadline: number): Key;
  /** Front or back of a queue; removes it when `remove`. Expired items met are removed and skipped. */
  pull(prefix: string | null, side: Side, remove: boolean, deadline: number): [Key, Item] | undefined;
  peekitem(last: boolean, deadline: number): [Key, Item] | undefined;

  expire(now: number, deadline: number): number;
  evict(tag: Key, deadline: number): number;
  clear(deadline: number): number;
  /** Expired items, then policy victims while volume() > sizeLimit. */
  cull(deadline: number): number;

  /** Keys in insertion order (a snapshot). */
  keys(reverse: boolean): Key[];
  /** Keys in sort order. */
  sortedKeys(reverse: boolean): Key[];

  /** Runs fn atomically and isolated from other processes; nested calls join. */
  transact<T>(fn: () => T, deadline: number): T;
  check(fix: boolean): CheckWarning[];
  /** [hits, misses]; zeroes them after reading when `reset`. */
  stats(reset: boolean): [number, number];
  compact(): CompactionResult;
  /** undefined when a write would not wait for another process (its transaction window) now; else a Promise that
   * resolves once it would not, waiting asynchronously, and rejects with Timeout past `deadline`. Absent where an
   * engine cannot tell (its writes wait synchronously). */
  waitWritable?(deadline: number): Promise<void> | undefined;
  /** Compaction in the background (a child process), awaited; absent where an engine has none. */
  compactAsync?(): Promise<CompactionResult>;
  close(): void;
}
