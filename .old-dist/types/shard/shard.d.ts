import * as nodeFs from 'node:fs';
import { RecordInput } from '../format/record.js';
import { Outcome, ShardState } from './state.js';
export type SyncPolicy = 'none' | 'interval' | 'always';
/** The file-system calls a shard makes; tests replace it to inject faults. */
export type FsLike = typeof nodeFs;
export interface ShardOptions {
    /** Roll over to a new segment past this size (bytes). Default 64 MiB. */
    segmentBytes?: number;
    /** fsync policy: 'none' (default, like SQLite synchronous=NORMAL on a crash of the process), 'interval' (1 s), 'always'. */
    sync?: SyncPolicy;
    /** Compact when dead bytes exceed both this (bytes, default 8 MiB) and the live bytes. 0 turns automatic compaction off. */
    compactMinBytes?: number;
    fs?: FsLike;
}
/** A problem found while reading the log: bytes skipped and why. */
export interface CorruptionReport {
    file: string;
    offset: number;
    bytes: number;
    reason: string;
}
export declare class Shard {
    #private;
    readonly dir: string;
    readonly state: ShardState;
    /** Names this handle's records in the log. */
    readonly writer: number;
    readonly fs: FsLike;
    readonly segmentBytes: number;
    readonly compactMinBytes: number;
    readonly syncPolicy: SyncPolicy;
    /** Problems met while replaying since open (or the last clearReports). */
    readonly reports: CorruptionReport[];
    /** Called at the seal of `compactAt` with the state exactly as of that seal (compaction writes the base there). */
    onSealed: ((segmentId: number) => void) | null;
    /** Bytes of frames applied since the load (base included): minus liveFrameBytes, what compaction reclaims. */
    logBytes: number;
    /** How long a write waits for another writer's transaction window to close (ms); Infinity waits forever. */
    waitTimeoutMs: number;
    constructor(dir: string, options?: ShardOptions);
    /** Whether dead bytes in the log exceed both compactMinBytes and the live bytes (compaction would pay). */
    get wantsCompaction(): boolean;
    get activeSegmentId(): number;
    /** Ids of the files this process holds open (segments and base). */
    openFiles(): {
        id: number;
        kind: number;
        name: string;
    }[];
    /** (Re)builds the state from the newest base and the segments after it. */
    load(): void;
    /**
     * Catches up with the log: one pread at our end of the active segment when nothing changed (it returns 0
     * bytes; cheaper than fstat, whose Stats object costs more than the call), and when something did, that same
     * read already holds the new frames. Linearizable reads follow from calling this before every answer.
     */
    sync(): void;
    /**
     * Appends one command. With `wait`, replays until the command is applied and returns its outcome (a conditional
     * command's result is known only then); without, returns null and the next sync applies it.
     */
    append(op: number, input: Omit<RecordInput, 'writer' | 'seq'>, deadline?: number, wantItems?: boolean): Outcome;
    /** Opens a transaction window (waits for any other one to close). Commands until commit/abort are buffered. */
    beginTxn(deadline: number): void;
    get inTxn(): boolean;
    /** Commits the buffered commands as one TXN record. */
    commitTxn(): void;
    /** Drops the buffered commands: closes the window and rebuilds the state they changed. */
    abortTxn(): void;
    /** Appends a seal and replays past it. */
    seal(reason: number, baseId: number): void;
    /** fsyncs the active segment if anything was written since the last flush. */
    flush(): void;
    /**
     * The value bytes of `slot` (inline value or value-file name), verified against the frame's CRC; null when the
     * frame no longer checks out (reported, never returned).
     */
    valueBytes(slot: number): Buffer | null;
    /** Reads a frame at a known location and returns its value bytes, or null if it does not check out. */
    readFrameValue(file: number, offset: number, frameLength: number, valueOffset: number, valueLength: number): Buffer | null;
    /** The open file behind a local file number (compaction and check read through it). */
    fileAt(file: number): {
        id: number;
        kind: number;
        name: string;
        fd: number;
    } | undefined;
    /** Commands written or buffered whose outcome is not known yet. */
    get pendingCount(): number;
    close(): void;
    get closed(): boolean;
}
