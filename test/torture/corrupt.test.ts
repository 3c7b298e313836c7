/**
 * Corruption fuzzing (invariant 4: corruption is found, not followed), after LevelDB's corruption tests. Two
 * pristine stores are built once (a Cache and a 2-shard FanoutCache: numbers, strings, Buffers, CBOR objects, value
 * files, tags, expiry, overwrites, deletes, incr, transactions, a compaction, then segments after the base). Each
 * case copies one, damages one file (segment, base, access sidecar or value file) with one seeded mutation (bit
 * flips, a zeroed range, a truncation, a splice of bytes or whole frames, appended garbage or frames, a deletion),
 * then asserts:
 *   (a) opening succeeds or throws a LogcacheError, never an untyped error, never hangs (a watchdog thread kills
 *       the process and names the case if one runs past CASE_LIMIT_MS);
 *   (b) every key reads as its pristine value, a value it held earlier in the history (a dropped record leaves the
 *       one before it, as a crash does), or a miss: never a damaged or foreign value. New writes after the damage
 *       read back exactly, across check({ fix: true }) and a reopen;
 *   (c) check() returns warnings, at least one for changed bytes of a log file;
 *   (d) check({ fix: true }) repairs: check() is [] after it and after a close and reopen.
 * Every assertion names the case (seed, store, file, mutation); LOGCACHE_TORTURE_SEED=<seed>
 * LOGCACHE_TORTURE_CORRUPT=1 replays one (the pristine stores do not depend on the seed). Cases: 300 in the
 * default suite (~20 s), 5,000 under LOGCACHE_TORTURE=long.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Cache, FanoutCache } from '../../src/index.js';
import type { Key } from '../../src/index.js';
import { LogcacheError } from '../../src/errors.js';
import { CRC_BYTES, FRAME_HEADER_BYTES, FRAME_OK, MAGIC_BYTES, newFrameView, readFrame, sealFrame, startFrame } from '../../src/format/frame.js';
import { FLAG_FILE, FLAG_HAS_EXPIRE, OP_BASE, OP_ITEM, OP_TXN, newRecordView, readRecord } from '../../src/format/record.js';
import { itemHeadBytes, readItem, writeItemHead } from '../../src/format/base.js';
import { crc32c } from '../../src/format/crc32c.js';
import { FILE_MAGIC, damagedFileHeader } from '../../src/format/segment.js';
import { BASE_SEED, Rng, Watchdog, copyTree, count, figures, show, tmpdir, walk, watchdog } from './harness.js';

const CASES = count('LOGCACHE_TORTURE_CORRUPT', 300, 5000);
const SEGMENT_BYTES = 16 * 1024;
const BIG = 40_000; // over diskMinFileSize (32 KiB): a value file
const CASE_LIMIT_MS = 60_000;
// compactMinBytes 0: no automatic compaction, so the pristine layout is the same on every run. A short timeout:
// a window left open by a damaged TXN belongs to the (dead) builder process and is aborted after ~50 ms anyway.
const OPTIONS = { segmentBytes: SEGMENT_BYTES, compactMinBytes: 0, timeout: 10, evictionPolicy: 'least-recently-used', statistics: true } as const;

// ---- the pristine history ---------------------------------------------------------------------------------------

type Op =
  | { op: 'set'; key: Key; value: unknown; expire?: number; tag?: string }
  | { op: 'delete'; key: Key }
  | { op: 'incr'; key: Key }
  | { op: 'txn'; ops: Op[] }
  | { op: 'compact' };

const COUNTERS = ['hits', 'misses'];

/** Every value is unique (it carries its write number `n`), so a value read back names the write it came from. */
function valueFor(rng: Rng, n: number): unknown {
  switch (rng.weighted({ num: 2, str: 3, buf: 3, obj: 2, big: 1 })) {
    case 'num': return n + 0.25;
    case 'str': return `v${n}-` + 'abcdefgh'.repeat(rng.int(40));
    case 'buf': return Buffer.concat([Buffer.from(`b${n}:`), rng.bytes(rng.int(600))]);
    case 'obj': return { n, list: [n, String(n), null], nested: { ok: true, at: new Date(n * 1000) } };
    default: return rng.pick([
      () => Buffer.concat([Buffer.from(`B${n}:`), rng.bytes(BIG)]), // binary file
      () => `T${n}:` + 'text file '.repeat(BIG / 10), // text file
      () => ({ n, blob: 'cbor file '.repeat(BIG / 10) }), // CBOR file
    ])();
  }
}

