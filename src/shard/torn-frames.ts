/**
 * Frames cut short at the end of a segment, and the frame appended after one. A cut frame whose missing last bytes
 * equal the first bytes of the file's magic is completed by the next frame appended after it (every frame starts with
 * the magic): the two together check out, the cut command applies after all, and the next frame is cut in turn. Found
 * by the fault-injection test (test/torture/faults.test.ts, about 1 run in 30): a pop cut one byte short of its key
 * "k5" in a file whose magic starts with "5" applied later, after its caller had been told it failed, and the next
 * write's frame, cut, was waited for for ever. Both sides are guarded here: the writer whose write failed part way
 * (tornFramePad), and the writer whose frame was cut (rewriteCut). Loaded at the first such event, not with the
 * package (scripts/lazy-parts.mjs).
 */
import type { FrameSalt } from '../format/frame.js';
import type { ShardCore } from './core.js';

/** Missing last bytes of a cut frame that the next frame's magic alone could supply. */
const TAIL_MATCH_BYTES = 4;
/** Times one frame of ours is written again after being cut (rewriteCut) before its command is given up. */
const MAX_CUTS = 3;

/**
 * After a write of `frame` (salted for the file) that failed, maybe part way (a full disk cuts a write short; an error
 * may come after some bytes): the byte to append before anything else, or -1 when none is needed. Only a frame whose
 * last bytes (1 to 4 of them) equal the magic's first ones can be completed by the next frame (a longer missing suffix
 * would also need the next frame's CRC bytes to match it); the pad matches none of its last four bytes.
 */
export function tornFramePad(frame: Buffer, salt: FrameSalt): number {
  const m = Math.min(TAIL_MATCH_BYTES, frame.length);
  let matches = false;
  for (let k = 1; k <= m && !matches; k++) {
    let same = true;
    for (let i = 0; i < k && same; i++) same = frame[frame.length - k + i] === ((salt.magic >>> (8 * i)) & 0xff);
    matches = same;
  }
  if (!matches) return -1;
  const last = new Set(frame.subarray(frame.length - m));
  let pad = 0;
  while (last.has(pad)) pad++;
  return pad;
}

/**
 * Called after a read to the end of the active segment found a frame of ours written there unmet: it was cut. Our
 * write had completed before the read, and O_APPEND writes complete in order, so the frame lies whole before the end,
 * after our position; a frame that was whole there would have been found (a torn frame before it is skipped to it).
 * So its first bytes completed a cut frame before it (left by a crash, or by a process whose pad could not be
 * written): that frame checked out and applied, and the rest of ours is no frame. Every process parses the same
 * bytes, so ours applies nowhere: it is written again, after the remnant, which readers skip. One cut again and again
 * (MAX_CUTS) is given up: its command did not apply, and its caller gets an IOError. Returns whether any was found.
 */
export function rewriteCut(c: ShardCore): boolean {
  const seg = c.segments;
  const cut = [...c.pending.values()].filter((p) => p.unread && p.segment === seg.activeId);
  if (cut.length === 0) return false;
  for (const p of cut) {
    c.markRead(p);
    p.cuts = (p.cuts ?? 0) + 1;
    if (p.cuts > MAX_CUTS) p.lost = true;
  }
  for (const p of cut) if (!p.lost) seg.write(p);
  return true;
}

/** A write of `frame` (salted for local file `file`) failed, maybe part way, so the log may end in it cut short: owes
 * its pad, if it needs one, and tries to append it at once (else Segments appends it before our next frame there). */
export function afterFailedWrite(c: ShardCore, frame: Buffer, salt: FrameSalt, file: number): void {
  const byte = tornFramePad(frame, salt);
  if (byte < 0) return;
  c.segments.tornPad = { file, byte };
  try { payTornPad(c); } catch { /* before our next append there, then */ }
}

/** Appends the pad owed (Segments.tornPad), unless the file it is owed to is no longer the active one (sealed: what
 * follows the cut frame there is a seal, which another process may append as well). */
export function payTornPad(c: ShardCore): void {
  const seg = c.segments;
  const pad = seg.tornPad!;
  if (pad.file === seg.active && c.io('append', () => c.fs.writeSync(seg.activeFd, Buffer.of(pad.byte))) !== 1) return;
  seg.tornPad = null;
}
