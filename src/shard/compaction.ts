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
  FLAG_FILE, FLAG_HAS_EXPIRE, FLAG_HAS_TAG, OP_BASE, OP_ENTRY, OP_SETTING, RECORD_FIXED_BYTES, SEAL_COMPACTION_DONE,
  SEAL_COMPACTION_START, encodeRecord,
} from '../format/record.js';
import { ENTRY_META_BYTES, encodeBaseTrailer, encodeEntryMeta } from '../format/base.js';
import { FILE_HEADER_BYTES, KIND_BASE, fileHeader, newSalt } from '../format/segment.js';
import { COMPACT_LOCK, baseName, logFilesBytes, parseLogFileName, tmpBaseName } from '../format/files.js';
import { MODE_RAW_NUMBER } from '../format/disk.js';
import { FRAME_HEADER_BYTES, PLAIN_SALT, saltFrame } from '../format/frame.js';
import { NEVER } from './keydir.js';
import { encodedOfKeyId } from '../format/keys.js';
import { tryLock } from './lock.js';
import { encodeWindow } from './owner.js';
import { IOError, InTransactionError, LogcacheError } from '../errors.js';
import type { Shard } from './shard.js';
import type { CompactionResult } from './reports.js';

export type { CompactionResult } from './reports.js';

const WRITE_BATCH = 1024 * 1024;

/** Bytes the shard's log files take on disk now. */
export function logDiskBytes(shard: Shard): number {
  return logFilesBytes(shard.fs, shard.dir);
}

/** Compacts now, unless another process holds the compaction lock, or the log holds nothing a base would reclaim
 * (`force`, for a repair that must rewrite the log, compacts anyway). A failed file-system call gives an IOError;
 * what it leaves (a START seal without a base, a temporary file) is harmless and the next compaction redoes it. */
export function compact(shard: Shard, force = false, finishSwitch = true): CompactionResult {
  // The state holds the open transaction's uncommitted commands: a base written from it would make them durable.
  if (shard.inTxn) throw new InTransactionError('compact()');
  try {
    return compactLocked(shard, force, finishSwitch);
  } catch (err) {
    throw err instanceof LogcacheError ? err : new IOError(`compaction in ${shard.dir}`, err);
  }
}

/** `force`: write a base even with nothing to reclaim (a repair). `finishSwitch`: move this process's items to the new
 * base before returning (a background compactor, about to exit, does not). */
function compactLocked(shard: Shard, force: boolean, finishSwitch: boolean): CompactionResult {
  const release = tryLock(shard.dir, COMPACT_LOCK);
  if (!release) return { base: 0, items: 0, bytesBefore: 0, bytesAfter: 0, skipped: 'locked' };
  try {
    const bytesBefore = logDiskBytes(shard);
    shard.sync();
    // A base gives each item a meta prefix (rowid, version, slot) that a record in a segment does without: with
    // little or no dead data in the log, a base would be larger than the files it replaces.
    if (!force && baseBytesEstimate(shard) >= bytesBefore) return { base: 0, items: 0, bytesBefore, bytesAfter: bytesBefore, skipped: 'nothing to reclaim' };
    let written = 0;
    let items = 0;
    const target = shard.activeSegmentId;
    // The base must hold the state exactly as of the seal: write it from inside the replay, at the seal.
    shard.onSealed = (id) => {
      if (id !== target) return;
      items = writeBase(shard, id);
      written = id;
    };
    try {
      shard.seal(SEAL_COMPACTION_START, 0);
    } finally {
      shard.onSealed = null;
    }
    if (written === 0) return { base: 0, items: 0, bytesBefore, bytesAfter: bytesBefore };
    removeReplaced(shard, written);
    // A background compactor reads no value again: its old files go now, not after its replay to the seal below
    // (which covers every write made while the base was written).
    if (!finishSwitch) shard.releaseReplaced(written);
    // Tell every process (this one too) to move to the base and let the old files go.
    shard.seal(SEAL_COMPACTION_DONE, written);
    if (finishSwitch) shard.finishSwitch();
    return { base: written, items, bytesBefore, bytesAfter: logDiskBytes(shard) };
  } finally {
    release();
  }
}

/**
 * The bytes the base's items would take, from the key directory without reading a value: each item's ENTRY frame
 * (as writeBase encodes it) plus the file header. A frame's length in the log is no guide: an item from a
 * segment has no meta prefix there, and items of one transaction share one frame.
 */