/** The pristine store's history: the same list in the builder process and here. */
function pristineOps(seed: number): Op[] {
  const rng = new Rng(seed);
  let n = 0;
  const key = (): Key => { const i = rng.int(160); return i % 3 === 0 ? i : `key-${i}`; };
  const set = (): Op => ({
    op: 'set', key: key(), value: valueFor(rng, n++),
    expire: rng.chance(0.1) ? 86_400 : undefined, tag: rng.chance(0.2) ? rng.pick(['red', 'blue']) : undefined,
  });
  const phase = (writes: number): Op[] => Array.from({ length: writes }, (): Op => {
    const r = rng.next();
    if (r < 0.75) return set();
    if (r < 0.87) return { op: 'delete', key: key() };
    if (r < 0.95) return { op: 'incr', key: rng.pick(COUNTERS) };
    return { op: 'txn', ops: [set(), set(), { op: 'delete', key: key() }, set()] };
  });
  // 300 writes, a compaction (the base), then ~4 segments of 16 KiB after it.
  return [...phase(300), { op: 'compact' }, ...phase(260)];
}

type Store = Cache | FanoutCache;

function apply(store: Store | null, model: Map<Key, unknown[]>, current: Map<Key, unknown>, o: Op): void {
  const remember = (k: Key, v: unknown) => {
    if (!model.has(k)) model.set(k, []);
    model.get(k)!.push(v);
    current.set(k, v);
  };
  switch (o.op) {
    case 'set': store?.set(o.key, o.value, { expire: o.expire, tag: o.tag }); remember(o.key, o.value); break;
    case 'delete': store?.delete(o.key); if (!model.has(o.key)) model.set(o.key, []); current.delete(o.key); break;
    case 'incr': { const v = ((current.get(o.key) as number | undefined) ?? 0) + 1; store?.incr(o.key); remember(o.key, v); break; }
    case 'txn': {
      const run = () => { for (const x of o.ops) apply(store, model, current, x); };
      if (store) store.transact(run); else run();
      break;
    }
    case 'compact': store?.compact(); break;
  }
}

/** The pristine stores do not depend on the base seed: a case's seed alone names it. */
const KINDS = { cache: { seed: 0x1ca4e, shards: 0 }, fanout: { seed: 0xfa2, shards: 2 } } as const;
type Kind = keyof typeof KINDS;

function openStore(kind: Kind, dir: string): Store {
  return kind === 'cache' ? new Cache(dir, OPTIONS) : new FanoutCache(dir, { ...OPTIONS, shards: KINDS.fanout.shards });
}

// The builder runs in its own process, so the pid in its BEGIN records is dead when a case reads them (as after a
// crash): a window left open by damage is then aborted by the first writer, not waited for.
if (process.env.LOGCACHE_CORRUPT_BUILD) {
  const [kind, dir] = process.env.LOGCACHE_CORRUPT_BUILD.split('=') as [Kind, string];
  const store = openStore(kind, dir);
  for (const o of pristineOps(KINDS[kind].seed)) apply(store, new Map(), new Map(), o);
  store.close();
} else if (process.env.LOGCACHE_CORRUPT_OPEN) {
  // One crafted store, opened in a process of its own with a small heap (a loop sized by a crafted number would
  // abort it): what a fresh process reads and what check() says, as JSON.
  const out: Record<string, unknown> = {};
  const c = typed('crafted', 'open', () => new Cache(process.env.LOGCACHE_CORRUPT_OPEN!, OPTIONS));
  if (c instanceof LogcacheError) out.open = c.code;
  else {
    out.values = Object.fromEntries(['k0', 'k1', 'k9', 'txn'].map((k) => [k, String(typed('crafted', `get(${k})`, () => c.get(k, { default: null })))]));
    const w = typed('crafted', 'check', () => c.check());
    out.check = w instanceof LogcacheError ? w.code : w.map((x) => x.category);
    typed('crafted', 'set', () => c.set('after', 1));
    out.after = typed('crafted', 'get', () => c.get('after'));
    c.close();
  }
  console.log(JSON.stringify(out));
} else registerTests();

/** A pristine store: `history` holds every value each key ever held (deleted keys too), `expected` the live ones,
 * `files` its files as filesOf lists them (the same in every copy). */
