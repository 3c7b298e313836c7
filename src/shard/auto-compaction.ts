/**
 * When a shard compacts by itself: after a write, once dead bytes exceed both compactMinBytes and the live bytes;
 * and when the process has been idle for IDLE_MS after writing, once dead bytes exceed compactMinBytes and a
 * quarter of the live bytes (so a store left alone shrinks to near its live size instead of staying up to twice
 * it). With a compactor entry beside the module and the real file system, the work runs in a background child
 * process (compactor.ts) and a write only starts it; otherwise (a file-system layer given for fault injection, a
 * single-file bundle) inside the writing call, as before. A compaction that fails, or that finds another process
 * compacting, is tried again once the log has grown by compactMinBytes (or the shard moved to a newer base).
 */
import { IOError } from '../errors.js';
import { compact, type CompactionResult } from './compaction.js';
import { compactInBackground, useCompactor, warmCompactor, type CompactorJob } from './compactor.js';
import { compactorEntry } from './compactor-entry.js';
import { IDLE_MS, compactionHalfWay, compactionWanted, throttleShare } from './compaction-rule.js';
import { WriteThrottle } from './write-throttle.js';
import type { Shard, SyncPolicy } from './shard.js';

/** A background job asked for this long ago, with no turn of the event loop since: compact in the call instead. */
const LOOP_STALL_MS = 2000;

export class AutoCompaction {
  readonly background: boolean;
  #running: Promise<CompactionResult> | null = null;
  /** The base the running job started from: once the shard is past it, the job is done (even if its answer has
   * not been read yet: a loop that never yields never reads it). */
  #runningBase = -1;
  /** After a failure (or a busy lock): the log size, and the base it was measured against, to wait for. */
  #retryAt = 0;
  #retryBase = -1;
  #lastWrite = 0;
  #idleTimer: NodeJS.Timeout | null = null;
  /** Whether this handle asked the compactor for anything (its close then tells it: useCompactor). */
  #usesCompactor = false;
  /** The base this shard was on when the compactor was last told to keep it warm (-1: never). */
  #warmedBase = -1;
  /** When the running background job was asked for, and whether the event loop has turned since. */
  #askedAt = 0;
  #turned = true;

  /** Backpressure while the background compactor catches up (null: off, or no background compactor). */
  readonly #throttle: WriteThrottle | null;

  constructor(readonly shard: Shard, readonly sync: SyncPolicy, inlineOnly: boolean, throttle = true) {
    this.background = !inlineOnly && compactorEntry() !== null;
    this.#throttle = this.background && throttle ? new WriteThrottle() : null;
  }

  #blocked(): boolean {
    const sh = this.shard;
    return sh.inTxn || (this.#retryBase === sh.baseId && sh.logBytes < this.#retryAt);
  }

