/**
 * Frames (src/format/frame.ts, docs/format.md "Frames"), byte by byte: what reads as a frame, what is corrupt, what
 * is incomplete, and how a reader resynchronises after a bad frame. One test per rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from '../../src/format/crc32c.js';
import {
  CRC_BYTES, FRAME_CORRUPT, FRAME_HEADER_BYTES, FRAME_INCOMPLETE, FRAME_MAGIC, FRAME_OK, LENGTH_BYTES, MAGIC_BYTES,
  MAX_BODY_BYTES, PLAIN_SALT, newFrameView, nextGoodFrame, readFrame, saltFrame, sealFrame, startFrame,
} from '../../src/format/frame.js';
import { mulberry32, randomBytes } from '../fixtures/prng.js';

const CRC_AT = MAGIC_BYTES;
const LENGTH_AT = MAGIC_BYTES + CRC_BYTES;
const OP_AT = LENGTH_AT + LENGTH_BYTES;

/** A sealed frame of `op` carrying `body`. */
function frame(op: number, body: Uint8Array): Buffer {
  const buf = startFrame(Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length), 0, op, body.length);
  buf.set(body, FRAME_HEADER_BYTES);
  return sealFrame(buf);
}

/** Recomputes the CRC of the frame at `pos` after its bytes were changed (what a forger, not a crash, would do). */
function fixCrc(buf: Buffer, pos = 0): void {
  const length = buf.readUInt32LE(pos + LENGTH_AT);
  buf.writeUInt32LE(crc32c(buf, pos + LENGTH_AT, pos + FRAME_HEADER_BYTES + length), pos + CRC_AT);
}

const status = (buf: Buffer, pos = 0, end = buf.length) => readFrame(buf, pos, end, newFrameView(), PLAIN_SALT).status;

test('the header is magic, CRC, length and op, little-endian, and the CRC covers length, op and body', () => {
  assert.equal(FRAME_HEADER_BYTES, 13);
  const f = frame(7, Buffer.from('body'));
  assert.equal(f.toString('latin1', 0, 4), 'LCFR');
  assert.equal(f.readUInt32LE(0), FRAME_MAGIC);
  assert.equal(f.readUInt32LE(LENGTH_AT), 4);
  assert.equal(f[OP_AT], 7);
  assert.equal(f.readUInt32LE(CRC_AT), crc32c(f, LENGTH_AT, f.length));
  assert.equal(f.length, FRAME_HEADER_BYTES + 4);
});

test('a sealed frame reads back with its op, body and the offset just past it', () => {
  const body = Buffer.from('hello, frame');
  const buf = Buffer.concat([Buffer.from('xyz'), frame(3, body), frame(4, Buffer.alloc(0))]);
  const view = readFrame(buf, 3, buf.length, newFrameView(), PLAIN_SALT);
  assert.equal(view.status, FRAME_OK);
  assert.equal(view.op, 3);
  assert.equal(view.length, body.length);
  assert.deepEqual(buf.subarray(view.body, view.body + view.length), body);
  assert.equal(view.next, 3 + FRAME_HEADER_BYTES + body.length);
  const empty = readFrame(buf, view.next, buf.length, newFrameView(), PLAIN_SALT);
  assert.deepEqual([empty.status, empty.op, empty.length, empty.next], [FRAME_OK, 4, 0, buf.length]);
});

test('flipping any bit of a frame makes it corrupt or incomplete, never a different good frame', () => {
  const next = mulberry32(12);
  const f = frame(9, randomBytes(next, 64));
  for (let i = 0; i < f.length; i++) {
    for (const bit of [0x01, 0x80]) {
      const bad = Buffer.from(f);
      bad[i] ^= bit;
      const s = status(bad);
      // A length made larger runs past the end (torn-looking); anything else fails the magic or the CRC.
      const expected = i >= LENGTH_AT && i < OP_AT && bad.readUInt32LE(LENGTH_AT) > 64 ? [FRAME_INCOMPLETE, FRAME_CORRUPT] : [FRAME_CORRUPT];
      assert.ok(expected.includes(s), `byte ${i} bit ${bit}: status ${s}`);
    }
  }
});

test('a changed body or op with its CRC fixed reads as a good frame again (the CRC is all that guards them)', () => {
  const f = frame(5, Buffer.from('abcdef'));
  f[FRAME_HEADER_BYTES + 2] ^= 0xff;
  f[OP_AT] = 6;
  assert.equal(status(f), FRAME_CORRUPT);
  fixCrc(f);
  const view = readFrame(f, 0, f.length, newFrameView(), PLAIN_SALT);
  assert.equal(view.status, FRAME_OK);
  assert.equal(view.op, 6);
});

test('a changed magic is corrupt even with its CRC fixed (the CRC does not cover the magic)', () => {
  const f = frame(5, Buffer.from('abcdef'));
  f[0] ^= 0x20;
  fixCrc(f);
  assert.equal(status(f), FRAME_CORRUPT);
});

