/**
 * The compactor's warm shards (issue 14): one compactor on the machine keeps a shard read and caught up with the log
 * while it is idle, and compacts it by the writers' rule, so a compaction starts from a state already read; after a
 * compaction the shard is read again from the new base, after another process's too; one that stops growing is
 * closed and its lock released.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cache } from '../../src/index.js';
import { compactorPid } from '../../src/shard/compactor.js';
import { Shard } from '../../src/shard/shard.js';
import { abandonBaseInProgress, compact } from '../../src/shard/compaction.js';
import { KIND_BASE } from '../../src/format/segment.js';
import { SEAL_ROLLOVER } from '../../src/format/record.js';
import { WarmShards } from '../../src/shard/warm-shards.js';
import { tryLock } from '../../src/shard/lock.js';
import { COMPACT_LOCK, baseName, segmentName } from '../../src/format/files.js';
import { tmpdir } from '../torture/harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const value = (i: number, round: number) => `${i}:${round}:`.padEnd(200, 'v');
const bases = (dir: string) => fs.readdirSync(dir).filter((n) => n.endsWith('.base'));

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`timed out waiting for: ${what}`);
    await sleep(10);
  }
}

type Opts = { catchUpMs?: number; idleCloseMs?: number; compactMinBytes?: number };

function setup(t: { after(fn: () => void): void }, name: string, opts: Opts = {}) {
  const dir = tmpdir(t, name);
  const cache = new Cache(dir, { compactMinBytes: 0 });
  const warm = new WarmShards(() => {}, { catchUpMs: 10, ...opts });
  t.after(() => { warm.closeAll(); cache.close(); });
  // compactMinBytes 0 (the default here): the warm shard never compacts by itself; jobs still run.
  const job = { dir, segmentBytes: 64 * 1024 * 1024, sync: 'none' as const, compactMinBytes: opts.compactMinBytes ?? 0 };
  return { dir, cache, warm, job };
}

function verify(t: { after(fn: () => void): void }, dir: string, round: number, deleted = -1) {
  const fresh = new Cache(dir, { compactMinBytes: 0 });
  t.after(() => fresh.close());
  for (let i = 0; i < 300; i++) assert.equal(fresh.get(`k${i}`), i === deleted ? undefined : value(i, round), `k${i}`);
  assert.deepEqual(fresh.check(), []);
}

test('a job on a warm shard runs on the shard already read, caught up with every write made since', async (t) => {
  const { dir, cache, warm, job } = setup(t, 'warm-job');
  for (let r = 0; r < 2; r++) for (let i = 0; i < 300; i++) cache.set(`k${i}`, value(i, r));
  warm.open(job);
  const shard = warm.peek(job);
  assert.ok(shard, 'opened');
  for (let i = 0; i < 300; i++) cache.set(`k${i}`, value(i, 2));
  cache.delete('k7');
  const before = shard.logBytes;
  await until('the warm shard read the writes while idle', () => shard.logBytes > before);
  const result = warm.run(job, false);
  assert.ok(result.base > 0);
  assert.equal(shard.loads, 1, 'the job ran on it: read once, then caught up, never rebuilt');
  assert.ok(!shard.closed, 'it moved to the base it wrote and stays warm');
  const again = warm.peek(job)!;
  assert.equal(again, shard);
  assert.equal(again.baseId, result.base);
  assert.equal(again.loads, 1, 'not read again');
  assert.ok(again.openFiles().every((f) => f.id > result.base || (f.kind === KIND_BASE && f.id === result.base)), 'holds nothing the base replaced');
  verify(t, dir, 2, 7);
});

test('a job that compacts nothing leaves its shard warm', (t) => {
  const { cache, warm, job } = setup(t, 'warm-nothing');
  for (let i = 0; i < 50; i++) cache.set(`k${i}`, value(i, 0));
  assert.ok(cache.compact().base > 0); // (ITEMs are shorter than the records: a first compaction reclaims that)
  warm.open(job);
  const shard = warm.peek(job);
  assert.equal(warm.run(job, false).skipped, 'nothing to reclaim');
  assert.equal(warm.peek(job), shard);
});

test('a warm shard compacts by itself once its log wants it (dead bytes past the live ones), with no job asked', async (t) => {
  const { dir, cache, warm, job } = setup(t, 'warm-self', { compactMinBytes: 16 * 1024 });
  for (let i = 0; i < 300; i++) cache.set(`k${i}`, value(i, 0));
  const first = cache.compact().base;
  warm.open(job);
  for (let i = 0; i < 100; i++) cache.delete(`k${i}`); // a third dead: below the writers' threshold
  await sleep(50);
  assert.deepEqual(bases(dir), [baseName(first)], 'not yet: less dead than live');
  for (let i = 100; i < 200; i++) cache.delete(`k${i}`); // (the deletes' records: far below the segments' threshold)
  await until('a base written by the warm shard', () => bases(dir).some((n) => n !== baseName(first)));
});

test('an idle store compacts at a quarter dead: the idle rule, applied by the warm shard', async (t) => {
  const { dir, cache, warm, job } = setup(t, 'warm-idle-rule', { compactMinBytes: 16 * 1024 });
  for (let i = 0; i < 300; i++) cache.set(`k${i}`, value(i, 0));
  const first = cache.compact().base;
  for (let i = 0; i < 100; i++) cache.delete(`k${i}`); // a third dead: below the writers' threshold
  warm.open(job);
  await sleep(200);
  assert.deepEqual(bases(dir), [baseName(first)], 'not while the store was just written');
  await until('compacted once idle for a second', () => bases(dir).some((n) => n !== baseName(first)));
});

test('a warm shard compacts the segments after its newest base once they pass an eighth of the live bytes, dead or not: a chain link', async (t) => {
  const { dir, cache, warm, job } = setup(t, 'warm-link', { compactMinBytes: 16 * 1024 });
  for (let i = 0; i < 300; i++) cache.set(`k${i}`, value(i, 0));
  const first = cache.compact().base;
  warm.open(job);
  for (let i = 300; i < 360; i++) cache.set(`k${i}`, value(i, 0)); // new keys: nothing dead, 12 KiB of segments
  await sleep(300);
  assert.deepEqual(bases(dir), [baseName(first)], 'not yet: under compactMinBytes');
  for (let i = 360; i < 420; i++) cache.set(`k${i}`, value(i, 0));
  await until('a link written by the warm shard', () => bases(dir).length === 2);
  assert.ok(bases(dir).includes(baseName(first)), 'the base it builds on stays');
  verify(t, dir, 0, 420);
});

test('one compactor keeps a shard warm: a second one neither reads it nor runs an automatic job, but runs an explicit one', async (t) => {
  const { dir, cache, warm, job } = setup(t, 'warm-one');
  for (let r = 0; r < 3; r++) for (let i = 0; i < 300; i++) cache.set(`k${i}`, value(i, r));
  warm.open(job);
  assert.ok(warm.peek(job));
  const other = new WarmShards(() => {}, { catchUpMs: 10 });
  t.after(() => other.closeAll());
  other.open(job);
  assert.equal(other.peek(job), null, 'the warm lock is held by the first');
  assert.equal(other.run(job, false).skipped, 'locked', 'an automatic job is left to the warm holder');
  assert.deepEqual(bases(dir), []);
  const r = other.run(job, true);
  assert.ok(r.base > 0, 'an explicit job compacts there');
  assert.equal(other.peek(job), null);
  // Once the first lets go, the second can keep it warm.
  warm.closeAll();
  other.open(job);
  assert.ok(other.peek(job));
  verify(t, dir, 2);
});

test('a job that would find the compaction lock taken reads nothing', (t) => {
  const { cache, job } = setup(t, 'warm-locked');
  for (let r = 0; r < 3; r++) for (let i = 0; i < 300; i++) cache.set(`k${i}`, value(i, r));
  assert.ok(cache.compact().base > 0); // a base: reading the store reads it in chunks, each one counted
  for (let r = 3; r < 6; r++) for (let i = 0; i < 300; i++) cache.set(`k${i}`, value(i, r));
  let chunks = 0;
  const cold = new WarmShards((now) => { if (!now) chunks++; }); // (`now`: the look before creating, not a read)
  const holder = new WarmShards(() => {});
  t.after(() => { cold.closeAll(); holder.closeAll(); });
  holder.open(job); // the warm lock is elsewhere: an explicit job in `cold` would read the store
  const release = tryLock(job.dir, COMPACT_LOCK)!;
  assert.equal(cold.run(job, true).skipped, 'locked');
  assert.equal(chunks, 0, 'the store was not read');
  release();
  assert.ok(cold.run(job, true).base > 0);
  assert.ok(chunks > 0, 'a job that runs reads it (so the count above can see a read)');
});

test("another process's compaction: the warm shard is read again from its base, letting the replaced files go", async (t) => {
  const { cache, warm, job } = setup(t, 'warm-foreign');
  for (let r = 0; r < 3; r++) for (let i = 0; i < 300; i++) cache.set(`k${i}`, value(i, r));
  warm.open(job);
  const first = warm.peek(job)!;
  const { base } = cache.compact();
  assert.ok(base > 0);
  await until('reopened from the new base', () => warm.peek(job) !== null && warm.peek(job) !== first);
  assert.ok(first.closed);
  const now = warm.peek(job)!;
  assert.equal(now.baseId, base);
  assert.ok(now.openFiles().every((f) => f.id > base || (f.kind === KIND_BASE && f.id === base)));
});

test('cool(): the warm shard is closed and its lock released', (t) => {
  const { dir, cache, warm, job } = setup(t, 'warm-cool');
  cache.set('a', 'b');
  warm.open(job);
  const shard = warm.peek(job)!;
  warm.cool(dir);
  assert.ok(shard.closed);
  assert.equal(warm.peek(job), null);
  assert.ok(!fs.existsSync(`${dir}/warm.lock`));
});

test('a warm shard whose log stops growing is closed and its lock released', async (t) => {
  const { dir, cache, warm, job } = setup(t, 'warm-idle', { idleCloseMs: 150 });
  cache.set('a', 'b');
  warm.open(job);
  const shard = warm.peek(job)!;
  // Growing keeps it open past the idle time.
  const end = Date.now() + 400;
  while (Date.now() < end) {
    cache.set('a', String(Date.now()));
    await sleep(20);
  }
  assert.equal(warm.peek(job), shard, 'kept while it grows');
  await until('closed once idle', () => warm.peek(job) === null, 5000);
  assert.ok(shard.closed);
  assert.ok(!fs.existsSync(`${dir}/warm.lock`), 'lock released');
});

test('a cache half way to wanting a compaction has its compactor read the shard before any job', async (t) => {
  const dir = tmpdir(t, 'warm-wire');
  const compactMinBytes = 1024 * 1024;
  const cache = new Cache(dir, { compactMinBytes });
  t.after(() => cache.close());
  // Dead bytes past half of compactMinBytes, but not past the live bytes: no compaction is asked for yet.
  for (let r = 0; r < 4; r++) {
    for (let i = 0; i < 1500; i++) cache.set(`k${i}`, value(i, r));
    await sleep(0);
  }
  const segments = () => {
    const pid = compactorPid();
    if (pid === undefined) return [];
    try {
      return fs.readdirSync(`/proc/${pid}/fd`).map((fd) => { try { return fs.readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { return ''; } })
        .filter((l) => l.startsWith(dir) && l.endsWith('.log'));
    } catch {
      return [];
    }
  };
  await until("the compactor holds the shard's segment open", () => segments().length > 0);
  assert.deepEqual(bases(dir), [], 'before any compaction');
  assert.ok(fs.existsSync(`${dir}/warm.lock`));
  // The process closes its last handle on the store: the compactor lets go of it (it would otherwise read on, and
  // compact, a store its user may be removing).
  cache.close();
  await until('the compactor closed the shard', () => segments().length === 0);
  await until('and released its lock', () => !fs.existsSync(`${dir}/warm.lock`));
});

test('a second handle in the same process keeps the warm copy until it closes too', async (t) => {
  const dir = tmpdir(t, 'warm-two');
  const compactMinBytes = 1024 * 1024;
  const a = new Cache(dir, { compactMinBytes });
  const b = new Cache(dir, { compactMinBytes });
  t.after(() => { a.close(); b.close(); });
  for (let r = 0; r < 4; r++) {
    for (let i = 0; i < 1500; i++) (r % 2 ? a : b).set(`k${i}`, value(i, r));
    await sleep(0);
  }
  await until('warm', () => fs.existsSync(`${dir}/warm.lock`));
  a.close();
  await sleep(300);
  assert.ok(fs.existsSync(`${dir}/warm.lock`), 'b still uses it');
  b.close();
  await until('released once both closed', () => !fs.existsSync(`${dir}/warm.lock`));
});

test('a copy whose store was removed under it is let go, and nothing is created in its place', async (t) => {
  const { dir, cache, warm, job } = setup(t, 'warm-removed');
  for (let i = 0; i < 300; i++) cache.set(`k${i}`, value(i, 0));
  warm.open(job);
  assert.ok(warm.peek(job));
  cache.close();
  fs.rmSync(dir, { recursive: true, force: true });
  await until('the copy is let go', () => warm.peek(job) === null, 5000);
  assert.ok(!fs.existsSync(dir), 'nothing recreated the directory');
  warm.open(job);
  assert.equal(warm.peek(job), null, 'and no store there is warmed');
  assert.ok(!fs.existsSync(dir));
});

test("a compaction cut short by its compactor's exit leaves no temporary base: the compactor removes it first", (t) => {
  const dir = tmpdir(t, 'warm-abandon');
  const cache = new Cache(dir, { compactMinBytes: 0 });
  for (let r = 0; r < 2; r++) for (let i = 0; i < 3000; i++) cache.set(`k${i}`, value(i, r).padEnd(1024, 'w'));
  cache.close();
  const tmpBases = () => fs.readdirSync(dir).filter((n) => n.startsWith('.tmp-base-'));
  let abandoned = false;
  // What the compactor does when it finds its parent gone between two chunks of the base (compactor-main.ts).
  const shard = new Shard(dir, {
    compactMinBytes: 0,
    onChunk: () => {
      if (tmpBases().length === 0) return;
      abandonBaseInProgress();
      abandoned = true;
      throw new Error('exit');
    },
  });
  assert.throws(() => compact(shard, false, false));
  shard.close();
  assert.ok(abandoned, 'the base was cut short while being written');
  assert.deepEqual(tmpBases(), []);
  const again = new Cache(dir, { compactMinBytes: 0 });
  t.after(() => again.close());
  for (let i = 0; i < 3000; i += 97) assert.equal(again.get(`k${i}`), value(i, 1).padEnd(1024, 'w'));
  assert.deepEqual(again.check(), []);
});

/** A closed store without its newest segment (as if its writer had died between a roll-over's seal and the next
 * segment's creation): whoever replays to the last seal creates it. `ids()`: the segments there now. */
