/**
 * Compaction (Bitcask's merge): writes the live items, as of the seal of the active segment, into a base file,
 * then removes the segments (and older bases) it replaces. Every process that reaches the "compaction done" seal
 * reloads from the base and lets the old files go (Linux keeps an unlinked file readable through an open fd, so
 * a process still reading an old segment is not disturbed).
 *
 * Crash reasoning: the base is written under a temporary name, fsynced and linked into place, so it exists whole
 * or not at all; old files are removed only after that. Two compactors at once (a lock lost to a stalled event
 * loop) write the same items for the same seal (under salts of their own); the second link fails with EEXIST and is
 * ignored.
 */
import { now as clockNow } from '../clock.js';
import * as path from 'node:path';
import {
  FLAG_FILE, FLAG_HAS_EXPIRE, FLAG_HAS_TAG, OP_BASE, OP_CHAIN, OP_ENTRY, OP_ITEM, OP_SETTING, OP_TOMB, RECORD_FIXED_BYTES, RecordFields, RecordInput,
  SEAL_COMPACTION_DONE, SEAL_COMPACTION_START, encodeRecordInto, recordFrameBytes, writeRecordFields,
} from '../format/record.js';
import { ENTRY_META_BYTES, encodeBaseTrailer, encodeChain, fitsItem, itemHeadBytes, writeEntryMeta, writeItemHead } from '../format/base.js';
import { FILE_HEADER_BYTES, KIND_BASE, fileHeader, newSalt } from '../format/segment.js';
import { COMPACT_LOCK, baseName, logFilesBytes, parseLogFileName, tmpBaseName } from '../format/files.js';
import { MODE_RAW_NUMBER } from '../format/disk.js';
import { FRAME_HEADER_BYTES, FrameSalt, sealFrame, startFrame } from '../format/frame.js';
import { copyBytes } from '../format/bytes.js';
import { KeyDir, NEVER, NIL } from './keydir.js';
import { FrameBatch } from './frame-batch.js';
import { ValueCopier } from './value-copier.js';
import { encodedOfKeyId } from '../format/keys.js';
import { tryLock } from './lock.js';
import { type LinkPlan, planLink } from './chain.js';
import { encodeWindow } from './owner.js';
import { IOError, InTransactionError, LogcacheError } from '../errors.js';
import type { Shard } from './shard.js';
import type { CompactionResult } from './reports.js';

export type { CompactionResult } from './reports.js';

const WRITE_BATCH = 1024 * 1024;
/** The segments a compaction leaves after its base: the one its DONE seal ends and the empty one after it. */
const SEALED_SEGMENT_BYTES = 2 * FILE_HEADER_BYTES + FRAME_HEADER_BYTES + RECORD_FIXED_BYTES;

/** Bytes the shard's log files take on disk now. */
export function logDiskBytes(shard: Shard): number {
  return logFilesBytes(shard.fs, shard.dir);
}

/** Compacts now, unless another process holds the compaction lock, or the log holds nothing a base would reclaim
 * (`force`, for a repair that must rewrite the log, compacts anyway). A failed file-system call gives an IOError;
 * what it leaves (a START seal without a base, a temporary file) is harmless and the next compaction redoes it. */
export function compact(shard: Shard, force = false, finishSwitch = true, merge?: number, idle = false): CompactionResult {
  // The state holds the open transaction's uncommitted commands: a base written from it would make them durable.
  if (shard.inTxn) throw new InTransactionError('compact()');
  try {
    return compactLocked(shard, force, finishSwitch, merge, idle);
  } catch (err) {
    throw err instanceof LogcacheError ? err : new IOError(`compaction in ${shard.dir}`, err);
  }
}

/** `force`: write a whole base even with nothing to reclaim (a repair). `finishSwitch`: move this process's items to the
 * new base before returning (a background compactor, about to exit, does not). `merge`: how many of the oldest bases
 * a chain link merges (tests; chain.ts chooses otherwise). `idle`: the writes stopped (chain.ts merges more). */
