/**
 * A log file in a newer format than this code reads (docs/format.md, "Version 1"): a newer logcache wrote it, so it is
 * not damage. Every reader of a file header (a load's base and segments, a segment met past a seal, the switch to a
 * new base, check) stops with NewerFormatError and changes nothing on disk: no fallback to an older base or to the
 * segments alone, no append into the newer file, no repair. A handle that met one keeps throwing it; close() works.
 * Files of versions 1 and 2 open as before (a version-2 base's ENTRY records too, also at a switch), and other
 * versions below the newest are still damage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cache, ClosedError, NewerFormatError } from '../../src/index.js';
import { MODE_RAW_TEXT } from '../../src/format/disk.js';
import { encodeKey } from '../../src/format/keys.js';
import { OP_ENTRY, OP_ITEM, OP_SET, encodeRecord, newRecordView } from '../../src/format/record.js';
import { ENTRY_META_BYTES, readItem } from '../../src/format/base.js';
import { FRAME_OK, PLAIN_SALT, newFrameView, readFrame, saltFrame } from '../../src/format/frame.js';
import { FILE_HEADER_BYTES, FILE_HEADER_V1_BYTES, FILE_MAGIC, FORMAT_VERSION, ITEM_FORMAT_VERSION, KIND_BASE, KIND_SEGMENT, SEGMENT_FORMAT_VERSION } from '../../src/format/segment.js';
import { Shard } from '../../src/shard/shard.js';
import { segmentName } from '../../src/format/files.js';
import { main } from '../../src/cli/main.js';
import { tempDir } from '../fixtures/tmp.js';

const NEWER = FORMAT_VERSION + 1;
/** Where a file header keeps its version (u16, after the 8-byte magic). */
const VERSION_AT = 8;
/** Small segments (roll-overs within a few dozen writes); no automatic compaction (the layout stays as staged). */
const OPTIONS = { segmentBytes: 4096, compactMinBytes: 0 } as const;
const VALUE = (i: number) => `value-${i}-${'v'.repeat(100)}`;

/** Rewrites the version of `file`'s header to `version` (the newer one by default). */
function claimVersion(file: string, version = NEWER): void {
  const buf = fs.readFileSync(file);
  buf.writeUInt16LE(version, VERSION_AT);
  fs.writeFileSync(file, buf);
}

/** Every file and directory under `dir` with its bytes (a directory: null): what refusing must leave alone. */
function snapshot(dir: string): Map<string, Buffer | null> {
  const out = new Map<string, Buffer | null>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        out.set(path.relative(dir, p) + '/', null);
        walk(p);
      } else out.set(path.relative(dir, p), fs.readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

function assertUnchanged(dir: string, before: Map<string, Buffer | null>, what: string): void {
  const after = snapshot(dir);
  assert.deepEqual([...after.keys()], [...before.keys()], `${what}: the directory listing changed`);
  for (const [name, bytes] of before) assert.ok(bytes === null ? after.get(name) === null : bytes.equals(after.get(name)!), `${what}: ${name} changed`);
}

/** The log files of `dir` with `ext` ('.log' or '.base'), in id order. */
function logFiles(dir: string, ext: string): string[] {
  return fs.readdirSync(dir).filter((n) => /^\d{10}\./.test(n) && n.endsWith(ext)).sort();
}

/** The NewerFormatError expected for `file` (a segment: this code reads segments up to SEGMENT_FORMAT_VERSION). */
function newer(file: string, version = NEWER): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof NewerFormatError, `NewerFormatError, got ${String((err as Error)?.stack ?? err)}`);
    assert.equal(err.code, 'LOGCACHE_NEWER_FORMAT');
    assert.equal(err.file, file);
    assert.equal(err.version, version);
    assert.equal(err.supported, file.endsWith('.log') ? SEGMENT_FORMAT_VERSION : FORMAT_VERSION);
    assert.match(err.message, new RegExp(`^${file.replace('.', '\\.')} .*version ${version}.*upgrade logcache in every process that shares this directory`));
    return true;
  };
}

