/**
 * A base's ITEM record (docs/format.md, "Bases"; src/format/base.ts) and the varints it is made of: the bytes of one
 * item are what the format page says, they decode to the record they stand for, and every malformed body (a reserved
 * bit, a varint that is no varint of a safe integer, a slot at MAX_SLOTS, lengths past the body) is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SLOTS, fitsItem, itemHeadBytes, readItem, writeItemHead, readBaseItem, EntryMeta } from '../../src/format/base.js';
import { readVarint, varintBytes, writeVarint } from '../../src/format/bytes.js';
import { FLAG_FILE, FLAG_HAS_EXPIRE, FLAG_HAS_TAG, OP_ENTRY, OP_ITEM, OP_SET, newRecordView } from '../../src/format/record.js';

test('varints: each safe integer round-trips in the fewest bytes; anything else is refused', () => {
  for (const n of [0, 1, 127, 128, 16_383, 16_384, 2 ** 21, 2 ** 31, 2 ** 32 + 5, 2 ** 49, Number.MAX_SAFE_INTEGER]) {
    const buf = Buffer.alloc(8);
    const end = writeVarint(buf, 0, n);
    assert.equal(end, varintBytes(n), `${n} in ${end} bytes`);
    const cursor = { at: 0 };
    assert.equal(readVarint(buf, cursor, end), n);
    assert.equal(cursor.at, end);
    assert.equal(readVarint(buf, { at: 0 }, end - 1), -1, `${n} cut short`);
  }
  const bad = (bytes: number[], why: string) => assert.equal(readVarint(Buffer.from(bytes), { at: 0 }, bytes.length), -1, why);
  bad([0x80, 0x00], 'a longer encoding than the value needs');
  bad([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10], 'a value over 2^53 - 1');
  bad([0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01], 'more than 8 bytes');
  bad([], 'no bytes');
});

/** The ITEM body of one item, made with writeItemHead as a base writer makes it. */
function item(f: { mode: number; key: Buffer; tag?: Buffer; value: Buffer; slot: number; rowid: number; version: number;
  time: number; expire?: number; size?: number }): Buffer {
  const tag = f.tag ?? Buffer.alloc(0);
  const head = itemHeadBytes(f.key.length, tag.length, f.slot, f.rowid, f.version, f.expire !== undefined, f.size ?? -1);
  const buf = Buffer.alloc(head + f.key.length + tag.length + f.value.length);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const at = writeItemHead(buf, dv, 0, f.mode, f.key.length, tag.length, f.slot, f.rowid, f.version, f.time, f.expire ?? NaN, f.size ?? -1);
  assert.equal(at, head);
  Buffer.concat([f.key, tag, f.value]).copy(buf, at);
  return buf;
}

test("an ITEM's bytes are the format page's, and it decodes to the record it stands for", () => {
  const body = item({ mode: 2, key: Buffer.from('\x03key:1'), value: Buffer.from('hello'), slot: 300, rowid: 301, version: 1_000_000, time: 1.5 });
  // head (mode 2, no option) | keyLength 6 | slot 300 | rowid − slot 1 | zigzag(version − rowid) 1,999,398 | time f64 |
  // key | value
  const expected = Buffer.concat([
    Buffer.from([0x02, 0x06, 0xac, 0x02, 0x01, 0xa6, 0x84, 0x7a]), Buffer.from([0, 0, 0, 0, 0, 0, 0xf8, 0x3f]),
    Buffer.from('\x03key:1'), Buffer.from('hello'),
  ]);
  assert.deepEqual(body, expected);
  const r = newRecordView();
  const meta: EntryMeta = { rowid: 0, version: 0, slot: 0 };
  assert.ok(readItem(body, 0, body.length, r, meta));
  assert.deepEqual(
    [r.op, r.writer, r.seq, r.time, r.num1, r.num2, r.flags, r.mode, body.toString('latin1', r.keyStart, r.keyStart + r.keyLength), r.tagLength, body.toString('latin1', r.valueStart, r.valueStart + r.valueLength)],
    [OP_ITEM, 0, 0, 1.5, 0, 0, 0, 2, '\x03key:1', 0, 'hello']);
  assert.deepEqual(meta, { rowid: 301, version: 1_000_000, slot: 300 });

  // Every option: a tag, an expiry, a value file (its name as the value), an empty value.
  const full = item({ mode: 7, key: Buffer.from('\x03k'), tag: Buffer.from('\x03t'), value: Buffer.from('ab/cd/x.val'), slot: 0, rowid: 2 ** 52, version: Number.MAX_SAFE_INTEGER, time: 2, expire: 99.25, size: 2 ** 40 });
  assert.ok(readBaseItem(full, OP_ITEM, 0, full.length, r, meta));
  assert.deepEqual([r.flags, r.mode, r.num1, r.num2, full.toString('latin1', r.tagStart, r.tagStart + r.tagLength), full.toString('latin1', r.valueStart, r.valueStart + r.valueLength)],
    [FLAG_HAS_EXPIRE | FLAG_HAS_TAG | FLAG_FILE, 7, 99.25, 2 ** 40, '\x03t', 'ab/cd/x.val']);
  assert.deepEqual(meta, { rowid: 2 ** 52, version: Number.MAX_SAFE_INTEGER, slot: 0 });
  // A transaction's items share one version, below their rowids: a negative difference.
  const txn = item({ mode: 1, key: Buffer.from('\x03t'), value: Buffer.from('v'), slot: 40, rowid: 1000, version: 3, time: 0 });
  assert.ok(readItem(txn, 0, txn.length, r, meta));
  assert.deepEqual(meta, { rowid: 1000, version: 3, slot: 40 });
  const empty = item({ mode: 1, key: Buffer.from('\x03e'), value: Buffer.alloc(0), slot: 1, rowid: 1, version: 1, time: 0 });
  assert.ok(readItem(empty, 0, empty.length, r, meta));
  assert.equal(r.valueLength, 0);
  assert.equal(readBaseItem(empty, OP_SET, 0, empty.length, r, meta), false, 'only ITEM and ENTRY are base items');
  assert.equal(readBaseItem(empty, OP_ENTRY, 0, empty.length, r, meta), false, 'an ITEM body is no ENTRY');
});

