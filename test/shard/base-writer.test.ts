/**
 * The base a compaction writes (src/shard/compaction.ts, docs/format.md "Bases") as readers take it: every kind of item
 * comes back in a fresh handle with all of its metadata; every frame checks out under the base's salt and holds its
 * item: an ITEM, or for numbers an ITEM cannot hold an ENTRY, byte for byte what encodeRecord makes of it; a value that
 * no longer checks out is dropped alone. The batch the base is encoded into writes out exactly the frames put in it, whatever their sizes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cache } from '../../src/index.js';
import { encodeKey, encodedOfKeyId } from '../../src/format/keys.js';
import { FRAME_OK, PLAIN_SALT, newFrameView, readFrame, saltFrame } from '../../src/format/frame.js';
import {
  FLAG_FILE, FLAG_HAS_EXPIRE, FLAG_HAS_TAG, OP_BASE, OP_ENTRY, OP_ITEM, OP_SET, OP_SETTING, encodeRecord, newRecordView, readRecord,
} from '../../src/format/record.js';
import { ENTRY_META_BYTES, encodeBaseTrailer, readItem } from '../../src/format/base.js';
import { FILE_HEADER_BYTES, KIND_BASE, parseFileHeader } from '../../src/format/segment.js';
import { MODE_RAW_NUMBER } from '../../src/format/disk.js';
import { NEVER } from '../../src/shard/keydir.js';
import { Shard } from '../../src/shard/shard.js';
import { compact } from '../../src/shard/compaction.js';
import { FrameBatch } from '../../src/shard/frame-batch.js';
import { now } from '../../src/clock.js';
import { tempDir } from '../fixtures/tmp.js';

const MiB = 1024 * 1024;

/**
 * A store holding every kind of item, each written twice (the first copies are dead): plain values of many lengths,
 * empty ones, tagged ones, expiring ones, incr counters (raw numbers), an inline value larger than the base's 1 MiB
 * write batch and the read-ahead window, value files (one tagged and expiring), keys of each type, and a setting.
 */
function fill(dir: string): void {
  const cache = new Cache(dir, { compactMinBytes: 2 ** 50, diskMinFileSize: 4 * MiB });
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 500; i++) cache.set(`k${i}`, `value ${i} of round ${round} `.repeat(1 + (i % 9)));
    for (let i = 0; i < 60; i++) cache.set(`tagged${i}`, { i, round }, { tag: `tag-${i % 4}` });
    for (let i = 0; i < 60; i++) cache.set(`expiring${i}`, Buffer.alloc(i, round), { expire: 3600 + i, tag: i % 2 ? i : undefined });
    for (let i = 0; i < 30; i++) cache.incr(`counter${i}`, { delta: i + round });
    cache.set('empty', Buffer.alloc(0));
    cache.set('empty string', '');
    cache.set('larger than a batch', Buffer.alloc(2 * MiB + 17, round + 1));
    cache.set('a batch less a little', Buffer.alloc(MiB - 40, round + 2));
    cache.set('file', Buffer.alloc(5 * MiB, round + 3));
    cache.set('tagged file', Buffer.alloc(5 * MiB, round + 4), { tag: 'files', expire: 9999 });
    cache.set(12345, 'an int key');
    cache.set(0.5, 'a float key');
    cache.set(Buffer.from([1, 2, 3]), 'a bytes key');
  }
  for (let i = 0; i < 500; i += 5) cache.delete(`k${i}`);
  cache.reset('cullLimit', 7);
  cache.close();
}

/** Everything a fresh handle on `dir` knows of each item (in insertion order) and of the store. */
function snapshot(dir: string): unknown {
  const shard = new Shard(dir, { compactMinBytes: 0 });
  try {
    shard.sync();
    const { state } = shard;
    const kd = state.kd;
    const items = [...kd.slots()].map((s) => ({
      slot: s, key: kd.keyBytes(s).toString('hex'), value: kd.numberOf(s) ?? shard.valueBytes(s)?.toString('hex'),
      expire: kd.expireOf(s), storeTime: kd.storeTime[s], rowid: kd.rowid[s], version: kd.versionOf(s), mode: kd.modeOf(s),
      tag: kd.tagOf(s), file: kd.valueFileOf(s),
    }));
    return {
      items, settings: [...state.settings], highWater: kd.highWater, rowidCounter: state.rowidCounter,
      window: [state.txnOwner, state.txnPid, state.txnLease],
    };
  } finally {
    shard.close();
  }
}

