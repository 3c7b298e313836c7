/**
 * One shard: a directory holding an append-only log of segments (and, after compaction, a base), replayed into
 * a ShardState by every process that opens it. The log is the single order of all operations: a write is one
 * O_APPEND of one frame; before answering, a process checks with one pread whether the active segment grew and
 * replays the new frames. A writer that needs its command's outcome (add, incr, pop, ...) replays up to its own
 * frame. Locks guard only what changes which files exist (compaction); see docs/engine.md.
 *
 * This file keeps append, pending outcomes, sync and seal; its rooms are segments.ts (log files, roll-over),
 * replay.ts (the tail check and applying frames), reload.ts (rebuilding from base and segments), txn-window.ts
 * (the transaction window) and values.ts (value reads). What they share is core.ts's ShardCore.
 */
import { now as clockNow } from '../clock.js';
import * as nodeFs from 'node:fs';
import { randomBytes } from '../builtin.js';
import { OP_ABORT, OP_BEGIN, OP_SEAL, RecordInput, SEAL_COMPACTION_DONE, SEAL_ROLLOVER, encodeRecord } from '../format/record.js';
import { PLAIN_SALT } from '../format/frame.js';
import { IOError } from '../errors.js';
import { CorruptionReport, FsLike, Pending, ShardCore, SyncPolicy } from './core.js';
import { load } from './reload.js';
import { closeAbandoned, completeCommittedGroup } from './group-commit.js';
import { renewLeases } from './owner.js';
import { Replay } from './replay.js';
import { Segments, type OpenFile } from './segments.js';
import { Outcome, ShardState } from './state.js';
import { TxnWindow } from './txn-window.js';
import { Values } from './values.js';
import { Switching } from './base-switch.js';

export type { CorruptionKind, CorruptionReport, FsLike, SyncPolicy } from './core.js';

export interface ShardOptions {
  /** Roll over to a new segment past this size (bytes). Default 64 MiB. */
  segmentBytes?: number;
  /** fsync policy: 'none' (default, like SQLite synchronous=NORMAL on a crash of the process), 'interval' (1 s), 'always'. */
  sync?: SyncPolicy;
  /** Compact when dead bytes exceed both this (bytes, default 8 MiB) and the live bytes. 0 turns automatic compaction off. */
  compactMinBytes?: number;
  fs?: FsLike;
  /** Lease of this handle's transaction windows (ms, default 10 s): see owner.ts. */
  txnLeaseMs?: number;
  /** Called every 64 frames applied or items written, and after each chunk of a long load, catch-up or base write (a
   * background compactor checks its parent, and paces itself, there); with `now`, before a file is created. */
  onChunk?: (now?: boolean) => void;
  /** Open a store that exists: its directory is not created (a compactor's copy never recreates a store its user
   * removed; it fails to open instead). */
  existing?: boolean;
  /** Keep the keys of items removed since the newest base's seal (state.removedKeys): a compaction of this handle may
   * then write a chain link, merging only part of the log (compaction.ts). A background compactor's copies do. */
  keepRemovals?: boolean;
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

export class Shard {
  readonly dir: string;
  readonly state = new ShardState();
  /** Names this handle's records in the log. */
  readonly writer: number;
  readonly fs: FsLike;
  readonly segmentBytes: number;
  readonly compactMinBytes: number;
  readonly syncPolicy: SyncPolicy;
  /** Problems met while replaying since open (or the last clearReports): one per place, at most MAX_REPORTS. */
  readonly reports: readonly CorruptionReport[];

