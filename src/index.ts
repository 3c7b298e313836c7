/** logcache: python-diskcache's API on a log-structured, process-safe disk engine. */
export { Cache } from './api/cache.js';
export { FanoutCache } from './api/fanout.js';
export type { FanoutCacheOptions } from './api/fanout.js';
export { Deque } from './api/deque.js';
export type { DequeOptions } from './api/deque.js';
export { Index } from './api/index-map.js';
export { Averager } from './api/averager.js';
export { Lock, RLock, BoundedSemaphore } from './api/locks.js';
export { throttle, barrier, memoizeStampede } from './api/recipes.js';
export type { RecipeCache, RecipeOptions, ThrottleOptions, StampedeOptions, AsyncLock } from './api/recipes.js';
export type { AcquireOptions, LockGuard } from './api/locks.js';
export type {
  CacheOptions, SetOptions, GetOptions, PopOptions, IncrOptions, PushOptions, PullOptions, PeekItemOptions, RetryOptions,
  BothFlags, ExpireTimeFlag, TagFlag, NoFlags, WithExpireTime, WithTag, WithExpireTimeAndTag, AnyShape, QueueItem,
  NoQueueItem,
} from './api/options.js';
export { DEFAULT_SETTINGS, EVICTION_POLICY } from './api/settings.js';
export type { EvictionPolicyName, Settings } from './api/settings.js';
export { ENOVAL, UNKNOWN, UnknownFileWarning, EmptyDirWarning } from './api/constants.js';
export { memoize } from './api/memoize.js';
export { argsToKey } from './api/memoize-key.js';
export type { MemoizeOptions, MemoizedFunction, MemoizeTarget, Memoizer } from './api/memoize.js';
export { Disk, JSONDisk } from './format/disk.js';
export type { Key } from './format/keys.js';
export type { CheckWarning, CompactionResult } from './shard/reports.js';
export {
  LogcacheError, KeyError, IndexError, Timeout, ClosedError, CorruptionError, IOError, SqliteMissingError, ERROR_CODES,
  TransactionAborted, InTransactionError, NewerFormatError,
} from './errors.js';
export type { ErrorCode } from './errors.js';
