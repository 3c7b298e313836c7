/**
 * The switch to a new base, in bounded slices. When a process meets the "compaction done" seal of base B, its
 * state is already right (it replayed every record up to that seal); only the places its items point to are old:
 * segments ≤ B and older bases, which the compactor has unlinked and the process still holds open (Linux keeps an
 * unlinked file readable through an open descriptor). Instead of rebuilding the state from B (work proportional
 * to the live data, on someone's call), the process walks B a slice at a time and re-points each item that still
 * lies in a retiring file at its item in B (an ITEM, or an older base's ENTRY); then it checks, a slice at a time,
 * that no live item is left in a retiring file, and closes those files (their disk space goes).
 *
 * Invariant: an item whose location is in a retiring file has not been stored since the seal of B (every store
 * after that seal lands in a segment after B), so its value bytes are exactly those of its item in B. An item of B
 * re-points slot s only when s holds its key and still lies in a retiring file; versions, expiry, numbers
 * and every other field stay as the log made them (a touch or an incr after the seal changes those, not the value
 * bytes). Items that B does not hold (a value the compactor found corrupt and dropped) make the switch fail: the
 * shard then rebuilds its state from the files at its next safe point, as before this module existed.
 */
import { FILE_HEADER_BYTES, KIND_BASE, parseFileHeader } from '../format/segment.js';
import { baseName } from '../format/files.js';
import * as path from 'node:path';
import * as nodeFs from 'node:fs';
import { readAt } from './chunks.js';
import { BaseSwitch, type SwitchStatus } from './base-walk.js';
import type { ShardCore } from './core.js';

export type { SwitchStatus } from './base-walk.js';

/** Bytes of a new base walked per call while switching to it: tens of µs. */
export const SWITCH_CALL_BYTES = 32 * 1024;
/** Bytes walked per timer tick while switching, and the tick's period (ms): an idle process finishes too. */
export const SWITCH_TICK_BYTES = 256 * 1024;
const SWITCH_TICK_MS = 1;

/**
 * The shard's room for switching (wired into ShardCore as `switching`): starts a BaseSwitch at a DONE seal, runs
 * its slices (per call from caughtUp, per timer tick while one runs) and, at its end, releases the retired files, or
 * asks for a rebuild when it failed.
 */
export class Switching {
  readonly #c: ShardCore;
  /** The switches under way, oldest first: a switch to a chain link re-points only the items it holds, so one that
   * begins while another is under way waits for it (the earlier one re-points the items the later one does not hold). */
  #switches: BaseSwitch[] = [];
  #timer: NodeJS.Timeout | null = null;
  /** logBytes as each recent segment was sealed: a switch to base N keeps the bytes applied after N's seal. */
  readonly #sealLogBytes = new Map<number, number>();

  constructor(core: ShardCore) {
    this.#c = core;
  }

  get active(): boolean {
    return this.#switches.length > 0;
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
    this.#c.releasedEarly.clear();
  }

  /** Opens base `baseId` (which builds on the earlier bases `chain`: chain.ts) and starts re-pointing items at it;
   * false when it cannot (the caller rebuilds instead). */
  start(baseId: number, chain: readonly number[]): boolean {
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
      parsed = parseFileHeader(header.subarray(0, readAt(c.fs, fd, header, FILE_HEADER_BYTES, 0)), KIND_BASE, baseId, name);
      if (typeof parsed === 'string') {
        c.fs.closeSync(fd);
        return false;
      }
    } catch {
      // (A base in a newer format too: the rebuild instead meets it and stops with NewerFormatError.)
      try { c.fs.closeSync(fd); } catch { /* gone */ }
      return false;
    }
    const keep = new Set(chain);
    let kept: { file: number; bytes: number }[] | null = null;
    try {
      kept = c.segments.heldBases(keep);
    } catch { /* a held base that cannot be looked at: rebuild, below */ }
    // Every base it builds on is held: a process that holds fewer (it loaded before one of them was written) rebuilds.
    if (kept === null || kept.length !== keep.size) {
      try { c.fs.closeSync(fd); } catch { /* gone */ }
      return false;
    }
    const retiring = new Set([...c.segments.replacedBy(baseId, keep), ...c.releasedEarly]);
    c.releasedEarly.clear();
    const file = c.segments.add({ id: baseId, kind: KIND_BASE, name, fd, salt: parsed.salt, start: parsed.start });
    // As a load from the base would count it: the bases' frames, then what was applied after its seal.
    const baseBytes = kept.reduce((n, k) => n + k.bytes, size - parsed.start);
    c.logBytes = baseBytes + (c.logBytes - sealBytes);
    c.baseBytes = baseBytes;
    c.baseId = baseId;
    c.chain = [...chain];
    this.#switches.push(new BaseSwitch(baseId, file, fd, size, retiring, c.fs, parsed.salt, parsed.start, new Set(kept.map((k) => k.file))));
    if (this.#timer === null) {
      this.#timer = setInterval(() => this.#tick(), SWITCH_TICK_MS);
      this.#timer.unref();
    }
    return true;
  }

  /** One slice of the switch in progress; at its end, releases the files it retired (or asks for a rebuild). */
  step(budget: number): void {
    const sw = this.#switches[0];
    if (!sw) return;
    let status: SwitchStatus;
    try {
      status = sw.step(this.#c.state.kd, budget);
    } catch {
      status = 'failed';
    }
    if (status === 'more') return;
    if (status === 'failed') {
      this.stop();
      this.#c.reloadWanted = true;
      return;
    }
    this.#switches.shift();
    if (this.#switches.length === 0) this.stop();
    for (const n of sw.retiring) {
      // (A file a later switch also retires is let go by that one, once no item points into it.)
      if (!this.#switches.some((later) => later.retiring.has(n))) this.#c.segments.release(n);
    }
  }

  /** Completes the switches in progress now (explicit compact() returns with the old files closed). */
  finish(): void {
    while (this.#switches.length > 0) this.step(SWITCH_TICK_BYTES);
  }

  /** A timer tick while a switch runs: a larger slice, so an idle process frees the old files too. */
  #tick(): void {
    const c = this.#c;
    if (c.window.open) return; // (never inside a transaction: timers do not run there anyway)
    this.step(SWITCH_TICK_BYTES);
    if (c.reloadWanted) try { c.replay.sync(); } catch { /* the next call sees it */ }
  }

  stop(): void {
    this.#switches = [];
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
