export declare const FRAME_MAGIC = 1380336460;
export declare const MAGIC_BYTES = 4;
export declare const CRC_BYTES = 4;
export declare const LENGTH_BYTES = 4;
export declare const OP_BYTES = 1;
export declare const FRAME_HEADER_BYTES: number;
/** Largest body a frame may carry; bigger values go to their own files long before this. */
export declare const MAX_BODY_BYTES: number;
export declare const FRAME_OK = 0;
export declare const FRAME_INCOMPLETE = 1;
export declare const FRAME_CORRUPT = 2;
export type FrameStatus = typeof FRAME_OK | typeof FRAME_INCOMPLETE | typeof FRAME_CORRUPT;
/** Allocates a frame with room for `bodyLength` body bytes; fill the body from FRAME_HEADER_BYTES, then sealFrame. */
export declare function allocFrame(op: number, bodyLength: number): Buffer;
/** Computes and stores the CRC once the body is written. */
export declare function sealFrame(buf: Buffer): Buffer;
/** Result of reading one frame; reused by the caller to avoid an allocation per frame. */
export interface FrameView {
    status: FrameStatus;
    op: number;
    /** Offset of the body inside the buffer. */
    body: number;
    length: number;
    /** Offset just past the frame (OK), or of the frame start (INCOMPLETE/CORRUPT). */
    next: number;
}
/** Reads the frame at `pos` in `buf[0, end)`. Never throws on bad bytes. */
export declare function readFrame(buf: Buffer, pos: number, end: number, out: FrameView): FrameView;
/**
 * The offset of the next frame in `buf(pos, end)` that checks out, or -1. Called at a frame that is corrupt or
 * incomplete: if a good frame follows, the bad one was torn (O_APPEND writers are serialised, so nothing can land
 * after a write still in progress) and its bytes are skipped; if none follows, the bad bytes are the tail and the
 * reader waits there. Every process reaches the same decision from the same bytes.
 */
export declare function nextGoodFrame(buf: Buffer, pos: number, end: number, scratch: FrameView): number;
export declare function newFrameView(): FrameView;