  #retryLater(): void {
    this.#retryAt = this.shard.logBytes + this.shard.compactMinBytes;
    this.#retryBase = this.shard.baseId;
  }

  /** After a write of this process: starts a compaction when the log is mostly dead (never waits for one). */
  afterWrite(): void {
    const sh = this.shard;
    if (sh.compactMinBytes <= 0) return;
    this.#lastWrite = Date.now();
    if (this.background && this.#idleTimer === null) {
      this.#idleTimer = setInterval(() => this.#idle(), IDLE_MS);
      this.#idleTimer.unref();
    }
    // Not inside a transaction: its window holds every other writer back, and a sleep would hold them longer.
    if (this.#throttle !== null && !sh.inTxn) this.#throttle.afterWrite(throttleShare(sh.logBytes, sh.state.kd.liveFrameBytes, sh.compactMinBytes, sh.segmentLogBytes));
    const live = sh.state.kd.liveFrameBytes;
    // (A background compactor writes chain links, so the segments' bytes count too: compaction-rule.ts.)
    if (!compactionWanted(sh.logBytes, live, sh.compactMinBytes, false, this.background ? sh.segmentLogBytes : -1)) {
      // Half way there: have the compactor process ready (started from the event loop, not in this call) and reading
      // this shard, so the job starts from a state already read. Once per base: the compactor closes a warm shard
      // that stopped growing.
      if (this.background && this.#warmedBase !== sh.baseId && compactionHalfWay(sh.logBytes, live, sh.compactMinBytes, sh.segmentLogBytes)) {
        this.#warmedBase = sh.baseId;
        warmCompactor(this.#job());
      }
      return;
    }
    if (this.#blocked()) return;
    if (this.#running && this.#runningBase !== sh.baseId) this.#running = null;
    if (this.background) {
      // One job at a time, and nothing per write while it runs: a handler attached to the running job's Promise at
      // every write would be kept until the job ends (hundreds of bytes a write: the writer's heap grew by ~150 MB
      // during one compaction of a million small items).
      if (this.#running === null) this.#start(false).catch(() => { /* recorded by #start */ });
      else if (!this.#turned && Date.now() - this.#askedAt > LOOP_STALL_MS) {
        // A loop that never yields (a bulk script): the job's answer can never be read, nor another job started,
        // while the log grows without bound. Such a caller blocks anyway: compact in its call.
        this.#running = null;
        this.#turned = true;
        this.#compactHere();
      }
      return;
    }
    this.#compactHere();
  }

  #compactHere(): void {
    try {
      compact(this.shard);
    } catch (err) {
      // The write that triggered it succeeded: an automatic compaction that fails (a full disk, say) is not its
      // error. compact() and check() still throw.
      if (!(err instanceof IOError)) throw err;
      this.#retryLater();
    }
  }

  /** A timer tick: an idle writer compacts at a lower threshold. */
  #idle(): void {
    const sh = this.shard;
    if (sh.closed) return this.close();
    if (this.#running || Date.now() - this.#lastWrite < IDLE_MS) return;
    try {
      sh.sync();
    } catch {
      return; // the next call sees the error
    }
    const live = sh.state.kd.liveFrameBytes;
    if (compactionWanted(sh.logBytes, live, sh.compactMinBytes, true, this.background ? sh.segmentLogBytes : -1) && !this.#blocked()) {
      this.#start(false).catch(() => { /* recorded by #start */ });
    } else if (sh.logBytes - live <= sh.compactMinBytes) {
      this.close(); // nothing to do until the next write
    }
  }

  #job(): CompactorJob {
    const sh = this.shard;
    if (!this.#usesCompactor) {
      this.#usesCompactor = true;
      useCompactor(sh.dir, true);
    }
    return { dir: sh.dir, segmentBytes: sh.segmentBytes, sync: this.sync, compactMinBytes: sh.compactMinBytes };
  }

  #start(keepAlive: boolean): Promise<CompactionResult> {
    if (this.#running && !keepAlive) return this.#running;
    const sh = this.shard;
    const p = compactInBackground(this.#job(), keepAlive);
    this.#running = p;
    this.#runningBase = sh.baseId;
    this.#askedAt = Date.now();
    this.#turned = false;
    setImmediate(() => { this.#turned = true; }).unref();
    p.then(
      (r) => { if (r.base === 0) this.#retryLater(); },
      () => this.#retryLater(),
    ).finally(() => { if (this.#running === p) this.#running = null; });
    return p;
  }

  /**
   * Compacts in the background and resolves once the new base is in place (this process then moves to it a slice
   * at a time); without a background compactor, compacts now. Base 0: another process was compacting.
   */
  async compactAsync(): Promise<CompactionResult> {
    if (!this.background) return compact(this.shard);
    this.shard.sync(); // a log file in a newer format: its NewerFormatError here, not the compactor's failure
    const r = await this.#start(true);
    if (!this.shard.closed) this.shard.sync();
    return r;
  }

  /** Before an asynchronous caller's write: a Promise for what this process owes while compaction catches up (then
   * its write does not sleep), or undefined. */
  owedAsync(): Promise<void> | undefined {
    return this.#throttle?.owedAsync();
  }

  /** Stops the idle timer (until the next write). */
  close(): void {
    if (this.#idleTimer) clearInterval(this.#idleTimer);
    this.#idleTimer = null;
  }

  /** The handle closes: no more timers, and the compactor is told once no handle of this process uses the shard. */
  dispose(): void {
    this.close();
    if (this.#usesCompactor) useCompactor(this.shard.dir, false);
    this.#usesCompactor = false;
  }
}
