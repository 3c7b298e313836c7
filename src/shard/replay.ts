/**
 * Replay: applying the log's frames to the state in log order, as every process does. The tail check before each
 * answer is one pread at our end of the active segment; new frames are applied, bad ones skipped and reported, an
 * incomplete tail waited for, and a seal moves us to the next segment. A writer's own frames settle its pending
 * commands' outcomes here.
 */
import { IOError } from '../errors.js';
import {
  FRAME_HEADER_BYTES, FRAME_INCOMPLETE, FRAME_OK, FrameView, newFrameView, nextGoodFrame, readFrame, trustedFrame,
} from '../format/frame.js';
import {
  OP_ITEM, OP_SEAL, OP_TXN, RecordView, SEAL_COMPACTION_DONE, baseOnly, isBaseItem, newRecordView, readRecord, releaseRecordView,
} from '../format/record.js';
import { readBaseItem } from '../format/base.js';
import { ITEM_FORMAT_VERSION } from '../format/segment.js';
import type { ShardCore } from './core.js';
import { caughtUp, load, reloadAfterCompaction } from './reload.js';
import { CHUNK_BYTES, frameBytesAt, grownChunk, readAt } from './chunks.js';
import { rewriteCut } from './torn-frames.js';
import { FrameLocation, Outcome, VOID } from './state.js';

/** Only frames this close to the end of what a replay read are cached: earlier ones would be evicted anyway. */
const VALUE_CACHE_WINDOW_BYTES = 1024 * 1024;
const READ_BUFFER_BYTES = 64 * 1024;

export class Replay {
  readonly #c: ShardCore;
  #fv: FrameView = newFrameView();
  #scan: FrameView = newFrameView();
  #rv: RecordView = newRecordView();
  #loc: FrameLocation = { file: 0, offset: 0, frameLength: 0, bufStart: 0 };
  /** Reused for the per-operation tail check; values taken from it are copied. */
  #readBuf = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  /** Bytes read at a time when a segment's tail is longer than the read buffer. */
  #tailChunk = CHUNK_BYTES;
  /** Frames applied, for onChunk every 64 (a compactor checks its parent and paces itself there). */
  #applied = 0;

  constructor(core: ShardCore) {
    this.#c = core;
  }

