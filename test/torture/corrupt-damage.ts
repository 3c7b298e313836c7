/**
 * The corruption fuzzer's damage (corrupt.test.ts): a store's files in an order every build of the pristine store
 * shares, what each is (segment, whole base, chain link, access sidecar, value file), and one seeded mutation of one
 * of them: the generic ones (bit flips, a zeroed range, a truncation, a splice of bytes or whole frames, appended
 * garbage or frames, a deletion) and a chain's own (chainDamage).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CRC_BYTES, FRAME_HEADER_BYTES, FRAME_OK, MAGIC_BYTES, newFrameView, readFrame, saltFrame } from '../../src/format/frame.js';
import { OP_CHAIN, OP_ITEM, OP_TOMB, RecordInput, encodeRecordInto, newRecordView, readRecord, recordFrameBytes } from '../../src/format/record.js';
import { encodeChain, readChain, readItem } from '../../src/format/base.js';
import { CHAIN_FORMAT_VERSION, FILE_MAGIC, WHOLE_BASE_FORMAT_VERSION, damagedFileHeader } from '../../src/format/segment.js';
import { baseName } from '../../src/format/files.js';
import { Rng, walk } from './harness.js';

/** A shard directory of a pristine store holds a chain: one whole base, and one link building on it that holds
 * ITEMs of keys the whole base holds too (overwritten since) and TOMBs (of keys deleted since). */
export function checkChain(dir: string): void {
  const bases = fs.readdirSync(dir).filter((n) => n.endsWith('.base')).sort();
  assert.equal(bases.length, 2, `${dir}: a whole base and a link: ${bases.join(' ')}`);
  const [whole, link] = bases.map((n) => fs.readFileSync(path.join(dir, n)));
  const keys = (buf: Buffer) => {
    const rv = newRecordView();
    const meta = { rowid: 0, version: 0, slot: 0 };
    const out = new Set<string>();
    for (const f of framesOf(buf)) {
      if (f.op === OP_ITEM && readItem(buf, f.body, f.length, rv, meta)) out.add(buf.toString('latin1', rv.keyStart, rv.keyStart + rv.keyLength));
    }
    return out;
  };
  assert.deepEqual(chainIds(link, Number.parseInt(bases[1], 10)), [Number.parseInt(bases[0], 10)], `${dir}: the link's CHAIN names the whole base`);
  assert.equal(framesOf(whole)[0]?.op, OP_ITEM, `${dir}: a whole base`);
  const wholeKeys = keys(whole);
  const overwritten = [...keys(link)].filter((k) => wholeKeys.has(k));
  const tombs = framesOf(link).filter((f) => f.op === OP_TOMB);
  assert.ok(overwritten.length > 0 && tombs.length > 0, `${dir}: the link holds ${overwritten.length} overwritten items and ${tombs.length} TOMBs`);
}

/** The ids a link's CHAIN record names (`self`: its id), or null. */
function chainIds(buf: Buffer, self: number): number[] | null {
  const c = framesOf(buf)[0];
  const rv = newRecordView();
  return c?.op === OP_CHAIN && readRecord(buf, c.op, c.body, c.length, rv) ? readChain(buf, rv.valueStart, rv.valueLength, self) : null;
}

/** The files of a store, by size, then a value file by its bytes (value files have random names, and some have the
 * same size), then by name: a seed picks the same file in every build of the pristine store. */
export function filesOf(root: string): string[] {
  const files = walk(root).filter((r) => !r.endsWith('/'));
  const rank = new Map(files.map((f) => {
    const full = path.join(root, f);
    const bytes = classOf(root, f) === 'value' ? createHash('sha256').update(fs.readFileSync(full)).digest('hex') : '';
    return [f, `${String(fs.statSync(full).size).padStart(12, '0')} ${bytes} ${f}`];
  }));
  return files.sort((a, b) => (rank.get(a)! < rank.get(b)! ? -1 : 1));
}

/** What a file of the store in `root` is: a segment, a whole base, a chain link (a base whose first record is a
 * CHAIN), the access sidecar, or a value file. */
