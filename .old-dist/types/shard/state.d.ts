import { RecordView } from '../format/record.js';
import { KeyDir, ValueFile } from './keydir.js';
import { QueueIndex } from './queues.js';
/** Where the frame being applied lies: local file number, its offset in the file and in the buffer. */
export interface FrameLocation {
    file: number;
    offset: number;
    frameLength: number;
    /** Offset of the frame's first byte inside the record view's buffer. */
    bufStart: number;
}
/** A removed or replaced item, as a writer needs it (pop returns its value; its file is deleted). */
export interface ItemSnapshot {
    slot: number;
    version: number;
    /** The inline value's bytes, read by the shard as the command applied (null: they did not check out). Local
     * file numbers change when the shard reloads, so a snapshot is never read through its location later. */
    bytes?: Buffer | null;
    /** The I/O error that kept the shard from reading them (thrown to the caller, not inside the replay). */
    error?: unknown;
    file: number;
    offset: number;
    frameLength: number;
    valueOffset: number;
    valueLength: number;
    mode: number;
    expire: number;
    tag: string | undefined;
    number: number | undefined;
    valueFile: ValueFile | undefined;
}
/** What a command did, computed only for the writer's own records. */
export interface Outcome {
    applied: boolean;
    /** Set by the writer: it wants snapshots of removed items (pop, pull), not only of those with value files. */
    wantItems?: boolean;
    /** Failure of a command that applied nothing: 'missing' (incr with no default), 'type' (incr on a non-number). */
    error?: 'missing' | 'type';
    /** Items a command removed or replaced: pop reads the first; the writer deletes their value files. */
    removed: ItemSnapshot[];
    /** The key push chose (encoded). */
    key?: Buffer;
    /** incr's new value. */
    value?: number;
    /** clear/delv: how many items went. */
    count?: number;
    /** txn: outcomes of the nested commands. */
    nested?: Outcome[];
}
export declare const APPLIED = 0;
export declare const MALFORMED = 1;
/** The record lies inside another writer's transaction window: no effect anywhere, and it does not count. */
export declare const VOID = 2;
export type ApplyStatus = typeof APPLIED | typeof MALFORMED | typeof VOID;
export declare class ShardState {
    #private;
    readonly kd: KeyDir;
    readonly queues: QueueIndex;
    /** Records applied so far (from the beginning of the shard's history): an item's version is this at its change. */
    seq: number;
    rowidCounter: number;
    readonly settings: Map<string, unknown>;
    /** The slot the last applied record stored a value into (set, add, push), or NIL: the reader caches its value. */
    lastStored: number;
    /** Writer id of the open transaction window, or 0. */
    txnOwner: number;
    /** pid of the window's owner (for finding a dead owner). */
    txnPid: number;
    reset(): void;
    snapshot(slot: number): ItemSnapshot;
    /**
     * Applies one record. `out` is filled for the writer's own records (null for everyone else's, which skips the
     * bookkeeping). Returns MALFORMED when the record does not decode (the caller reports it as corruption).
     */
    apply(r: RecordView, loc: FrameLocation, out: Outcome | null): ApplyStatus;
    /** Applies one command of a transaction with version `seq` (the owner does this as it buffers them). */
    applyNested(r: RecordView, loc: FrameLocation, seq: number, outs: Outcome[] | null, wantItems?: boolean): Outcome | null;
}
