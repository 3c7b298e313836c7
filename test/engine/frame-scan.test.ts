/**
 * check()'s scan of a log file in bounded chunks (src/engine/frame-scan.ts) finds exactly the bad runs a scan of the
 * whole file finds, wherever a chunk's end falls: through frames, through damage, with chunks smaller than a frame.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cache } from '../../src/index.js';
import { scanFrames, type BadRun } from '../../src/engine/frame-scan.js';
import { FRAME_OK, FrameSalt, newFrameView, nextGoodFrame, readFrame } from '../../src/format/frame.js';
import { FILE_HEADER_BYTES, KIND_SEGMENT, parseFileHeader } from '../../src/format/segment.js';
import { Rng, tmpdir } from '../torture/harness.js';

/** The scan of a whole buffer, as check() did it before it read in chunks: the oracle. */
function wholeFile(buf: Buffer, start: number, salt: FrameSalt): BadRun[] {
  const runs: BadRun[] = [];
  const fv = newFrameView();
  const scratch = newFrameView();
  for (let p = start; p < buf.length;) {
    if (readFrame(buf, p, buf.length, fv, salt).status === FRAME_OK) {
      p = fv.next;
      continue;
    }
    const q = nextGoodFrame(buf, p, buf.length, scratch, salt);
    runs.push({ offset: p, bytes: (q < 0 ? buf.length : q) - p, tail: q < 0 });
    p = q < 0 ? buf.length : q;
  }
  return runs;
}

test('scanning in chunks finds the same bad runs as scanning the whole file, for any chunk size and damage', (t) => {
  const dir = tmpdir(t, 'frame-scan');
  const cache = new Cache(dir, { compactMinBytes: 0 });
  for (let i = 0; i < 300; i++) cache.set(`k${i}`, 'v'.repeat(i * 7 % 900));
  cache.close();
  const name = fs.readdirSync(dir).filter((n) => n.endsWith('.log')).sort()[0];
  const pristine = fs.readFileSync(path.join(dir, name));
  const header = parseFileHeader(pristine.subarray(0, FILE_HEADER_BYTES), KIND_SEGMENT, Number.parseInt(name, 10), name);
  assert.ok(typeof header !== 'string');
  const rng = new Rng(20261206);
  const file = path.join(dir, 'damaged');
  let runsSeen = 0;
  for (let c = 0; c < 200; c++) {
    const buf = Buffer.from(pristine);
    // One to three damages: a flipped byte, a zeroed range, or a cut end.
    for (let d = 1 + rng.int(3); d > 0; d--) {
      const at = header.start + rng.int(buf.length - header.start);
      if (rng.chance(0.5)) buf[at] ^= 1 + rng.int(255);
      else buf.fill(0, at, Math.min(buf.length, at + 1 + rng.int(2000)));
    }
    const data: Buffer = rng.chance(0.3) ? buf.subarray(0, header.start + rng.int(buf.length - header.start)) : buf;
    fs.writeFileSync(file, data);
    const want = wholeFile(data, header.start, header.salt);
    runsSeen += want.length;
    const fd = fs.openSync(file, 'r');
    try {
      for (const chunk of [16, 100, 999, 4096, 1 << 20]) {
        assert.deepEqual(scanFrames(fs, fd, data.length, header.start, header.salt, chunk), want, `case ${c}, chunks of ${chunk} bytes`);
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  assert.ok(runsSeen > 200, `damage was found (${runsSeen} bad runs)`);
});
