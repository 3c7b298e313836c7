/**
 * The shards a background compactor keeps open between jobs (compactor-main.ts), caught up with their logs while it
 * is idle, and compacted by it when they want it. Without them, every job began by reading the whole store (its base
 * and every segment after it) before writing a byte of the new base, and the old log stayed on disk, and the writes
 * made meanwhile piled up, for that time too (docs/engine.md, "Disk during a compaction").
 *
 * One compactor on the machine keeps a given shard warm: the one holding the shard's `warm` lock (lock.ts; never
 * waited for, taken over from a dead holder). Every writing process asks its own compactor to warm the shard when
 * the shard is half way to wanting a compaction; the first to take the lock reads it, the others do nothing. The
 * holder compacts when its warm shard wants it, by the same rule a writer applies (compaction-rule.ts), so the job
 * runs where the state is already read; an automatic job asked of another compactor meanwhile is skipped as
 * `locked` (the holder does it), while an explicit one (`compactAsync()`) runs there, cold.
 *
 * A warm shard moves to the base it wrote before it answers (the switch, unpaced: it reads only that base), and is read
 * again from the files after another process's compaction (so the files it replaced are let go at once, not after a
 * switch paced for a request path) and after a compaction of its own that failed; it is closed, with its lock
 * released, once its log has not grown for IDLE_CLOSE_MS: its keydir, the size of its parents', is not kept for
 * nothing.
 */
import { Shard } from './shard.js';
import { compact, type CompactionResult } from './compaction.js';
import { IDLE_MS, compactionWanted } from './compaction-rule.js';
import { tryLock } from './lock.js';
import * as nodeFs from 'node:fs';
import { COMPACT_LOCK, WARM_LOCK, hasLogFiles } from '../format/files.js';
import type { CompactorJob } from './compactor.js';

/** How often a warm shard reads what was appended since (ms). */
const CATCH_UP_MS = 250;
/** A warm shard whose log has not grown for this long is closed (ms). */
const IDLE_CLOSE_MS = 30_000;

const SKIPPED: CompactionResult = { base: 0, items: 0, bytesBefore: 0, bytesAfter: 0, skipped: 'locked' };

interface Warm {
  job: CompactorJob;
  /** Null while a job has it, or until it is read again after a compaction. */
  shard: Shard | null;
  release: () => void;
  /** The base the shard was opened from: another one means another process compacted. */
  base: number;
  logBytes: number;
  grewAt: number;
  /** After a compaction that failed or found the lock taken: the log size, and the base, to wait for. */
  retryAt: number;
  retryBase: number;
}

export class WarmShards {
  readonly #byDir = new Map<string, Warm>();
  readonly #catchUpMs: number;
  readonly #idleCloseMs: number;
  readonly #inUse: (dir: string) => boolean;
  #timer: NodeJS.Timeout | null = null;

  /** @param onChunk called at each tick and between pieces of a long read or write (the compactor checks its parent,
   * and paces itself, there), and with `now` before a file is created.
   * @param inUse whether the process that asked for this store still has it open: looked at before a file is created
   * in it (a segment met at a seal, a temporary base), since its user may be removing a store it closed, and the
   * message that says so may not have arrived yet. */
  constructor(readonly onChunk: (now?: boolean) => void,
    { catchUpMs = CATCH_UP_MS, idleCloseMs = IDLE_CLOSE_MS, inUse = (_dir: string): boolean => true } = {}) {
    this.#catchUpMs = catchUpMs;
    this.#idleCloseMs = idleCloseMs;
    this.#inUse = inUse;
  }

