/**
 * What check() reports, and the part of it both engines share: diskcache's walk for files nobody references and
 * empty directories, its warnings and its repair. Each engine adds its own checks (log-check.ts for the log engine,
 * the SQLite engine's integrity check) around these.
 */
import type * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { LOCK_DIR_SUFFIX } from '../format/files.js';
import { isOwnValueDirName, isOwnValueFileName } from '../format/names.js';
import type { FsLike } from '../shard/shard.js';

import type { CheckWarning } from '../shard/reports.js';

export type { CheckWarning };

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
export function scanFiles(fs: FsLike, dir: string, referenced: ReadonlySet<string>, rootFile: (name: string) => 'engine' | 'leftover' | 'other'): FileScan {
  const scan: FileScan = { unknown: [], empty: [], leftovers: [] };
  const walk = (rel: string) => {
    let entries: nodeFs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch (err) {
      // A value-file directory removed meanwhile (a writer deleted its last file): nothing to report there.
      if (rel !== '' && (err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    if (rel !== '' && entries.length === 0) scan.empty.push(rel);
    for (const e of entries) {
      const r = rel === '' ? e.name : path.join(rel, e.name);
      if (e.isDirectory()) {
        if (rel === '' && e.name.endsWith(LOCK_DIR_SUFFIX)) continue;
        walk(r);
        continue;
      }
      const kind = rel === '' ? rootFile(e.name) : 'other';
      if (kind === 'leftover') scan.leftovers.push(r);
      else if (kind === 'other' && !referenced.has(r)) scan.unknown.push(r);
    }
  };
  walk('');
  return scan;
}

export function fileWarnings(dir: string, scan: FileScan): CheckWarning[] {
  return [
    ...scan.unknown.map((u) => ({ category: 'UnknownFileWarning', message: `unknown file: ${path.join(dir, u)}` })),
    ...scan.leftovers.map((l) => ({ category: 'UnknownFileWarning', message: `leftover of a dead process: ${path.join(dir, l)}` })),
    ...scan.empty.map((e) => ({ category: 'EmptyDirWarning', message: `empty directory: ${path.join(dir, e)}` })),
  ];
}

/** The repair of what scanFiles found: unknown value files and leftovers go, and empty value directories with the
 * parents that become empty (diskcache would report those on the next check; a repair should leave nothing to
 * report). Only names the format itself gives are deleted: anything else (a user's file in a directory opened by
 * mistake, a Disk subclass's orphan) is reported and left alone. */
export function tidyFiles(fs: FsLike, dir: string, scan: FileScan, disk: { remove(relative: string): void }): void {
  for (const u of scan.unknown) if (isOwnValueFileName(u)) disk.remove(u);
  for (const l of scan.leftovers) try { fs.unlinkSync(path.join(dir, l)); } catch { /* removed meanwhile */ }
  for (const e of scan.empty) {
    for (let rel = e; isOwnValueDirName(rel); rel = path.dirname(rel)) {
      try { fs.rmdirSync(path.join(dir, rel)); } catch { break; /* not empty */ }
    }
  }
}