export function classOf(root: string, file: string): string {
  const name = path.basename(file);
  if (name.endsWith('.base')) return framesOf(fs.readFileSync(path.join(root, file)))[0]?.op === OP_CHAIN ? 'link' : 'base';
  return name.endsWith('.log') ? 'segment' : name === 'access.bin' ? 'access' : 'value';
}

/** Where a frame's body length is. */
const LENGTH_AT = MAGIC_BYTES + CRC_BYTES;
/** Where a file header's format version is (after the file magic). */
const VERSION_AT = FILE_MAGIC.length;

export interface FrameAt { at: number; op: number; body: number; length: number; next: number }

/** The frames of a log file that check out, in order, from its first (with the salt its header holds). */
export function framesOf(buf: Buffer): FrameAt[] {
  if (!buf.subarray(0, FILE_MAGIC.length).equals(FILE_MAGIC)) return [];
  const header = damagedFileHeader(buf);
  const fv = newFrameView();
  const out: FrameAt[] = [];
  for (let p = header.start; readFrame(buf, p, buf.length, fv, header.salt).status === FRAME_OK; p = fv.next) {
    out.push({ at: p, op: fv.op, body: fv.body, length: fv.length, next: fv.next });
  }
  return out;
}

/** Offset of a random frame start in `buf` (a log file: its frames start with the magic its header holds), or -1. */
function frameStart(rng: Rng, buf: Buffer): number {
  if (!buf.subarray(0, FILE_MAGIC.length).equals(FILE_MAGIC)) return -1;
  const magic = Buffer.alloc(MAGIC_BYTES);
  magic.writeUInt32LE(damagedFileHeader(buf).salt.magic);
  const starts: number[] = [];
  for (let p = buf.indexOf(magic, FILE_MAGIC.length); p >= 0; p = buf.indexOf(magic, p + 1)) starts.push(p);
  return starts.length === 0 ? -1 : rng.pick(starts);
}

/** A whole frame of `buf` (from its magic, with its own length), or random bytes. */
function someBytes(rng: Rng, buf: Buffer, aligned: boolean): { bytes: Buffer; from: string } {
  const at = aligned ? frameStart(rng, buf) : -1;
  if (at >= 0 && at + FRAME_HEADER_BYTES <= buf.length) {
    const end = Math.min(buf.length, at + FRAME_HEADER_BYTES + buf.readUInt32LE(at + LENGTH_AT));
    return { bytes: Buffer.from(buf.subarray(at, end)), from: `frame@${at}+${end - at}` };
  }
  const start = rng.int(Math.max(1, buf.length));
  const end = Math.min(buf.length, start + rng.range(1, rng.pick([16, 256, 2048])));
  return { bytes: Buffer.from(buf.subarray(start, end)), from: `${start}+${end - start}` };
}