function storeMissingItsNewestSegment(t: { after(fn: () => void): void }, name: string) {
  const dir = tmpdir(t, name);
  const cache = new Cache(dir, { segmentBytes: 16 * 1024, compactMinBytes: 0 });
  for (let i = 0; i < 200; i++) cache.set(`k${i}`, value(i, 0).padEnd(1024, 'w'));
  cache.close();
  const ids = () => fs.readdirSync(dir).filter((n) => n.endsWith('.log')).map((n) => Number.parseInt(n, 10));
  const newest = Math.max(...ids());
  fs.rmSync(path.join(dir, segmentName(newest)));
  return { dir, ids, newest };
}

test('a compactor is told before a file is created (`now`), so one whose parent is gone adds nothing to a store being removed', (t) => {
  const { dir, ids, newest } = storeMissingItsNewestSegment(t, 'warm-create');
  // What the compactor does when its parent is gone (compactor-main.ts): it exits at that call, and nothing is made.
  const exit = new Error('exit');
  assert.throws(() => new Shard(dir, { compactMinBytes: 0, onChunk: (now) => { if (now) throw exit; } }),
    (err: Error) => err === exit || err.cause === exit);
  assert.ok(!ids().includes(newest), 'no segment was created');
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('.tmp')), []);
  // With its parent alive it carries on: told before the file exists.
  const seen: boolean[] = [];
  const shard = new Shard(dir, { compactMinBytes: 0, onChunk: (now) => { if (now) seen.push(fs.existsSync(path.join(dir, segmentName(newest)))); } });
  t.after(() => shard.close());
  assert.deepEqual(seen, [false]);
  assert.ok(ids().includes(newest));
});

