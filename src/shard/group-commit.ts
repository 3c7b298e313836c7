/**
 * Atomic commit of one transaction across several shards (FanoutCache.transact); docs/engine.md, "Transactions
 * across shards".
 *
 * The owner holds a window on every shard; each BEGIN names the group (a random 16-byte id). When `fn` has run, the
 * owner writes one **intent** file, `<parent>/intents/<id hex>`: every shard's TXN record (its writer id, time and
 * bytes), written whole under a temporary name and linked into place. That link is the commit point. Then it appends
 * each shard's TXN as usual and removes the intent.
 *
 * Whoever meets a group window deals with it from the intent alone, so every process decides the same:
 * - intent present: the transaction committed. Anyone may complete a shard whose window is still open by appending
 *   that shard's TXN from the intent under the owner's writer id (a reader does it before it answers; a second copy,
 *   or the owner's own TXN after it, applies nothing);
 * - intent absent and the window abandoned (owner gone or lease run out): a waiter claims the id for ABORT by linking
 *   an abort marker at the same name. Exactly one of the owner's intent and a marker can win the name; the owner
 *   whose link fails reads the marker and aborts everywhere.
 */
import * as path from 'node:path';
import { randomBytes } from '../builtin.js';
import { now as clockNow } from '../clock.js';
import { OP_ABORT, OP_TXN, encodeRecord } from '../format/record.js';
import type { FsLike, ShardCore } from './core.js';

const INTENT_MAGIC = Buffer.from('LCINTENT');
const ABORT_MAGIC = Buffer.from('LCABORT!');
/** An intent holds at most this many shards (a FanoutCache has far fewer). */
const MAX_PARTS = 4096;

/** One shard's part of a committed group: the TXN record its window's owner appends. */
export interface GroupPart {
  /** The shard directory's name (`000`, `001`, …). */
  shard: string;
  writer: number;
  time: number;
  value: Buffer;
}

export type GroupDecision = { kind: 'commit'; parts: GroupPart[] } | { kind: 'abort' };

/** Where the intent of group `id` lives, for a shard in `shardDir`. */
export function intentPath(shardDir: string, id: Buffer): string {
  return path.join(path.dirname(shardDir), 'intents', id.toString('hex'));
}

export function encodeIntent(parts: GroupPart[]): Buffer {
  const chunks: Buffer[] = [INTENT_MAGIC, u32(parts.length)];
  for (const p of parts) {
    const name = Buffer.from(p.shard, 'utf8');
    const head = Buffer.alloc(2 + name.length + 4 + 8 + 4);
    head.writeUInt16LE(name.length, 0);
    name.copy(head, 2);
    head.writeUInt32LE(p.writer >>> 0, 2 + name.length);
    head.writeDoubleLE(p.time, 6 + name.length);
    head.writeUInt32LE(p.value.length, 14 + name.length);
    chunks.push(head, p.value);
  }
  return Buffer.concat(chunks);
}

/** The decision stored in an intent file's bytes; null when they are neither (damaged: treated as absent). */
export function decodeIntent(b: Buffer): GroupDecision | null {
  if (b.length === ABORT_MAGIC.length && b.equals(ABORT_MAGIC)) return { kind: 'abort' };
  if (b.length < 12 || !b.subarray(0, 8).equals(INTENT_MAGIC)) return null;
  const count = b.readUInt32LE(8);
  if (count > MAX_PARTS) return null;
  const parts: GroupPart[] = [];
  let p = 12;
  for (let i = 0; i < count; i++) {
    if (p + 2 > b.length) return null;
    const n = b.readUInt16LE(p);
    if (p + 2 + n + 16 > b.length) return null;
    const shard = b.toString('utf8', p + 2, p + 2 + n);
    const writer = b.readUInt32LE(p + 2 + n);
    const time = b.readDoubleLE(p + 6 + n);
    const len = b.readUInt32LE(p + 14 + n);
    p += 18 + n;
    if (p + len > b.length) return null;
    parts.push({ shard, writer, time, value: b.subarray(p, p + len) });
    p += len;
  }
  return p === b.length ? { kind: 'commit', parts } : null;
}