test('a malformed ITEM is refused', () => {
  const r = newRecordView();
  const meta: EntryMeta = { rowid: 0, version: 0, slot: 0 };
  const good = item({ mode: 4, key: Buffer.from('\x03key'), tag: Buffer.from('\x03t'), value: Buffer.from('v'), slot: 9, rowid: 10, version: 12, time: 3, expire: 4 });
  assert.ok(readItem(good, 0, good.length, r, meta));
  const refuse = (body: Buffer, why: string) => assert.equal(readItem(body, 0, body.length, r, meta), false, why);
  const withByte = (i: number, b: number) => {
    const copy = Buffer.from(good);
    copy[i] = b;
    return copy;
  };
  refuse(withByte(0, good[0] | 0x80), 'a reserved head bit');
  refuse(withByte(1, 0xff), 'a key length running into the fields after it');
  refuse(withByte(1, 100), 'a key length past the body');
  refuse(withByte(2, 100), 'a tag length past the body');
  for (let n = 0; n < good.length - 'v'.length - 't'.length - 'key'.length - 1; n++) refuse(good.subarray(0, n), `cut to ${n} bytes`);
  refuse(item({ mode: 1, key: Buffer.from('\x03k'), value: Buffer.alloc(0), slot: MAX_SLOTS, rowid: MAX_SLOTS, version: MAX_SLOTS, time: 0 }), 'a slot at MAX_SLOTS');
  refuse(item({ mode: 1, key: Buffer.from('\x03k'), value: Buffer.alloc(0), slot: 5, rowid: Number.MAX_SAFE_INTEGER, version: Number.MAX_SAFE_INTEGER + 5, time: 0 }), 'a version past 2^53 - 1');
  refuse(item({ mode: 1, key: Buffer.from('\x03k'), value: Buffer.alloc(0), slot: 0, rowid: 2, version: -1, time: 0 }), 'a version below 0');
});

test('fitsItem: what a base writer stores as an ENTRY instead', () => {
  assert.ok(fitsItem(15, MAX_SLOTS - 1, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, -1));
  assert.ok(fitsItem(1, 0, 0, 0, 0));
  assert.equal(fitsItem(1, 5, 4, 9, -1), false, 'a rowid below the slot');
  assert.ok(fitsItem(1, 5, 600, 7, -1), 'a version below the rowid (a transaction\'s items share one)');
  assert.equal(fitsItem(1, 0, Number.MAX_SAFE_INTEGER, 0, -1), false, 'a difference whose zigzag passes 2^53 - 1');
  assert.equal(fitsItem(16, 0, 0, 0, -1), false, 'a mode above 15');
  assert.equal(fitsItem(1, MAX_SLOTS, 0, 0, -1), false, 'a slot at MAX_SLOTS');
  assert.equal(fitsItem(1, 0, 1.5, 0, -1), false, 'a rowid that is no integer');
  assert.equal(fitsItem(1, 0, 0, 2 ** 53, -1), false, 'a version past 2^53 - 1');
  assert.equal(fitsItem(1, 0, 0, 0, 0.5), false, 'a file size that is no integer');
});

test('any bytes as an ITEM body: readItem never throws, and what it accepts lies within the body, its numbers safe', () => {
  // A fixed seed (xorshift): the same 20,000 bodies every run, mutations of a good one and plain noise.
  let x = 0x9e3779b9;
  const rand = (n: number) => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x % n;
  };
  const good = item({ mode: 7, key: Buffer.from('\x03key'), tag: Buffer.from('\x03tag'), value: Buffer.from('ab/cd/v.val'), slot: 70_000, rowid: 80_000, version: 3_000_000, time: 1.7e9, expire: 1.8e9, size: 123_456 });
  const r = newRecordView();
  const meta: EntryMeta = { rowid: 0, version: 0, slot: 0 };
  let accepted = 0;
  for (let i = 0; i < 20_000; i++) {
    let body: Buffer;
    if (i % 2 === 0) {
      body = Buffer.alloc(rand(64));
      for (let j = 0; j < body.length; j++) body[j] = rand(256);
    } else {
      body = Buffer.from(good.subarray(0, good.length - rand(4)));
      for (let n = 1 + rand(3); n > 0; n--) body[rand(body.length)] = rand(256);
    }
    // Inside a larger buffer, so that reading past the body would read bytes that are there.
    const buf = Buffer.concat([Buffer.alloc(5, 0xee), body, Buffer.alloc(64, 0xee)]);
    if (!readItem(buf, 5, body.length, r, meta)) continue;
    accepted++;
    const end = 5 + body.length;
    assert.ok(r.keyStart >= 5 && r.tagStart === r.keyStart + r.keyLength && r.valueStart === r.tagStart + r.tagLength, `body ${i}`);
    assert.equal(r.valueStart + r.valueLength, end, `body ${i}`);
    assert.ok(r.valueLength >= 0 && r.mode < 16 && meta.slot < MAX_SLOTS && meta.slot <= meta.rowid, `body ${i}`);
    assert.ok([meta.rowid, meta.version, r.num2].every((n) => Number.isSafeInteger(n) && n >= 0), `body ${i}`);
  }
  assert.ok(accepted > 1000, `${accepted} of 20,000 accepted: the mutations must reach the checks after the head`);
});
