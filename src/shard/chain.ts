/**
 * Chains of bases (format.md, "Chains"): which earlier bases a base builds on, read from its first record. A whole
 * base builds on none; a chain link (a partial compaction's base, compaction.ts) names the earlier bases it needs,
 * oldest first. Used by a load (reload.ts), by a process meeting a DONE seal (which of its files the new base
 * replaces: base-switch.ts), and by a compaction choosing what to merge.
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { CHAIN_FORMAT_VERSION, FILE_HEADER_BYTES, KIND_BASE, parseFileHeader } from '../format/segment.js';
import { FRAME_HEADER_BYTES, FRAME_OK, newFrameView, readFrame } from '../format/frame.js';
import { OP_CHAIN, RECORD_FIXED_BYTES, newRecordView, readRecord } from '../format/record.js';
import { MAX_CHAIN, readChain } from '../format/base.js';
import { baseName } from '../format/files.js';
import { readAt } from './chunks.js';
import type { FsLike } from './core.js';
import type { Shard } from './shard.js';
import { NIL } from './keydir.js';

/** The bases a base builds on (oldest first; none for a whole base), and the version its header states. */
export interface Chain {
  ids: number[];
  version: number;
  /** It begins with a CHAIN record. */
  link: boolean;
}

/** A base that cannot be read as one, and why. */
export interface BadChain {
  bad: string;
}

/** Whether a base's header version disagrees with what it holds (a flipped bit: the header has no checksum). */
export function chainHeaderDamaged(c: Chain): boolean {
  return c.link ? c.version < CHAIN_FORMAT_VERSION : c.version >= CHAIN_FORMAT_VERSION;
}

/** The most bytes a CHAIN frame takes. */
const CHAIN_FRAME_BYTES = FRAME_HEADER_BYTES + RECORD_FIXED_BYTES + 4 + 4 * MAX_CHAIN;

/**
 * What base `id` builds on: the ids of the earlier bases (empty for a whole base), 'gone' when it does not exist,
 * `{ bad }` with the reason when it cannot be read as a base (the load reports it). A header saying version 4 over a base whose first
 * record is an item is a whole base with a damaged header (the load reads it as one); a CHAIN record decides.
 */
export function chainOf(fs: FsLike, dir: string, id: number): Chain | 'gone' | BadChain {
  const name = baseName(id);
  let fd: number;
  try {
    fd = fs.openSync(path.join(dir, name), nodeFs.constants.O_RDONLY | nodeFs.constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return { bad: `cannot open: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  try {
    const buf = Buffer.alloc(FILE_HEADER_BYTES + CHAIN_FRAME_BYTES);
    const got = readAt(fs, fd, buf, buf.length, 0);
    const header = parseFileHeader(buf.subarray(0, Math.min(got, FILE_HEADER_BYTES)), KIND_BASE, id, name);
    if (typeof header === 'string') return { bad: header };
    const f = readFrame(buf, header.start, got, newFrameView(), header.salt);
    const version = header.version;
    if (f.status !== FRAME_OK) return version >= CHAIN_FORMAT_VERSION ? { bad: 'its first record does not check out' } : { ids: [], version, link: false };
    if (f.op !== OP_CHAIN) return { ids: [], version, link: false };
    const r = newRecordView();
    const ids = readRecord(buf, f.op, f.body, f.length, r) ? readChain(buf, r.valueStart, r.valueLength, id) : null;
    return ids === null ? { bad: 'its first record names no valid chain of bases' } : { ids, version, link: true };
  } catch (err) {
    if ((err as Error).name === 'NewerFormatError') throw err;
    return { bad: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  } finally {
    try { fs.closeSync(fd); } catch { /* gone */ }
  }
}

/** What a chain link holds: the bases it builds on, which bases' items it rewrites, and since when items changed. */
export interface LinkPlan {
  /** Ids of the earlier bases the link builds on (kept), oldest first. */
  keep: number[];
  /** Local file numbers of the bases it merges: their live items are rewritten into it. */
  merged: Set<number>;
  /** The record count at the newest base's seal: every item of a higher version changed after it, and is rewritten. */
  since: number;
  /** Frames' bytes of the kept bases (what the compaction does not reclaim). */
  keptBytes: number;
}

/** A chain longer than this merges its oldest bases until LINKS_AFTER_MERGE are left: a load opens every one. */
export const MAX_LINKS = 32;
/** After the writes, a link merges the oldest bases with dead items in them, up to this share of the live bytes. */
export const IDLE_MERGE_FRACTION = 0.25;
const LINKS_AFTER_MERGE = 16;

/**
 * What a compaction of `shard` merges: null for a whole base (every base, and every segment, replaced), or a chain
 * link's plan. A link is written only by a handle that kept its removals since its newest base's seal and met no
 * DONE seal since (Shard.chain.fresh). It merges the oldest bases while each is at least half dead (so a base is
 * rewritten once most of it is dead, and the extra disk a compaction takes is those bases' live part and the
 * segments', not the whole store's), or `merge` of them when given (tests); all of them is a whole base. Once the
 * writes stopped (`idle`), also the next oldest bases with anything dead, up to IDLE_MERGE_FRACTION of the live bytes.
 */
export function planLink(shard: Shard, merge?: number, idle = false): LinkPlan | null {
  const ch = shard.chain;
  if (shard.state.removedKeys === null || !ch.fresh || shard.baseId === 0) return null;
  const ids = [...ch.ids, shard.baseId];
  const held = shard.heldBases(new Set(ids));
  if (held.length !== ids.length) return null;
  const fileOf = new Map<number, number>();
  held.forEach((h, i) => fileOf.set(h.file, i));
  const live = new Float64Array(ids.length);
  const kd = shard.state.kd;
  for (let s = kd.insHead; s !== NIL; s = kd.insNext[s]) {
    const i = fileOf.get(kd.file[s]);
    if (i !== undefined) live[i] += kd.itemBytesOf(s);
  }
  // The oldest bases that are each at least half dead (a run of them: a link merges a prefix of the chain).
  let j = 0;
  while (j < ids.length && held[j]!.bytes - live[j]! >= live[j]!) j++;
  if (idle) {
    // After the writes (the idle rule): the oldest bases with anything dead, up to IDLE_MERGE_FRACTION of the live
    // bytes rewritten in one link (the idle rule asks again while a quarter of the log is dead, so the chain is
    // cleaned a part at a time, never rewritten whole at once).
    let rewritten = 0;
    const budget = kd.liveFrameBytes * IDLE_MERGE_FRACTION;
    while (j < ids.length && held[j]!.bytes > live[j]! && (rewritten === 0 || rewritten + live[j]! <= budget)) rewritten += live[j++]!;
  }
  if (ids.length - j > MAX_LINKS) j = ids.length - LINKS_AFTER_MERGE;
  if (merge !== undefined) j = Math.max(0, Math.min(ids.length, merge));
  if (j >= ids.length) return null;
  return {
    keep: ids.slice(j),
    merged: new Set(held.slice(0, j).map((h) => h.file)),
    since: ch.seq,
    keptBytes: held.slice(j).reduce((n, h) => n + h.bytes, 0),
  };
}