/** The frames of `file` (a base), each checked under the base's salt; the walk must end exactly at the file's end. */
function baseFrames(file: string, id: number): { op: number; bytes: Buffer; body: number; length: number }[] {
  const buf = fs.readFileSync(file);
  const header = parseFileHeader(buf.subarray(0, FILE_HEADER_BYTES), KIND_BASE, id, path.basename(file));
  assert.ok(typeof header !== 'string', `base header: ${String(header)}`);
  const frames = [];
  const view = newFrameView();
  for (let p = header.start; p < buf.length;) {
    const f = readFrame(buf, p, buf.length, view, header.salt);
    assert.equal(f.status, FRAME_OK, `the frame at ${p} of ${buf.length} checks out`);
    frames.push({ op: f.op, bytes: saltFrame(Buffer.from(buf.subarray(p, f.next)), header.salt, PLAIN_SALT), body: f.body - p, length: f.length });
    p = f.next;
  }
  return frames;
}

/** A handle holding a transaction window open on `dir` while the base is written (the trailer names its owner). */
function openWindow(t: { after(fn: () => void): void }, dir: string): Shard {
  const owner = new Shard(dir, { compactMinBytes: 0 });
  t.after(() => owner.close());
  owner.beginTxn(Date.now() + 600_000);
  owner.append(OP_SET, { time: now(), key: encodeKey('inside the window'), value: Buffer.from('x') });
  return owner;
}

test('every kind of item comes back from the base in a fresh handle with all of its metadata', (t) => {
  const dir = tempDir(t);
  fill(dir);
  const owner = openWindow(t, dir);
  const before = snapshot(dir);
  const shard = new Shard(dir, { compactMinBytes: 0 });
  t.after(() => shard.close());
  const result = compact(shard);
  assert.ok(result.base > 0 && result.items === (before as { items: unknown[] }).items.length, JSON.stringify(result));
  assert.ok(!fs.readdirSync(dir).some((n) => n.endsWith('.log') && Number.parseInt(n, 10) <= result.base), 'the items come from the base');
  assert.deepEqual(snapshot(dir), before);
  assert.notEqual((before as { window: number[] }).window[0], 0, 'the trailer held an open window');
  owner.abortTxn();
  const cache = new Cache(dir, { compactMinBytes: 2 ** 50 });
  t.after(() => cache.close());
  assert.deepEqual(cache.check(), [], 'check finds nothing wrong in the base');
  assert.deepEqual(cache.get('larger than a batch'), Buffer.alloc(2 * MiB + 17, 2));
  assert.deepEqual(cache.get('tagged file', { tag: true }), [Buffer.alloc(5 * MiB, 5), 'files']);
  assert.equal(cache.get('counter29'), 29 + 30);
});

/** The ENTRY encodeRecord makes of the item of `slot` (what a base holds for an item an ITEM cannot hold). */
function entryOf(shard: Shard, slot: number): Buffer {
  const kd = shard.state.kd;
  const tag = kd.tagOf(slot);
  const file = kd.valueFileOf(slot);
  const expire = kd.expireOf(slot);
  const meta = Buffer.alloc(ENTRY_META_BYTES);
  meta.writeDoubleLE(kd.rowid[slot], 0);
  meta.writeDoubleLE(kd.versionOf(slot), 8);
  meta.writeUInt32LE(slot, 16);
  return encodeRecord(OP_ENTRY, {
    writer: shard.writer, seq: 0, time: kd.storeTime[slot], num1: expire === NEVER ? 0 : expire, num2: file?.size ?? 0,
    flags: (expire === NEVER ? 0 : FLAG_HAS_EXPIRE) | (kd.tagOf(slot) === undefined ? 0 : FLAG_HAS_TAG) | (file ? FLAG_FILE : 0),
    mode: kd.modeOf(slot), key: kd.keyBytes(slot), tag: tag === undefined ? null : encodedOfKeyId(tag), value: [meta, valueOf(shard, slot)],
  });
}

/** The bytes a base stores of the item of `slot`'s value: its value bytes, or a raw number's f64. */
function valueOf(shard: Shard, slot: number): Buffer {
  const kd = shard.state.kd;
  const number = kd.modeOf(slot) === MODE_RAW_NUMBER ? kd.numberOf(slot) : undefined;
  if (number === undefined) return shard.valueBytes(slot)!;
  const b = Buffer.alloc(8);
  b.writeDoubleLE(number);
  return b;
}