/** A store with a base (from a compaction over overwritten keys), segments after it and a value file. */
function stage(t: Parameters<typeof tempDir>[0]): string {
  const dir = tempDir(t, 'lc-format-version-');
  const c = new Cache(dir, OPTIONS);
  for (let i = 0; i < 60; i++) c.set(`key-${i % 20}`, VALUE(i));
  assert.ok(c.compact().base > 0, 'a base was written');
  for (let i = 60; i < 120; i++) c.set(`key-${i % 30}`, VALUE(i));
  c.set('big', 'b'.repeat(100_000)); // a value file
  c.close();
  assert.ok(logFiles(dir, '.base').length === 1 && logFiles(dir, '.log').length >= 2, `staged: ${fs.readdirSync(dir).join(' ')}`);
  return dir;
}

test('a base in a newer format: opening throws NewerFormatError (no fallback to an older base or to the segments) and changes nothing', (t) => {
  const dir = stage(t);
  const base = logFiles(dir, '.base').at(-1)!;
  claimVersion(path.join(dir, base));
  const before = snapshot(dir);
  assert.throws(() => new Cache(dir, OPTIONS), newer(base));
  assert.throws(() => new Cache(dir), newer(base), 'and again');
  assertUnchanged(dir, before, 'after the opens');
});

test('a segment in a newer format (the first after the base, or the newest): opening throws NewerFormatError and changes nothing', (t) => {
  for (const which of ['first', 'newest'] as const) {
    const dir = stage(t);
    const segments = logFiles(dir, '.log');
    const segment = which === 'first' ? segments[0] : segments.at(-1)!;
    claimVersion(path.join(dir, segment));
    const before = snapshot(dir);
    assert.throws(() => new Cache(dir, OPTIONS), newer(segment), which);
    assertUnchanged(dir, before, `${which} segment`);
  }
});

test('a segment that says version 3 (no release wrote one: format 3 changed bases only) is newer, not read as a segment of version 2', (t) => {
  // Found by the corruption fuzzer: a flipped low bit of a segment's version (2 → 3) went unnoticed by check().
  const dir = stage(t);
  const segment = logFiles(dir, '.log')[0]!;
  claimVersion(path.join(dir, segment), SEGMENT_FORMAT_VERSION + 1);
  const before = snapshot(dir);
  assert.throws(() => new Cache(dir, OPTIONS), newer(segment, SEGMENT_FORMAT_VERSION + 1));
  assertUnchanged(dir, before, 'segment of version 3');
});

test('a base of ITEM records whose header says version 2 (a flipped bit): every item reads as before, check() reports the header, check({ fix: true }) rewrites the base', (t) => {
  const dir = stage(t);
  const expected = (c: Cache) => Object.fromEntries([...c.keys()].map((k) => [String(k), c.get(k)]));
  const pristine = new Cache(dir, OPTIONS);
  const want = expected(pristine);
  pristine.close();
  const base = logFiles(dir, '.base').at(-1)!;
  claimVersion(path.join(dir, base), ITEM_FORMAT_VERSION - 1);
  const c = new Cache(dir, OPTIONS);
  t.after(() => c.close());
  assert.deepEqual(expected(c), want, 'nothing is lost: the items are read all the same');
  const warnings = c.check();
  assert.equal(warnings.length, 1, JSON.stringify(warnings));
  assert.equal(warnings[0]!.category, 'CorruptionWarning');
  assert.match(warnings[0]!.message, new RegExp(`format version 2 holds ITEM records .* in ${base.replace('.', '\\.')} at offset 0`));
  c.check({ fix: true });
  assert.deepEqual(c.check(), []);
  assert.deepEqual(expected(c), want);
  c.close();
  const again = new Cache(dir, OPTIONS);
  assert.deepEqual(again.check(), [], 'the rewritten base says version 3');
  assert.deepEqual(expected(again), want);
  again.close();
});

