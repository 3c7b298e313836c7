/**
 * Errors (docs/errors.md lists every code). Bad arguments are TypeError/RangeError naming the argument, thrown
 * before anything touches disk. Operational failures are LogcacheError subclasses with a stable `code` and a
 * `cause`. Missing keys follow diskcache: KeyError where Python raises KeyError.
 */
/** Base class of every operational failure; `code` is stable across versions. */
export declare class LogcacheError extends Error {
    readonly code: string;
    constructor(code: string, message: string, options?: {
        cause?: unknown;
    });
}
/** diskcache's KeyError: a missing key where Python raises (getItem, deleteItem, incr with default null, ...). */
export declare class KeyError extends LogcacheError {
    readonly key: unknown;
    constructor(key: unknown, message?: string);
}
/** diskcache's IndexError (Deque). */
export declare class IndexError extends LogcacheError {
    constructor(message: string);
}
/** diskcache's Timeout: an operation could not complete within `timeout` seconds. `count` is work done so far. */
export declare class Timeout extends LogcacheError {
    readonly count: number | undefined;
    constructor(count?: number, message?: string);
}
/** The handle was closed. */
export declare class ClosedError extends LogcacheError {
    constructor(what?: string);
}
/** Bytes on disk that do not check out; carries where and why. */
export declare class CorruptionError extends LogcacheError {
    readonly file: string;
    readonly offset: number;
    readonly bytes: number;
    readonly reason: string;
    constructor(file: string, offset: number, bytes: number, reason: string);
}
/** A file-system call failed (EIO, ENOSPC, EACCES, ...); `cause` is Node's error. */
export declare class IOError extends LogcacheError {
    constructor(message: string, cause: unknown);
}
export declare function describe(v: unknown): string;