test('a warm copy creates nothing in a store its asker no longer has open (its user may be removing it): it is let go', (t) => {
  const { dir, ids, newest } = storeMissingItsNewestSegment(t, 'warm-not-in-use');
  const job = { dir, segmentBytes: 16 * 1024, sync: 'none' as const, compactMinBytes: 0 };
  let open = false;
  const warm = new WarmShards(() => {}, { catchUpMs: 10, inUse: () => open });
  t.after(() => warm.closeAll());
  warm.open(job);
  assert.equal(warm.peek(job), null, 'no copy is kept');
  assert.ok(!ids().includes(newest), 'and nothing was created');
  assert.ok(!fs.existsSync(path.join(dir, 'warm.lock')), 'its lock is released');
  open = true; // the store is in use again: the copy is made, and the segment with it
  warm.open(job);
  assert.ok(warm.peek(job));
  assert.ok(ids().includes(newest));
});

test('a compactor is told before it appends (`now`), a seal too: one whose parent was killed appends nothing after the parent\'s last write', (t) => {
  const dir = tmpdir(t, 'warm-append');
  const cache = new Cache(dir, { compactMinBytes: 0 });
  for (let i = 0; i < 50; i++) cache.set(`k${i}`, value(i, 0));
  cache.close();
  const bytes = () => fs.readdirSync(dir).filter((n) => n.endsWith('.log')).map((n) => fs.statSync(path.join(dir, n)).size);
  const before = bytes();
  // What the compactor does when its parent is gone (compactor-main.ts): it exits at that call, before the append.
  const exit = new Error('exit');
  let orphaned = false;
  const shard = new Shard(dir, { compactMinBytes: 0, onChunk: (now) => { if (now && orphaned) throw exit; } });
  t.after(() => shard.close());
  orphaned = true;
  assert.throws(() => shard.seal(SEAL_ROLLOVER, 0), (err: Error) => err === exit || err.cause === exit);
  assert.throws(() => compact(shard, true, false), (err: Error) => err === exit || err.cause === exit);
  assert.deepEqual(bytes(), before, 'no seal was appended');
});