function compactLocked(shard: Shard, force: boolean, finishSwitch: boolean, merge: number | undefined, idle: boolean): CompactionResult {
  shard.onChunk?.(true); // the lock is entries in the directory: a compactor whose user closed the store creates none
  const release = tryLock(shard.dir, COMPACT_LOCK);
  if (!release) return { base: 0, items: 0, bytesBefore: 0, bytesAfter: 0, skipped: 'locked' };
  try {
    const bytesBefore = logDiskBytes(shard);
    shard.sync();
    const link = force ? null : planLink(shard, merge, idle);
    // Only when the base, and the segments after it holding the DONE seal, would take less than the files they replace
    // (a log compacted a moment ago holds nothing else: rewriting it would change nothing).
    const replaced = bytesBefore - (link?.keptBytes ?? 0);
    if (!force && baseBytesEstimate(shard, link) + SEALED_SEGMENT_BYTES >= replaced) return { base: 0, items: 0, bytesBefore, bytesAfter: bytesBefore, skipped: 'nothing to reclaim' };
    let written = 0;
    let items = 0;
    const target = shard.activeSegmentId;
    // The base must hold the state exactly as of the seal: write it from inside the replay, at the seal.
    shard.onSealed = (id) => {
      if (id !== target) return;
      items = writeBase(shard, id, link);
      written = id;
      shard.wroteBase(id);
    };
    try {
      shard.seal(SEAL_COMPACTION_START, 0);
    } finally {
      shard.onSealed = null;
    }
    if (written === 0) return { base: 0, items: 0, bytesBefore, bytesAfter: bytesBefore };
    const keep = new Set(link?.keep ?? []);
    removeReplaced(shard, written, keep);
    // A background compactor reads no value before its switch is done: its old files go now, not after its replay to
    // the seal below (which covers every write made while the base was written).
    if (!finishSwitch || shard.state.removedKeys !== null) shard.releaseReplaced(written, keep);
    // Tell every process (this one too) to move to the base and let the old files go.
    shard.seal(SEAL_COMPACTION_DONE, written);
    if (finishSwitch) shard.finishSwitch();
    return { base: written, items, bytesBefore, bytesAfter: logDiskBytes(shard), ...(link ? { merged: link.merged.size, kept: link.keep.length } : {}) };
  } finally {
    release();
  }
}

/**
 * The bytes the base would take, from the key directory without reading a value: each item's frame (as
 * writeEntries encodes it), the file header and the closing records. A frame's length in the log is no guide: an
 * item from a segment is a record there, and items of one transaction share one frame.
 */
function baseBytesEstimate(shard: Shard, link: LinkPlan | null): number {
  const kd = shard.state.kd;
  const tags = new TagBytes();
  let bytes = FILE_HEADER_BYTES;
  for (const [, r] of closingRecords(shard)) bytes += recordFrameBytes(r);
  for (let slot = kd.insHead; slot !== NIL; slot = kd.insNext[slot]) {
    if (link && !rewrites(kd, slot, link)) continue;
    const tagLength = tags.of(kd, slot).length;
    const head = itemHead(kd, slot, tagLength);
    bytes += FRAME_HEADER_BYTES + (head < 0 ? ENTRY_HEAD_BYTES : head) + tagLength + kd.keys.keyLength[slot] + entryValueLength(kd, slot);
  }
  return bytes;
}

/**
 * Bytes of the ITEM head (base.ts) of the item of `slot` with a tag of `tagLength` bytes, or -1 when its numbers do
 * not fit an ITEM (fitsItem): a base stores it as an ENTRY.
 */
function itemHead(kd: KeyDir, slot: number, tagLength: number): number {
  const fileSize = kd.files.size > 0 ? kd.files.get(slot)?.size ?? -1 : -1;
  const rowid = kd.rowid[slot];
  const version = kd.version[slot];
  if (!fitsItem(kd.mode[slot], slot, rowid, version, fileSize)) return -1;
  return itemHeadBytes(kd.keys.keyLength[slot], tagLength, slot, rowid, version, kd.expire[slot] !== NEVER, fileSize);
}

/** An ENTRY's frame body bytes besides its key, tag and value (itemHead's -1). */
const ENTRY_HEAD_BYTES = RECORD_FIXED_BYTES + ENTRY_META_BYTES;

/** Whether a base stores the item of `slot` as its number (MODE_RAW_NUMBER, 8 bytes) rather than its value bytes. */
function storesNumber(kd: KeyDir, slot: number): boolean {
  return kd.mode[slot] === MODE_RAW_NUMBER && kd.numbers.size > 0 && kd.numbers.has(slot);
}

/** The bytes a base stores of the item of `slot` after its meta. */
function entryValueLength(kd: KeyDir, slot: number): number {
  return storesNumber(kd, slot) ? 8 : kd.valueLength[slot];
}

/** Items' encoded tags, each tag encoded once (up to TAGS_KEPT of them). */
class TagBytes {
  readonly #encoded = new Map<string, Buffer>();

