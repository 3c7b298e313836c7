import { LogcacheError } from '../errors.js';
import { type CacheEngine } from './engine.js';
export interface SqliteEngineOptions {
    timeout: number;
    sync?: 'none' | 'interval' | 'always';
}
/** No SQLite binding is available: says what to install. */
export declare class SqliteMissingError extends LogcacheError {
    constructor();
}
export declare function openSqliteEngine(directory: string, options: SqliteEngineOptions): CacheEngine;