test('an open handle whose next segment (after another handle\'s roll-over) is in a newer format: get and set throw NewerFormatError, nothing is appended to it, later calls throw too, close() works', (t) => {
  const dir = tempDir(t, 'lc-format-version-');
  const reader = new Cache(dir, OPTIONS);
  const writer = new Cache(dir, OPTIONS);
  reader.set('mine', 'before');
  assert.equal(writer.get('mine'), 'before');
  // Another handle writes until its roll-over seals segment 1 and moves on to segment 2.
  const other = new Cache(dir, OPTIONS);
  for (let i = 0; logFiles(dir, '.log').length < 2; i++) other.set(`other-${i}`, VALUE(i));
  other.close();
  const next = segmentName(2);
  assert.deepEqual(logFiles(dir, '.log'), [segmentName(1), next]);
  // As if a newer logcache had made segment 2.
  claimVersion(path.join(dir, next));
  const before = snapshot(dir);
  const nextBytes = before.get(next)!;

  // A read moves past the seal: it meets the newer segment and stops.
  assert.throws(() => reader.get('mine'), newer(next));
  assert.ok(fs.readFileSync(path.join(dir, next)).equals(nextBytes), 'nothing appended to the newer segment');
  // A write lands after the seal (void for every reader) and is not written again into the newer segment. Its value
  // file (a value this large goes to one) is removed again: the write never applied.
  assert.throws(() => writer.set('big', 'b'.repeat(100_000)), newer(next));
  assert.ok(fs.readFileSync(path.join(dir, next)).equals(nextBytes), 'the write was not re-appended into the newer segment');
  assert.deepEqual([...snapshot(dir).keys()], [...before.keys()], 'no file left behind by the failed write');

  // Every later call throws the same, writing nothing anywhere (not even void frames after the seal).
  const stopped = snapshot(dir);
  for (const c of [reader, writer]) {
    assert.throws(() => c.get('mine'), newer(next));
    assert.throws(() => c.set('mine', 'after'), newer(next));
    assert.throws(() => c.has('mine'), newer(next));
    assert.throws(() => c.delete('mine'), newer(next));
    assert.throws(() => c.incr('n'), newer(next));
    assert.throws(() => c.transact(() => c.set('t', 1)), newer(next));
    assert.throws(() => c.compact(), newer(next));
    assert.throws(() => c.check(), newer(next));
  }
  assertUnchanged(dir, stopped, 'after the later calls');
  reader.close();
  writer.close();
  assert.throws(() => reader.get('mine'), ClosedError);
  assert.ok(fs.readFileSync(path.join(dir, next)).equals(nextBytes), 'closing wrote nothing into the newer segment');
});

test('a write that applied before the seal (the log then moved into a newer segment) returns; the next call throws', (t) => {
  const dir = tempDir(t, 'lc-format-version-');
  const other = new Cache(dir, OPTIONS);
  other.set('seed', 1);
  // Right after this handle's frame is written, and before it reads it back, another handle rolls the log over past
  // it into segment 2, which a newer logcache (say) made.
  let armed = false;
  const hooked = { ...fs, writeSync: (...a: Parameters<typeof fs.writeSync>) => {
    const n = (fs.writeSync as (...x: unknown[]) => number)(...a);
    if (armed) {
      armed = false;
      for (let i = 0; logFiles(dir, '.log').length < 2; i++) other.set(`other-${i}`, VALUE(i));
      claimVersion(path.join(dir, segmentName(2)));
    }
    return n;
  } } as typeof fs;
  const c = new Cache(dir, { ...OPTIONS, fs: hooked });
  assert.equal(c.get('seed'), 1);
  armed = true;
  assert.equal(c.set('mine', 'applied'), true, 'its frame is before the seal: it applied');
  assert.equal(armed, false);
  assert.throws(() => c.get('mine'), newer(segmentName(2)));
  c.close();
  other.close();
  claimVersion(path.join(dir, segmentName(2)), SEGMENT_FORMAT_VERSION); // (back to this format, to read what applied)
  const fresh = new Cache(dir, OPTIONS);
  assert.equal(fresh.get('mine'), 'applied');
  fresh.close();
});

test('check() and check({ fix: true }) throw NewerFormatError and change nothing: a handle that meets a newer segment, and a newer segment cut off from the log', (t) => {
  // A handle open before a newer process sealed the log and moved on in a segment of its own format.
  const dir = tempDir(t, 'lc-format-version-');
  const c = new Cache(dir, OPTIONS);
  c.set('k', 'v');
  const other = new Cache(dir, OPTIONS);
  for (let i = 0; logFiles(dir, '.log').length < 2; i++) other.set(`other-${i}`, VALUE(i));
  other.close();
  claimVersion(path.join(dir, segmentName(2)));
  const before = snapshot(dir);
  assert.throws(() => c.check({ fix: true }), newer(segmentName(2)));
  assert.throws(() => c.check(), newer(segmentName(2)));
  assert.throws(() => c.check({ fix: true }), newer(segmentName(2)));
  assertUnchanged(dir, before, 'after check');
  c.close();

  // A newer segment past the log's end, where a damaged seal would leave one (check({ fix: true }) removes such a
  // segment of this format): the log opens, but check refuses before it reports or repairs anything.
  const staged = stage(t);
  const active = logFiles(staged, '.log').at(-1)!;
  const orphan = segmentName(Number(active.slice(0, 10)) + 1);
  const header = fs.readFileSync(path.join(staged, active)).subarray(0, 24);
  header.writeUInt16LE(NEWER, VERSION_AT);
  header.writeUInt32LE(Number(orphan.slice(0, 10)), 12);
  fs.writeFileSync(path.join(staged, orphan), header);
  const s = new Cache(staged, OPTIONS);
  assert.equal(s.get('key-1'), VALUE(91));
  const staging = snapshot(staged);
  assert.throws(() => s.check(), newer(orphan));
  assert.throws(() => s.check({ fix: true }), newer(orphan));
  assertUnchanged(staged, staging, 'after check of a store with a newer segment cut off');
  s.close();
});

