/**
 * Corruption fuzzing (invariant 4: corruption is found, not followed), after LevelDB's corruption tests. Two
 * pristine stores are built once (a Cache and a 2-shard FanoutCache: numbers, strings, Buffers, CBOR objects, value
 * files, tags, expiry, overwrites, deletes, incr, touch, transactions), each shard holding a chain of bases: a
 * compaction (a whole base), segments of overwrites, deletes, incrs and touches, a chain link over them written as a
 * background compactor writes one (ITEMs of keys the whole base holds too, TOMBs of keys it holds that are gone), then
 * segments after the link. Each case copies one, damages one file (segment, whole base, link, access sidecar or value
 * file) with one seeded mutation (bit flips, a zeroed range, a truncation, a splice of bytes or whole frames, appended
 * garbage or frames, a deletion; and, to a base or a link, the chain's own: a header version flipped 3 <-> 4, the
 * link's CHAIN record damaged or rewritten, a TOMB frame spliced in, the base the link builds on deleted), then
 * asserts:
 *   (a) opening succeeds or throws a LogcacheError, never an untyped error, never hangs (a watchdog thread kills
 *       the process and names the case if one runs past CASE_LIMIT_MS);
 *   (b) every key reads as its pristine value, a value it held earlier in the history (a dropped record leaves the
 *       one before it, as a crash does), or a miss: never a damaged or foreign value. New writes after the damage
 *       read back exactly, across check({ fix: true }) and a reopen;
 *   (c) check() returns warnings, at least one for changed bytes of a log file (and for a chain's damage its load
 *       meets: a flipped header version, a CHAIN that does not check out or names a missing base, the base a link
 *       builds on gone);
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
import { CRC_BYTES, FRAME_HEADER_BYTES, MAGIC_BYTES, sealFrame, startFrame } from '../../src/format/frame.js';
import { FLAG_FILE, FLAG_HAS_EXPIRE, OP_BASE, OP_ITEM, OP_TXN, newRecordView, readRecord } from '../../src/format/record.js';
import { itemHeadBytes, readItem, writeItemHead } from '../../src/format/base.js';
import { crc32c } from '../../src/format/crc32c.js';
import { damagedFileHeader } from '../../src/format/segment.js';
import { Shard } from '../../src/shard/shard.js';
import { compact } from '../../src/shard/compaction.js';
import { shardDirectory } from '../../src/api/subpath.js';
import { BASE_SEED, Rng, Watchdog, copyTree, count, figures, show, tmpdir, watchdog } from './harness.js';
import { CHAIN_OWN, Damage, checkChain, classOf, damage, filesOf, framesOf } from './corrupt-damage.js';

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
  | { op: 'touch'; key: Key }
  | { op: 'txn'; ops: Op[] }
  | { op: 'compact' }
  | { op: 'link' };

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
    if (r < 0.72) return set();
    if (r < 0.84) return { op: 'delete', key: key() };
    if (r < 0.92) return { op: 'incr', key: rng.pick(COUNTERS) };
    if (r < 0.96) return { op: 'touch', key: key() };
    return { op: 'txn', ops: [set(), set(), { op: 'delete', key: key() }, set()] };
  });
  // 300 writes, a compaction (the whole base), ~2 segments of overwrites, deletes, incrs and touches, a chain link
  // over them (building on the whole base: ITEMs of keys the base holds too, TOMBs of keys it holds that are gone),
  // then ~2 segments after it.
  return [...phase(300), { op: 'compact' }, ...phase(150), { op: 'link' }, ...phase(110)];
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
    case 'touch': store?.touch(o.key, { expire: 86_400 }); break; // (the expiry only: every value outlives the run)
    case 'txn': {
      const run = () => { for (const x of o.ops) apply(store, model, current, x); };
      if (store) store.transact(run); else run();
      break;
    }
    case 'compact': store?.compact(); break;
    case 'link': break; // (the builder writes it: writeLinks)
  }
}

/** The pristine stores do not depend on the base seed: a case's seed alone names it. */
const KINDS = { cache: { seed: 0x1ca4e, shards: 0 }, fanout: { seed: 0xfa2, shards: 2 } } as const;
type Kind = keyof typeof KINDS;

function openStore(kind: Kind, dir: string): Store {
  return kind === 'cache' ? new Cache(dir, OPTIONS) : new FanoutCache(dir, { ...OPTIONS, shards: KINDS.fanout.shards });
}

/** The directories of a store's shards (a Cache's is its own). */
function shardDirs(kind: Kind, dir: string): string[] {
  return kind === 'cache' ? [dir] : Array.from({ length: KINDS.fanout.shards }, (_, i) => shardDirectory(dir, i));
}

/** Writes a chain link on each shard of the (closed) store in `dir`, as a background compactor does: a handle that
 * kept its removals since it loaded the whole base, merging none of the bases (the link builds on the whole base). */