  /** Reads `job`'s shard and keeps it caught up, unless another compactor does (or this one already does).
   * `looked`: the caller has just made the look before creating (#mayCreate). */
  open(job: CompactorJob, looked = false): void {
    let w = this.#byDir.get(job.dir);
    if (!w) {
      // No store there (removed), or one its user closed (a warm request read after the close): nothing to keep warm,
      // and the lock is not taken (its entries would be created in a directory that may be being removed).
      if (!hasLogFiles(nodeFs, job.dir) || (!looked && !this.#mayCreate(job.dir))) return;
      looked = true;
      const release = tryLock(job.dir, WARM_LOCK);
      if (!release) return; // another compactor keeps it warm
      w = { job, shard: null, release, base: 0, logBytes: 0, grewAt: Date.now(), retryAt: 0, retryBase: -1 };
      this.#byDir.set(job.dir, w);
    }
    w.grewAt = Date.now();
    if (!w.shard) this.#load(w, looked);
    this.#arm();
  }

  /**
   * A job asked by a parent. On a warm shard here, it runs on it; if another compactor keeps the shard warm, an
   * automatic job is left to it (`locked`), an `explicit` one runs here from a fresh read; a job that would find the
   * compaction lock taken is answered before the store is read.
   */
  run(job: CompactorJob, explicit: boolean): CompactionResult {
    if (!this.#mayCreate(job.dir)) throw notOpen(job.dir); // no lock taken, no copy read for a store its user closed
    this.open(job, true);
    const w = this.#byDir.get(job.dir);
    if (!w && !explicit) return SKIPPED;
    if (!w?.shard && !lockFree(job.dir)) return SKIPPED;
    return this.#compact(w, w?.shard ?? this.#openShard(job), explicit);
  }

  /** Lets go of `dir`'s warm shard, if this compactor keeps it: closes it and releases its lock. */
  cool(dir: string): void {
    const w = this.#byDir.get(dir);
    if (w) this.#drop(w);
  }

  /** The warm shard of `job`, if one is open here (tests). */
  peek(job: CompactorJob): Shard | null {
    return this.#byDir.get(job.dir)?.shard ?? null;
  }

  /** Closes every warm shard and releases its lock. */
  closeAll(): void {
    for (const w of [...this.#byDir.values()]) this.#drop(w);
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** `whole`: a whole base (compactAsync() asks for the store at its live size), not a chain link. `idle`: no write
   * for IDLE_MS (a link then merges more of the chain: chain.ts). */
  #compact(w: Warm | undefined, shard: Shard, whole = false, idle = false): CompactionResult {
    if (w) w.shard = null;
    let failed = false;
    try {
      shard.sync();
      // finishSwitch: the copy moves its items to the new base before the job's answer, so it stays warm (and keeps
      // the removals a chain link needs from that base's seal on) without reading the store again.
      const result = compact(shard, false, true, whole ? Infinity : undefined, idle);
      if (result.base === 0 && w) this.#retryLater(w, shard);
      return result;
    } catch (err) {
      failed = true;
      if (w) this.#retryLater(w, shard);
      throw err;
    } finally {
      if (!w || failed || shard.closed) {
        // One that failed may have got past the link: read the shard again from the newest base once the job's answer
        // is sent.
        shard.close();
        if (w) setImmediate(() => this.#reload(w, shard));
      } else {
        w.shard = shard;
        w.base = shard.baseId;
        w.logBytes = shard.logBytes;
      }
    }
  }

  #retryLater(w: Warm, shard: Shard): void {
    w.retryAt = shard.logBytes + w.job.compactMinBytes;
    w.retryBase = shard.baseId;
  }

  #openShard(job: CompactorJob): Shard {
    const onChunk = (now?: boolean) => {
      if (now !== true) this.onChunk();
      else if (!this.#mayCreate(job.dir)) throw notOpen(job.dir);
    };
    // `existing`: a copy never creates the directory (read again after a compaction, it would recreate a store removed
    // meanwhile).
    // `keepRemovals`: its compactions may write chain links (chain.ts).
    return new Shard(job.dir, { segmentBytes: job.segmentBytes, sync: job.sync, compactMinBytes: 0, onChunk, existing: true, keepRemovals: true });
  }

  /** The look before anything is created in `dir` (a lock's entries, a copy's files): the parent (a compactor whose
   * parent is gone exits here), and whether it still has the store open. */
  #mayCreate(dir: string): boolean {
    this.onChunk(true);
    return this.#inUse(dir);
  }

  #load(w: Warm, looked = false): void {
    // Read again after a compaction: the store's user may have closed it meanwhile (the message may not be read yet).
    if (!looked && !this.#mayCreate(w.job.dir)) return this.#drop(w);
    try {
      w.shard = this.#openShard(w.job);
    } catch {
      this.#drop(w); // a job opens it again (and reports what went wrong)
      return;
    }
    w.base = w.shard.baseId;
    w.logBytes = w.shard.logBytes;
  }

  /** Closes `old` and reads `w`'s shard afresh, unless it was let go or reopened meanwhile. */
  #reload(w: Warm, old: Shard): void {
    old.close();
    if (w.shard === old) w.shard = null;
    if (!w.shard && this.#byDir.get(w.job.dir) === w) this.#load(w);
  }

  #drop(w: Warm): void {
    w.shard?.close();
    w.shard = null;
    if (this.#byDir.get(w.job.dir) === w) this.#byDir.delete(w.job.dir);
    w.release();
  }

  #arm(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#tick(), this.#catchUpMs);
  }

  /** A tick: every warm shard reads what was appended since, and compacts if it wants to; one idle too long is closed. */
  #tick(): void {
    this.onChunk(); // a compactor whose parent is gone exits here, before it reads or writes anything more
    const now = Date.now();
    for (const w of [...this.#byDir.values()]) {
      const shard = w.shard;
      if (!shard) continue;
      // A store removed under its copy (its user closed it and deleted the directory): a sync could create the next
      // segment there again, in a directory being removed.
      if (!hasLogFiles(nodeFs, w.job.dir)) {
        this.#drop(w);
        continue;
      }
      try {
        shard.sync();
      } catch {
        this.#drop(w);
        continue;
      }
      if (shard.logBytes !== w.logBytes) {
        w.logBytes = shard.logBytes;
        w.grewAt = now;
      }
      if (now - w.grewAt > this.#idleCloseMs) {
        this.#drop(w);
      } else if (shard.baseId !== w.base) {
        // Another process compacted: read the new base now rather than hold the old files through a paced switch.
        this.#reload(w, shard);
      } else if (compactionWanted(shard.logBytes, shard.state.kd.liveFrameBytes, w.job.compactMinBytes, now - w.grewAt >= IDLE_MS, shard.segmentLogBytes)
        && !(w.retryBase === shard.baseId && shard.logBytes < w.retryAt)) {
        try {
          this.#compact(w, shard, false, now - w.grewAt >= IDLE_MS);
        } catch { /* tried again once the log has grown by compactMinBytes */ }
      }
    }
    if (this.#byDir.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }
}

function notOpen(dir: string): Error {
  return new Error(`${dir} is no longer open in the process that asked: nothing is created there`);
}

/** Whether the compaction lock of `dir` is free now (tried and released: a job that would find it taken reads nothing). */
function lockFree(dir: string): boolean {
  const release = tryLock(dir, COMPACT_LOCK);
  release?.();
  return release !== null;
}