/** Reads the decision for a group; null while there is none (or the file does not check out). */
export function readDecision(fs: FsLike, file: string): GroupDecision | null {
  try {
    return decodeIntent(fs.readFileSync(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Links `bytes` into place at `file` unless something is there already. Returns the decision that holds afterwards:
 * ours, or the one that won the name first. File-system errors other than EEXIST are thrown (nothing decided).
 * `durable` (the shard's sync policy is 'always'): fsynced before the link, as a segment write would be.
 */
export function claimDecision(fs: FsLike, file: string, bytes: Buffer, durable: boolean): GroupDecision {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.writeFileSync(tmp, bytes);
    if (durable) {
      const fd = fs.openSync(tmp, 'r');
      try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
    }
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const won = readDecision(fs, file);
    if (won === null) throw Object.assign(new Error(`group decision ${file} does not check out`), { code: 'EIO' });
    return won;
  } finally {
    try { fs.unlinkSync(tmp); } catch { /* never written */ }
  }
  return decodeIntent(bytes)!;
}

/** Claims group `id` for ABORT (or learns that it committed). */
export function claimAbort(fs: FsLike, file: string, durable: boolean): GroupDecision {
  return claimDecision(fs, file, ABORT_MAGIC, durable);
}

/** Removes a decision once every shard has applied it (or none will). */
export function removeDecision(fs: FsLike, file: string): void {
  try { fs.unlinkSync(file); } catch { /* already gone */ }
}

/**
 * Closes the open window of `c`'s shard whose owner will not finish it: with ABORT, or, for a window of a group whose
 * intent committed, by completing it from the intent.
 */
export function closeAbandoned(c: ShardCore, deadline: number): void {
  const { txnOwner: owner, txnGroup: group, txnWindowId: window } = c.state;
  if (group !== null) {
    const decision = c.io('decide a group transaction', () => claimAbort(c.fs, intentPath(c.dir, group), c.syncPolicy === 'always'));
    if (decision.kind === 'commit' && completeFrom(c, decision.parts, owner, window)) return;
  }
  // Naming the window: if it closed meanwhile and its owner opened another, this ABORT closes nothing.
  c.append(OP_ABORT, { time: clockNow(), num1: owner, key: window ?? undefined }, deadline);
}

/**
 * A process that meets a window of a committed group completes it before it answers (a reader too): the window's
 * owner has not written this shard's TXN yet, or failed to. Not our own window while our transaction is open (its
 * commands are applied here already; its own TXN settles them).
 */
export function completeCommittedGroup(c: ShardCore): void {
  const group = c.state.txnGroup;
  if (group === null || c.completingGroup || (c.state.txnOwner === c.writer && c.window.open)) return;
  c.completingGroup = true;
  try {
    const decision = c.io('read a group transaction', () => readDecision(c.fs, intentPath(c.dir, group)));
    if (decision?.kind === 'commit') completeFrom(c, decision.parts, c.state.txnOwner, c.state.txnWindowId);
  } finally {
    c.completingGroup = false;
  }
}

/**
 * Appends this shard's part of a committed group under its owner's writer id; false when the intent has none. The
 * TXN names the window (`window`, the group's id): when it lands after the owner's own TXN and the owner's next
 * BEGIN, it completes nothing (state.ts), instead of committing that next window with this one's commands.
 */
function completeFrom(c: ShardCore, parts: GroupPart[], owner: number, window: Buffer | null): boolean {
  const name = path.basename(c.dir);
  const part = parts.find((p) => p.shard === name && p.writer === owner);
  if (part === undefined) return false;
  const frame = encodeRecord(OP_TXN, { writer: owner, seq: 0, time: part.time, value: part.value, key: window ?? undefined });
  c.segments.appendRaw(frame);
  c.replay.sync();
  return true;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}