function writeLinks(kind: Kind, dir: string): void {
  for (const d of shardDirs(kind, dir)) {
    const shard = new Shard(d, { segmentBytes: SEGMENT_BYTES, compactMinBytes: 0, keepRemovals: true, existing: true });
    try {
      const r = compact(shard, false, true, 0);
      assert.ok(r.base > 0 && r.kept === 1, `the ${kind} store's link in ${d}: ${JSON.stringify(r)}`);
    } finally {
      shard.close();
    }
  }
}

// The builder runs in its own process, so the pid in its BEGIN records is dead when a case reads them (as after a
// crash): a window left open by damage is then aborted by the first writer, not waited for.
if (process.env.LOGCACHE_CORRUPT_BUILD) {
  const [kind, dir] = process.env.LOGCACHE_CORRUPT_BUILD.split('=') as [Kind, string];
  let store = openStore(kind, dir);
  for (const o of pristineOps(KINDS[kind].seed)) {
    if (o.op !== 'link') apply(store, new Map(), new Map(), o);
    else {
      store.close();
      writeLinks(kind, dir);
      store = openStore(kind, dir);
    }
  }
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
 * `files` its files as filesOf lists them (the same in every copy), `classes` what each is (classOf). */
interface Pristine {
  kind: Kind; dir: string; history: Map<Key, unknown[]>; expected: Map<Key, unknown>; files: string[]; classes: Map<string, string>;
}

function buildPristine(kind: Kind, dir: string): Pristine {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, LOGCACHE_CORRUPT_BUILD: `${kind}=${dir}` }, encoding: 'utf8',
  });
  assert.equal(r.status, 0, `building the pristine ${kind} store failed: ${r.stderr}`);
  const history = new Map<Key, unknown[]>();
  const expected = new Map<Key, unknown>();
  for (const o of pristineOps(KINDS[kind].seed)) apply(null, history, expected, o);
  const files = filesOf(dir);
  const classes = new Map(files.map((f) => [f, classOf(dir, f)]));
  for (const d of shardDirs(kind, dir)) checkChain(d);
  return { kind, dir, history, expected, files, classes };
}

// ---- the cases --------------------------------------------------------------------------------------------------

interface Tally {
  /** onLink: cases that damaged a chain link; chainOwn: those with a chain mutation (chainDamage, the member's deletion). */
  cases: number; onLink: number; chainOwn: number; opened: number; typedErrors: number; warned: number; repaired: number; wrongValues: number;
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
  const d = damage(rng, path.join(work, `case-${seed}`), p.files, p.classes);
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
  if (d.klass === 'link') tally.onLink++;
  if (CHAIN_OWN.test(d.what)) tally.chainOwn++;
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
    // (And a chain's damage that its load meets: a header version, a CHAIN that does not check out or names a base
    // that is not there, the base a link builds on gone.)
    if (((d.klass === 'segment' || d.klass === 'base' || d.klass === 'link') && /^(flip|zero)/.test(d.what) && d.changed)
      || /^(version|CHAIN: (flip|names (missing|self|twice|count))|delete \(the base)/.test(d.what)) {
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
  const rv = newRecordView();
  for (const f of framesOf(buf)) {
    if (f.op !== op || !readRecord(buf, f.op, f.body, f.length, rv)) continue;
    if (!edit(buf, rv.valueStart, rv.valueLength)) continue;
    buf.writeUInt32LE((crc32c(buf, f.at + MAGIC_BYTES + CRC_BYTES, f.next) ^ header.salt.mask) >>> 0, f.at + MAGIC_BYTES);
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
  const rv = newRecordView();
  const meta = { rowid: 0, version: 0, slot: 0 };
  for (const { at: p, op, body, length, next } of framesOf(buf)) {
    if (op !== OP_ITEM || !readItem(buf, body, length, rv, meta)) continue;
    const head = itemHeadBytes(rv.keyLength, rv.tagLength, slot, meta.rowid, meta.version, (rv.flags & FLAG_HAS_EXPIRE) !== 0, rv.flags & FLAG_FILE ? rv.num2 : -1);
    const rest = buf.subarray(rv.keyStart, next);
    const frame = Buffer.alloc(FRAME_HEADER_BYTES + head + rest.length);
    startFrame(frame, 0, OP_ITEM, frame.length - FRAME_HEADER_BYTES, header.salt);
    const dv = new DataView(frame.buffer, frame.byteOffset, frame.length);
    writeItemHead(frame, dv, FRAME_HEADER_BYTES, rv.mode, rv.keyLength, rv.tagLength, slot, meta.rowid, meta.version, rv.time,
      rv.flags & FLAG_HAS_EXPIRE ? rv.num1 : NaN, rv.flags & FLAG_FILE ? rv.num2 : -1);
    rest.copy(frame, FRAME_HEADER_BYTES + head);
    sealFrame(frame, 0, header.salt);
    fs.writeFileSync(file, Buffer.concat([buf.subarray(0, p), frame, buf.subarray(next)]));
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
    const tally: Tally = { cases: 0, onLink: 0, chainOwn: 0, opened: 0, typedErrors: 0, warned: 0, repaired: 0, wrongValues: 0, stale: 0, misses: 0, unverifiable: 0, cutOff: 0, replayed: 0 };
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
