/**
 * check()'s read of one log file: every frame verified, in bounded chunks (src/shard/chunks.ts), never a buffer as
 * large as the file (a base can pass 2 GiB, where one read fails; below that, a whole-file buffer would double the
 * process's memory). Each run of bytes that is not a good frame is reported once, as a reader resynchronises past it:
 * followed by a good frame, it is corrupt; with none after it, it is the tail. A chunk ends wherever its byte budget
 * does: a frame it cuts, or a bad run with no good frame in the chunk, is read again at the start of the next chunk,
 * one larger when no progress was made (at most one largest frame, as a load reads).
 */
import { FRAME_INCOMPLETE, FRAME_OK, FrameSalt, newFrameView, nextGoodFrame, readFrame } from '../format/frame.js';
import { CHUNK_BYTES, MAX_CHUNK_BYTES, grownChunk, readAt } from '../shard/chunks.js';
import type { FsLike } from '../shard/core.js';

/** A run of bytes that is not a good frame: at file offset `offset`, `bytes` long; `tail` when no good frame follows. */
export interface BadRun {
  offset: number;
  bytes: number;
  tail: boolean;
}

/** The bad runs of file `fd` (`size` bytes, frames from `start`, salted with `salt`). `chunkBytes`: for tests. */
export function scanFrames(fs: FsLike, fd: number, size: number, start: number, salt: FrameSalt, chunkBytes = CHUNK_BYTES): BadRun[] {
  const runs: BadRun[] = [];
  const fv = newFrameView();
  const scratch = newFrameView();
  let buf = Buffer.alloc(0);
  let chunk = chunkBytes;
  let pos = start;
  while (pos < size) {
    const want = Math.min(chunk, size - pos);
    if (buf.length < want) buf = Buffer.allocUnsafe(want);
    const n = readAt(fs, fd, buf, want, pos);
    if (n === 0) break; // the file shrank under us
    const atEnd = pos + n >= size;
    let i = 0;
    while (i < n) {
      const v = readFrame(buf, i, n, fv, salt);
      if (v.status === FRAME_OK) {
        i = v.next;
        continue;
      }
      if (!atEnd && v.status === FRAME_INCOMPLETE) break; // cut by the chunk's end: read whole with the next one
      const q = nextGoodFrame(buf, i, n, scratch, salt);
      if (q < 0 && !atEnd) break; // the good frame after it may lie past the chunk's end
      const bytes = (q < 0 ? n : q) - i;
      runs.push({ offset: pos + i, bytes, tail: q < 0 });
      i += bytes;
    }
    if (i === 0 && !atEnd && chunk < MAX_CHUNK_BYTES) {
      chunk = grownChunk(chunk, buf, n, salt.magic); // no progress: one frame, or a bad run, larger than the chunk
      continue;
    }
    if (i === 0 && !atEnd) {
      // A bad run longer than the largest frame: its first half holds no good frame's start that fits the chunk.
      i = Math.floor(n / 2);
      runs.push({ offset: pos, bytes: i, tail: false });
    }
    chunk = chunkBytes;
    pos += i;
  }
  return mergeRuns(runs);
}

/** Adjacent corrupt runs (a bad run split by a chunk's end) as one. */
function mergeRuns(runs: BadRun[]): BadRun[] {
  const out: BadRun[] = [];
  for (const r of runs) {
    const last = out[out.length - 1];
    if (last !== undefined && !last.tail && last.offset + last.bytes === r.offset) {
      last.bytes += r.bytes;
      last.tail = r.tail;
    } else out.push({ ...r });
  }
  return out;
}
