/**
 * Chains of bases (docs/format.md, "Chains"; src/shard/chain.ts): a background compactor's compaction may write a
 * chain link, which rewrites only the items that changed since the newest base's seal and those of the oldest bases
 * it merges, and says which items of the bases it keeps are gone. The property every test here checks: the state
 * a chain loads is the state the log made — every field of every item (slot, rowid, version, expiry, store time,
 * value, number, tag), the insertion and store orders, the counters and the settings — whether a process reopens
 * the store, switches to the link in slices, or keeps writing through it. And a damaged chain (the last tests, found by
 * the corruption fuzzer): reported, and loaded as far as it reads — the store always opens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeKey } from '../../src/format/keys.js';
import {
  FLAG_HAS_EXPIRE, FLAG_HAS_PREFIX, FLAG_HAS_TAG, OP_CHAIN, OP_CLEAR, OP_DELETE, OP_INCR, OP_PUSH, OP_SET, OP_SETTING, OP_TOUCH,
  encodeRecordInto, newRecordView, readRecord, recordFrameBytes,
} from '../../src/format/record.js';
import { CHAIN_FORMAT_VERSION, FILE_MAGIC, WHOLE_BASE_FORMAT_VERSION, damagedFileHeader } from '../../src/format/segment.js';
import { FRAME_OK, newFrameView, readFrame } from '../../src/format/frame.js';
import { encodeChain } from '../../src/format/base.js';
import { baseName } from '../../src/format/files.js';
import { Cache } from '../../src/index.js';
import { T0 } from '../fixtures/records.js';
import { NIL } from '../../src/shard/keydir.js';
import { Shard } from '../../src/shard/shard.js';
import { compact, logDiskBytes } from '../../src/shard/compaction.js';
import { mulberry32, randomBytes } from '../fixtures/prng.js';
import { tempDir } from '../fixtures/tmp.js';

/** A shard on `dir` that compacts only when told (`keep`: it keeps its removals, as a compactor's copy does). */
function open(t: { after(fn: () => void): void }, dir: string, keep = false): Shard {
  const shard = new Shard(dir, { compactMinBytes: 0, keepRemovals: keep });
  t.after(() => shard.close());
  return shard;
}

/** Everything a process's state says, in a form deepEqual compares: what a chain must load exactly. */
function fingerprint(shard: Shard): unknown {
  shard.sync();
  const st = shard.state;
  const kd = st.kd;
  const items: unknown[] = [];
  for (let s = kd.insHead; s !== NIL; s = kd.insNext[s]) {
    // (A number is compared as one: an INCR's frame holds no value bytes, a base's item holds the number's.)
    const v = kd.numbers.has(s) ? null : shard.valueBytes(s);
    items.push([kd.keyBytes(s).toString('hex'), s, kd.rowid[s], kd.version[s], kd.expire[s], kd.storeTime[s], kd.mode[s],
      v === null ? null : Buffer.from(v).toString('hex'), kd.numbers.get(s) ?? null, kd.tags.get(s) ?? null]);
  }
  const stored: number[] = [];
  for (let s = kd.stoHead; s !== NIL; s = kd.stoNext[s]) stored.push(s);
  return { items, stored, seq: st.seq, rowid: st.rowidCounter, settings: [...st.settings].sort() };
}

