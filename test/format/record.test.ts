/**
 * Records (src/format/record.ts, docs/format.md "Records"): the body of a frame, and the TXN value that nests
 * records. What is written reads back field for field; lengths that do not add up are refused, never followed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from '../../src/format/crc32c.js';
import { FRAME_HEADER_BYTES, FRAME_OK, MAGIC_BYTES, CRC_BYTES, PLAIN_SALT, newFrameView, readFrame } from '../../src/format/frame.js';
import {
  FLAG_HAS_EXPIRE, FLAG_HAS_TAG, OP_DELETE, OP_SET, OP_TXN, RECORD_FIXED_BYTES, RecordView, encodeRecord, encodeTxnValue,
  newRecordView, readRecord, walkTxnValue,
} from '../../src/format/record.js';

/** The record in a frame buffer, through readFrame then readRecord; null when the body is not a record. */
function decode(frame: Buffer): RecordView | null {
  const f = readFrame(frame, 0, frame.length, newFrameView(), PLAIN_SALT);
  assert.equal(f.status, FRAME_OK);
  const r = newRecordView();
  return readRecord(frame, f.op, f.body, f.length, r) ? r : null;
}
const bytes = (r: RecordView, start: number, length: number) => r.buf.toString('utf8', start, start + length);

test('the fixed part of a record is writer, seq, time, num1, num2, flags, mode and three lengths: 47 bytes', () => {
  assert.equal(RECORD_FIXED_BYTES, 4 + 4 + 8 + 8 + 8 + 2 + 1 + 4 + 4 + 4);
  assert.equal(encodeRecord(OP_DELETE, { writer: 1, seq: 1, time: 0 }).length, FRAME_HEADER_BYTES + RECORD_FIXED_BYTES);
});

test('every field of a record reads back as written, the value given in parts as their concatenation', () => {
  const frame = encodeRecord(OP_SET, {
    writer: 0xfffffffe, seq: 42, time: 1_700_000_000.123456, num1: 1_700_000_060.5, num2: -0, flags: FLAG_HAS_EXPIRE | FLAG_HAS_TAG,
    mode: 3, key: Buffer.from('key'), tag: Buffer.from('tag'), value: [Buffer.from('val'), Buffer.from('ue')],
  });
  const r = decode(frame)!;
  assert.deepEqual(
    [r.op, r.writer, r.seq, r.time, r.num1, r.flags, r.mode],
    [OP_SET, 0xfffffffe, 42, 1_700_000_000.123456, 1_700_000_060.5, FLAG_HAS_EXPIRE | FLAG_HAS_TAG, 3],
  );
  assert.ok(Object.is(r.num2, -0));
  assert.equal(bytes(r, r.keyStart, r.keyLength), 'key');
  assert.equal(bytes(r, r.tagStart, r.tagLength), 'tag');
  assert.equal(bytes(r, r.valueStart, r.valueLength), 'value');
  assert.equal(r.valueStart + r.valueLength, frame.length, 'the value ends the frame');
});

test('writer and seq given to encodeRecord override the input\'s', () => {
  const r = decode(encodeRecord(OP_DELETE, { writer: 1, seq: 2, time: 0, key: Buffer.from('k') }, 7, 8))!;
  assert.deepEqual([r.writer, r.seq], [7, 8]);
});

test('a frame that checks out but whose lengths do not add up is not a record', () => {
  const frame = encodeRecord(OP_SET, { writer: 1, seq: 1, time: 0, key: Buffer.from('key'), value: Buffer.from('value') });
  const keyLengthAt = FRAME_HEADER_BYTES + RECORD_FIXED_BYTES - 12;
  for (const keyLength of [4, 2, 0xffffffff]) {
    const bad = Buffer.from(frame);
    bad.writeUInt32LE(keyLength, keyLengthAt);
    bad.writeUInt32LE(crc32c(bad, MAGIC_BYTES + CRC_BYTES), MAGIC_BYTES); // the CRC fixed: only the record layer can tell
    assert.equal(decode(bad), null, `key length ${keyLength}`);
  }
  assert.notEqual(decode(frame), null);
});

test('a body shorter than the fixed part is not a record', () => {
  const frame = encodeRecord(OP_DELETE, { writer: 1, seq: 1, time: 0 });
  const r = newRecordView();
  assert.equal(readRecord(frame, OP_DELETE, FRAME_HEADER_BYTES, RECORD_FIXED_BYTES - 1, r), false);
});

test('a TXN value walks back to its reads and its nested commands, in order', () => {
  const value = encodeTxnValue(
    [{ key: Buffer.from('a'), version: 3 }, { key: Buffer.from('bb'), version: 4.5 }],
    [{ op: OP_SET, record: { writer: 0, seq: 0, time: 9, key: Buffer.from('a'), value: Buffer.from('1') } },
      { op: OP_DELETE, record: { writer: 0, seq: 0, time: 9, key: Buffer.from('bb') } }],
  );
  const frame = encodeRecord(OP_TXN, { writer: 5, seq: 6, time: 9, value });
  const r = decode(frame)!;
  const reads: [string, number][] = [];
  const ops: [number, string][] = [];
  const nested = newRecordView();
  assert.equal(walkTxnValue(frame, r.valueStart, r.valueLength,
    (ks, kl, version) => reads.push([frame.toString('utf8', ks, ks + kl), version]),
    (op, body, length) => {
      assert.ok(readRecord(frame, op, body, length, nested));
      ops.push([op, bytes(nested, nested.keyStart, nested.keyLength)]);
    }), true);
  assert.deepEqual(reads, [['a', 3], ['bb', 4.5]]);
  assert.deepEqual(ops, [[OP_SET, 'a'], [OP_DELETE, 'bb']]);
});

test('a TXN value cut anywhere, or with trailing bytes, is malformed', () => {
  const value = encodeTxnValue([{ key: Buffer.from('k'), version: 1 }],
    [{ op: OP_SET, record: { writer: 0, seq: 0, time: 0, key: Buffer.from('k'), value: Buffer.from('v') } }]);
  const none = () => {};
  for (let length = 0; length < value.length; length++) {
    assert.equal(walkTxnValue(value, 0, length, none, none), false, `cut at ${length}`);
  }
  assert.equal(walkTxnValue(Buffer.concat([value, Buffer.from([0])]), 0, value.length + 1, none, none), false);
  assert.equal(walkTxnValue(value, 0, value.length, none, none), true);
});

test('a TXN count larger than its bytes is refused before it drives the loop', () => {
  const value = encodeTxnValue([], []);
  value.writeUInt32LE(0xffffffff, 0);
  let calls = 0;
  assert.equal(walkTxnValue(value, 0, value.length, () => calls++, () => calls++), false);
  assert.equal(calls, 0);
});