test('the switch to a new base after another handle\'s compaction: a base in a newer format stops the handle (no rebuild from the segments alone)', (t) => {
  const dir = tempDir(t, 'lc-format-version-');
  const reader = new Cache(dir, OPTIONS);
  const compactor = new Cache(dir, OPTIONS);
  for (let i = 0; i < 60; i++) compactor.set(`key-${i % 10}`, VALUE(i));
  assert.equal(reader.get('key-3'), VALUE(53)); // caught up: it holds the segments the compaction replaces
  const base = compactor.compact().base;
  assert.ok(base > 0);
  compactor.close();
  claimVersion(path.join(dir, `${String(base).padStart(10, '0')}.base`));
  const before = snapshot(dir);
  const name = logFiles(dir, '.base').at(-1)!;
  assert.throws(() => reader.get('key-3'), newer(name));
  assert.throws(() => reader.get('key-3'), newer(name), 'and again');
  assertUnchanged(dir, before, 'after the switch declined');
  reader.close();
});

test('`logcache check` on a store with a newer file exits 1 with `logcache: LOGCACHE_NEWER_FORMAT: ...`, changing nothing', (t) => {
  const dir = stage(t);
  const segment = logFiles(dir, '.log').at(-1)!;
  claimVersion(path.join(dir, segment));
  const before = snapshot(dir);
  for (const args of [['check', dir], ['check', '--fix', dir]]) {
    let err = '';
    const code = main(args, {
      stdout: { write: () => true },
      stderr: { write: (s: string) => { err += s; return true; }, isTTY: false },
      stdin: { isTTY: false, readLine: () => null },
    });
    assert.equal(code, 1, args.join(' '));
    assert.match(err, new RegExp(`^logcache: LOGCACHE_NEWER_FORMAT: ${segment.replace('.', '\\.')} is in format version ${NEWER}, .*upgrade logcache in every process that shares this directory\\n$`));
  }
  assertUnchanged(dir, before, 'after logcache check');
});

test('files of version 1 and 2 open as before; a version below the oldest read is damage (reported), not a newer format', (t) => {
  // Version 1: a segment as logcache 0.1 wrote it (16-byte header, unsalted frames).
  const v1 = tempDir(t, 'lc-format-version-');
  const header = Buffer.alloc(FILE_HEADER_V1_BYTES);
  FILE_MAGIC.copy(header);
  header.writeUInt16LE(1, VERSION_AT);
  header.writeUInt16LE(KIND_SEGMENT, 10);
  header.writeUInt32LE(1, 12);
  const frame = encodeRecord(OP_SET, { writer: 1, seq: 1, time: Date.now() / 1000, mode: MODE_RAW_TEXT, key: encodeKey('old'), value: Buffer.from('from version 1') });
  fs.writeFileSync(path.join(v1, segmentName(1)), Buffer.concat([header, frame]));
  const old = new Cache(v1, OPTIONS);
  assert.equal(old.get('old'), 'from version 1');
  assert.deepEqual(old.check(), []);
  old.close();

  // Version 2: this version's store, base and segments.
  const v2 = stage(t);
  const c = new Cache(v2, OPTIONS);
  assert.equal(c.get('key-1'), VALUE(91));
  assert.equal(c.get('key-0'), VALUE(90));
  assert.deepEqual(c.check(), []);
  c.close();

  // Version 0 is no format: the newest segment's header is damaged, reported as before.
  claimVersion(path.join(v2, logFiles(v2, '.log').at(-1)!), 0);
  const damaged = new Cache(v2, OPTIONS);
  assert.ok(damaged.check().some((w) => w.category === 'CorruptionWarning' && w.message.includes('unsupported format version 0')));
  damaged.close();
});

