/**
 * A file written a batch at a time (a compaction's base): frames are encoded straight into one reusable buffer and
 * the buffer is written out when the next frame would not fit, so no frame gets a buffer of its own and nothing is
 * concatenated. A frame larger than the batch gets a buffer of its own, written out by itself.
 */
import type { FsLike } from './core.js';

export class FrameBatch {
  /** Where the frame being encoded goes (the batch buffer, or a large frame's own), and a view of it. */
  buf: Buffer;
  dv: DataView;
  /** Bytes of `buf` filled so far. */
  #used = 0;
  readonly #batch: Buffer;
  readonly #batchView: DataView;

  /** @param beforeWrite called before each write (a background compactor checks that its parent is alive). */
  constructor(readonly fs: FsLike, readonly fd: number, batchBytes: number, readonly beforeWrite: (() => void) | null = null) {
    this.buf = this.#batch = Buffer.allocUnsafe(batchBytes);
    this.dv = this.#batchView = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  /** Makes room for `bytes` more (writing out what the batch holds when they would not fit); returns their offset in
   * `buf`. The caller fills them before the next reserve or flush, or gives them back with unreserve. */
  reserve(bytes: number): number {
    if (this.#used + bytes > this.buf.length) {
      this.flush();
      if (bytes > this.#batch.length) {
        this.buf = Buffer.allocUnsafe(bytes);
        this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
      } else if (this.buf !== this.#batch) {
        this.buf = this.#batch;
        this.dv = this.#batchView;
      }
    }
    const at = this.#used;
    this.#used += bytes;
    return at;
  }

  /** Gives back the room the last reserve returned at `at` (a frame dropped after all). */
  unreserve(at: number): void {
    this.#used = at;
  }

  /** Writes out what the batch holds. */
  flush(): void {
    if (this.#used === 0) return;
    this.beforeWrite?.();
    for (let p = 0; p < this.#used;) {
      const n = this.fs.writeSync(this.fd, this.buf, p, this.#used - p);
      if (n <= 0) throw new Error(`write of ${this.#used - p} bytes wrote nothing`);
      p += n;
    }
    this.#used = 0;
  }
}