interface Pristine { kind: Kind; dir: string; history: Map<Key, unknown[]>; expected: Map<Key, unknown>; files: string[] }

function buildPristine(kind: Kind, dir: string): Pristine {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, LOGCACHE_CORRUPT_BUILD: `${kind}=${dir}` }, encoding: 'utf8',
  });
  assert.equal(r.status, 0, `building the pristine ${kind} store failed: ${r.stderr}`);
  const history = new Map<Key, unknown[]>();
  const expected = new Map<Key, unknown>();
  for (const o of pristineOps(KINDS[kind].seed)) apply(null, history, expected, o);
  return { kind, dir, history, expected, files: filesOf(dir) };
}

// ---- mutations ----------------------------------------------------------------------------------------------------

/** The files of a store, by size then name: value files have random names, so a seed picks the same file in
 * every build of the pristine store (their sizes differ). */
function filesOf(root: string): string[] {
  const files = walk(root).filter((r) => !r.endsWith('/'));
  const size = new Map(files.map((f) => [f, fs.statSync(path.join(root, f)).size]));
  return files.sort((a, b) => size.get(a)! - size.get(b)! || (a < b ? -1 : 1));
}

function classOf(file: string): string {
  const name = path.basename(file);
  return name.endsWith('.log') ? 'segment' : name.endsWith('.base') ? 'base' : name === 'access.bin' ? 'access' : 'value';
}

/** Where a frame's body length is. */
const LENGTH_AT = MAGIC_BYTES + CRC_BYTES;

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

interface Damage { dir: string; file: string; klass: string; what: string; changed: boolean }

/** Damages one file of the store in `dir` (`files`: filesOf(dir)); returns what it did (the case's name). */
function damage(rng: Rng, dir: string, files: readonly string[]): Damage {
  const byClass = new Map<string, string[]>();
  for (const f of files) byClass.set(classOf(f), [...(byClass.get(classOf(f)) ?? []), f]);
  // (There is no settings file: settings are SETTING records in the log and the base.)
  const weights: Record<string, number> = { segment: 45, base: 25, value: 15, access: 10 };
  for (const k of Object.keys(weights)) if (!byClass.has(k)) delete weights[k];
  const klass = rng.weighted(weights);
  const file = rng.pick(byClass.get(klass)!);
  const full = path.join(dir, file);
  const before = fs.readFileSync(full);
  const buf = Buffer.from(before);
  const size = buf.length;
  let mutation = rng.weighted({ flip: 30, zero: 15, truncate: 15, splice: 20, append: 12, delete: 8 });
  if (size === 0 && mutation !== 'append' && mutation !== 'delete') mutation = 'append';
  let what: string;
  let out: Buffer | null = buf;
  switch (mutation) {
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
      what = 'delete';
  }
  if (out === null) fs.unlinkSync(full);
  else fs.writeFileSync(full, out);
  return { dir, file, klass, what, changed: out === null || !before.equals(out) };
}

// ---- the cases --------------------------------------------------------------------------------------------------

interface Tally {
  cases: number; opened: number; typedErrors: number; warned: number; repaired: number; wrongValues: number;
  stale: number; misses: number; unverifiable: number; cutOff: number; replayed: number;
}

/** Runs `fn`; an error must be one of the library's (typed). Returns the value, or the typed error. */
function typed<T>(label: string, step: string, fn: () => T): T | LogcacheError {
  try { return fn(); } catch (err) {
    assert.ok(err instanceof LogcacheError, `${label}: ${step} threw an untyped error: ${(err as Error)?.stack ?? String(err)}`);
    return err;
  }
}

function runCase(p: Pristine, seed: number, work: string, tally: Tally, dog: Watchdog): void {
  const rng = new Rng(seed);
  copyTree(p.dir, path.join(work, `case-${seed}`));
  const d = damage(rng, path.join(work, `case-${seed}`), p.files);
  const label = `seed ${seed} (${p.kind}): ${d.file} [${d.klass}] ${d.what}`;
  dog.enter(label);
  try {
    judgeCase(p, seed, rng, d, label, tally);
  } finally {
    dog.leave();
  }
  if (!process.env.LOGCACHE_TORTURE_KEEP) fs.rmSync(d.dir, { recursive: true, force: true });
}