/**
 * Rewrites `file`, a base of this version, as version 2 wrote it: every ITEM as an ENTRY (the record layout, the meta
 * before the value bytes), under the same salt, and version 2 in the header.
 */
function asVersion2Base(file: string): void {
  const buf = fs.readFileSync(file);
  const salt = { magic: buf.readUInt32LE(16), mask: buf.readUInt32LE(20) };
  const out: Buffer[] = [buf.subarray(0, FILE_HEADER_BYTES)];
  const fv = newFrameView();
  const r = newRecordView();
  const meta = { rowid: 0, version: 0, slot: 0 };
  let items = 0;
  for (let p = FILE_HEADER_BYTES; p < buf.length; p = fv.next) {
    assert.equal(readFrame(buf, p, buf.length, fv, salt).status, FRAME_OK);
    if (fv.op !== OP_ITEM) {
      out.push(buf.subarray(p, fv.next));
      continue;
    }
    assert.ok(readItem(buf, fv.body, fv.length, r, meta));
    const prefix = Buffer.alloc(ENTRY_META_BYTES);
    prefix.writeDoubleLE(meta.rowid, 0);
    prefix.writeDoubleLE(meta.version, 8);
    prefix.writeUInt32LE(meta.slot, 16);
    const bytes = (start: number, length: number) => buf.subarray(start, start + length);
    const entry = encodeRecord(OP_ENTRY, {
      writer: 7, seq: 0, time: r.time, num1: r.num1, num2: r.num2, flags: r.flags, mode: r.mode,
      key: bytes(r.keyStart, r.keyLength), tag: bytes(r.tagStart, r.tagLength), value: [prefix, bytes(r.valueStart, r.valueLength)],
    });
    out.push(saltFrame(entry, PLAIN_SALT, salt));
    items++;
  }
  assert.ok(items > 0, 'the base held ITEMs');
  const v2 = Buffer.concat(out);
  v2.writeUInt16LE(2, VERSION_AT);
  fs.writeFileSync(file, v2);
}

test('a base of version 2 (ENTRY records) opens as before, and a handle switches to one', async (t) => {
  const dir = stage(t);
  const expected = new Map<string, unknown>();
  const c = new Cache(dir, OPTIONS);
  for (const k of c.iterkeys()) expected.set(k as string, c.get(k));
  c.close();
  asVersion2Base(path.join(dir, logFiles(dir, '.base').at(-1)!));
  const old = new Cache(dir, OPTIONS);
  t.after(() => old.close());
  assert.deepEqual(new Map([...old.iterkeys()].map((k) => [k as string, old.get(k)])), expected);
  assert.deepEqual(old.check(), []);

  // The switch: a reader that holds the segments meets the seal of a compaction whose base is a version-2 one, and
  // moves its items there (a bare shard handle: it counts rebuilds).
  const reader = new Cache(dir, OPTIONS);
  const shard = new Shard(dir, OPTIONS);
  t.after(() => { reader.close(); shard.close(); });
  for (let i = 0; i < 30; i++) old.set(`key-${i % 20}`, VALUE(200 + i));
  assert.equal(reader.get('key-5'), VALUE(225));
  shard.sync();
  const base = old.compact().base;
  assert.ok(base > 0);
  asVersion2Base(path.join(dir, `${String(base).padStart(10, '0')}.base`));
  for (let i = 0; i < 100; i++) shard.sync();
  await new Promise((resolve) => setTimeout(resolve, 100));
  shard.sync();
  assert.ok(shard.openFiles().every((f) => (f.kind === KIND_BASE ? f.id === base : f.id > base)), JSON.stringify(shard.openFiles()));
  assert.equal(shard.loads, 1, 'the handle rebuilt its state instead of switching');
  for (let i = 0; i < 20; i++) assert.equal(reader.get(`key-${i}`), VALUE(i < 10 ? 220 + i : 200 + i), `key-${i} after the switch`);
  assert.equal(reader.get('big'), 'b'.repeat(100_000));
  assert.deepEqual(reader.check(), []);
});
