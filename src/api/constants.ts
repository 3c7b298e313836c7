/** diskcache's sentinels and warning categories. */

/** "No value": memoize's marker between a key's positional and typed parts, and a default that means "raise". */
export const ENOVAL: unique symbol = Symbol.for('logcache.ENOVAL');
/** "Not known yet" (diskcache passes it as the key to Disk.store when push has not chosen the key). */
export const UNKNOWN: unique symbol = Symbol.for('logcache.UNKNOWN');

/** check(): a file under the directory that no item references. */
export const UnknownFileWarning = 'UnknownFileWarning';
/** check(): an empty directory. */
export const EmptyDirWarning = 'EmptyDirWarning';
