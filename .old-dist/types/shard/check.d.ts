import type { Shard } from './shard.js';
export interface CheckWarning {
    /** 'UserWarning', 'UnknownFileWarning', 'EmptyDirWarning' (diskcache's) or 'CorruptionWarning'. */
    category: string;
    message: string;
}
export declare function checkShard(shard: Shard, disk: {
    remove(relative: string): void;
}, fix: boolean): CheckWarning[];
/** What scanFiles found: paths relative to the shard directory. */
export interface FileScan {
    unknown: string[];
    empty: string[];
    leftovers: string[];
}
/**
 * diskcache's file walk, shared by both engines: files nobody references and empty directories, top-down in one
 * pass. `rootFile` classes a file in the directory itself: the engine's own, a leftover of a dead process, or other
 * (then unknown unless referenced). Lock directories (`*.lock`) are not walked.
 */
export declare function scanFiles(fs: Shard['fs'], dir: string, referenced: ReadonlySet<string>, rootFile: (name: string) => 'engine' | 'leftover' | 'other'): FileScan;
export declare function fileWarnings(dir: string, scan: FileScan): CheckWarning[];
/** The repair of what scanFiles found: unknown files and leftovers go, and empty directories with the parents that
 * become empty (diskcache would report those on the next check; a repair should leave nothing to report). */
export declare function tidyFiles(fs: Shard['fs'], dir: string, scan: FileScan, disk: {
    remove(relative: string): void;
}): void;