function judgeCase(p: Pristine, seed: number, rng: Rng, d: Damage, label: string, tally: Tally): void {
  tally.cases++;
  // A value file damaged in place keeps its size: nothing on disk can tell (value files carry no checksum, as in
  // diskcache), so the keys holding value files are not judged in those cases.
  const unverifiable = d.klass === 'value' && /^(flip|zero|splice)/.test(d.what);
  const replays = /^(splice|append \S+@)/.test(d.what);
  const post = new Map<Key, unknown>();
  const judge = (store: Store, when: string) => {
    for (const [k, v] of post) {
      const got = typed(label, `get(${String(k)}) ${when}`, () => store.get(k, { default: null }));
      assert.ok(isDeepStrictEqual(got, v), `${label}: ${when}: key ${String(k)} lost a write made after the damage: ${show(got)}`);
    }
    for (const [k, want] of p.expected) {
      if (post.has(k)) continue;
      const got = typed(label, `get(${String(k)}) ${when}`, () => store.get(k, { default: null }));
      if (got instanceof LogcacheError) continue;
      if (got === null) { tally.misses++; continue; }
      if (isDeepStrictEqual(got, want)) continue;
      if (p.history.get(k)!.some((v) => isDeepStrictEqual(got, v))) { tally.stale++; continue; }
      if (unverifiable && isFileValue(want)) { tally.unverifiable++; continue; }
      // A whole valid frame copied elsewhere is a valid command: replay applies it again (records carry writer and
      // seq, but replay does not skip one it has applied; reported). Re-applied sets give back an old value (above);
      // a re-applied incr, a count the key never held.
      if (replays && COUNTERS.includes(k as string) && Number.isInteger(got)) { tally.replayed++; continue; }
      tally.wrongValues++;
      assert.fail(`${label}: ${when}: key ${String(k)} returned a value it never held: ${show(got)}`);
    }
    for (const [k, v] of p.history) if (!p.expected.has(k) && !post.has(k)) {
      const got = typed(label, `get(${String(k)}) ${when}`, () => store.get(k, { default: null }));
      if (got instanceof LogcacheError || got === null || v.some((x) => isDeepStrictEqual(got, x))) continue;
      tally.wrongValues++;
      assert.fail(`${label}: ${when}: deleted key ${String(k)} returned a value it never held: ${show(got)}`);
    }
  };

  const store = typed(label, 'open', () => openStore(p.kind, d.dir));
  if (store instanceof LogcacheError) return void tally.typedErrors++;
  tally.opened++;
  try {
    judge(store, 'after open');
    const warnings = store.check();
    assert.ok(Array.isArray(warnings), `${label}: check() returned ${show(warnings)}`);
    if (warnings.length > 0) tally.warned++;
    if ((d.klass === 'segment' || d.klass === 'base') && /^(flip|zero)/.test(d.what) && d.changed) {
      assert.ok(warnings.length > 0, `${label}: check() found nothing after bytes of a log file changed`);
    }
    // The store stays writable and new writes win, before the repair and after it. Not before it when the damage
    // cut the chain of segments (a damaged seal, a segment gone): the next roll-over, whoever triggers it, opens
    // the old segment after the cut and replays its stale records over the new ones (Shard.#openActive adopts
    // it; reported). check({ fix: true }) removes such segments, so writes after the repair are judged always.
    const keys = [...p.expected.keys()];
    const write = (n: number, filler: number) => {
      for (let i = 0; i < n; i++) post.set(rng.pick(keys), `post-${seed}-${post.size}`);
      for (let i = 0; i < filler; i++) post.set(`fill-${post.size}`, `${i}:` + 'f'.repeat(1000));
      for (const [k, v] of post) store.set(k, v);
    };
    if (warnings.some((w) => w.message.includes('cut off from the log'))) tally.cutOff++;
    else {
      write(8, 0);
      judge(store, 'after new writes');
    }
    store.check({ fix: true });
    assert.deepEqual(store.check(), [], `${label}: check() after check({ fix: true })`);
    judge(store, 'after check({ fix: true })');
    write(8, 20); // a roll-over, into segments the repair left
    judge(store, 'after new writes after the repair');
  } finally {
    store.close();
  }
  const again = typed(label, 'reopen after the repair', () => openStore(p.kind, d.dir));
  assert.ok(!(again instanceof LogcacheError), `${label}: reopen after the repair threw ${String(again)}`);
  try {
    assert.deepEqual(again.check(), [], `${label}: check() after the repair and a reopen`);
    judge(again, 'after the repair and a reopen');
    tally.repaired++;
  } finally {
    again.close();
  }
}

