/**
 * Value bytes for a walk over every item in insertion order (a compaction writing its base): the items' frames lie
 * one after another in the files they were stored in, so they are read a window of READ_AHEAD_BYTES at a time, one
 * read per MiB instead of one per item, verified against their frame's CRC and copied straight to where the caller
 * wants them (no Buffer per value). An item out of sequence, or whose frame does not check out in the window, is read
 * as a request reads it (Shard.valueBytes: the value cache, or one verified pread, a bad frame reported there).
 */
import { FRAME_OK, newFrameView, readFrame } from '../format/frame.js';
import { copyBytes } from '../format/bytes.js';
import { readAt } from './chunks.js';
import { IOError } from '../errors.js';
import type { Shard } from './shard.js';
import type { KeyDir } from './keydir.js';
import type { OpenFile } from './segments.js';

/** Bytes read at once, and how far past the window's end the next frame may start and still count as sequential. */
const READ_AHEAD_BYTES = 1024 * 1024;
const READ_AHEAD_GAP = 64 * 1024;

export class ValueCopier {
  /** The window: bytes [start, start + buf.length) of local file `file` (-1: none read yet). */
  #file = -1;
  #start = 0;
  #buf = Buffer.alloc(0);
  /** The window's open file (its descriptor and salt). */
  #open: OpenFile | undefined = undefined;
  readonly #fv = newFrameView();
  /** No item is added, and nothing is reloaded, while a base is written: the keydir stays this one. */
  readonly #kd: KeyDir;

  constructor(readonly shard: Shard) {
    this.#kd = shard.state.kd;
  }

  /** Copies the value bytes of `slot` (its keydir valueLength of them) into `dst` at `at`; false when its frame no
   * longer checks out (reported). */
  copy(slot: number, dst: Buffer, at: number): boolean {
    const kd = this.#kd;
    const file = kd.file[slot];
    const frameLength = kd.frameLength[slot];
    const length = kd.valueLength[slot];
    const pos = this.#at(file, kd.offset[slot], frameLength);
    if (pos >= 0 && readFrame(this.#buf, pos, pos + frameLength, this.#fv, this.#open!.salt).status === FRAME_OK) {
      const start = pos + kd.valueOffset[slot];
      copyBytes(dst, at, this.#buf, start, start + length);
      return true;
    }
    const bytes = this.shard.valueBytes(slot);
    if (bytes === null) {
      // Never dropped for a file this copy does not hold open (its items point into files a compaction released): that
      // is no damage, and a base without them would lose them once the files it replaces are removed.
      if (this.shard.fileAt(file) === undefined) throw new IOError(`compaction in ${this.shard.dir}`, Object.assign(new Error(`slot ${slot} lies in a log file not open here`), { code: 'EBADF' }));
      return false;
    }
    // The keydir's length sized the room the caller made: anything else would misplace every byte after it.
    if (bytes.length !== length) throw new RangeError(`slot ${slot}: value length`);
    copyBytes(dst, at, bytes);
    return true;
  }

  /** Where the frame at `offset` of local file `file` lies in the window, reading the next window when the frame
   * starts at or shortly past the window's end; -1 when it does not (out of sequence, or a file not open). */
  #at(file: number, offset: number, frameLength: number): number {
    if (frameLength > READ_AHEAD_BYTES) return -1;
    const end = this.#start + this.#buf.length;
    if (this.#file !== file || offset < this.#start || offset + frameLength > end) {
      const f = this.shard.fileAt(file);
      if (f === undefined) return -1;
      if (this.#file !== -1 && (this.#file !== file || offset < end || offset >= end + READ_AHEAD_GAP)) {
        // Not sequential: remember where we are, so that a run of frames from here on is read ahead again.
        this.#file = file;
        this.#open = f;
        this.#start = offset + frameLength;
        this.#buf = Buffer.alloc(0);
        return -1;
      }
      const buf = Buffer.allocUnsafe(READ_AHEAD_BYTES);
      const n = readAt(this.shard.fs, f.fd, buf, READ_AHEAD_BYTES, offset);
      this.#file = file;
      this.#open = f;
      this.#start = offset;
      this.#buf = buf.subarray(0, n);
      if (n < frameLength) return -1;
    }
    return offset - this.#start;
  }
}