  /** The encoded tag of the item of `slot` (empty when it has none). */
  of(kd: KeyDir, slot: number): Buffer {
    const tag = kd.tags.size > 0 ? kd.tags.get(slot) : undefined;
    if (tag === undefined) return NO_TAG;
    let b = this.#encoded.get(tag);
    if (b === undefined) {
      b = encodedOfKeyId(tag);
      if (this.#encoded.size < TAGS_KEPT) this.#encoded.set(tag, b);
    }
    return b;
  }
}
const NO_TAG = Buffer.alloc(0);
const TAGS_KEPT = 4096;

/** The temporary base this process is writing, if any (abandonBaseInProgress removes it). */
let baseInProgress: { fs: Shard['fs']; tmp: string } | null = null;

/**
 * Removes the temporary base this process is writing, if any: a background compactor that finds its parent gone
 * exits at once, and would otherwise leave it for check() to report as a leftover of a dead process.
 */
export function abandonBaseInProgress(): void {
  if (baseInProgress === null) return;
  try { baseInProgress.fs.unlinkSync(baseInProgress.tmp); } catch { /* gone */ }
  baseInProgress = null;
}

/** Whether a chain link rewrites the item of `slot`: it changed since the newest base's seal, or lies in a base the link
 * merges. (Every other item lies, as it is now, in a base the link keeps.) */
function rewrites(kd: KeyDir, slot: number, link: LinkPlan): boolean {
  return kd.version[slot] > link.since || link.merged.has(kd.file[slot]);
}

/** Writes `NNNNNNNNNN.base` for sealed segment `id` from the shard's current state: a whole base, or (`link`) a chain
 * link (format.md, "Chains"). Returns the item count. */
function writeBase(shard: Shard, id: number, link: LinkPlan | null): number {
  const { fs, dir } = shard;
  // The pid lets check() tell a leftover of a dead compactor from a live one's work in progress.
  const tmp = path.join(dir, tmpBaseName(process.pid, shard.writer, id));
  shard.onChunk?.(true); // a compactor whose parent is gone, or closed the store, creates nothing: compactor-main.ts
  const fd = fs.openSync(tmp, 'w');
  baseInProgress = { fs, tmp };
  let items = 0;
  try {
    const salt = newSalt();
    const batch = new FrameBatch(fs, fd, WRITE_BATCH, shard.onChunk);
    fileHeader(KIND_BASE, id, salt, link !== null).copy(batch.buf, batch.reserve(FILE_HEADER_BYTES));
    if (link) {
      const chain: RecordInput = { writer: shard.writer, seq: 0, time: 0, value: encodeChain(link.keep) };
      encodeRecordInto(batch.buf, batch.reserve(recordFrameBytes(chain)), OP_CHAIN, chain, chain.writer, 0, salt);
    }
    const dropped: Buffer[] = [];
    items = writeEntries(shard, batch, salt, link, dropped);
    if (link) writeTombs(shard, batch, salt, dropped);
    for (const [op, r] of closingRecords(shard)) encodeRecordInto(batch.buf, batch.reserve(recordFrameBytes(r)), op, r, r.writer, r.seq, salt);
    batch.flush();
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    // Asked again before the link, which changes the store: a store closed while its base was written (its user may
    // be removing it) is left as it was, not left with a base whose DONE seal would then be refused.
    shard.onChunk?.(true);
    fs.linkSync(tmp, path.join(dir, baseName(id)));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.unlinkSync(tmp);
    baseInProgress = null;
  }
  fsyncDir(shard);
  return items;
}

/** The records a base ends with: a SETTING per stored setting, then the BASE trailer (a base without it is
 * incomplete and never loaded). */
function closingRecords(shard: Shard): [number, RecordInput][] {
  const state = shard.state;
  const out: [number, RecordInput][] = [];
  for (const [name, value] of state.settings) {
    out.push([OP_SETTING, { writer: shard.writer, seq: 0, time: 0, key: Buffer.from(name), value: Buffer.from(JSON.stringify(value)) }]);
  }
  const hw = encodeBaseTrailer({
    highWater: state.kd.highWater, txnOwner: state.txnOwner, txnPid: state.txnPid, txnLease: state.txnLease,
    window: state.txnOwner === 0 ? Buffer.alloc(0) : encodeWindow(state.txnIdentity, state.txnWindowId, state.txnGroup !== null),
  });
  out.push([OP_BASE, { writer: shard.writer, seq: 0, time: clockNow(), num1: state.seq, num2: state.rowidCounter, value: hw }]);
  return out;
}

/**
 * Encodes an ITEM frame per live item (an ENTRY for one whose numbers an ITEM cannot hold), in insertion order,
 * straight into the batch (key from the key arena, value copied from where it was read); returns the item count. An
 * item whose value no longer checks out is dropped (reported by the read).
 */
function writeEntries(shard: Shard, batch: FrameBatch, salt: FrameSalt, link: LinkPlan | null, dropped: Buffer[]): number {
  const kd = shard.state.kd;
  const keys = kd.keys;
  const arena = keys.arena; // no key is added while the base is written
  const tags = new TagBytes();
  // One object for an ENTRY's fixed fields (no allocation per item).
  const fields: RecordFields = { writer: shard.writer, seq: 0, time: 0, num1: 0, num2: 0, flags: 0, mode: 0 };
  const values = new ValueCopier(shard); // read ahead: one read per MiB of frames
  const onChunk = shard.onChunk; // every 64 items (a compactor checks its parent and paces itself there)
  let items = 0;
  for (let slot = kd.insHead; slot !== NIL; slot = kd.insNext[slot]) {
    if (link && !rewrites(kd, slot, link)) continue;
    const keyStart = keys.keyStart[slot];
    const keyLength = keys.keyLength[slot];
    const tag = tags.of(kd, slot);
    const number = storesNumber(kd, slot);
    const valueLength = number ? 8 : kd.valueLength[slot];
    const file = kd.files.size > 0 ? kd.files.get(slot) : undefined;
    const expire = kd.expire[slot];
    const rowid = kd.rowid[slot];
    const version = kd.version[slot];
    const mode = kd.mode[slot];
    const head = itemHead(kd, slot, tag.length);
    const item = head >= 0;
    const bodyLength = (item ? head : ENTRY_HEAD_BYTES) + keyLength + tag.length + valueLength;
    const at = batch.reserve(FRAME_HEADER_BYTES + bodyLength);
    const buf = batch.buf;
    const dv = batch.dv;
    let p: number;
    startFrame(buf, at, item ? OP_ITEM : OP_ENTRY, bodyLength, salt);
    if (item) {
      p = writeItemHead(buf, dv, at + FRAME_HEADER_BYTES, mode, keyLength, tag.length, slot, rowid, version,
        kd.storeTime[slot], expire === NEVER ? NaN : expire, file?.size ?? -1);
    } else {
      fields.time = kd.storeTime[slot];
      fields.num1 = expire === NEVER ? 0 : expire;
      fields.num2 = file?.size ?? 0;
      fields.flags = (expire === NEVER ? 0 : FLAG_HAS_EXPIRE) | (tag !== NO_TAG ? FLAG_HAS_TAG : 0) | (file ? FLAG_FILE : 0);
      fields.mode = mode;
      p = writeRecordFields(dv, at + FRAME_HEADER_BYTES, fields, fields.writer, 0, keyLength, tag.length, ENTRY_META_BYTES + valueLength);
    }
    p = copyBytes(buf, p, arena, keyStart, keyStart + keyLength);
    p = copyBytes(buf, p, tag);
    if (!item) p = writeEntryMeta(dv, p, rowid, version, slot); // an ENTRY's meta comes before the value bytes
    if (number) dv.setFloat64(p, kd.numbers.get(slot)!, true);
    else if (!values.copy(slot, buf, p)) {
      batch.unreserve(at); // corrupt on disk: reported by the read, dropped here
      if (link) dropped.push(kd.keyBytes(slot)); // (and gone from the bases the link keeps, where it may lie)
      continue;
    }
    sealFrame(buf, at, salt);
    if ((++items & 63) === 0) onChunk?.();
  }
  return items;
}

/**
 * A TOMB per item removed since the newest base's seal that is not live now (it may lie in a base the link keeps),
 * and per item dropped as corrupt: a load of the chain removes it from the earlier bases.
 */
function writeTombs(shard: Shard, batch: FrameBatch, salt: FrameSalt, dropped: Buffer[]): void {
  const kd = shard.state.kd;
  const tomb: RecordInput = { writer: shard.writer, seq: 0, time: 0, key: Buffer.alloc(0) };
  const write = (key: Buffer) => {
    tomb.key = key;
    encodeRecordInto(batch.buf, batch.reserve(recordFrameBytes(tomb)), OP_TOMB, tomb, tomb.writer, 0, salt);
  };
  for (const k of shard.state.removedKeys ?? []) {
    const key = Buffer.from(k, 'latin1');
    if (kd.find(key, 0, key.length) === NIL) write(key);
  }
  for (const key of dropped) write(key);
}

/** Removes segments up to `baseId` and bases older than it, but those in `keep` (a chain link builds on them). */
function removeReplaced(shard: Shard, baseId: number, keep: ReadonlySet<number>): void {
  for (const name of shard.fs.readdirSync(shard.dir)) {
    const p = parseLogFileName(name);
    if (!p) continue;
    if ((p.kind === KIND_BASE && p.id < baseId && !keep.has(p.id)) || (p.kind !== KIND_BASE && p.id <= baseId)) {
      try {
        shard.fs.unlinkSync(path.join(shard.dir, name));
      } catch { /* another compactor removed it */ }
    }
  }
}

function fsyncDir(shard: Shard): void {
  try {
    const fd = shard.fs.openSync(shard.dir, 'r');
    try { shard.fs.fsyncSync(fd); } finally { shard.fs.closeSync(fd); }
  } catch { /* not supported on every file system */ }
}