  readonly #c: ShardCore;
  /** A lazy beginTxn's deadline: its window opens at the first read or write. */
  #lazyBegin: number | null = null;
  readonly #segments: Segments;
  readonly #replay: Replay;
  readonly #window: TxnWindow;
  readonly #values: Values;
  #seqNo = 0;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(dir: string, options: ShardOptions = {}) {
    this.dir = dir;
    this.fs = options.fs ?? nodeFs;
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.compactMinBytes = options.compactMinBytes ?? 8 * 1024 * 1024;
    this.syncPolicy = options.sync ?? 'none';
    this.writer = randomBytes(4).readUInt32LE(0);
    const c = (this.#c = new ShardCore(dir, this.fs, this.writer, this.state, this.syncPolicy));
    this.reports = c.corruption.reports;
    c.segments = this.#segments = new Segments(c);
    c.replay = this.#replay = new Replay(c);
    c.window = this.#window = new TxnWindow(c);
    c.values = this.#values = new Values(c);
    c.switching = new Switching(c);
    c.onChunk = options.onChunk ?? null;
    if (options.keepRemovals) this.state.removedKeys = new Set();
    c.append = (op, input, deadline, wantItems) => this.append(op, input, deadline, wantItems);
    if (options.txnLeaseMs !== undefined) c.txnLeaseMs = options.txnLeaseMs;
    if (!options.existing) c.io('create directory', () => this.fs.mkdirSync(dir, { recursive: true }));
    try {
      this.load();
    } catch (err) {
      this.#segments.closeAll(); // no handle to close them later (a newer format's file, an I/O error)
      throw err;
    }
    if (this.syncPolicy === 'interval') {
      this.#timer = setInterval(() => this.flush(), 1000);
      this.#timer.unref();
    }
  }

  /** How long a write waits for another writer's transaction window to close (ms); Infinity waits forever. */
  get waitTimeoutMs(): number {
    return this.#c.waitTimeoutMs;
  }
  set waitTimeoutMs(ms: number) {
    this.#c.waitTimeoutMs = ms;
  }

  /** Called at the seal of `compactAt` with the state exactly as of that seal (compaction writes the base there). */
  get onSealed(): ((segmentId: number) => void) | null {
    return this.#c.onSealed;
  }
  set onSealed(fn: ((segmentId: number) => void) | null) {
    this.#c.onSealed = fn;
  }

  /** Bytes of frames applied since the load (base included): minus liveFrameBytes, what compaction reclaims. */
  get logBytes(): number {
    return this.#c.logBytes;
  }

  /** Times the state was (re)built from the files: 1 after the open, more after each full reload (a failed switch to
   * a new base, an I/O error, a process that lagged behind two compactions). */
  get loads(): number {
    return this.#c.loads;
  }

  /** Bytes of the frames applied after the newest base (the segments' share of logBytes). */
  get segmentLogBytes(): number {
    return this.#c.logBytes - this.#c.baseBytes;
  }


  /** Id of the newest base this process loaded or switched to (0: none). */
  get baseId(): number {
    return this.#c.baseId;
  }

  /** The bases the newest one builds on, and whether they (and the removals kept) describe the state exactly: see
   * ShardCore.chainFresh. */
  get chain(): { fresh: boolean; ids: readonly number[]; seq: number } {
    const c = this.#c;
    return { fresh: c.chainFresh && !c.switching.active, ids: c.chain, seq: c.chainSeq };
  }

  /** This handle wrote base `id` at its seal (the state is as of that seal): removals are kept afresh from here, and the
   * chain facts describe that base once the handle has switched to it (reload.ts). */
  wroteBase(id: number): void {
    this.#c.ownBase = { id, seq: this.state.seq };
    this.state.removedKeys?.clear();
  }

  /** The bases among `ids` this handle holds open: local file numbers and frames' bytes. */
  heldBases(ids: ReadonlySet<number>): { id: number; file: number; bytes: number }[] {
    return this.#segments.heldBases(ids);
  }

  /** Called after each chunk of a long load or base write. */
  get onChunk(): ((now?: boolean) => void) | null {
    return this.#c.onChunk;
  }

  get activeSegmentId(): number {
    return this.#segments.activeId;
  }

  /** Ids of the files this process holds open (segments and base). */
  openFiles(): { id: number; kind: number; name: string }[] {
    return this.#segments.openFiles();
  }

