/**
 * Frames: how one record is laid on disk (docs/format.md, "Frames").
 *
 *   magic u32 | crc u32 | length u32 | op u8 | body[length]        (little-endian)
 *
 * `crc` is CRC32C over `length`, `op` and `body`, XORed with the file's salt mask. In format 2 every file draws a
 * random salt (a magic and a mask) into its header, so only a frame written for that file checks out: a value whose
 * bytes hold a whole frame (anyone can compute a CRC32C) never does, even when a torn write makes a reader
 * resynchronise inside it. Format 1 files use the fixed magic "LCFR" and mask 0 (PLAIN_SALT). A frame whose bytes run past the end of the file is incomplete:
 * at the tail of the log it is either still being written or torn by a crash, and a reader waits before it.
 * A frame whose CRC does not match is corrupt (or torn, with other writers' frames after it); the reader does not
 * trust its length and resynchronises on the next magic whose frame checks out.
 */
import { crc32c } from './crc32c.js';

export const FRAME_MAGIC = 0x5246_434c; // "LCFR" read as little-endian bytes
export const MAGIC_BYTES = 4;
export const CRC_BYTES = 4;
export const LENGTH_BYTES = 4;
export const OP_BYTES = 1;
export const FRAME_HEADER_BYTES = MAGIC_BYTES + CRC_BYTES + LENGTH_BYTES + OP_BYTES;
/** Largest body a frame may carry; bigger values go to their own files long before this. */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

export const FRAME_OK = 0;
export const FRAME_INCOMPLETE = 1;
export const FRAME_CORRUPT = 2;
export type FrameStatus = typeof FRAME_OK | typeof FRAME_INCOMPLETE | typeof FRAME_CORRUPT;

/** A file's frame salt: the magic its frames start with and the mask XORed into their CRC. */
export interface FrameSalt {
  readonly magic: number;
  readonly mask: number;
}

/** The salt of format-1 files (and of a frame just encoded, before it is salted for the file it goes to). */
export const PLAIN_SALT: FrameSalt = Object.freeze({ magic: FRAME_MAGIC, mask: 0 });

/** Re-salts an encoded frame in place, from the salt it carries to `to` (the CRC is not recomputed). */
export function saltFrame(buf: Buffer, from: FrameSalt, to: FrameSalt): Buffer {
  if (from === to) return buf;
  buf.writeUInt32LE(to.magic >>> 0, 0);
  buf.writeUInt32LE((buf.readUInt32LE(MAGIC_BYTES) ^ from.mask ^ to.mask) >>> 0, MAGIC_BYTES);
  return buf;
}

/**
 * Writes the header of a frame at `at` in `buf` (magic of `salt`, length, op; the CRC comes with sealFrame), for a
 * body of `bodyLength` bytes written from `at + FRAME_HEADER_BYTES`. The caller made room for the whole frame.
 */
export function startFrame(buf: Buffer, at: number, op: number, bodyLength: number, salt: FrameSalt = PLAIN_SALT): Buffer {
  buf.writeUInt32LE(salt.magic >>> 0, at);
  buf.writeUInt32LE(bodyLength, at + MAGIC_BYTES + CRC_BYTES);
  buf[at + MAGIC_BYTES + CRC_BYTES + LENGTH_BYTES] = op;
  return buf;
}

/** Computes and stores the CRC of the frame at `at` once its body is written, masked with `salt` (the one its
 * header was started with; PLAIN_SALT: saltFrame it for the file it goes to). */
export function sealFrame(buf: Buffer, at = 0, salt: FrameSalt = PLAIN_SALT): Buffer {
  const end = at + FRAME_HEADER_BYTES + buf.readUInt32LE(at + MAGIC_BYTES + CRC_BYTES);
  buf.writeUInt32LE((crc32c(buf, at + MAGIC_BYTES + CRC_BYTES, end) ^ salt.mask) >>> 0, at + MAGIC_BYTES);
  return buf;
}

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

/** Reads the frame at `pos` in `buf[0, end)`, salted with `salt` (its file's). Never throws on bad bytes. */
export function readFrame(buf: Buffer, pos: number, end: number, out: FrameView, salt: FrameSalt): FrameView {
  out.next = pos;
  if (end - pos < FRAME_HEADER_BYTES) {
    out.status = FRAME_INCOMPLETE;
    return out;
  }
  if (buf.readUInt32LE(pos) !== salt.magic) {
    out.status = FRAME_CORRUPT;
    return out;
  }
  const length = buf.readUInt32LE(pos + MAGIC_BYTES + CRC_BYTES);
  if (length > MAX_BODY_BYTES) {
    out.status = FRAME_CORRUPT;
    return out;
  }
  const frameEnd = pos + FRAME_HEADER_BYTES + length;
  if (frameEnd > end) {
    out.status = FRAME_INCOMPLETE;
    return out;
  }
  if ((crc32c(buf, pos + MAGIC_BYTES + CRC_BYTES, frameEnd) ^ salt.mask) >>> 0 !== buf.readUInt32LE(pos + MAGIC_BYTES)) {
    out.status = FRAME_CORRUPT;
    return out;
  }
  out.status = FRAME_OK;
  out.op = buf[pos + MAGIC_BYTES + CRC_BYTES + LENGTH_BYTES];
  out.body = pos + FRAME_HEADER_BYTES;
  out.length = length;
  out.next = frameEnd;
  return out;
}

/**
 * The offset of the next frame in `buf(pos, end)` that checks out, or -1. Called at a frame that is corrupt or
 * incomplete: if a good frame follows, the bad one was torn (O_APPEND writers are serialised, so nothing can land
 * after a write still in progress) and its bytes are skipped; if none follows, the bad bytes are the tail and the
 * reader waits there. Every process reaches the same decision from the same bytes.
 */
export function nextGoodFrame(buf: Buffer, pos: number, end: number, scratch: FrameView, salt: FrameSalt): number {
  const magic0 = salt.magic & 0xff;
  for (let p = pos + 1; p < end; p++) {
    p = buf.indexOf(magic0, p);
    if (p < 0 || p >= end) return -1;
    if (readFrame(buf, p, end, scratch, salt).status === FRAME_OK) return p;
  }
  return -1;
}

export function newFrameView(): FrameView {
  return { status: FRAME_INCOMPLETE, op: 0, body: 0, length: 0, next: 0 };
}

/**
 * The header fields of a frame this process built itself (known good: no magic or CRC check). Only for bytes that
 * never left our own buffer; anything read from disk goes through readFrame.
 */
export function trustedFrame(buf: Buffer, pos: number, out: FrameView): FrameView {
  const length = buf.readUInt32LE(pos + MAGIC_BYTES + CRC_BYTES);
  out.status = FRAME_OK;
  out.op = buf[pos + MAGIC_BYTES + CRC_BYTES + LENGTH_BYTES];
  out.body = pos + FRAME_HEADER_BYTES;
  out.length = length;
  out.next = pos + FRAME_HEADER_BYTES + length;
  return out;
}