test('a compaction of a copy whose items point into files an earlier compaction released fails and removes nothing: no item is dropped', (t) => {
  const dir = tmpdir(t, 'warm-released');
  const cache = new Cache(dir, { compactMinBytes: 0 });
  // Values over 4 KiB: none is in the copy's value cache, so every one is read from its file.
  for (let r = 0; r < 2; r++) for (let i = 0; i < 500; i++) cache.set(`k${i}`, value(i, r).padEnd(5000, 'w'));
  cache.close();
  // A background compactor's copy after its compaction: the replaced files are released, its items still point there
  // (warm-shards.ts reads the copy afresh after a compaction; one that failed part way used to be kept as it was).
  const shard = new Shard(dir, { compactMinBytes: 0 });
  t.after(() => shard.close());
  assert.ok(compact(shard, true, false).base > 0);
  assert.throws(() => compact(shard, true, false), (err: Error) => /not open/.test(String((err.cause as Error)?.message)));
  const again = new Cache(dir, { compactMinBytes: 0 });
  t.after(() => again.close());
  for (let i = 0; i < 500; i++) assert.equal(again.get(`k${i}`), value(i, 1).padEnd(5000, 'w'), `k${i}`);
});

test("a warm copy whose compaction failed at its DONE seal (its asker seemed to hold no file of the store: it was reloading it) is read afresh: its next compaction drops no item", (t) => {
  const dir = tmpdir(t, 'warm-done-refused');
  const cache = new Cache(dir, { compactMinBytes: 0 });
  t.after(() => cache.close());
  // Items stored once and never again (the kill loop's claims): in a base, so in no copy's value cache.
  for (let i = 0; i < 300; i++) cache.set(`old${i}`, value(i, 0));
  for (let r = 0; r < 3; r++) for (let i = 0; i < 300; i++) cache.set(`k${i}`, value(i, r));
  const first = cache.compact().base;
  assert.ok(first > 0);
  const job = { dir, segmentBytes: 64 * 1024 * 1024, sync: 'none' as const, compactMinBytes: 0 };
  // The asker's handle holds no file of the store while it reloads it (reload.ts closes every file, then opens the
  // newest base): a look at /proc/<parent>/fd then says "not in use". Here that look falls on the DONE seal's append,
  // after the base was linked, the files it replaces removed and the copy's own descriptors of them closed.
  let refuse = false;
  const warm = new WarmShards(() => {}, { catchUpMs: 10, inUse: () => !(refuse && !fs.existsSync(path.join(dir, baseName(first)))) });
  t.after(() => warm.closeAll());
  warm.open(job);
  assert.ok(warm.peek(job));
  for (let r = 3; r < 6; r++) for (let i = 0; i < 300; i++) cache.set(`k${i}`, value(i, r));
  refuse = true;
  assert.throws(() => warm.run(job, false), (err: Error) => /no longer open/.test(String((err.cause as Error)?.message)));
  assert.ok(!fs.existsSync(path.join(dir, baseName(first))), 'the base was written, and the files it replaces removed, before the seal was refused');
  refuse = false;
  // The asker's next automatic job (or the copy's own rule, once the log grew) compacts the same shard again.
  for (let r = 6; r < 9; r++) for (let i = 0; i < 300; i++) cache.set(`k${i}`, value(i, r));
  assert.ok(warm.run(job, false).base > 0);
  const fresh = new Cache(dir, { compactMinBytes: 0 });
  t.after(() => fresh.close());
  for (let i = 0; i < 300; i++) assert.equal(fresh.get(`old${i}`), value(i, 0), `old${i}`);
  for (let i = 0; i < 300; i++) assert.equal(fresh.get(`k${i}`), value(i, 8), `k${i}`);
});

