/**
 * What the rooms of one shard share (segments.ts, replay.ts, reload.ts, txn-window.ts, values.ts, shard.ts): the
 * handle's identity, its state machine, its own frames still in flight and the flags that order a reload. Each
 * room owns its private state; this object is the only state they have in common, so a field here is one that
 * more than one room reads or writes.
 */
import * as nodeFs from 'node:fs';
import { IOError, type NewerFormatError } from '../errors.js';
import type { RecordInput } from '../format/record.js';
import type { FrameSalt } from '../format/frame.js';
import { CorruptionReporter } from './corruption.js';
import { DEFAULT_LEASE_MS } from './owner.js';
import type { Outcome, ShardState } from './state.js';
import type { Segments } from './segments.js';
import type { Replay } from './replay.js';
import type { TxnWindow } from './txn-window.js';
import type { Values } from './values.js';
import type { Switching } from './base-switch.js';

export type SyncPolicy = 'none' | 'interval' | 'always';

/** The file-system calls a shard makes; tests replace it to inject faults. */
export type FsLike = typeof nodeFs;


/** One of our commands written to the log (or about to be) whose outcome the replay has not met yet. */
export interface Pending {
  frame: Buffer;
  segment: number;
  outcome: Outcome | null;
  /** It landed inside another writer's transaction window: re-append once the window closes. */
  voided: boolean;
  /** Written and not yet met by a replay. */
  unread: boolean;
  /** The caller wants snapshots of every item the command removes. */
  wantItems: boolean;
  /** A rebuild after an I/O error happened before the frame was met: its outcome cannot be known. */
  lost?: boolean;
  /** The salt the frame's bytes carry now (segments.ts salts it for the file it is written to). */
  salt: FrameSalt;
  /** Times it was written again because a torn frame before it took its first bytes (replay.ts, rewriteCut in torn-frames.ts). */
  cuts?: number;
}

/** The shard's append, as the transaction window calls it (BEGIN, TXN, ABORT go through the same path). */
export type AppendFn = (op: number, input: Omit<RecordInput, 'writer' | 'seq'>, deadline?: number, wantItems?: boolean) => Outcome;

export type { CorruptionKind, CorruptionReport } from './corruption.js';

export class ShardCore {
  /** Problems met while replaying since open (or the last clear). */
  readonly corruption = new CorruptionReporter();
  /** Our commands written or buffered whose outcome is not known yet, by seq. */
  readonly pending = new Map<number, Pending>();
  /** Bytes of our frames written and not yet met by a replay. */
  unreadOwn = 0;
  /** The last frame we wrote: a tail read that holds exactly it is replayed from our own buffer. */
  lastWritten: Pending | null = null;
  /** Bytes of frames applied since the load (base included): minus liveFrameBytes, what compaction reclaims. */
  logBytes = 0;
  /** Something was written since the last fsync. */
  dirty = false;
  /** A compaction finished: reload from its base at the next safe point (see Replay.nextSegment). */
  reloadWanted = false;
  /** A step between a seal and the next segment failed (I/O): the state must be rebuilt before anything else. */
  mustReload = false;
  /**
   * The frame just applied left the state wrong (our TXN met a window already closed, txn-window.ts): the replay stops
   * its buffer there and rebuilds before the next frame. A rebuild inside the buffer's loop would leave the loop's
   * position, and the frames left in the buffer, relative to files the rebuild replaced.
   */
  rebuildAfterFrame = false;
  /** How long a write waits for another writer's transaction window to close (ms); Infinity waits forever. */
  waitTimeoutMs = 60_000;
  /** Lease of this handle's transaction windows (ms): see owner.ts. */
  txnLeaseMs = DEFAULT_LEASE_MS;
  /** The handle is closed. */
  closed = false;
  /** Completing a group's window from its intent (no second attempt from inside it): see group-commit.ts. */
  completingGroup = false;
  /** Called at the seal of `compactAt` with the state exactly as of that seal (compaction writes the base there). */
  onSealed: ((segmentId: number) => void) | null = null;
  /** Called every 64 frames applied or items written, and after each chunk of a long load or base write (a background
   * compactor checks its parent, and paces itself, there); with `now`, before a file is created (it checks at once). */
  onChunk: ((now?: boolean) => void) | null = null;
  /** Times the state was (re)built from the files: the open, and each full reload since (a switch to a new base in
   * slices is not one). */
  loads = 0;
  /** The base named by the seal that ended the last segment replayed (0: a seal other than "compaction done"). */
  sealedBase = 0;
  /** Id of the newest base this process loaded or switched to (0: none). */
  baseId = 0;
  /** Id of the newest base the last load listed (it loaded it, or skipped it as damaged; 0: none). */
  listedBase = 0;
  /** The earlier bases that base builds on, oldest first (chain.ts; empty for a whole base). */
  chain: number[] = [];
  /** Frames' bytes of the bases loaded or switched to (logBytes minus this: the segments' share). */
  baseBytes = 0;
  /** The state was loaded from the files and has met no DONE seal since: `chain` and `chainSeq` describe its newest
   * base exactly, and `state.removedKeys` (if kept) holds every removal since that base's seal. A compaction writes a
   * chain link only then (compaction.ts). */
  chainFresh = false;
  /** The state's record count at the newest base's seal (its trailer's): items of a higher version changed after it. */
  chainSeq = 0;
  /** The base this handle wrote last (at its seal, with the state's record count there): when the handle switches to
   * it, its chain facts stay exact (a compactor's copy keeps compacting without a reload). */
  ownBase: { id: number; seq: number } | null = null;
  /** Local numbers of files closed before the switch that retires them (Shard.releaseReplaced): the switch counts them
   * among the files it retires. */
  readonly releasedEarly = new Set<number>();
  /** A newer format's file met (at a load, past a seal): the handle stops, and every later read or write throws it. */
  newer: NewerFormatError | null = null;

  // The rooms, wired once by the Shard constructor.
  segments!: Segments;
  replay!: Replay;
  window!: TxnWindow;
  values!: Values;
  switching!: Switching;
  append!: AppendFn;

  constructor(
    readonly dir: string,
    readonly fs: FsLike,
    /** Names this handle's records in the log. */
    readonly writer: number,
    readonly state: ShardState,
    readonly syncPolicy: SyncPolicy,
  ) {}

  /** Runs a file-system call, turning its failure into an IOError naming the step and the directory. */
  io<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new IOError(`${what} in ${this.dir}`, err);
    }
  }

  /** Throws `newer`, if set: before anything is read or appended. */
  refuseIfNewer(): void {
    if (this.newer) throw this.newer;
  }

  /** A frame of ours was met by the replay (or given up on): it no longer counts as unread. */
  markRead(p: Pending): void {
    if (p.unread) {
      p.unread = false;
      this.unreadOwn -= p.frame.length;
    }
  }
}
