/** The commands that change a cache: check (with --fix), compact and clear. */
import type { CheckWarning } from '../index.js';
import { UsageError, dirArg } from './args.js';
import type { Ctx } from './context.js';
import { formatBytes } from './format.js';
import { closeAll, logBytes, openShards, prefix, shardName } from './open.js';

export function cmdCheck(ctx: Ctx): number {
  const dir = dirArg(ctx);
  const fix = ctx.args.flags.has('--fix');
  const { caches } = openShards(ctx, dir);
  try {
    const warnings: (CheckWarning & { shard: string })[] = [];
    for (const c of caches) {
      ctx.progress.phase(`checking ${shardName(dir, c.directory)}`.trim(), logBytes(c.directory));
      for (const w of c.check({ fix })) warnings.push({ shard: shardName(dir, c.directory), ...w });
    }
    // After a repair, look again: what is left is what the repair could not fix.
    const remaining = fix ? caches.flatMap((c) => c.check()) : warnings;
    ctx.progress.finish();
    const ok = remaining.length === 0;
    if (ctx.json) {
      ctx.emitJson({ directory: dir, ok, fixed: fix, warnings, remaining: fix ? remaining : undefined });
    } else {
      for (const w of warnings) ctx.print(`${prefix(w.shard)}${w.category}: ${w.message}`);
      if (warnings.length === 0) ctx.print(`ok: ${caches.length} shard(s), no problems found`);
      else if (fix) ctx.print(ok ? `repaired ${warnings.length} problem(s)` : `${remaining.length} problem(s) remain after repair`);
      else ctx.print(`${warnings.length} problem(s) found; run with --fix to repair`);
    }
    return ok ? 0 : 1;
  } finally {
    closeAll(caches);
  }
}

/** Removes expired items, then compacts each shard that has dead records (a shard with none is left as it is). */
export function cmdCompact(ctx: Ctx): number {
  const dir = dirArg(ctx);
  const { caches } = openShards(ctx, dir);
  try {
    const expired = caches.reduce((n, c) => n + c.expire(), 0);
    // The base holds the live records: volume() is its size plus the value files, a close upper bound.
    const results = caches.map((c) => {
      const shard = shardName(dir, c.directory);
      ctx.progress.phase(`compacting ${shard}`.trim(), c.volume(), 'write');
      return { shard, ...c.compact(), live: c.size };
    });
    ctx.progress.finish();
    const before = results.reduce((n, r) => n + r.bytesBefore, 0);
    const after = results.reduce((n, r) => n + r.bytesAfter, 0);
    if (ctx.json) {
      ctx.emitJson({ directory: dir, expired, bytesBefore: before, bytesAfter: after, shards: results.map(({ live: _, ...r }) => r) });
      return 0;
    }
    if (expired > 0) ctx.print(`removed ${expired} expired item(s)`);
    for (const r of results) {
      if (r.skipped === 'locked') ctx.print(`${prefix(r.shard)}skipped (another process is compacting it)`);
      else if (r.skipped) ctx.print(`${prefix(r.shard)}${r.live} items, nothing to reclaim (${formatBytes(r.bytesBefore)})`);
      else ctx.print(`${prefix(r.shard)}${r.items} items, ${formatBytes(r.bytesBefore)} -> ${formatBytes(r.bytesAfter)}`);
    }
    ctx.print(`log files ${formatBytes(before)} -> ${formatBytes(after)}`);
    return 0;
  } finally {
    closeAll(caches);
  }
}

/** Removes every item, once confirmed: --yes, or a yes typed at the terminal. */
export function cmdClear(ctx: Ctx): number {
  const dir = dirArg(ctx);
  const { caches } = openShards(ctx, dir);
  try {
    ctx.progress.finish();
    if (!ctx.args.flags.has('--yes')) {
      const stdin = ctx.io.stdin;
      if (!stdin?.isTTY) throw new UsageError('clear removes every item: pass --yes to confirm (stdin is not a terminal to ask on)');
      const count = caches.reduce((n, c) => n + c.size, 0);
      ctx.io.stderr.write(`remove all ${count} item(s) from ${dir}? [y/N] `);
      if (!/^y(es)?$/i.test(stdin.readLine()?.trim() ?? '')) {
        ctx.io.stderr.write('nothing removed\n');
        return 1;
      }
    }
    const removed = caches.reduce((n, c) => n + c.clear({ retry: true }), 0);
    if (ctx.json) ctx.emitJson({ directory: dir, removed });
    else ctx.print(`removed ${removed} item(s)`);
    return 0;
  } finally {
    closeAll(caches);
  }
}