/** One seeded command over 40 keys: sets (some with tags or expiry), deletes, incrs, touches, pushes. */
function step(shard: Shard, next: () => number, time: number): void {
  const key = encodeKey(`k${Math.floor(next() * 40)}`);
  const roll = next();
  if (roll < 0.45) {
    const tagged = next() < 0.2;
    const expiring = next() < 0.2;
    shard.append(OP_SET, {
      time, key, value: randomBytes(next, 1 + Math.floor(next() * 300)), mode: 1,
      flags: (tagged ? FLAG_HAS_TAG : 0) | (expiring ? FLAG_HAS_EXPIRE : 0), num1: expiring ? time + 1000 + next() * 1000 : 0,
      ...(tagged ? { tag: encodeKey(`t${Math.floor(next() * 3)}`) } : {}),
    });
  } else if (roll < 0.65) shard.append(OP_DELETE, { time, key });
  else if (roll < 0.8) shard.append(OP_INCR, { time, key: encodeKey(`n${Math.floor(next() * 10)}`), num1: 1 });
  else if (roll < 0.9) shard.append(OP_TOUCH, { time, key, flags: FLAG_HAS_EXPIRE, num1: time + 5000 + next() * 100 });
  else shard.append(OP_PUSH, { time, key: Buffer.from('q'), flags: FLAG_HAS_PREFIX | (next() < 0.5 ? 4 : 0), value: randomBytes(next, 20), mode: 1 });
}

test('a chain of links, each merging some of the oldest bases, loads the state the log made: on reopen, in a switching handle, and in the compacting one', (t) => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const dir = tempDir(t);
    const next = mulberry32(seed);
    const a = open(t, dir, true);
    const b = open(t, dir);
    let time = T0;
    for (let i = 0; i < 150; i++) step(a, next, time++);
    assert.ok(compact(a).base > 0, 'a whole base first');
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 80 + Math.floor(next() * 80); i++) step(next() < 0.5 ? a : b, next, time++);
      if (round === 5) a.append(OP_SETTING, { time, key: Buffer.from('cullLimit'), value: Buffer.from(String(round)) });
      const fresh = open(t, dir, true); // a compactor's copy: loaded afresh, so its removals are complete
      const bases = fresh.chain.ids.length + 1;
      const merge = Math.floor(next() * (bases + 1));
      const r = compact(fresh, false, true, merge);
      if (r.skipped) continue;
      assert.ok(r.base > 0, `seed ${seed} round ${round}: compacted`);
      assert.equal(r.kept === undefined, merge >= bases, `seed ${seed} round ${round}: a link unless every base merged`);
      const want = fingerprint(fresh);
      assert.deepEqual(fingerprint(a), want, `seed ${seed} round ${round}: the handle that wrote`);
      assert.deepEqual(fingerprint(b), want, `seed ${seed} round ${round}: a handle switching in slices`);
      const reopened = open(t, dir);
      assert.deepEqual(fingerprint(reopened), want, `seed ${seed} round ${round}: a reopen loads the chain`);
      assert.equal(reopened.loads, 1);
      assert.equal(b.loads, 1, 'b switched, it did not rebuild');
      reopened.close();
      fresh.close();
    }
  }
});

test('a link that merges none of the bases keeps them all, and removes the segments it covers', (t) => {
  const dir = tempDir(t);
  const a = open(t, dir, true);
  for (let i = 0; i < 200; i++) a.append(OP_SET, { time: T0, key: encodeKey(`k${i}`), value: Buffer.alloc(100, i), mode: 1 });
  const whole = compact(a);
  for (let i = 0; i < 20; i++) a.append(OP_SET, { time: T0, key: encodeKey(`k${i}`), value: Buffer.alloc(100, 255), mode: 1 });
  a.append(OP_DELETE, { time: T0, key: encodeKey('k150') });
  a.close();
  const c = open(t, dir, true);
  const r = compact(c, false, true, 0);
  assert.deepEqual([r.merged, r.kept], [0, 1]);
  const files = fs.readdirSync(dir).filter((n) => n.endsWith('.base') || n.endsWith('.log')).sort();
  assert.ok(files.includes(`${String(whole.base).padStart(10, '0')}.base`), 'the whole base stays');
  assert.ok(files.includes(`${String(r.base).padStart(10, '0')}.base`));
  assert.ok(files.filter((n) => n.endsWith('.log')).every((n) => Number.parseInt(n, 10) > r.base), 'segments it covers are gone');
  const reopened = open(t, dir);
  assert.equal(reopened.state.kd.find(encodeKey('k150')), NIL, 'the TOMB removes the item of the whole base');
  assert.equal(Buffer.from(reopened.valueBytes(reopened.state.kd.find(encodeKey('k3')))!).readUInt8(0), 255);
  assert.equal(Buffer.from(reopened.valueBytes(reopened.state.kd.find(encodeKey('k30')))!).readUInt8(0), 30);
  assert.ok(logDiskBytes(reopened) > 0);
});

