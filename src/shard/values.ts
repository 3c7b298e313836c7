/**
 * Value reads: the bytes of an item's value, from the open transaction's buffer, the cache of small values met by
 * the replay, or one verified pread of its frame. A frame that no longer checks out is reported, never returned.
 */
import { FRAME_HEADER_BYTES, FRAME_OK, FrameView, newFrameView, readFrame } from '../format/frame.js';
import type { ShardCore } from './core.js';
import type { Outcome } from './state.js';
import { TXN_FILE } from './txn-window.js';
import { ValueCache } from './value-cache.js';

const VALUE_CACHE_ENTRIES = 8192;
/** Values larger than this are not cached (the cache is bounded by entries and by this). */
export const VALUE_CACHE_MAX_BYTES = 4096;

export class Values {
  readonly #c: ShardCore;
  /** Small values met by the replay or buffered by our transaction, by slot and version. */
  readonly cache = new ValueCache(VALUE_CACHE_ENTRIES);

  readonly #fv: FrameView = newFrameView();

  constructor(core: ShardCore) {
    this.#c = core;
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

  /** Reads a frame at a known location (one pread) and returns its value bytes, or null if it does not check out
   * (reported). */
  readFrameValue(file: number, offset: number, frameLength: number, valueOffset: number, valueLength: number): Buffer | null {
    const c = this.#c;
    const f = c.segments.at(file);
    if (!f) return null;
    const buf = Buffer.allocUnsafe(frameLength);
    const end = c.io('read value', () => c.fs.readSync(f.fd, buf, 0, frameLength, offset));
    if (readFrame(buf, 0, end, this.#fv, f.salt).status !== FRAME_OK) {
      c.corruption.report('checksum-on-read', f.name, offset, frameLength);
      return null;
    }
    return buf.subarray(valueOffset, valueOffset + valueLength);
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
