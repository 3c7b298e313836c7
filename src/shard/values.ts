/**
 * Value reads: the bytes of an item's value, from the open transaction's buffer, the cache of small values met by
 * the replay, or one verified pread of its frame. A frame that no longer checks out is reported, never returned.
 */
import { FRAME_HEADER_BYTES, FRAME_OK, FrameView, newFrameView, readFrame } from '../format/frame.js';
import type { ShardCore } from './core.js';
import { readAt } from './chunks.js';
import type { Outcome } from './state.js';
import { TXN_FILE } from './txn-window.js';
import { ValueCache } from './value-cache.js';
import { copyBytes } from '../format/bytes.js';

const VALUE_CACHE_ENTRIES = 8192;
/** Read-ahead (a compaction walking items whose frames lie one after another): bytes read at once, and how far past
 * the window's end the next frame may start and still count as sequential. */
const READ_AHEAD_BYTES = 1024 * 1024;
const READ_AHEAD_GAP = 64 * 1024;

/** The bytes of one file read ahead: `buf` holds the file's bytes [start, start + buf.length). */
interface ReadAhead {
  file: number;
  start: number;
  buf: Buffer;
}
/** Values larger than this are not cached (the cache is bounded by entries and by this). */
export const VALUE_CACHE_MAX_BYTES = 4096;

export class Values {
  readonly #c: ShardCore;
  /** Small values met by the replay or buffered by our transaction, by slot and version. */
  readonly cache = new ValueCache(VALUE_CACHE_ENTRIES);

  /** null: every value is one pread of its frame (requests). Else a compaction's window of read-ahead bytes. */
  #ahead: ReadAhead | null = null;
  /** Where the frame #readFrame returned last starts in the buffer it returned. */
  #framePos = 0;
  readonly #fv: FrameView = newFrameView();

  constructor(core: ShardCore) {
    this.#c = core;
  }

  /** Turns read-ahead on (for a walk over every item, where frames written one after another are read in that
   * order: one read per MiB instead of one per item) or off. */
  readAhead(on: boolean): void {
    this.#ahead = on ? { file: -1, start: 0, buf: Buffer.alloc(0) } : null;
  }