function baseBytesEstimate(shard: Shard): number {
  const kd = shard.state.kd;
  let bytes = FILE_HEADER_BYTES;
  for (const slot of kd.slots()) {
    const tag = kd.tags.get(slot);
    const value = kd.mode[slot] === MODE_RAW_NUMBER && kd.numbers.has(slot) ? 8 : kd.valueLength[slot];
    bytes += FRAME_HEADER_BYTES + RECORD_FIXED_BYTES + kd.keys.view(slot).length + (tag === undefined ? 0 : encodedOfKeyId(tag).length) + ENTRY_META_BYTES + value;
  }
  return bytes;
}

/** Writes `NNNNNNNNNN.base` for sealed segment `id` from the shard's current state. Returns the item count. */
function writeBase(shard: Shard, id: number): number {
  const { fs, dir, state } = shard;
  const kd = state.kd;
  // The pid lets check() tell a leftover of a dead compactor from a live one's work in progress.
  const tmp = path.join(dir, tmpBaseName(process.pid, shard.writer, id));
  const fd = fs.openSync(tmp, 'w');
  let items = 0;
  shard.readAhead(true);
  try {
    const salt = newSalt();
    let chunks: Buffer[] = [fileHeader(KIND_BASE, id, salt)];
    let chunkBytes = FILE_HEADER_BYTES;
    const emit = (frame: Buffer) => {
      chunks.push(saltFrame(frame, PLAIN_SALT, salt));
      chunkBytes += frame.length;
      if (chunkBytes >= WRITE_BATCH) {
        shard.onChunk?.();
        fs.writeSync(fd, Buffer.concat(chunks));
        chunks = [];
        chunkBytes = 0;
      }
    };
    for (const slot of kd.slots()) {
      let value: Buffer | null;
      const number = kd.numbers.get(slot);
      if (kd.mode[slot] === MODE_RAW_NUMBER && number !== undefined) {
        value = Buffer.allocUnsafe(8);
        value.writeDoubleLE(number);
      } else value = shard.valueBytes(slot);
      if (value === null) continue; // corrupt on disk: reported by valueBytes, dropped here
      const m = encodeEntryMeta(kd.rowid[slot], kd.version[slot], slot);
      const tag = kd.tags.get(slot);
      const file = kd.files.get(slot);
      const expire = kd.expire[slot];
      let flags = 0;
      if (expire !== NEVER) flags |= FLAG_HAS_EXPIRE;
      if (tag !== undefined) flags |= FLAG_HAS_TAG;
      if (file) flags |= FLAG_FILE;
      emit(encodeRecord(OP_ENTRY, {
        writer: shard.writer, seq: 0, time: kd.storeTime[slot], num1: expire === NEVER ? 0 : expire,
        num2: file?.size ?? 0, flags, mode: kd.mode[slot], key: kd.keys.view(slot),
        tag: tag === undefined ? null : encodedOfKeyId(tag), value: [m, value],
      }));
      items++;
    }
    for (const [name, value] of state.settings) {
      emit(encodeRecord(OP_SETTING, {
        writer: shard.writer, seq: 0, time: 0, key: Buffer.from(name), value: Buffer.from(JSON.stringify(value)),
      }));
    }
    const hw = encodeBaseTrailer({
      highWater: kd.highWater, txnOwner: state.txnOwner, txnPid: state.txnPid, txnLease: state.txnLease,
      window: state.txnOwner === 0 ? Buffer.alloc(0) : encodeWindow(state.txnIdentity, state.txnWindowId, state.txnGroup !== null),
    });
    // The trailer: a base without it is incomplete and never loaded.
    emit(encodeRecord(OP_BASE, { writer: shard.writer, seq: 0, time: clockNow(), num1: state.seq, num2: state.rowidCounter, value: hw }));
    if (chunks.length) fs.writeSync(fd, Buffer.concat(chunks));
    fs.fsyncSync(fd);
  } finally {
    shard.readAhead(false);
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, path.join(dir, baseName(id)));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.unlinkSync(tmp);
  }
  fsyncDir(shard);
  return items;
}

/** Removes segments up to `baseId` and bases older than it. */
function removeReplaced(shard: Shard, baseId: number): void {
  for (const name of shard.fs.readdirSync(shard.dir)) {
    const p = parseLogFileName(name);
    if (!p) continue;
    if ((p.kind === KIND_BASE && p.id < baseId) || (p.kind !== KIND_BASE && p.id <= baseId)) {
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