function isFileValue(v: unknown): boolean {
  return (Buffer.isBuffer(v) || typeof v === 'string' || typeof v === 'object') && JSON.stringify(v).length >= BIG;
}

/**
 * Rewrites, in `file`, the value field of the first frame of `op` that `edit` changes (it returns true), and gives the frame its
 * checksum again (with the file's salt): damage that checks out, as a crafted file does.
 */
function craftFrame(file: string, op: number, edit: (buf: Buffer, valueStart: number, valueLength: number) => boolean): void {
  const buf = fs.readFileSync(file);
  const header = damagedFileHeader(buf);
  const fv = newFrameView();
  const rv = newRecordView();
  for (let p = header.start; readFrame(buf, p, buf.length, fv, header.salt).status === FRAME_OK; p = fv.next) {
    if (fv.op !== op || !readRecord(buf, fv.op, fv.body, fv.length, rv)) continue;
    if (!edit(buf, rv.valueStart, rv.valueLength)) continue;
    buf.writeUInt32LE((crc32c(buf, p + MAGIC_BYTES + CRC_BYTES, fv.next) ^ header.salt.mask) >>> 0, p + MAGIC_BYTES);
    fs.writeFileSync(file, buf);
    return;
  }
  throw new Error(`no ${op} frame to craft in ${file}`);
}

/**
 * Rewrites, in `file` (a base), the first ITEM frame with the slot `slot` (its other fields kept), salted and checked
 * as a crafted file is: the frame grows or shrinks, and the frames after it move.
 */
function craftItemSlot(file: string, slot: number): void {
  const buf = fs.readFileSync(file);
  const header = damagedFileHeader(buf);
  const fv = newFrameView();
  const rv = newRecordView();
  const meta = { rowid: 0, version: 0, slot: 0 };
  for (let p = header.start; readFrame(buf, p, buf.length, fv, header.salt).status === FRAME_OK; p = fv.next) {
    if (fv.op !== OP_ITEM || !readItem(buf, fv.body, fv.length, rv, meta)) continue;
    const head = itemHeadBytes(rv.keyLength, rv.tagLength, slot, meta.rowid, meta.version, (rv.flags & FLAG_HAS_EXPIRE) !== 0, rv.flags & FLAG_FILE ? rv.num2 : -1);
    const rest = buf.subarray(rv.keyStart, fv.next);
    const frame = Buffer.alloc(FRAME_HEADER_BYTES + head + rest.length);
    startFrame(frame, 0, OP_ITEM, frame.length - FRAME_HEADER_BYTES, header.salt);
    const dv = new DataView(frame.buffer, frame.byteOffset, frame.length);
    writeItemHead(frame, dv, FRAME_HEADER_BYTES, rv.mode, rv.keyLength, rv.tagLength, slot, meta.rowid, meta.version, rv.time,
      rv.flags & FLAG_HAS_EXPIRE ? rv.num1 : NaN, rv.flags & FLAG_FILE ? rv.num2 : -1);
    rest.copy(frame, FRAME_HEADER_BYTES + head);
    sealFrame(frame, 0, header.salt);
    fs.writeFileSync(file, Buffer.concat([buf.subarray(0, p), frame, buf.subarray(fv.next)]));
    return;
  }
  throw new Error(`no ITEM frame to craft in ${file}`);
}

/** Crafted numbers (issue 13, item 11): each one is checked before it sizes an allocation or drives a loop. */
const CRAFTED: [string, (dir: string) => void][] = [
  ['base trailer: slot high-water mark 2^32 - 1', (dir) => craftFrame(baseOf(dir), OP_BASE, (b, v) => (b.writeUInt32LE(0xffffffff, v), true))],
  ['base trailer: high-water mark below the slots in use', (dir) => craftFrame(baseOf(dir), OP_BASE, (b, v) => (b.writeUInt32LE(0, v), true))],
  ['base item: slot 2^32 - 16', (dir) => craftItemSlot(baseOf(dir), 2 ** 32 - 16)],
  ['base item: slot 2^53 - 1', (dir) => craftItemSlot(baseOf(dir), Number.MAX_SAFE_INTEGER)],
  ['TXN: read count 2^32 - 1', (dir) => craftFrame(segmentOf(dir), OP_TXN, (b, v) => (b.writeUInt32LE(0xffffffff, v), true))],
  ['TXN: nested body length 2^32 - 1', (dir) => craftFrame(segmentOf(dir), OP_TXN, (b, v, n) => n > 9 && (b.writeUInt32LE(0xffffffff, v + 9), true))],
];
const baseOf = (dir: string) => path.join(dir, fs.readdirSync(dir).find((n) => n.endsWith('.base'))!);
const segmentOf = (dir: string) => path.join(dir, fs.readdirSync(dir).filter((n) => n.endsWith('.log')).sort().at(-1)!);