  /** Where the frame at `offset` of open file `fd` (number `file`) lies in the read-ahead window (its offset in the
   * window's buffer), reading the next window when the frame starts at or shortly past the window's end; -1 when it
   * does not (a random order: one pread). */
  #aheadAt(file: number, fd: number, offset: number, frameLength: number): number {
    const a = this.#ahead;
    if (a === null || frameLength > READ_AHEAD_BYTES) return -1;
    const end = a.start + a.buf.length;
    if (a.file !== file || offset < a.start || offset + frameLength > end) {
      if (a.file !== -1 && (a.file !== file || offset < end || offset >= end + READ_AHEAD_GAP)) {
        // Not sequential: remember where we are, so that a run of frames from here on is read ahead again.
        a.file = file;
        a.start = offset + frameLength;
        a.buf = Buffer.alloc(0);
        return -1;
      }
      // A fresh buffer per window: a value returned from the last one may still be in use.
      const buf = Buffer.allocUnsafe(READ_AHEAD_BYTES);
      const c = this.#c;
      const n = c.io('read value', () => readAt(c.fs, fd, buf, READ_AHEAD_BYTES, offset));
      a.file = file;
      a.start = offset;
      a.buf = buf.subarray(0, n);
      if (n < frameLength) return -1;
    }
    return offset - a.start;
  }

  /**
   * The value bytes of `slot` (inline value or value-file name), verified against the frame's CRC; null when the
   * frame no longer checks out (reported, never returned). They may be a view of the value cache, valid until the
   * next value is cached (the next replay or transaction commit): use them at once, or copy them.
   */
  valueBytes(slot: number): Buffer | null {
    const kd = this.#c.state.kd;
    return this.#valueAt(slot, kd.version[slot], kd.file[slot], kd.offset[slot], kd.frameLength[slot], kd.valueOffset[slot], kd.valueLength[slot]);
  }

  /**
   * The value bytes of item `slot` at `version`, stored at that location: from the open transaction's buffer, the
   * value cache, or a verified read of the frame.
   */
  #valueAt(slot: number, version: number, file: number, offset: number, frameLength: number, valueOffset: number, valueLength: number): Buffer | null {
    return this.#held(slot, version, file) ?? this.readFrameValue(file, offset, frameLength, valueOffset, valueLength);
  }

  /** The value bytes of `slot` at `version` held in memory: our open transaction's buffer (null when it holds none),
   * else the value cache (undefined when it holds none). */
  #held(slot: number, version: number, file: number): Buffer | null | undefined {
    return file === TXN_FILE ? this.#c.window.bufferedValue(slot, version) : this.cache.get(slot, version);
  }

  /** Reads the inline values of the items a command of ours removed, while their locations are still ours. */
  readRemoved(out: Outcome): void {
    for (const s of out.removed) {
      if (s.valueFile) continue;
      try {
        const bytes = this.#valueAt(s.slot, s.version, s.file, s.offset, s.frameLength, s.valueOffset, s.valueLength);
        s.bytes = bytes === null ? null : Buffer.from(bytes); // kept across later insertions into the value cache
      } catch (err) {
        // Never throw from inside a replay (the frames after this one would be applied twice).
        s.bytes = null;
        s.error = err;
      }
    }
  }

  /** Reads a frame at a known location and returns its value bytes, or null if it does not check out. */
  readFrameValue(file: number, offset: number, frameLength: number, valueOffset: number, valueLength: number): Buffer | null {
    const buf = this.#readFrame(file, offset, frameLength);
    if (buf === null) return null;
    const start = this.#framePos + valueOffset;
    return buf.subarray(start, start + valueLength);
  }

  /**
   * Copies the value bytes of `slot` (kd.valueLength[slot] of them) into `dst` at `at`, verified as valueBytes
   * verifies them; false when the frame no longer checks out (reported). For a walk over every item: no view is made
   * of a value read ahead.
   */
  copyValue(slot: number, dst: Buffer, at: number): boolean {
    const kd = this.#c.state.kd;
    const file = kd.file[slot];
    const length = kd.valueLength[slot];
    const held = this.#held(slot, kd.version[slot], file);
    if (held === null) return false;
    if (held !== undefined) {
      // The keydir's length sized the room the caller made: anything else would misplace every byte after it.
      if (held.length !== length) throw new RangeError(`slot ${slot}: value length`);
      copyBytes(dst, at, held);
      return true;
    }
    const buf = this.#readFrame(file, kd.offset[slot], kd.frameLength[slot]);
    if (buf === null) return false;
    const start = this.#framePos + kd.valueOffset[slot];
    copyBytes(dst, at, buf, start, start + length);
    return true;
  }

  /** Reads the frame at `offset` of local file `file` (from the read-ahead window, or one pread) and verifies it:
   * the buffer holding it (at #framePos) when it checks out, else null (reported). */
  #readFrame(file: number, offset: number, frameLength: number): Buffer | null {
    const c = this.#c;
    const f = c.segments.at(file);
    if (!f) return null;
    let pos = this.#aheadAt(file, f.fd, offset, frameLength);
    let buf: Buffer;
    let end: number;
    if (pos >= 0) {
      buf = this.#ahead!.buf;
      end = pos + frameLength;
    } else {
      const one = (buf = Buffer.allocUnsafe(frameLength));
      pos = 0;
      end = c.io('read value', () => c.fs.readSync(f.fd, one, 0, frameLength, offset));
    }
    if (readFrame(buf, pos, end, this.#fv, f.salt).status !== FRAME_OK) {
      c.corruption.report('checksum-on-read', f.name, offset, frameLength);
      return null;
    }
    this.#framePos = pos;
    return buf;
  }

  /** Keeps a small value the replay just stored, so the next get needs no pread (frames never change once written). */
  cacheStored(buf: Buffer, f: FrameView, fileNo: number): void {
    const slot = this.#c.state.lastStored;
    if (slot < 0) return;
    const kd = this.#c.state.kd;
    const len = kd.valueLength[slot];
    if (len > VALUE_CACHE_MAX_BYTES || kd.files.has(slot) || kd.file[slot] !== fileNo) return;
    const start = f.body - FRAME_HEADER_BYTES + kd.valueOffset[slot];
    this.cache.set(slot, kd.version[slot], buf.subarray(start, start + len)); // copied into the cache's arena
  }
}