test('each frame of a base checks out and holds its item (an ITEM, or an ENTRY as encodeRecord makes it for numbers an ITEM cannot hold), the trailer last', (t) => {
  const dir = tempDir(t);
  fill(dir);
  const owner = openWindow(t, dir);
  const shard = new Shard(dir, { compactMinBytes: 0 });
  t.after(() => shard.close());
  shard.sync();
  const { state } = shard;
  const kd = state.kd;
  const slots = [...kd.slots()];
  // Two items whose numbers an ITEM cannot hold (a rowid that is no integer, a version past 2^53): ENTRY frames.
  const odd = new Set([slots[3], slots[7]]);
  kd.rowid[slots[3]] += 0.5;
  kd.version[slots[7]] = 2 ** 60;
  const { base } = compact(shard);
  const frames = baseFrames(path.join(dir, fs.readdirSync(dir).find((n) => n.endsWith('.base'))!), base);
  const settings = [...state.settings];
  assert.deepEqual(frames.map((f) => f.op), [...slots.map((s) => (odd.has(s) ? OP_ENTRY : OP_ITEM)), ...settings.map(() => OP_SETTING), OP_BASE]);
  const r = newRecordView();
  const meta = { rowid: 0, version: 0, slot: 0 };
  slots.forEach((slot, i) => {
    const what = `the item of slot ${slot} (key ${kd.keyBytes(slot).toString('hex')})`;
    if (odd.has(slot)) {
      assert.ok(frames[i].bytes.equals(entryOf(shard, slot)), what);
      return;
    }
    const f = frames[i];
    assert.ok(readItem(f.bytes, f.body, f.length, r, meta), what);
    const tag = kd.tagOf(slot);
    const file = kd.valueFileOf(slot);
    const expire = kd.expireOf(slot);
    const at = (start: number, length: number) => f.bytes.subarray(start, start + length);
    assert.deepEqual({
      key: at(r.keyStart, r.keyLength), tag: at(r.tagStart, r.tagLength), value: at(r.valueStart, r.valueLength),
      time: r.time, expire: r.num1, size: r.num2, mode: r.mode, ...meta,
      flags: r.flags,
    }, {
      key: kd.keyBytes(slot), tag: tag === undefined ? Buffer.alloc(0) : encodedOfKeyId(tag), value: valueOf(shard, slot),
      time: kd.storeTime[slot], expire: expire === NEVER ? 0 : expire, size: file?.size ?? 0, mode: kd.modeOf(slot),
      rowid: kd.rowid[slot], version: kd.versionOf(slot), slot,
      flags: (expire === NEVER ? 0 : FLAG_HAS_EXPIRE) | (tag === undefined ? 0 : FLAG_HAS_TAG) | (file ? FLAG_FILE : 0),
    }, what);
  });
  const fresh = new Shard(dir, { compactMinBytes: 0 });
  t.after(() => fresh.close());
  fresh.sync();
  assert.deepEqual([fresh.state.kd.rowid[slots[3]], fresh.state.kd.versionOf(slots[7])], [kd.rowid[slots[3]], 2 ** 60], 'the ENTRYs load beside the ITEMs');
  settings.forEach(([name, value], i) => {
    const expected = encodeRecord(OP_SETTING, { writer: shard.writer, seq: 0, time: 0, key: Buffer.from(name), value: Buffer.from(JSON.stringify(value)) });
    assert.ok(frames[slots.length + i].bytes.equals(expected), `the SETTING ${name}`);
  });
  const trailer = frames.at(-1)!;
  assert.ok(readRecord(trailer.bytes, OP_BASE, trailer.body, trailer.length, r));
  const window = trailer.bytes.subarray(r.valueStart, r.valueStart + r.valueLength);
  assert.equal(window.readUInt32LE(0), kd.highWater);
  assert.equal(window.readUInt32LE(4), owner.writer, 'the open window\'s owner');
  assert.deepEqual([r.writer, r.seq, r.num2], [shard.writer, 0, state.rowidCounter]);
  assert.ok(window.length > encodeBaseTrailer({ highWater: 0, txnOwner: 0, txnPid: 0, txnLease: 0, window: Buffer.alloc(0) }).length, 'the window\'s identity follows');
});