test('a clear between links removes every item of the kept bases', (t) => {
  const dir = tempDir(t);
  const a = open(t, dir, true);
  for (let i = 0; i < 50; i++) a.append(OP_SET, { time: T0, key: encodeKey(`k${i}`), value: Buffer.alloc(10, i), mode: 1 });
  compact(a);
  a.close();
  const b = open(t, dir, true);
  b.append(OP_CLEAR, { time: T0 });
  b.append(OP_SET, { time: T0, key: encodeKey('after'), value: Buffer.from('x'), mode: 1 });
  compact(b, false, true, 0);
  const reopened = open(t, dir);
  assert.deepEqual(fingerprint(reopened), fingerprint(b));
  assert.equal(reopened.state.kd.count ?? [...reopened.state.kd.slots()].length, 1);
});

test('a handle that keeps its removals writes link after link without reading the store again (its own base: chain facts stay exact)', (t) => {
  for (const seed of [11, 12, 13]) {
    const dir = tempDir(t);
    const next = mulberry32(seed);
    const k = open(t, dir, true); // the compactor's copy: it writes every link and switches to it itself
    const w = open(t, dir);
    let time = T0;
    for (let i = 0; i < 150; i++) step(w, next, time++);
    assert.ok(compact(k).base > 0);
    let links = 0;
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 60 + Math.floor(next() * 60); i++) step(w, next, time++);
      k.sync();
      assert.ok(k.chain.fresh, `seed ${seed} round ${round}: the copy's chain facts are exact after its own compaction`);
      const bases = k.chain.ids.length + 1;
      const r = compact(k, false, true, Math.floor(next() * bases)); // never every base: a link
      if (r.skipped) continue;
      links++;
      const want = fingerprint(w);
      assert.deepEqual(fingerprint(k), want, `seed ${seed} round ${round}: the copy`);
      const reopened = open(t, dir);
      assert.deepEqual(fingerprint(reopened), want, `seed ${seed} round ${round}: a reopen loads the chain`);
      reopened.close();
    }
    assert.ok(links >= 5, `seed ${seed}: links written (${links})`);
    assert.equal(k.loads, 1, 'the copy was never read again');
    assert.equal(w.loads, 1, 'the writer switched each time');
  }
});

test('a link that drops an item whose value no longer checks out (it lay in a base the link keeps) makes a switching handle rebuild, to agree with a reopen', (t) => {
  const dir = tempDir(t);
  const a = open(t, dir, true);
  const b = open(t, dir);
  for (let i = 0; i < 30; i++) a.append(OP_SET, { time: T0, key: encodeKey(`k${i}`), value: Buffer.from(`value-${i}-`.padEnd(40, 'z')), mode: 1 });
  const whole = compact(a).base;
  a.append(OP_TOUCH, { time: T0, key: encodeKey('k7'), flags: FLAG_HAS_EXPIRE, num1: T0 + 9999 }); // changed in place
  for (let i = 0; i < 5; i++) a.append(OP_SET, { time: T0, key: encodeKey(`n${i}`), value: Buffer.from('x'), mode: 1 });
  b.sync();
  a.close();
  const c = open(t, dir, true);
  // Damage k7's value in the whole base, after every handle has read it (the compactor's copy finds it as it copies).
  const file = `${dir}/${String(whole).padStart(10, '0')}.base`;
  const bytes = fs.readFileSync(file);
  const at = bytes.indexOf('value-7-');
  assert.ok(at > 0);
  bytes[at] ^= 0xff;
  fs.writeFileSync(file, bytes);
  const r = compact(c, false, true, 0);
  assert.equal(r.kept, 1, 'a link keeping the whole base');
  const reopened = open(t, dir);
  assert.equal(reopened.state.kd.find(encodeKey('k7')), NIL, 'dropped, and its TOMB removes it from the whole base');
  b.finishSwitch(); // (the switch is walked in slices: b learns of the TOMB when its walk reaches it)
  assert.deepEqual(fingerprint(b), fingerprint(reopened), 'the switching handle agrees');
  assert.equal(b.loads, 2, 'by rebuilding');
});

