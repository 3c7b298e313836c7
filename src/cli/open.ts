/**
 * Opening a cache directory from the command line without creating one: its shards (a Cache's directory, or a
 * FanoutCache's `000`, `001`, …), its sub-collections, and the file-system layer every Cache the command opens
 * gets: it moves the progress bar, and it keeps the access sidecar (hit/miss counters, access times) as the
 * application left it, so that a command never counts as a read.
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { Cache } from '../index.js';
import type { CacheOptions } from '../index.js';
import { hasLogFiles, logFilesBytes } from '../format/files.js';
import { UsageError } from './args.js';
import type { Ctx } from './context.js';
import type { Progress } from './progress.js';

type FsLike = NonNullable<CacheOptions['fs']>;

/** The access sidecar's file name (src/shard/sidecar.ts). */
const SIDECAR = 'access.bin';

/** node:fs with the bytes of reads and writes reported to `progress`, and writes to the access sidecar dropped. */
function commandFs(progress: Progress): FsLike {
  const f = { ...nodeFs } as Record<string, unknown>;
  const sidecarFds = new Set<number>();
  const openSync = nodeFs.openSync as (...a: unknown[]) => number;
  const closeSync = nodeFs.closeSync as (fd: number) => void;
  const readSync = nodeFs.readSync as (...a: unknown[]) => number;
  const writeSync = nodeFs.writeSync as (...a: unknown[]) => number;
  const readFileSync = nodeFs.readFileSync as (...a: unknown[]) => string | Buffer;
  f.openSync = (...a: unknown[]) => {
    const fd = openSync(...a);
    if (typeof a[0] === 'string' && path.basename(a[0]) === SIDECAR) sidecarFds.add(fd);
    return fd;
  };
  f.closeSync = (fd: number) => {
    sidecarFds.delete(fd);
    closeSync(fd);
  };
  f.readSync = (...a: unknown[]) => {
    const n = readSync(...a);
    if (progress.counting === 'read') progress.add(n);
    return n;
  };
  f.readFileSync = (...a: unknown[]) => {
    const b = readFileSync(...a);
    if (progress.counting === 'read') progress.add(b.length);
    return b;
  };
  f.writeSync = (...a: unknown[]) => {
    // (fd, buffer, offset, length, position) as the sidecar writes: report it written, leave the file alone.
    if (sidecarFds.has(a[0] as number)) return typeof a[3] === 'number' ? a[3] : (a[1] as Uint8Array).length;
    const n = writeSync(...a);
    if (progress.counting === 'write') progress.add(n);
    return n;
  };
  return f as unknown as FsLike;
}

/** A cache directory's shards: itself (a Cache) or its `NNN` sub-directories (a FanoutCache). */
export function findShards(dir: string): { kind: 'Cache' | 'FanoutCache'; shards: string[] } {
  let st: nodeFs.Stats;
  try {
    st = nodeFs.statSync(dir);
  } catch {
    throw new UsageError(`no such directory: ${dir}`);
  }
  if (!st.isDirectory()) throw new UsageError(`not a directory: ${dir}`);
  if (hasLogFiles(nodeFs, dir)) return { kind: 'Cache', shards: [dir] };
  const shards = nodeFs.readdirSync(dir).filter((n) => /^\d{3}$/.test(n)).sort().map((n) => path.join(dir, n)).filter((d) => hasLogFiles(nodeFs, d));
  if (shards.length > 0) return { kind: 'FanoutCache', shards };
  throw new UsageError(`not a logcache directory (no log files in it or in 000/, 001/, ...): ${dir}`);
}

/** FanoutCache sub-collections: cache dirs under `cache/`, `deque/` and `index/`. */
export function findCollections(dir: string): { kind: string; name: string; dir: string }[] {
  const found: { kind: string; name: string; dir: string }[] = [];
  const walk = (kind: string, rel: string, depth: number) => {
    const full = path.join(dir, kind, rel);
    if (rel !== '' && hasLogFiles(nodeFs, full)) found.push({ kind, name: rel.split(path.sep).join('/'), dir: full });
    if (depth > 8) return;
    let entries: nodeFs.Dirent[];
    try { entries = nodeFs.readdirSync(full, { withFileTypes: true }); } catch { return; }
    for (const e of entries) if (e.isDirectory() && !e.name.endsWith('.lock')) walk(kind, rel === '' ? e.name : path.join(rel, e.name), depth + 1);
  };
  for (const kind of ['cache', 'deque', 'index']) walk(kind, '', 0);
  return found;
}

/** Bytes of the log files of `dir`. */
export const logBytes = (dir: string): number => logFilesBytes(nodeFs, dir);

/** Opens every shard of DIR through the command's file-system layer (opening a large log moves the bar too). */
export function openShards(ctx: Ctx, dir: string): { kind: string; caches: Cache[] } {
  const { kind, shards } = findShards(dir);
  ctx.progress.phase('opening', shards.reduce((n, s) => n + logBytes(s), 0));
  const fs = commandFs(ctx.progress);
  const caches: Cache[] = [];
  try {
    for (const s of shards) caches.push(new Cache(s, { fs }));
  } catch (err) {
    closeAll(caches);
    throw err;
  }
  return { kind, caches };
}

/** Opens a sub-collection (stats) through the same layer. */
export function openCollection(ctx: Ctx, dir: string): Cache {
  return new Cache(dir, { fs: commandFs(ctx.progress) });
}

export function closeAll(caches: Cache[]): void {
  for (const c of caches) c.close();
}

/** A shard's name within DIR: '' for a Cache, '000', '001', ... for a FanoutCache's shards. */
export function shardName(root: string, dir: string): string {
  return path.relative(root, dir);
}

export function prefix(shard: string): string {
  return shard === '' ? '' : `${shard}: `;
}