test('a frame cut anywhere is incomplete, not corrupt: a torn tail is a crash or a write in progress', () => {
  const f = frame(2, Buffer.from('a body that will be cut'));
  for (let end = 0; end < f.length; end++) {
    const view = readFrame(f, 0, end, newFrameView(), PLAIN_SALT);
    assert.equal(view.status, FRAME_INCOMPLETE, `cut at ${end}`);
    assert.equal(view.next, 0, 'a reader stays before an incomplete frame');
  }
  assert.equal(status(f, 0, f.length), FRAME_OK);
});

test('a length above MAX_BODY_BYTES is corrupt at once, however many bytes follow (it never sizes a wait or a read)', () => {
  const f = frame(2, Buffer.from('x'));
  f.writeUInt32LE(MAX_BODY_BYTES + 1, LENGTH_AT);
  assert.equal(status(f), FRAME_CORRUPT);
  f.writeUInt32LE(MAX_BODY_BYTES, LENGTH_AT);
  assert.equal(status(f), FRAME_INCOMPLETE, 'the largest allowed length past the end is only incomplete');
});

test('resync after a corrupt frame finds the next frame that checks out, skipping the bad bytes', () => {
  const a = frame(1, Buffer.from('first'));
  const b = frame(1, Buffer.from('second, to be damaged'));
  const c = frame(1, Buffer.from('third'));
  const buf = Buffer.concat([a, b, c]);
  buf[a.length + FRAME_HEADER_BYTES + 3] ^= 0x10;
  const scratch = newFrameView();
  const first = readFrame(buf, 0, buf.length, newFrameView(), PLAIN_SALT);
  assert.equal(first.status, FRAME_OK);
  assert.equal(status(buf, first.next), FRAME_CORRUPT);
  const found = nextGoodFrame(buf, first.next, buf.length, scratch, PLAIN_SALT);
  assert.equal(found, a.length + b.length);
  assert.equal(readFrame(buf, found, buf.length, newFrameView(), PLAIN_SALT).next, buf.length);
});

test('resync skips garbage, stray magic bytes and a forged header whose CRC fails', () => {
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(FRAME_MAGIC);
  const forged = frame(1, Buffer.from('forged'));
  forged[FRAME_HEADER_BYTES] ^= 1; // its CRC no longer matches
  const good = frame(8, Buffer.from('the real one'));
  const garbage = Buffer.concat([Buffer.from([0x4c, 0x4c, 0x43]), magic, Buffer.from('noise'), magic.subarray(0, 2), forged]);
  const buf = Buffer.concat([garbage, good]);
  assert.equal(status(buf), FRAME_CORRUPT);
  assert.equal(nextGoodFrame(buf, 0, buf.length, newFrameView(), PLAIN_SALT), garbage.length);
});

test('resync answers -1 when no good frame follows: the bad bytes are the tail and the reader waits there', () => {
  const good = frame(1, Buffer.from('ok'));
  const torn = frame(1, Buffer.from('torn at the end')).subarray(0, 10);
  const buf = Buffer.concat([good, torn]);
  assert.equal(status(buf, good.length), FRAME_INCOMPLETE);
  assert.equal(nextGoodFrame(buf, good.length, buf.length, newFrameView(), PLAIN_SALT), -1);
  assert.equal(nextGoodFrame(buf, 0, good.length, newFrameView(), PLAIN_SALT), -1, 'nothing after the last good frame');
});

test('resync looks only inside [pos, end): a frame that ends past `end` is not found', () => {
  const bad = Buffer.from('garbage!');
  const good = frame(1, Buffer.from('beyond'));
  const buf = Buffer.concat([bad, good]);
  assert.equal(nextGoodFrame(buf, 0, buf.length, newFrameView(), PLAIN_SALT), bad.length);
  assert.equal(nextGoodFrame(buf, 0, buf.length - 1, newFrameView(), PLAIN_SALT), -1);
});

test('a frame salted for one file checks out with that salt only, and re-salting moves it to another (format 2)', () => {
  const a = { magic: 0x11223344, mask: 0xdeadbeef };
  const b = { magic: 0x55667788, mask: 0x01234567 };
  const f = saltFrame(frame(5, Buffer.from('salted')), PLAIN_SALT, a);
  assert.equal(f.readUInt32LE(0), a.magic);
  assert.equal(readFrame(f, 0, f.length, newFrameView(), a).status, FRAME_OK);
  assert.equal(readFrame(f, 0, f.length, newFrameView(), PLAIN_SALT).status, FRAME_CORRUPT);
  assert.equal(readFrame(f, 0, f.length, newFrameView(), { magic: a.magic, mask: a.mask ^ 1 }).status, FRAME_CORRUPT);
  saltFrame(f, a, b);
  assert.equal(readFrame(f, 0, f.length, newFrameView(), b).status, FRAME_OK);
  assert.equal(readFrame(f, 0, f.length, newFrameView(), a).status, FRAME_CORRUPT);
  // A plain frame (what anyone can compute) inside salted bytes is never found when resynchronising.
  const plain = frame(5, Buffer.from('forged'));
  const buf = Buffer.concat([Buffer.from([0xee]), plain, plain]);
  assert.equal(nextGoodFrame(buf, 0, buf.length, newFrameView(), b), -1);
});