test('an item whose value no longer checks out is left out of the base (and reported); every other item is kept', (t) => {
  const dir = tempDir(t);
  const cache = new Cache(dir, { compactMinBytes: 2 ** 50 });
  // Values above the value cache's limit (4 KiB): the compaction reads each from its frame on disk.
  const value = (i: number) => Buffer.alloc(5000, `value ${i};`);
  for (let round = 0; round < 2; round++) for (let i = 0; i < 300; i++) cache.set(`k${i}`, value(i));
  cache.close();
  const shard = new Shard(dir, { compactMinBytes: 0 });
  t.after(() => shard.close());
  shard.sync();
  // Damage the last copy of k150's value (the live one) on disk, after the handle loaded its location.
  const segment = path.join(dir, fs.readdirSync(dir).filter((n) => n.endsWith('.log')).sort().at(-1)!);
  const bytes = fs.readFileSync(segment);
  const at = bytes.lastIndexOf(value(150));
  assert.ok(at > 0);
  bytes[at + 2500] ^= 0x01;
  fs.writeFileSync(segment, bytes);
  const result = compact(shard);
  assert.equal(result.items, 299);
  assert.ok(shard.reports.some((r) => r.kind === 'checksum-on-read'), 'the damaged value is reported');
  const reopened = new Cache(dir, { compactMinBytes: 2 ** 50 });
  t.after(() => reopened.close());
  assert.equal(reopened.get('k150'), undefined);
  for (const i of [0, 149, 151, 299]) assert.deepEqual(reopened.get(`k${i}`), value(i));
  assert.equal(reopened.size, 299);
  assert.deepEqual(reopened.check(), []);
});

test('a frame batch writes out exactly the frames put in it: small ones together, one larger than the batch alone', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'out');
  const fd = fs.openSync(file, 'w');
  const writes: number[] = [];
  const batch = new FrameBatch(fs, fd, 100, () => writes.push(0));
  const expected: Buffer[] = [];
  const put = (n: number, fillByte: number, keep = true) => {
    const at = batch.reserve(n);
    batch.buf.fill(fillByte, at, at + n);
    if (keep) expected.push(Buffer.alloc(n, fillByte));
    else batch.unreserve(at);
  };
  put(40, 1);
  put(50, 2);
  put(10, 3); // fills the batch exactly
  put(30, 4, false); // the batch is written out first (write 1); then given back: never written
  put(1, 5);
  put(250, 6); // larger than the batch: written out first (write 2), then gets a buffer of its own
  put(0, 7);
  put(99, 8); // write 3: the large frame alone
  put(250, 9, false); // write 4; then given back
  put(20, 10);
  batch.flush();
  batch.flush(); // nothing left: no write
  fs.closeSync(fd);
  assert.ok(fs.readFileSync(file).equals(Buffer.concat(expected)));
  assert.equal(writes.length, 5, 'a write when the next frame would not fit, and one at the end');
});

test("items a transaction wrote (one version for all, below their rowids) are ITEMs in the base too, and read back", (t) => {
  const dir = tempDir(t);
  const cache = new Cache(dir, { compactMinBytes: 2 ** 50 });
  t.after(() => cache.close());
  cache.transact(() => { for (let i = 0; i < 200; i++) cache.set(`t${i}`, `value ${i}`); });
  const { base } = cache.compact();
  assert.ok(base > 0);
  const frames = baseFrames(path.join(dir, fs.readdirSync(dir).find((n) => n.endsWith('.base'))!), base);
  assert.deepEqual(frames.filter((f) => f.op !== OP_SETTING && f.op !== OP_BASE).map((f) => f.op), Array(200).fill(OP_ITEM));
  const fresh = new Shard(dir, { compactMinBytes: 0 });
  t.after(() => fresh.close());
  fresh.sync();
  const kd = fresh.state.kd;
  const slots = [...kd.slots()];
  assert.ok(slots.every((s) => kd.versionOf(s) === kd.versionOf(slots[0])), 'one version for all');
  assert.ok(slots.filter((s) => kd.versionOf(s) < kd.rowid[s]).length > 190, 'below the rowids of most');
  const again = new Cache(dir, { compactMinBytes: 2 ** 50 });
  t.after(() => again.close());
  for (let i = 0; i < 200; i++) assert.equal(again.get(`t${i}`), `value ${i}`);
});