  /**
   * Catches up with the log: one pread at our end of the active segment when nothing changed (it returns 0
   * bytes; cheaper than fstat, whose Stats object costs more than the call), and when something did, that same
   * read already holds the new frames. Linearizable reads follow from calling this before every answer.
   */
  sync(): void {
    const c = this.#c;
    c.refuseIfNewer();
    if (c.mustReload) {
      // A rebuild may start past our unread frames (in a base): their outcomes are lost to their callers.
      for (const p of c.pending.values()) {
        if (p.unread) {
          c.markRead(p);
          p.lost = true;
        }
      }
      load(c);
    }
    const seg = c.segments;
    for (;;) {
      const fd = seg.activeFd;
      const rbuf = this.#readBuf;
      let n: number;
      try {
        n = c.fs.readSync(fd, rbuf, 0, rbuf.length, seg.pos);
      } catch (err) {
        throw new IOError(`read segment in ${c.dir}`, err);
      }
      if (n === 0) {
        if (c.unreadOwn > 0 && rewriteCut(c)) continue;
        return caughtUp(c);
      }
      let buf: Buffer;
      let trusted = false;
      let limited = false;
      const last = c.lastWritten;
      if (last !== null && last.unread && n === c.unreadOwn && n === last.frame.length) {
        // Exactly the frame we just wrote and nothing else: use the buffer we built (no CRC check of bytes we
        // made, and its value can be cached without a copy).
        buf = last.frame;
        trusted = true;
      } else if (n === rbuf.length) {
        // More than the read buffer holds (catching up after a while): read on in bounded chunks, one larger only
        // for a frame that needs it (or after a chunk that made no progress).
        let size: number;
        try {
          size = c.fs.fstatSync(fd).size;
        } catch (err) {
          throw new IOError(`stat segment in ${c.dir}`, err);
        }
        const want = Math.min(size - seg.pos, Math.max(this.#tailChunk, frameBytesAt(rbuf, 0, n, seg.activeFile.salt.magic)));
        limited = want < size - seg.pos;
        buf = Buffer.allocUnsafe(want);
        n = c.io('read segment', () => readAt(c.fs, fd, buf, want, seg.pos));
      } else buf = rbuf;
      const { consumed, sealed } = this.applyBuffer(buf, n, seg.active, seg.pos, seg.activeName, true, trusted);
      seg.pos += consumed;
      if (buf !== rbuf && !trusted) c.onChunk?.(); // a chunk of a long catch-up (a compactor checks its parent here)
      if (c.rebuildAfterFrame) {
        c.rebuildAfterFrame = false;
        load(c);
        continue;
      }
      if (consumed > 0) this.#tailChunk = CHUNK_BYTES;
      else if (limited) this.#tailChunk = grownChunk(this.#tailChunk, buf, n, seg.activeFile.salt.magic); // no progress: a larger chunk
      if (sealed >= 0) {
        try {
          this.#nextSegment(sealed);
        } catch (err) {
          // We are past the seal but not in the next segment: reading on here would apply void frames. Rebuild
          // from the files at the next sync instead (unless the next segment is in a newer format: the handle
          // stopped there, Segments.#parse).
          c.mustReload = true;
          throw err;
        }
        continue;
      }
      if (limited) continue; // more of the tail to read
      if (c.unreadOwn > 0 && rewriteCut(c)) continue;
      return caughtUp(c);
    }
  }

  /**
   * Applies the good frames of `buf[0, len)` (file bytes from `fileOffset`), skipping and reporting bad ones.
   * With `stopAtSeal`, stops after a seal. Returns bytes consumed (an incomplete tail is left), the last op applied,
   * and the seal met: -1 none, 0 a plain seal, else the id of the base a finished compaction wrote.
   */
  applyBuffer(buf: Buffer, len: number, fileNo: number, fileOffset: number, name: string, stopAtSeal: boolean, trusted = false,
    atEnd = true, lastOpIn = 0): { consumed: number; lastOp: number; sealed: number } {
    const c = this.#c;
    let p = 0;
    let lastOp = lastOpIn;
    let sealed = -1;
    const file = c.segments.at(fileNo)!;
    const salt = file.salt;
    // A base whose header says a format before ITEMs: its first ITEM is reported (once per file; a flag, not a look at
    // the file per frame).
    let olderBase = file.version !== undefined && file.version < ITEM_FORMAT_VERSION;
    while (p < len) {
      const f = trusted ? trustedFrame(buf, p, this.#fv) : readFrame(buf, p, len, this.#fv, salt);
      if (f.status !== FRAME_OK) {
        // A chunk that is not the file's end: a frame cut by the chunk's end is read whole with the next chunk.
        if (!atEnd && f.status === FRAME_INCOMPLETE) break;
        const q = nextGoodFrame(buf, p, len, this.#scan, salt);
        if (q < 0 && (stopAtSeal || !atEnd)) break; // an incomplete tail of the log: wait for it (or read on)
        const skip = q < 0 ? len - p : q - p;
        c.corruption.report(f.status === FRAME_INCOMPLETE ? 'torn-frame' : 'checksum', name, fileOffset + p, skip);
        p += skip;
        continue;
      }
      if (stopAtSeal && baseOnly(f.op)) {
        // Records that only a base holds, found in a segment (bytes copied there): never applied from a log.
        c.corruption.report('malformed-record', name, fileOffset + p, f.next - p);
        p = f.next;
        continue;
      }
      if (f.op === OP_SEAL && stopAtSeal) {
        readRecord(buf, f.op, f.body, f.length, this.#rv);
        sealed = this.#rv.num1 === SEAL_COMPACTION_DONE ? this.#rv.num2 : 0;
        p = f.next;
        break;
      }
      lastOp = this.#applyFrame(buf, f, fileNo, fileOffset, name);
      if (olderBase && lastOp === OP_ITEM) olderBase = this.#itemInOlderBase(fileNo, name);
      p = f.next;
      if (c.onChunk !== null && (++this.#applied & 63) === 0) c.onChunk();
      if (c.rebuildAfterFrame) break; // the sync rebuilds before anything else applies
      if (stopAtSeal && lastOp !== 0 && len - f.next < VALUE_CACHE_WINDOW_BYTES) c.values.cacheStored(buf, f, fileNo);
    }
    // The view must not keep a large read buffer (a whole base, a segment's tail) alive; the reused read buffer keeps
    // its DataView for the next replay.
    if (buf !== this.#readBuf) releaseRecordView(this.#rv);
    return { consumed: p, lastOp, sealed };
  }

  /** An ITEM in a base whose header says a format before ITEMs existed: the header's version was damaged (a bit flip
   * from 3 to 2). The items are read all the same (refusing the base would lose them); the header is reported, once
   * per file, so check() sees it and check({ fix: true }) rewrites the base. */
  #itemInOlderBase(fileNo: number, name: string): false {
    const file = this.#c.segments.at(fileNo)!;
    this.#c.corruption.report('bad-file-header', name, 0, 0, `format version ${file.version} holds ITEM records (format ${ITEM_FORMAT_VERSION} and later)`);
    file.version = ITEM_FORMAT_VERSION;
    return false;
  }

  /** Applies one good frame; returns its op (0 when the body is not a record). */
  #applyFrame(buf: Buffer, f: FrameView, fileNo: number, fileOffset: number, name: string): number {
    const c = this.#c;
    const r = this.#rv;
    const start = f.body - FRAME_HEADER_BYTES;
    const decoded = isBaseItem(f.op)
      ? readBaseItem(buf, f.op, f.body, f.length, r, c.state.entryMeta)
      : readRecord(buf, f.op, f.body, f.length, r);
    if (!decoded) {
      c.corruption.report('malformed-record', name, fileOffset + start, f.next - start);
      return 0;
    }
    c.logBytes += f.next - start;
    const loc = this.#loc; // one object, refilled per frame (an allocation per frame showed in the load's GC)
    loc.file = fileNo;
    loc.offset = fileOffset + start;
    loc.frameLength = f.next - start;
    loc.bufStart = start;
    const own = r.writer === c.writer ? c.pending.get(r.seq) : undefined;
    if (own && f.op === OP_TXN && c.window.settlesOwn) {
      c.window.settleOwn(own, r.seq, loc, buf, r);
      return f.op;
    }
    if (own) c.markRead(own);
    const out: Outcome | null = own ? { applied: false, removed: [], wantItems: own.wantItems } : null;
    const status = c.state.apply(r, loc, out);
    if (status === VOID) {
      if (own) own.voided = true;
      return 0;
    }
    if (own) {
      if (own.wantItems) c.values.readRemoved(out!);
      own.outcome = out;
      c.pending.delete(r.seq);
    }
    if (status !== 0) {
      // Not applied: a base whose trailer is malformed is not complete.
      c.corruption.report('malformed-record', name, loc.offset, loc.frameLength);
      return 0;
    }
    return f.op;
  }

  /** Past a seal: open the next segment, re-append our frames that landed after the seal, reload after compaction.
   * A next segment in a newer format throws NewerFormatError before anything is appended: our frames after the seal
   * stay void (their writes throw it). */
  #nextSegment(compactedBase: number): void {
    const c = this.#c;
    const seg = c.segments;
    const sealedId = seg.activeId;
    c.sealedBase = compactedBase;
    c.switching.sealed(sealedId);
    c.onSealed?.(sealedId);
    // Our frames written to the sealed segment but not applied landed after the seal: they are void everywhere.
    const voided = [...c.pending.values()].filter((p) => p.segment === sealedId && p.unread);
    for (const p of voided) c.markRead(p);
    let reloaded = false;
    try {
      seg.openActive(sealedId + 1);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // We lagged behind a compaction that removed the next segment: start again from its base. Every frame of
      // ours before the seal was met on the way here, so none of them is hidden in that base.
      load(c);
      reloaded = true;
    }
    for (const p of voided) seg.write(p);
    if (!reloaded) reloadAfterCompaction(c, compactedBase);
  }
}