test('a store closed while its base is written: the compactor links no base and removes nothing (the check before the link)', (t) => {
  const dir = tmpdir(t, 'warm-closed-while-writing');
  const cache = new Cache(dir, { compactMinBytes: 0 });
  for (let r = 0; r < 3; r++) for (let i = 0; i < 600; i++) cache.set(`k${i}`, value(i, r));
  cache.close();
  const logFiles = () => fs.readdirSync(dir).filter((n) => /^\d{10}\.(log|base)$/.test(n)).sort();
  const before = logFiles();
  const job = { dir, segmentBytes: 64 * 1024 * 1024, sync: 'none' as const, compactMinBytes: 0 };
  // The asker closes the store while the base is being written: from the first look at the pace that finds the
  // temporary base, its compactor's "is the store still open" says no (compactor-main.ts asks /proc/<parent>/fd).
  let closed = false;
  const tmpBase = () => fs.readdirSync(dir).some((n) => n.startsWith('.tmp-base-'));
  const warm = new WarmShards(() => { if (!closed && tmpBase()) closed = true; }, { catchUpMs: 10, inUse: () => !closed });
  t.after(() => warm.closeAll());
  assert.throws(() => warm.run(job, true), (err: Error) => /no longer open/.test(String((err.cause as Error)?.message ?? err.message)));
  assert.ok(closed, 'the store closed while the base was written');
  assert.deepEqual(logFiles().filter((n) => n.endsWith('.base')), [], 'no base was linked');
  assert.ok(before.every((n) => logFiles().includes(n)), `nothing was removed: ${before.join(' ')} -> ${logFiles().join(' ')}`);
  assert.ok(!tmpBase(), 'the temporary base is gone');
  const again = new Cache(dir, { compactMinBytes: 0 });
  t.after(() => again.close());
  for (let i = 0; i < 600; i++) assert.equal(again.get(`k${i}`), value(i, 2), `k${i}`);
  assert.ok(again.compact().base > 0, 'a later compaction runs');
});

