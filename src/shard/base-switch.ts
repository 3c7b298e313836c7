/**
 * The switch to a new base, in bounded slices. When a process meets the "compaction done" seal of base B, its
 * state is already right (it replayed every record up to that seal); only the places its items point to are old:
 * segments ≤ B and older bases, which the compactor has unlinked and the process still holds open (Linux keeps an
 * unlinked file readable through an open descriptor). Instead of rebuilding the state from B (work proportional
 * to the live data, on someone's call), the process walks B a slice at a time and re-points each item that still
 * lies in a retiring file at its ENTRY in B; then it checks, a slice at a time, that no live item is left in a
 * retiring file, and closes those files (their disk space goes).
 *
 * Invariant: an item whose location is in a retiring file has not been stored since the seal of B (every store
 * after that seal lands in a segment after B), so its value bytes are exactly those of its ENTRY in B. An ENTRY
 * re-points slot s only when s holds the ENTRY's key and still lies in a retiring file; versions, expiry, numbers
 * and every other field stay as the log made them (a touch or an incr after the seal changes those, not the value
 * bytes). Items that no ENTRY covers (a value the compactor found corrupt and dropped) make the switch fail: the
 * shard then rebuilds its state from the files at its next safe point, as before this module existed.
 */
import { FRAME_HEADER_BYTES, FRAME_OK, FrameSalt, FrameView, newFrameView, readFrame } from '../format/frame.js';
import { OP_BASE, OP_ENTRY, newRecordView, readRecord, releaseRecordView } from '../format/record.js';
import { ENTRY_META_BYTES } from '../format/base.js';
import { FILE_HEADER_BYTES, KIND_BASE, parseFileHeader } from '../format/segment.js';
import { baseName } from '../format/files.js';
import * as path from 'node:path';
import * as nodeFs from 'node:fs';
import { frameBytesAt, grownChunk, readAt } from './chunks.js';
import type { KeyDir } from './keydir.js';
import type { FsLike, ShardCore } from './core.js';

/** Bytes of a new base walked per call while switching to it: tens of µs. */
export const SWITCH_CALL_BYTES = 32 * 1024;
/** Bytes walked per timer tick while switching, and the tick's period (ms): an idle process finishes too. */
const SWITCH_TICK_BYTES = 256 * 1024;
const SWITCH_TICK_MS = 4;

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
  /** Items re-pointed so far. */
  relocated = 0;

  /**
   * @param baseId id of the new base.
   * @param file local file number of the new base (open); `fd` its descriptor and `size` its length.
   * @param retiring local file numbers of the files the base replaces.
   */
  constructor(readonly baseId: number, readonly file: number, readonly fd: number, readonly size: number,
    readonly retiring: ReadonlySet<number>, readonly fs: FsLike, readonly salt: FrameSalt, start: number) {
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

  /** Re-points the items of the ENTRY frames in `buf[0, len)`; returns bytes consumed, or -1 on a damaged frame. */
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
        if (f.op === OP_ENTRY && readRecord(buf, f.op, f.body, f.length, r) && r.valueLength >= ENTRY_META_BYTES) {
          const slot = buf.readUInt32LE(r.valueStart + 16);
          const found = kd.find(buf, r.keyStart, r.keyStart + r.keyLength);
          if (found === slot && this.retiring.has(kd.file[slot]!)) {
            const start = f.body - FRAME_HEADER_BYTES;
            kd.relocate(slot, this.file, this.#pos + start, f.next - start, r.valueStart + ENTRY_META_BYTES - start);
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

/**
 * The shard's room for switching (wired into ShardCore as `switching`): starts a BaseSwitch at a DONE seal, runs
 * its slices (per call from caughtUp, per timer tick while one runs) and, at its end, releases the retired files, or
 * asks for a rebuild when it failed.
 */
export class Switching {
  readonly #c: ShardCore;
  #switch: BaseSwitch | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** logBytes as each recent segment was sealed: a switch to base N keeps the bytes applied after N's seal. */
  readonly #sealLogBytes = new Map<number, number>();

  constructor(core: ShardCore) {
    this.#c = core;
  }

  get active(): boolean {
    return this.#switch !== null;
  }

  /** Segment `id` was sealed (remembered for a switch to base `id`). */
  sealed(id: number): void {
    const m = this.#sealLogBytes;
    m.set(id, this.#c.logBytes);
    if (m.size > 16) m.delete(Math.min(...m.keys()));
  }

  /** A rebuild of the state: no switch, nothing remembered. */
  reset(): void {
    this.stop();
    this.#sealLogBytes.clear();
  }

  /** Opens base `baseId` and starts re-pointing items at it; false when it cannot (the caller rebuilds instead). */
  start(baseId: number): boolean {
    const c = this.#c;
    const sealBytes = this.#sealLogBytes.get(baseId);
    if (sealBytes === undefined) return false;
    const name = baseName(baseId);
    let fd: number;
    let size: number;
    try {
      fd = c.fs.openSync(path.join(c.dir, name), nodeFs.constants.O_RDONLY | nodeFs.constants.O_NOFOLLOW); // never a link out
    } catch {
      return false;
    }
    let parsed;
    try {
      size = c.fs.fstatSync(fd).size;
      const header = Buffer.alloc(FILE_HEADER_BYTES);
      parsed = parseFileHeader(header.subarray(0, readAt(c.fs, fd, header, FILE_HEADER_BYTES, 0)), KIND_BASE, baseId);
      if (typeof parsed === 'string') {
        c.fs.closeSync(fd);
        return false;
      }
    } catch {
      try { c.fs.closeSync(fd); } catch { /* gone */ }
      return false;
    }
    this.stop();
    const retiring = new Set(c.segments.replacedBy(baseId));
    const file = c.segments.add({ id: baseId, kind: KIND_BASE, name, fd, salt: parsed.salt, start: parsed.start });
    // As a load from the base would count it: the base's frames, then what was applied after its seal.
    c.logBytes = size - parsed.start + (c.logBytes - sealBytes);
    c.baseId = baseId;
    this.#switch = new BaseSwitch(baseId, file, fd, size, retiring, c.fs, parsed.salt, parsed.start);
    this.#timer = setInterval(() => this.#tick(), SWITCH_TICK_MS);
    this.#timer.unref();
    return true;
  }

  /** One slice of the switch in progress; at its end, releases the files it retired (or asks for a rebuild). */
  step(budget: number): void {
    const sw = this.#switch;
    if (!sw) return;
    let status: SwitchStatus;
    try {
      status = sw.step(this.#c.state.kd, budget);
    } catch {
      status = 'failed';
    }
    if (status === 'more') return;
    this.stop();
    if (status === 'failed') {
      this.#c.reloadWanted = true;
      return;
    }
    for (const n of sw.retiring) this.#c.segments.release(n);
  }

  /** Completes the switch in progress now (explicit compact() returns with the old files closed). */
  finish(): void {
    while (this.#switch) this.step(SWITCH_TICK_BYTES);
  }

  /** A timer tick while a switch runs: a larger slice, so an idle process frees the old files too. */
  #tick(): void {
    const c = this.#c;
    if (c.window.open) return; // (never inside a transaction: timers do not run there anyway)
    this.step(SWITCH_TICK_BYTES);
    if (c.reloadWanted) try { c.replay.sync(); } catch { /* the next call sees it */ }
  }

  stop(): void {
    this.#switch = null;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
