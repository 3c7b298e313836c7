export declare const OP_SET = 1;
export declare const OP_ADD = 2;
export declare const OP_DELETE = 3;
export declare const OP_DELV = 4;
export declare const OP_INCR = 5;
export declare const OP_TOUCH = 6;
export declare const OP_CLEAR = 7;
export declare const OP_PUSH = 8;
export declare const OP_TXN = 9;
export declare const OP_SETTING = 10;
export declare const OP_SEAL = 11;
export declare const OP_ENTRY = 12;
export declare const OP_BASE = 13;
export declare const OP_BEGIN = 14;
export declare const OP_ABORT = 15;
export declare const FLAG_HAS_EXPIRE = 1;
export declare const FLAG_DEFAULT_NULL = 2;
export declare const FLAG_SIDE_FRONT = 4;
export declare const FLAG_HAS_PREFIX = 8;
export declare const FLAG_SCAN = 16;
export declare const FLAG_HAS_TAG = 32;
/** The value field holds a value file's name (UTF-8); num2 is the file's size in bytes. */
export declare const FLAG_FILE = 64;
export declare const SEAL_ROLLOVER = 1;
export declare const SEAL_COMPACTION_START = 2;
export declare const SEAL_COMPACTION_DONE = 3;
export declare const RECORD_FIXED_BYTES: number;
/** ENTRY value prefix: rowid f64 | version f64 | slot u32, then the item's value bytes. */
export declare const ENTRY_META_BYTES: number;
export interface RecordInput {
    writer: number;
    seq: number;
    time: number;
    num1?: number;
    num2?: number;
    flags?: number;
    mode?: number;
    key?: Uint8Array;
    tag?: Uint8Array | null;
    /** The value, possibly in parts (written one after the other, no concatenation). */
    value?: Uint8Array | readonly Uint8Array[] | null;
}
/** Writes the record body at `at` in `buf`; returns the offset after it. */
export declare function writeRecordBody(buf: Buffer, at: number, r: RecordInput): number;
/**
 * Encodes a whole frame (header + record body) ready for one append. `writer` and `seq`, when given, override
 * the input's (so a caller need not copy the input object to stamp them).
 */
export declare function encodeRecord(op: number, r: RecordInput, writer?: number, seq?: number): Buffer;
/** Field offsets of a record body inside a buffer; reused to avoid an allocation per record. */
export interface RecordView {
    buf: Buffer;
    /** A DataView of `buf` (its getters are inlined by V8; Buffer's readDoubleLE is not), kept while buf stays. */
    dv: DataView;
    op: number;
    writer: number;
    seq: number;
    time: number;
    num1: number;
    num2: number;
    flags: number;
    mode: number;
    keyStart: number;
    keyLength: number;
    tagStart: number;
    tagLength: number;
    valueStart: number;
    valueLength: number;
}
export declare function newRecordView(): RecordView;
/** Drops the view's hold on its buffer (a large read buffer must not stay alive through it). */
export declare function releaseRecordView(out: RecordView): void;
/**
 * Decodes the record body at `buf[body, body+length)`. Returns false when the lengths inside do not add up (a
 * frame whose CRC matched but whose body is not a record: treated as corruption by the caller).
 */
export declare function readRecord(buf: Buffer, op: number, body: number, length: number, out: RecordView): boolean;
export interface TxnRead {
    key: Uint8Array;
    version: number;
}
export interface TxnOp {
    op: number;
    record: RecordInput;
}
export declare function encodeTxnValue(reads: readonly TxnRead[], ops: readonly TxnOp[]): Buffer;
/** Walks a TXN value: calls `onRead` per read, then `onOp` per nested command. Returns false if malformed. */
export declare function walkTxnValue(buf: Buffer, start: number, length: number, onRead: (keyStart: number, keyLength: number, version: number) => void, onOp: (op: number, body: number, bodyLength: number) => void): boolean;
