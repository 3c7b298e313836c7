/**
 * FanoutCache.transact on log-structured shards: one transaction across every shard, atomic after a crash or an I/O
 * error, every process deciding the same (the protocol: src/shard/group-commit.ts; docs/engine.md).
 *
 * 1. A window on every shard, in shard order (each BEGIN names the group), then `fn` (its commands are buffered per
 *    shard). An exception aborts every window: nothing applied.
 * 2. The intent (every shard's TXN record) is linked into place: the commit point. Failing to write it, or finding
 *    the name taken by another process's abort claim, aborts every window: nothing applied.
 * 3. Each shard's TXN is appended. A failure here (ENOSPC, a crash) cannot undo the commit: the shards left behind
 *    are completed from the intent by whoever meets their window next, reader or writer. The owner still reports the
 *    error (an IOError) so it knows its shards have not all caught up yet.
 * 4. The intent is removed once every shard applied it.
 */
import { IOError, LogcacheError, TransactionAborted } from '../errors.js';
import { claimDecision, encodeIntent, intentPath, removeDecision } from '../shard/group-commit.js';
import { newWindowId } from '../shard/owner.js';
import type { TxnGroup } from '../engine/log-engine.js';
import * as path from 'node:path';

/** A shard that can take part: runs `fn` in its transaction, adding its part to `group` instead of committing. */
export interface GroupMember {
  transactInGroup<T>(fn: () => T, group: TxnGroup): T;
}

export function groupTransact<T>(members: readonly GroupMember[], fn: () => T): T {
  const group: TxnGroup = { id: newWindowId(), parts: [] };
  const run = (i: number): T => (i === members.length ? fn() : members[i].transactInGroup(() => run(i + 1), group));
  const result = run(0);
  const { parts } = group;
  if (parts.length === 0) return result;
  const first = parts[0].shard;
  const file = intentPath(first.dir, group.id);
  const intent = encodeIntent(parts.map((p) => ({
    shard: path.basename(p.shard.dir), writer: p.shard.writer, time: p.record.time, value: p.record.value,
  })));
  let decided;
  try {
    decided = claimDecision(first.fs, file, intent, first.syncPolicy === 'always');
  } catch (err) {
    abortAll(group);
    throw err instanceof LogcacheError ? err : new IOError('write the intent of a FanoutCache transaction', err);
  }
  if (decided.kind === 'abort') {
    // Another process found one of our windows abandoned (our lease ran out) and claimed the group for ABORT first.
    abortAll(group);
    throw new TransactionAborted();
  }
  let failure: unknown = null;
  for (const p of parts) {
    try {
      p.commit();
    } catch (err) {
      failure ??= err;
    }
  }
  if (failure !== null) {
    const why = failure instanceof Error ? failure.message : String(failure);
    throw new IOError(`the FanoutCache transaction committed, but a shard could not apply it yet (the next access there completes it): ${why}`, failure);
  }
  removeDecision(first.fs, file);
  return result;
}

function abortAll(group: TxnGroup): void {
  for (const p of group.parts) {
    try {
      p.abort();
    } catch {
      // The window stays open until its lease runs out; nothing of the group applies anywhere.
    }
  }
}