test('a header version flipped in either base of a chain (the whole base it builds on 3 -> 4, the link 4 -> 3) is reported as a bad file header, and the chain loads all the same', (t) => {
  for (const which of ['member', 'link'] as const) {
    const dir = tempDir(t);
    const a = open(t, dir, true);
    let time = T0;
    const next = mulberry32(7);
    for (let i = 0; i < 150; i++) step(a, next, time++);
    const whole = compact(a).base;
    for (let i = 0; i < 100; i++) step(a, next, time++);
    a.close();
    const c = open(t, dir, true);
    const link = compact(c, false, true, 0).base;
    assert.ok(link > whole);
    const want = fingerprint(c);
    c.close();
    const [id, version] = which === 'member' ? [whole, CHAIN_FORMAT_VERSION] : [link, WHOLE_BASE_FORMAT_VERSION];
    const file = path.join(dir, baseName(id));
    const buf = fs.readFileSync(file);
    buf.writeUInt16LE(version, FILE_MAGIC.length); // (the version follows the file magic)
    fs.writeFileSync(file, buf);
    const reopened = open(t, dir);
    assert.deepEqual(fingerprint(reopened), want, `${which}: every item is read`);
    assert.deepEqual(reopened.reports.map((r) => [r.kind, r.file]), [['bad-file-header', baseName(id)]], `${which}: reported`);
    reopened.close();
  }
});

/** The first frame of the base `file` (a link's CHAIN): where it starts and ends, and the record it holds. */
function firstFrame(buf: Buffer): { at: number; next: number; writer: number; seq: number } {
  const header = damagedFileHeader(buf);
  const f = readFrame(buf, header.start, buf.length, newFrameView(), header.salt);
  const r = newRecordView();
  assert.ok(f.status === FRAME_OK && f.op === OP_CHAIN && readRecord(buf, f.op, f.body, f.length, r));
  return { at: header.start, next: f.next, writer: r.writer, seq: r.seq };
}