/** The names of the chain's own mutations (chainDamage, and the deletion of the base a link builds on). */
export const CHAIN_OWN = /^(version|CHAIN|TOMB|delete \(the base)/;

export interface Damage { dir: string; file: string; klass: string; what: string; changed: boolean }

/** Damages one file of the store in `dir` (`files`: filesOf(dir), `classes`: what each is); returns what it did (the
 * case's name). */
export function damage(rng: Rng, dir: string, files: readonly string[], classes: ReadonlyMap<string, string>): Damage {
  const byClass = new Map<string, string[]>();
  for (const f of files) byClass.set(classes.get(f)!, [...(byClass.get(classes.get(f)!) ?? []), f]);
  // (There is no settings file: settings are SETTING records in the log and the bases.)
  const weights: Record<string, number> = { segment: 45, base: 13, link: 17, value: 15, access: 10 };
  for (const k of Object.keys(weights)) if (!byClass.has(k)) delete weights[k];
  const klass = rng.weighted(weights);
  const file = rng.pick(byClass.get(klass)!);
  const full = path.join(dir, file);
  const before = fs.readFileSync(full);
  const buf = Buffer.from(before);
  const size = buf.length;
  const mutations: Record<string, number> = { flip: 30, zero: 15, truncate: 15, splice: 20, append: 12, delete: 8 };
  // The chain's own damage (chainDamage). Deleting the whole base deletes the base a link builds on.
  if (klass === 'base') Object.assign(mutations, { version: 10, tomb: 8, delete: 16 });
  if (klass === 'link') Object.assign(mutations, { version: 10, chain: 16, tomb: 14 });
  let mutation = rng.weighted(mutations);
  if (size === 0 && mutation !== 'append' && mutation !== 'delete') mutation = 'append';
  let what: string;
  let out: Buffer | null = buf;
  switch (mutation) {
    case 'version':
    case 'chain':
    case 'tomb':
      ({ out, what } = chainDamage(rng, mutation, dir, file, files, classes, before));
      break;
    case 'flip': {
      const bits = Array.from({ length: rng.range(1, 8) }, () => [rng.int(size), rng.int(8)] as const);
      for (const [at, bit] of bits) buf[at] ^= 1 << bit;
      what = `flip bits ${bits.map(([at, bit]) => `${at}.${bit}`).join(',')}`;
      break;
    }
    case 'zero': {
      const at = rng.chance(0.5) && frameStart(rng, buf) >= 0 ? frameStart(rng, buf) + rng.int(FRAME_HEADER_BYTES) : rng.int(size);
      const len = Math.min(size - at, rng.range(1, rng.pick([4, 64, 512, 4096])));
      buf.fill(0, at, at + len);
      what = `zero ${at}+${len}`;
      break;
    }
    case 'truncate': {
      // Near the start (file headers: a reader may find fewer bytes than a header) or anywhere.
      const at = rng.chance(0.25) ? rng.int(Math.min(size, 40)) : rng.int(size);
      out = buf.subarray(0, at);
      what = `truncate at ${at}`;
      break;
    }
    case 'splice': {
      // Bytes or whole (valid) frames of this file or another one of the store, copied over another offset.
      const other = rng.chance(0.3) ? rng.pick(files) : file;
      const src = other === file ? before : fs.readFileSync(path.join(dir, other));
      const { bytes, from } = someBytes(rng, src, rng.chance(0.5));
      const fs0 = frameStart(rng, buf);
      const at = rng.chance(0.5) && fs0 >= 0 ? fs0 : rng.int(size);
      bytes.copy(buf, at, 0, Math.min(bytes.length, size - at));
      what = `splice ${other}@${from} over ${at}`;
      break;
    }
    case 'append': {
      // Garbage, or a valid frame from elsewhere (an old record replayed at the end of the log).
      const other = rng.pick(files);
      const frame = rng.chance(0.5) ? someBytes(rng, fs.readFileSync(path.join(dir, other)), true) : null;
      const extra = frame?.bytes ?? rng.bytes(rng.range(1, 512));
      out = Buffer.concat([buf, extra]);
      what = frame ? `append ${other}@${frame.from}` : `append ${extra.length} random bytes`;
      break;
    }
    default:
      out = null;
      what = klass === 'base' ? 'delete (the base a link builds on)' : 'delete';
  }
  if (out === null) fs.unlinkSync(full);
  else fs.writeFileSync(full, out);
  return { dir, file, klass, what, changed: out === null || !before.equals(out) };
}

/**
 * A chain's own damage, to a whole base or a link: `version`, the header's format version a flipped bit turns into
 * the other kind's (3 <-> 4: the header has no checksum); `chain`, the link's CHAIN record with bits flipped, or
 * rewritten (and checked, as a crafted file is) to name a base that is not there, none, itself, one twice, or a count
 * its length does not hold; `tomb`, a TOMB frame of the link in the file's directory (or one crafted for a key of the
 * whole base) copied over a frame of the file or inserted between two, salted for the file (a valid frame there).
 */
function chainDamage(rng: Rng, mutation: string, dir: string, file: string, files: readonly string[], classes: ReadonlyMap<string, string>,
  before: Buffer): { out: Buffer; what: string } {
  const buf = Buffer.from(before);
  const salt = damagedFileHeader(before).salt;
  const rv = newRecordView();
  /** A record of `op` encoded as a frame of this file. */
  const frameOf = (op: number, r: RecordInput) => {
    const f = Buffer.alloc(recordFrameBytes(r));
    encodeRecordInto(f, 0, op, r, r.writer, r.seq, salt);
    return f;
  };
  if (mutation === 'version') {
    const v = classes.get(file) === 'link' ? WHOLE_BASE_FORMAT_VERSION : CHAIN_FORMAT_VERSION;
    buf.writeUInt16LE(v, VERSION_AT);
    return { out: buf, what: `version ${before.readUInt16LE(VERSION_AT)} -> ${v}` };
  }
  if (mutation === 'chain') {
    const c = framesOf(before)[0]!;
    const how = rng.weighted({ flip: 3, missing: 2, none: 1, self: 1, twice: 1, count: 1 });
    if (how === 'flip') {
      const bits = Array.from({ length: rng.range(1, 4) }, () => [c.at + rng.int(c.next - c.at), rng.int(8)] as const);
      for (const [at, bit] of bits) buf[at] ^= 1 << bit;
      return { out: buf, what: `CHAIN: flip bits ${bits.map(([at, bit]) => `${at}.${bit}`).join(',')}` };
    }
    assert.ok(readRecord(before, c.op, c.body, c.length, rv));
    const self = Number.parseInt(path.basename(file), 10);
    const ids = chainIds(before, self)!;
    const missing = ids.at(-1)! + 1; // (a segment's id: no base has it)
    assert.ok(!fs.existsSync(path.join(dir, path.dirname(file), baseName(missing))));
    const value = encodeChain(how === 'missing' ? [...ids.slice(0, -1), missing] : how === 'none' ? [] : how === 'self' ? [...ids, self]
      : how === 'twice' ? [ids[0]!, ...ids] : ids);
    if (how === 'count') value.writeUInt32LE(rng.pick([ids.length + 1, 0xffffffff]), 0);
    const frame = frameOf(OP_CHAIN, { writer: rv.writer, seq: rv.seq, time: rv.time, value });
    return { out: Buffer.concat([before.subarray(0, c.at), frame, before.subarray(c.next)]), what: `CHAIN: names ${how} ${value.toString('hex')} (checked)` };
  }
  // A TOMB: of the link in this directory (copied), or crafted for a key of the whole base there.
  const here = (klass: string) => files.find((f) => classes.get(f) === klass && path.dirname(f) === path.dirname(file))!;
  const link = here('link');
  const src = link === file ? before : fs.readFileSync(path.join(dir, link));
  const t = rng.pick(framesOf(src).filter((f) => f.op === OP_TOMB));
  assert.ok(readRecord(src, t.op, t.body, t.length, rv));
  const writer = rv.writer;
  let tomb: Buffer;
  let from: string;
  if (rng.chance(0.35)) {
    const whole = fs.readFileSync(path.join(dir, here('base')));
    const meta = { rowid: 0, version: 0, slot: 0 };
    const item = rng.pick(framesOf(whole).filter((f) => f.op === OP_ITEM));
    assert.ok(readItem(whole, item.body, item.length, rv, meta));
    const key = Buffer.from(whole.subarray(rv.keyStart, rv.keyStart + rv.keyLength));
    tomb = frameOf(OP_TOMB, { writer, seq: 0, time: 0, key });
    from = `a TOMB of ${here('base')}@${item.at}'s key`;
  } else {
    tomb = saltFrame(Buffer.from(src.subarray(t.at, t.next)), damagedFileHeader(src).salt, salt);
    from = `${link}@${t.at}+${t.next - t.at}`;
  }
  const target = rng.pick(framesOf(before));
  if (rng.chance(0.5)) {
    tomb.copy(buf, target.at, 0, Math.min(tomb.length, buf.length - target.at));
    return { out: buf, what: `TOMB ${from} over ${target.at}` };
  }
  return { out: Buffer.concat([before.subarray(0, target.at), tomb, before.subarray(target.at)]), what: `TOMB ${from} inserted at ${target.at}` };
}