test('a handle holds a file of its store at every moment of a reload: its compactor never takes a reload for the store closed', { skip: !fs.existsSync('/proc/self/fd') }, (t) => {
  const dir = tmpdir(t, 'warm-reload-holds');
  const cache = new Cache(dir, { compactMinBytes: 0 });
  for (let r = 0; r < 2; r++) for (let i = 0; i < 300; i++) cache.set(`k${i}`, value(i, r));
  assert.ok(cache.compact().base > 0);
  for (let i = 0; i < 300; i++) cache.set(`k${i}`, value(i, 2));
  cache.close();
  // What compactor-main.ts looks at before an append (parentHolds): a link in /proc/<parent>/fd into the store.
  const real = fs.realpathSync(dir) + '/';
  const held = () => fs.readdirSync('/proc/self/fd').filter((fd) => {
    try { return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(real); } catch { return false; }
  }).length;
  const seen: number[] = [];
  let watching = false;
  // Looked at on every file-system call of the reload (listing the directory, opening the base, reading it).
  const spy = new Proxy(fs, {
    get: (target, name) => {
      const f = Reflect.get(target, name);
      return typeof f !== 'function' ? f : (...args: unknown[]) => {
        if (watching) seen.push(held());
        return (f as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const shard = new Shard(dir, { compactMinBytes: 0, fs: spy as typeof fs });
  t.after(() => shard.close());
  watching = true;
  shard.load();
  watching = false;
  assert.ok(seen.length > 0);
  assert.ok(Math.min(...seen) > 0, `no file of the store was held during part of the reload: ${seen.join(',')}`);
  assert.equal(shard.loads, 2);
});

test('a copy read again after its compaction recreates nothing once its store was closed and removed meanwhile', async (t) => {
  const { dir, cache, warm, job } = setup(t, 'warm-reload-removed');
  for (let r = 0; r < 3; r++) for (let i = 0; i < 300; i++) cache.set(`k${i}`, value(i, r));
  warm.open(job);
  assert.ok(warm.run(job, false).base > 0);
  // The copy is read again from the new base on the next turn of the loop (#reload): its user closes the store and
  // removes it before that, and the message saying so has not arrived yet.
  cache.close();
  fs.rmSync(dir, { recursive: true });
  await sleep(50);
  assert.ok(!fs.existsSync(dir), 'the directory was not recreated');
  assert.equal(warm.peek(job), null, 'and no copy is kept');
});

test('a store closed by its process and removed at once: its compactor creates nothing there afterwards', async (t) => {
  // Before, in about half the rounds, a warm copy read again after its compaction recreated the directory (and a job or
  // warm request read after the close took a lock in it: rmdir's ENOTEMPTY).
  const parent = tmpdir(t, 'warm-close-rm');
  const v = 'v'.repeat(200);
  for (let round = 0; round < 8; round++) {
    const dir = path.join(parent, `store-${round}`);
    const cache = new Cache(dir, { compactMinBytes: 64 * 1024, segmentBytes: 256 * 1024 });
    for (let i = 0; i < 3000; i++) {
      cache.set(`k${i % 200}`, `${v}${i}`); // overwrites: the compactor is asked to warm the store, then to compact it
      if (i % 100 === 0) await sleep(0);
    }
    cache.close();
    // Retried: a job already past its look when the store closed may still hold its lock's entries for a moment (it
    // removes them, creating nothing more); what must not happen is anything created once the directory is gone.
    fs.rmSync(dir, { recursive: true, maxRetries: 5, retryDelay: 20 });
    const end = Date.now() + 300;
    while (Date.now() < end) {
      assert.ok(!fs.existsSync(dir), `round ${round}: ${dir} reappeared: ${fs.existsSync(dir) ? fs.readdirSync(dir).join(' ') : ''}`);
      await sleep(2);
    }
  }
});