  /** (Re)builds the state from the newest base and the segments after it. */
  load(): void {
    load(this.#c);
  }

  /**
   * Catches up with the log (one pread when nothing changed); see Replay.sync. Inside our transaction, this is
   * progress: it renews our windows' leases. A window of a committed group met here is completed (group-commit.ts).
   */
  sync(): void {
    if (this.#lazyBegin !== null) this.#begin();
    if (this.#window.open) renewLeases();
    this.#replay.sync();
    if (this.state.txnGroup !== null) completeCommittedGroup(this.#c);
  }

  // ---- writing ------------------------------------------------------------------------------------------------

  /**
   * Appends one command. With `wait`, replays until the command is applied and returns its outcome (a conditional
   * command's result is known only then); without, returns null and the next sync applies it.
   */
  append(op: number, input: Omit<RecordInput, 'writer' | 'seq'>, deadline = Date.now() + this.#c.waitTimeoutMs, wantItems = false): Outcome {
    const c = this.#c;
    const window = this.#window;
    if (this.#lazyBegin !== null) this.#begin();
    if (window.buffering) return window.buffer(op, input, wantItems);
    if (this.state.txnOwner !== 0 && this.state.txnOwner !== this.writer && op !== OP_ABORT) window.waitClosed(deadline);
    // Our own window, left open by an ABORT (or a group's TXN) that could not be written: close it first.
    if (this.state.txnOwner === this.writer && !window.open && op !== OP_ABORT && op !== OP_BEGIN) closeAbandoned(c, deadline);
    const seq = (this.#seqNo = (this.#seqNo + 1) >>> 0);
    const frame = encodeRecord(op, input as RecordInput, this.writer, seq);
    const seg = this.#segments;
    const active = seg.activeFile;
    // Past the size, or a format-1 segment (its frames carry no salt): move to a new segment first.
    if ((seg.pos + frame.length > this.segmentBytes && seg.pos > active.start) || active.salt === PLAIN_SALT) this.seal(SEAL_ROLLOVER, 0);
    const p: Pending = { frame, segment: seg.activeId, outcome: null, voided: false, unread: false, wantItems, salt: PLAIN_SALT };
    c.pending.set(seq, p);
    try {
      seg.write(p);
      while (p.outcome === null) {
        this.sync();
        if (p.lost) throw new IOError('append', Object.assign(new Error('a failed read lost track of this write: it may or may not have applied'), { code: 'EIO' }));
        if (p.voided && p.outcome === null) {
          // It landed in another writer's transaction window: void everywhere. Write it again after the window.
          window.waitClosed(deadline);
          p.voided = false;
          seg.write(p);
        }
      }
    } catch (err) {
      // The frame may be in the log (an fsync or a read failed after the write): it applies when met, as anyone's.
      c.markRead(p);
      c.pending.delete(seq);
      // Applied before the log moved into a newer format's file: its outcome stands, and the next call throws. Without
      // an outcome, that error says it never applied (not written, or void after the seal).
      if (p.outcome !== null && err === c.newer) return p.outcome;
      throw err;
    }
    return p.outcome;
  }

  /** undefined when no other writer's transaction window is open (after a sync); else a Promise that resolves once
   * none is, waiting with timers, and rejects with Timeout past `deadline`. */
  waitWindowAsync(deadline: number): Promise<void> | undefined {
    this.sync();
    const owner = this.state.txnOwner;
    return owner === 0 || owner === this.writer ? undefined : this.#window.waitClosedAsync(deadline);
  }

  /** Completes a switch to a new base in progress now (base-switch.ts): the old files are closed on return. */
  finishSwitch(): void {
    this.sync();
    this.#c.switching.finish();
    this.sync();
  }

  /**
   * Opens a transaction window (waits for any other one to close). Commands until commit/abort are buffered. `lazy`:
   * the window opens at the transaction's first read or write of this shard (its BEGIN logged then), so a
   * transaction that fails before touching the shard (an argument refused) leaves the log as it was.
   */
  beginTxn(deadline: number, group: Buffer | null = null, lazy = false): void {
    if (lazy) this.#lazyBegin = deadline;
    else this.#window.begin(deadline, group);
  }

  #begin(): void {
    const deadline = this.#lazyBegin!;
    this.#lazyBegin = null;
    this.#window.begin(deadline);
  }

  /** The open transaction's TXN record (a group's intent holds it); see TxnWindow.record. */
  txnRecord(): { time: number; value: Buffer } {
    return this.#window.record();
  }

  get inTxn(): boolean {
    return this.#window.open || this.#lazyBegin !== null;
  }

  /** Commits the buffered commands as one TXN record (`grouped`: see TxnWindow.commit). */
  commitTxn(grouped = false): void {
    if (this.#lazyBegin !== null) this.#lazyBegin = null; // never touched the shard: nothing to commit
    else this.#window.commit(grouped);
  }

  /** Drops the buffered commands: closes the window and rebuilds the state they changed. */
  abortTxn(): void {
    if (this.#lazyBegin !== null) this.#lazyBegin = null; // never touched the shard: nothing logged
    else if (this.#window.open) this.#window.abort(); // (not open: its BEGIN failed, a Timeout waiting for another)
  }

  /**
   * Appends a seal and replays past it. A seal that lands after another one (a writer's roll-over sealed the segment
   * first) is void: that does for any seal but the "compaction done" one, which every process must meet to let the
   * old files go (else they would hold them, unlinked, until the next compaction's): it is appended again in the next
   * segment until it is the one that ends a segment (or this process moved to a newer base meanwhile).
   */
  seal(reason: number, baseId: number): void {
    const seg = this.#segments;
    const c = this.#c;
    for (let attempt = 0; attempt < 16; attempt++) {
      const sealed = seg.activeId;
      const frame = encodeRecord(OP_SEAL, { writer: this.writer, seq: 0, time: clockNow(), num1: reason, num2: baseId });
      seg.appendRaw(frame);
      while (seg.activeId === sealed) this.sync();
      if (reason !== SEAL_COMPACTION_DONE || c.sealedBase === baseId || c.baseId > baseId) return;
    }
  }

  /** Closes the files a compaction into `baseId` replaced, before this handle moved its items (a background compactor's
   * copy, which reads no value before its switch to that base is done: their space goes while it replays on to the
   * DONE seal). The switch still moves the items that pointed into them (ShardCore.releasedEarly). */
  releaseReplaced(baseId: number, keep: ReadonlySet<number>): void {
    for (const n of this.#segments.replacedBy(baseId, keep)) {
      this.#segments.release(n);
      this.#c.releasedEarly.add(n);
    }
  }

  /** fsyncs the active segment if anything was written since the last flush. */
  flush(): void {
    const c = this.#c;
    if (!c.dirty || this.#closed) return;
    c.dirty = false;
    const seg = this.#segments;
    const fd = seg.active >= 0 ? seg.at(seg.active)?.fd : undefined;
    if (fd !== undefined) c.io('fsync', () => this.fs.fdatasyncSync(fd));
  }

  // ---- reading values -------------------------------------------------------------------------------------------

  /**
   * The value bytes of `slot` (inline value or value-file name), verified against the frame's CRC; null when the
   * frame no longer checks out (reported, never returned). Possibly a view of the value cache, valid until the next
   * replay or commit: use at once, or copy.
   */
  valueBytes(slot: number): Buffer | null {
    return this.#values.valueBytes(slot);
  }

  /** The open file behind a local file number (compaction and check read through it). */
  fileAt(file: number): OpenFile | undefined {
    return this.#segments.at(file);
  }

  /** Problems met past MAX_REPORTS places, counted but not kept. */
  get droppedReports(): number {
    return this.#c.corruption.dropped;
  }

  /** Forgets the problems reported so far (after a repair rewrote the bytes they were about). */
  clearReports(): void {
    this.#c.corruption.clear();
  }

  /** Bytes of values held by the per-process value cache (tests check its bound). */
  get valueCacheBytes(): number {
    return this.#values.cache.bytes;
  }

  /** Commands written or buffered whose outcome is not known yet. */
  get pendingCount(): number {
    return this.#c.pending.size;
  }

  close(): void {
    if (this.#closed) return;
    // Closed inside a transaction: abort it (never leave the window open behind a handle that cannot finish it).
    if (this.#window.open) this.#window.abort();
    this.flush();
    this.#closed = true;
    this.#c.closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#c.switching.stop();
    this.#segments.closeAll();
  }

  get closed(): boolean {
    return this.#closed;
  }
}