function registerTests(): void {
  test('crafted numbers in a base and a segment: a fresh process opens, reads only true values, check() reports', (t) => {
    const root = tmpdir(t, 'crafted');
    const pristine = path.join(root, 'pristine');
    // Built in a process of its own (dead when the cases read it): a window a crafted TXN leaves open is aborted.
    const built = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
      import { Cache } from ${JSON.stringify(path.resolve('src/index.ts'))};
      const c = new Cache(${JSON.stringify(pristine)}, ${JSON.stringify(OPTIONS)});
      for (let i = 0; i < 10; i++) c.set('k' + i, 'v' + i);
      c.compact();
      c.transact(() => c.set('txn', 'committed'));
      c.close();`], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    for (const [what, craft] of CRAFTED) {
      const dir = path.join(root, what.replace(/\W+/g, '-'));
      copyTree(pristine, dir);
      craft(dir);
      const r = spawnSync(process.execPath, ['--max-old-space-size=128', '--import', 'tsx', fileURLToPath(import.meta.url)], {
        env: { ...process.env, LOGCACHE_CORRUPT_OPEN: dir }, encoding: 'utf8', timeout: CASE_LIMIT_MS,
      });
      assert.equal(r.status, 0, `${what}: the process died (${r.signal ?? r.status}): ${r.stderr.slice(-2000)}`);
      const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { values: Record<string, string>; check: string[]; after: number };
      for (const [k, v] of Object.entries(out.values)) {
        assert.ok(v === 'null' || v === (k === 'txn' ? 'committed' : `v${k.slice(1)}`), `${what}: ${k} read ${v}`);
      }
      assert.ok(out.check.includes('CorruptionWarning'), `${what}: check() reports it: ${JSON.stringify(out.check)}`);
      assert.equal(out.after, 1, `${what}: the store stays writable`);
    }
  });


  test(`corruption fuzzing: ${CASES} cases never crash, hang, or return a damaged value, and check() repairs`, { timeout: 30 * 60_000 }, async (t) => {
    // On a RAM file system when there is one: every repair compacts, and its fsyncs cost ~4 ms each on a disk.
    const root = tmpdir(t, 'corrupt', fs.existsSync('/dev/shm') ? '/dev/shm' : undefined);
    const stores = (['cache', 'fanout'] as const).map((kind) => buildPristine(kind, path.join(root, `pristine-${kind}`)));
    // The model is the store: every key reads back as the history says.
    for (const p of stores) {
      const copy = path.join(root, `verify-${p.kind}`);
      copyTree(p.dir, copy);
      const s = openStore(p.kind, copy);
      for (const [k, v] of p.history) assert.deepEqual(s.get(k, { default: null }), p.expected.has(k) ? v.at(-1) : null, `pristine ${p.kind}: key ${String(k)}`);
      assert.deepEqual(s.check(), [], `pristine ${p.kind}: check()`);
      s.close();
    }
    const tally: Tally = { cases: 0, opened: 0, typedErrors: 0, warned: 0, repaired: 0, wrongValues: 0, stale: 0, misses: 0, unverifiable: 0, cutOff: 0, replayed: 0 };
    const dog = watchdog(CASE_LIMIT_MS);
    const started = Date.now();
    try {
      for (let i = 0; i < CASES; i++) {
        const seed = (BASE_SEED + i * 7919) >>> 0;
        const p = stores[new Rng(seed ^ 0x5bd1e995).chance(0.25) ? 1 : 0];
        await t.test(`seed ${seed}`, () => runCase(p, seed, root, tally, dog));
      }
    } finally {
      dog.stop();
    }
    t.diagnostic(figures('corrupt', { ...tally, seconds: Math.round((Date.now() - started) / 100) / 10 }));
    assert.equal(tally.wrongValues, 0);
  });
}
