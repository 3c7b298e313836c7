/** diskcache's sentinels and warning categories. */
/** "No value": memoize's marker between a key's positional and typed parts, and a default that means "raise". */
export declare const ENOVAL: unique symbol;
/** "Not known yet" (diskcache passes it as the key to Disk.store when push has not chosen the key). */
export declare const UNKNOWN: unique symbol;
/** check(): a file under the directory that no item references. */
export declare const UnknownFileWarning = "UnknownFileWarning";
/** check(): an empty directory. */
export declare const EmptyDirWarning = "EmptyDirWarning";
