/**
 * The option objects of Cache's (and FanoutCache's) methods, and the flag shapes the read overloads select on:
 * `expireTime: true` and/or `tag: true` turn a read's result into diskcache's tuple.
 */
import type * as nodeFs from 'node:fs';
import type { Disk } from '../format/disk.js';
import type { Key } from '../format/keys.js';
import type { Settings } from './settings.js';

export interface CacheOptions extends Partial<Settings> {
  /** Seconds a write waits for another process's transaction before Timeout. Default 60 (FanoutCache: 0.010). */
  timeout?: number;
  /** The Disk class (a subclass of Disk). Default Disk. */
  disk?: typeof Disk;
  /** fsync policy. Default 'none' (a returned write survives a crash of the process, not of the machine). */
  sync?: 'none' | 'interval' | 'always';
  /** Segment roll-over size in bytes. Default 64 MiB. */
  segmentBytes?: number;
  /** Automatic compaction threshold in dead bytes (0: off). Default 8 MiB. */
  compactMinBytes?: number;
  /**
   * Backpressure: while the log is past the point where automatic compaction is wanted and the background compactor
   * has not caught up, this process's writes give up a share of its time (growing with the backlog, at most 80%; a
   * synchronous write sleeps at most 0.5 ms, `whenWritable()` lets an asynchronous caller wait with a timer instead),
   * so the compactor gets a core and the disk stays bounded under sustained writes. false: writes never wait for
   * compaction (the log may then grow as long as writing keeps every core busy). Default true. Log engine only.
   */
  throttleWrites?: boolean;
  /**
   * Seconds this handle's transaction may go without a call on the cache before other processes may close its window
   * (its commit then throws TransactionAborted). Renewed by every call inside the transaction. Default 10.
   */
  transactionLease?: number;
  /** File-system layer (tests inject faults through it): node:fs or an object with the same calls. */
  fs?: typeof nodeFs;
  /**
   * The storage engine: 'log' (default: log-structured segments, no native code) or 'sqlite' (python-diskcache's
   * schema and pragmas, for comparison; needs `node:sqlite` (Node 22.5+) or a built `better-sqlite3`, else
   * SqliteMissingError). A directory is written by one engine; open it with the same one.
   */
  engine?: 'log' | 'sqlite';
}

export interface SetOptions { expire?: number | null; read?: boolean; tag?: Key | null; retry?: boolean }
/** get's options; `default` is what a miss returns (default undefined). */
export interface GetOptions<T = unknown> { default?: T; read?: boolean; expireTime?: boolean; tag?: boolean; retry?: boolean }
/** pop's options; `default` is what a miss returns (default undefined). */
export interface PopOptions<T = unknown> { default?: T; expireTime?: boolean; tag?: boolean; retry?: boolean }
export interface RetryOptions { retry?: boolean }
/** incr's options: a bigint `delta` or `default` makes the counter a bigint (exact to int64). */
export interface IncrOptions { delta?: number | bigint; default?: number | bigint | null; retry?: boolean }
export interface PushOptions extends SetOptions { prefix?: string | null; side?: 'back' | 'front' }
/** pull's and peek's options; `default` is what an empty queue returns (default `[undefined, undefined]`). */
export interface PullOptions<D = unknown> { prefix?: string | null; default?: D; side?: 'front' | 'back'; expireTime?: boolean; tag?: boolean; retry?: boolean }
export interface PeekItemOptions { last?: boolean; expireTime?: boolean; tag?: boolean; retry?: boolean }

/** Flag shapes the read overloads select on. */
export interface BothFlags { expireTime: true; tag: true }
export interface ExpireTimeFlag { expireTime: true; tag?: false }
export interface TagFlag { expireTime?: false; tag: true }
export interface NoFlags { expireTime?: false; tag?: false }

/** A read's result with both flags: the value (or default), its expire time (epoch seconds; null: never), its tag. */
export type WithExpireTimeAndTag<V> = [value: V, expireTime: number | null, tag: Key | null];
export type WithExpireTime<V> = [value: V, expireTime: number | null];
export type WithTag<V> = [value: V, tag: Key | null];
/** Any shape a read returns when the flags are not literal `true`/`false`. */
export type AnyShape<V> = V | WithExpireTime<V> | WithTag<V> | WithExpireTimeAndTag<V>;
/** A queue item: its key and value. An empty queue gives `[undefined, undefined]` (or the default). */
export type QueueItem<T> = [key: Key, value: T];
export type NoQueueItem = [key: undefined, value: undefined];
