/**
 * Reading files of any size in bounded chunks: a base or a segment is never read into one buffer as large as the
 * file (Node caps one read at 2 GiB − 1, and a buffer the size of the live data doubles a process's memory while it
 * loads). A chunk is CHUNK_BYTES, or larger only to hold one frame that is larger (a frame's body is capped at
 * MAX_BODY_BYTES, so a chunk is too).
 */
import { FRAME_HEADER_BYTES, MAX_BODY_BYTES } from '../format/frame.js';
import { FILE_HEADER_BYTES } from '../format/segment.js';
import type { FsLike, ShardCore } from './core.js';

/** Bytes read at a time while loading a base or catching up with a long segment tail. */
export const CHUNK_BYTES = 4 * 1024 * 1024;
/** The most a chunk grows to when a frame (or a damaged run) does not fit: one largest frame. */
export const MAX_CHUNK_BYTES = FRAME_HEADER_BYTES + MAX_BODY_BYTES;

/** Bytes the frame starting at `buf[p]` needs whole, when its header is readable and sane; else 0. `magic`: the
 * file's (format 2 salts it per file: frameBytesAt with another file's magic sees no frame at all). */
export function frameBytesAt(buf: Buffer, p: number, end: number, magic: number): number {
  if (end - p < FRAME_HEADER_BYTES || buf.readUInt32LE(p) !== magic) return 0;
  const length = buf.readUInt32LE(p + 8);
  return length > MAX_BODY_BYTES ? 0 : FRAME_HEADER_BYTES + length;
}

/** The next chunk size after one that made no progress: large enough for the frame at its start, else doubled. */
export function grownChunk(current: number, buf: Buffer, end: number, magic: number): number {
  return Math.min(MAX_CHUNK_BYTES, Math.max(current * 2, frameBytesAt(buf, 0, end, magic)));
}

/** Reads `length` bytes at `position` into `buf` (looping over short reads); returns the bytes read (less at EOF). */
export function readAt(fs: FsLike, fd: number, buf: Buffer, length: number, position: number): number {
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/**
 * Applies the frames of a whole file (a base) in bounded chunks, never one buffer as large as the file. Returns
 * the last op applied.
 */
export function applyFile(c: ShardCore, fd: number, fileNo: number, start: number, size: number, name: string): number {
  let pos = start;
  let lastOp = 0;
  let chunk = CHUNK_BYTES;
  let buf = Buffer.allocUnsafe(Math.min(chunk, Math.max(0, size - pos)));
  const { magic } = c.segments.at(fileNo)!.salt;
  while (pos < size) {
    const want = Math.min(chunk, size - pos);
    if (buf.length < want) buf = Buffer.allocUnsafe(want);
    const n = c.io(`read ${name}`, () => readAt(c.fs, fd, buf, want, pos));
    if (n === 0) break; // the file shrank under us
    const r = c.replay.applyBuffer(buf, n, fileNo, pos, name, false, false, pos + n >= size, lastOp);
    lastOp = r.lastOp;
    c.onChunk?.();
    if (r.consumed === 0) {
      chunk = grownChunk(chunk, buf, n, magic); // one frame (or a damaged run) larger than the chunk
      continue;
    }
    chunk = CHUNK_BYTES;
    pos += r.consumed;
  }
  return lastOp;
}
