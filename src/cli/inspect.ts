/** The commands that only read: stats, keys and get. */
import { inspect } from 'node:util';
import type { Key } from '../index.js';
import { UsageError, dirArg, intFlag } from './args.js';
import type { Ctx } from './context.js';
import { formatBytes, formatKey, fromJsonKey, toJson } from './format.js';
import { closeAll, findCollections, logBytes, openCollection, openShards } from './open.js';

export function cmdStats(ctx: Ctx): number {
  const dir = dirArg(ctx);
  const { kind, caches } = openShards(ctx, dir);
  try {
    const count = caches.reduce((n, c) => n + c.size, 0);
    const volume = caches.reduce((n, c) => n + c.volume(), 0);
    const settings = caches[0].settings;
    // The counters live in a side file that reading them would create: read them only while they are kept.
    const counter = (name: string) => (settings.statistics ? caches.reduce((n, c) => n + (c.reset(name) as number), 0) : 0);
    const hits = counter('hits');
    const misses = counter('misses');
    const logs = caches.reduce((n, c) => n + logBytes(c.directory), 0);
    const collections = findCollections(dir).map((col) => {
      const c = openCollection(ctx, col.dir);
      try { return { kind: col.kind, name: col.name, count: c.size, volume: c.volume() }; } finally { c.close(); }
    });
    ctx.progress.finish();
    if (ctx.json) {
      ctx.emitJson({ directory: dir, kind, shards: caches.length, count, volume, logBytes: logs, hits, misses, settings, collections });
      return 0;
    }
    ctx.print(`directory   ${dir}`);
    ctx.print(`kind        ${kind}${kind === 'FanoutCache' ? ` (${caches.length} shards)` : ''}`);
    ctx.print(`items       ${count} (expired ones not yet removed included)`);
    ctx.print(`volume      ${formatBytes(volume)} live (records and value files)`);
    ctx.print(`log files   ${formatBytes(logs)} on disk (dead records go at the next compaction)`);
    ctx.print(`statistics  ${settings.statistics ? `${hits} hits, ${misses} misses` : 'off'}`);
    ctx.print(`eviction    ${settings.evictionPolicy}, size limit ${formatBytes(settings.sizeLimit * caches.length)}, cull limit ${settings.cullLimit}`);
    for (const c of collections) ctx.print(`${c.kind.padEnd(11)} ${c.name}: ${c.count} items, ${formatBytes(c.volume)}`);
    return 0;
  } finally {
    closeAll(caches);
  }
}

export function cmdKeys(ctx: Ctx): number {
  const dir = dirArg(ctx);
  const limit = intFlag(ctx.args, '--limit', Number.MAX_SAFE_INTEGER);
  const { caches } = openShards(ctx, dir);
  try {
    const keys: Key[] = [];
    outer: for (const c of caches) {
      for (const k of c.keys()) {
        if (keys.length >= limit) break outer;
        keys.push(k);
      }
    }
    ctx.progress.finish();
    if (ctx.json) ctx.emitJson(keys.map(toJson));
    else for (const k of keys) ctx.print(formatKey(k));
    return 0;
  } finally {
    closeAll(caches);
  }
}

function keyArg(ctx: Ctx): Key {
  const raw = ctx.args.positional[0];
  if (!ctx.args.flags.has('--json-key')) return raw;
  try {
    return fromJsonKey(JSON.parse(raw));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--json-key: KEY is not JSON: ${raw}`);
  }
}

const MISS = Symbol('miss');

/**
 * Prints one value. Exit 1 when the key is not there, or when it is there but its value cannot be read (its value
 * file is gone or corrupt: `check` reports it, `check --fix` removes the item).
 */
export function cmdGet(ctx: Ctx): number {
  const dir = dirArg(ctx, 1);
  const key = keyArg(ctx);
  const { caches } = openShards(ctx, dir);
  try {
    let unreadable = false;
    for (const c of caches) {
      const [value, expireTime, tag] = c.get(key, { default: MISS, expireTime: true, tag: true }) as [unknown, number | null, unknown];
      if (value === MISS) {
        unreadable ||= c.has(key);
        continue;
      }
      ctx.progress.finish();
      if (ctx.json) ctx.emitJson({ key: toJson(key), found: true, value: toJson(value), expireTime, tag: toJson(tag) });
      else if (typeof value === 'string') ctx.print(value);
      else if (value instanceof Uint8Array) ctx.io.stdout.write(value);
      else ctx.print(inspect(value, { depth: 8, colors: false, maxArrayLength: 200 }));
      return 0;
    }
    ctx.progress.finish();
    const problem = unreadable ? 'its value file is missing or unreadable (run `logcache check` on the directory)' : 'key not found';
    if (ctx.json) ctx.emitJson({ key: toJson(key), found: false, ...(unreadable ? { error: problem } : {}) });
    ctx.io.stderr.write(unreadable ? `${formatKey(key)}: ${problem}\n` : `key not found: ${formatKey(key)}\n`);
    return 1;
  } finally {
    closeAll(caches);
  }
}