test('a link that cannot be loaded (its CHAIN damaged, or naming a base that is not there, or the link cut before its trailer): the store opens on the whole base it builds on and the segments after the link, reports it, and check({ fix: true }) repairs', (t) => {
  const OPTIONS = { segmentBytes: 4096, compactMinBytes: 0 } as const;
  const damages: Record<string, (buf: Buffer) => Buffer> = {
    'a bit of its CHAIN flipped': (buf) => (buf[firstFrame(buf).next - 1] ^= 1, buf),
    'its CHAIN naming a base that is not there (checked)': (buf) => {
      const f = firstFrame(buf);
      const r = { writer: f.writer, seq: f.seq, time: 0, value: encodeChain([1]) };
      const frame = Buffer.alloc(recordFrameBytes(r));
      encodeRecordInto(frame, 0, OP_CHAIN, r, r.writer, r.seq, damagedFileHeader(buf).salt);
      return Buffer.concat([buf.subarray(0, f.at), frame, buf.subarray(f.next)]);
    },
    'cut before its trailer': (buf) => buf.subarray(0, buf.length - 10),
  };
  for (const [what, damage] of Object.entries(damages)) {
    const dir = tempDir(t);
    const c = new Cache(dir, OPTIONS);
    for (let i = 0; i < 60; i++) c.set(`k${i}`, `a${i}-${'x'.repeat(100)}`);
    assert.ok(c.compact().base > 1);
    for (let i = 0; i < 20; i++) c.set(`k${i}`, `b${i}`);
    for (let i = 20; i < 30; i++) c.delete(`k${i}`);
    c.close();
    const s = open(t, dir, true);
    const link = compact(s, false, true, 0).base;
    assert.ok(link > 0);
    s.close();
    const after = new Cache(dir, OPTIONS);
    for (let i = 0; i < 5; i++) after.set(`k${i}`, `c${i}`); // in the segments after the link
    after.close();
    const file = path.join(dir, baseName(link));
    fs.writeFileSync(file, damage(fs.readFileSync(file)));
    // Every key reads its value at the whole base's seal, or a later one (the history between it and the link is lost).
    const want = (i: number) => (i < 5 ? `c${i}` : `a${i}-${'x'.repeat(100)}`);
    const d = new Cache(dir, OPTIONS);
    for (let i = 0; i < 60; i++) assert.equal(d.get(`k${i}`), want(i), `${what}: k${i}`);
    assert.ok(d.check().some((w) => w.message.includes(baseName(link))), `${what}: check() names the link`);
    d.check({ fix: true });
    assert.deepEqual(d.check(), [], what);
    d.close();
    const again = new Cache(dir, OPTIONS);
    assert.deepEqual(again.check(), [], `${what}: after a reopen`);
    for (let i = 0; i < 60; i++) assert.equal(again.get(`k${i}`), want(i), `${what}: k${i} after the repair`);
    again.close();
  }
});

test('a whole base cut inside its header, the only base: the store opens on the segments after it (its DONE seal there asks for no rebuild)', (t) => {
  const dir = tempDir(t);
  const a = open(t, dir);
  for (let i = 0; i < 100; i++) a.append(OP_SET, { time: T0, key: encodeKey(`k${i % 20}`), value: Buffer.alloc(100, i), mode: 1 });
  const whole = compact(a).base;
  for (let i = 0; i < 20; i++) a.append(OP_SET, { time: T0, key: encodeKey(`k${i}`), value: Buffer.alloc(100, 200 + i), mode: 1 });
  a.close();
  fs.truncateSync(path.join(dir, baseName(whole)), 15);
  const b = open(t, dir);
  assert.equal(b.loads, 1, 'one load');
  assert.equal(Buffer.from(b.valueBytes(b.state.kd.find(encodeKey('k7')))!).readUInt8(0), 207);
  assert.ok(b.reports.some((r) => r.file === baseName(whole)), 'the base is reported');
});

test('once the writes stopped, a link also merges the oldest bases with anything dead in them (a quarter of the live bytes at a time)', (t) => {
  const dir = tempDir(t);
  const k = open(t, dir, true);
  let time = T0; // (each store at its own time: a load orders stores by time)
  const set = (key: string, fill: number) => k.append(OP_SET, { time: time++, key: encodeKey(key), value: Buffer.alloc(200, fill), mode: 1 });
  for (let i = 0; i < 100; i++) set(`a${i}`, 1);
  compact(k);
  for (let i = 0; i < 300; i++) set(`b${i}`, 2);
  assert.equal(compact(k, false, true, 0).kept, 1, 'a link over the whole base');
  for (let i = 0; i < 20; i++) set(`a${i}`, 3); // a fifth of the whole base dead: under half
  for (let i = 0; i < 100; i++) set(`c${i}`, 4);
  const busy = compact(k);
  assert.deepEqual([busy.merged, busy.kept], [0, 2], 'while writing: no base is half dead, none is merged');
  for (let i = 20; i < 40; i++) set(`a${i}`, 5);
  const idle = compact(k, false, true, undefined, true);
  assert.equal(idle.merged, 1, 'idle: the oldest base, with a dead part, is merged');
  const reopened = open(t, dir);
  assert.deepEqual(fingerprint(reopened), fingerprint(k));
});
