/**
 * One switch to a new base, walked a slice at a time (base-switch.ts says why and runs it): re-points each item that
 * still lies in a retiring file at its item in the base, then checks that no live item is left in one. Loaded by
 * Node's build at the first switch (after a compaction), not with the package.
 */
import { FRAME_HEADER_BYTES, FRAME_OK, FrameSalt, FrameView, newFrameView, readFrame } from '../format/frame.js';
import { OP_BASE, OP_TOMB, isBaseItem, newRecordView, readRecord, releaseRecordView } from '../format/record.js';
import { EntryMeta, readBaseItem } from '../format/base.js';
import { frameBytesAt, grownChunk, readAt } from './chunks.js';
import { type KeyDir, NIL } from './keydir.js';
import type { FsLike } from './core.js';
import { SWITCH_TICK_BYTES } from './base-switch.js';

/** Slots checked per slice of the final check. */
const VERIFY_SLOTS = 16_384;

export type SwitchStatus = 'more' | 'done' | 'failed';

export class BaseSwitch {
  /** Next file offset of the base to read (its frames start after the file header). */
  #pos: number;
  #verifySlot = 0;
  #trailer = false;
  #buf: Buffer = Buffer.alloc(0);
  readonly #fv: FrameView = newFrameView();
  readonly #rv = newRecordView();
  readonly #meta: EntryMeta = { rowid: 0, version: 0, slot: 0 };
  /** Items re-pointed so far. */
  relocated = 0;

  /**
   * @param baseId id of the new base.
   * @param file local file number of the new base (open); `fd` its descriptor and `size` its length.
   * @param retiring local file numbers of the files the base replaces.
   * @param kept local file numbers of the earlier bases a chain link builds on: an item of the link that lies in one of
   * them is re-pointed too (an incr or touch changed it since without moving it: the link holds it as it is now, and a
   * later link that merges that base will not).
   */
  constructor(readonly baseId: number, readonly file: number, readonly fd: number, readonly size: number,
    readonly retiring: ReadonlySet<number>, readonly fs: FsLike, readonly salt: FrameSalt, start: number,
    readonly kept: ReadonlySet<number> = new Set()) {
    this.#pos = start;
  }

  /** Whether the local file number `n` is one the switch lets go of. */
  isRetiring(n: number): boolean {
    return this.retiring.has(n);
  }

  /** Does one slice: about `budget` bytes of the base, or VERIFY_SLOTS slots of the final check. */
  step(kd: KeyDir, budget: number): SwitchStatus {
    if (!this.#trailer && this.#pos < this.size) return this.#relocate(kd, budget);
    if (!this.#trailer) return 'failed'; // the base ended without its trailer (damaged since it was written)
    return this.#verify(kd);
  }

  #relocate(kd: KeyDir, budget: number): SwitchStatus {
    let want = Math.min(budget, this.size - this.#pos);
    for (;;) {
      if (this.#buf.length < want) this.#buf = Buffer.allocUnsafe(want);
      const buf = this.#buf;
      const n = readAt(this.fs, this.fd, buf, want, this.#pos);
      if (n === 0) return 'failed';
      const consumed = this.#apply(kd, buf, n);
      if (consumed < 0) return 'failed';
      if (consumed > 0 || this.#trailer) {
        this.#pos += consumed;
        if (this.#buf.length > SWITCH_TICK_BYTES * 4) this.#buf = Buffer.alloc(0); // a large frame's buffer is not kept
        return 'more';
      }
      if (n < want || want >= this.size - this.#pos) return 'failed'; // a frame cut by the end of the file
      want = Math.min(this.size - this.#pos, Math.max(grownChunk(want, buf, n, this.salt.magic), frameBytesAt(buf, 0, n, this.salt.magic)));
    }
  }

  /** Re-points the items (ITEM and ENTRY frames) in `buf[0, len)`; returns bytes consumed, or -1 on a damaged frame. */
  #apply(kd: KeyDir, buf: Buffer, len: number): number {
    const r = this.#rv;
    let p = 0;
    try {
      while (p < len) {
        const f = readFrame(buf, p, len, this.#fv, this.salt);
        if (f.status !== FRAME_OK) {
          // Cut by the chunk's end: read whole next time. Anything else is damage: rebuild from the files instead.
          return len - p < FRAME_HEADER_BYTES || frameBytesAt(buf, p, len, this.salt.magic) > len - p ? p : -1;
        }
        if (f.op === OP_BASE) {
          this.#trailer = true;
          return f.next;
        }
        if (f.op === OP_TOMB && readRecord(buf, f.op, f.body, f.length, r)) {
          // A chain link says this key is gone as of its seal. A process that holds it live in a file of the chain or one
          // the link replaces disagrees (the compactor dropped an item whose value no longer checked out): rebuild.
          const slot = kd.find(buf, r.keyStart, r.keyStart + r.keyLength);
          if (slot !== NIL && (this.retiring.has(kd.file[slot]!) || this.kept.has(kd.file[slot]!))) return -1;
        } else if (isBaseItem(f.op) && readBaseItem(buf, f.op, f.body, f.length, r, this.#meta)) {
          const slot = this.#meta.slot;
          const found = kd.find(buf, r.keyStart, r.keyStart + r.keyLength);
          if (found === slot && (this.retiring.has(kd.file[slot]!) || this.kept.has(kd.file[slot]!))) {
            const start = f.body - FRAME_HEADER_BYTES;
            kd.relocate(slot, this.file, this.#pos + start, f.next - start, r.valueStart - start);
            this.relocated++;
          }
        }
        p = f.next;
      }
      return p;
    } finally {
      releaseRecordView(r);
    }
  }

  #verify(kd: KeyDir): SwitchStatus {
    const end = Math.min(kd.highWater, this.#verifySlot + VERIFY_SLOTS);
    for (let s = this.#verifySlot; s < end; s++) {
      if (kd.has(s) && this.retiring.has(kd.file[s]!)) return 'failed';
    }
    this.#verifySlot = end;
    return end >= kd.highWater ? 'done' : 'more';
  }
}
