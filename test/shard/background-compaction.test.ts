/**
 * Background compaction (issue 14): automatic compaction runs in a compactor process, never inside a call; the
 * switch to a new base re-points items in slices; a compactor killed at any point loses nothing; a process that
 * exits (or is killed) leaves no compactor behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cache } from '../../src/index.js';
import { COMPACTOR_NICE, compactorPid } from '../../src/shard/compactor.js';
import { processAlive } from '../../src/shard/liveness.js';
import { KIND_BASE } from '../../src/format/segment.js';
import { Shard } from '../../src/shard/shard.js';
import { Rng, tmpdir } from '../torture/harness.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'compaction-worker.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(task: string, dir: string, ...args: (string | number)[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, task, dir, ...args.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  /** Resolves with the first line starting with `prefix`. */
  const line = async (prefix: string): Promise<string> => {
    for (;;) {
      const l = stdout.split('\n').find((x) => x.startsWith(prefix));
      if (l !== undefined) return l;
      if (child.exitCode !== null) throw new Error(`worker ${task} exited (${child.exitCode}) before '${prefix}': ${stderr}`);
      await sleep(20);
    }
  };
  return { child, exit, line, stderr: () => stderr };
}

/** Waits (up to `ms`) until `pid` no longer runs; returns whether it is gone. */
async function gone(pid: number, ms = 60_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (processAlive(pid)) {
    if (Date.now() > end) return false;
    await sleep(50);
  }
  return true;
}

const value = (i: number, round: number) => `${i}:${round}:`.padEnd(300, 'x');

test('writes and reads from several processes while background compactions run: every acknowledged write survives', async (t) => {
  const dir = tmpdir(t, 'bg-mp');
  const workers = [0, 1, 2].map((slot) => run('overwrite', dir, slot, 300, 12));
  const results = await Promise.all(workers.map((w) => w.exit));
  for (const [slot, r] of results.entries()) assert.equal(r.code, 0, `worker ${slot}: ${workers[slot]!.stderr()}`);
  assert.ok(fs.readdirSync(dir).some((n) => n.endsWith('.base')), 'a background compaction wrote a base');
  const cache = new Cache(dir, { compactMinBytes: 0 });
  try {
    for (let slot = 0; slot < 3; slot++) {
      for (let i = 0; i < 300; i++) assert.equal(cache.get(`s${slot}:${i}`), `${slot}:${i}:11:`.padEnd(200, 'v'));
    }
    assert.equal(cache.size, 900);
    assert.deepEqual(cache.check(), []);
  } finally {
    cache.close();
  }
});

test('a compaction that replaces the listed base while a process opens the store: it lists again, loads all, reports nothing', (t) => {
  const dir = tmpdir(t, 'bg-open-race');
  const a = new Cache(dir, { segmentBytes: 16 * 1024, compactMinBytes: 0 });
  t.after(() => a.close());
  for (let round = 0; round < 3; round++) for (let i = 0; i < 200; i++) a.set(`k${i}`, value(i, round));
  assert.ok(a.compact().base > 0);
  for (let i = 0; i < 200; i++) a.set(`k${i}`, value(i, 3));
  // The opening process has listed the directory (base B, segments after it); just before it opens B, another
  // process's compaction writes a newer base and removes B and the segments it replaces.
  let raced = 0;
  const racing = {
    ...fs,
    openSync: ((file: fs.PathLike, ...rest: unknown[]) => {
      if (raced === 0 && String(file).endsWith('.base')) {
        raced++;
        assert.ok(a.compact().base > 0);
      }
      return (fs.openSync as (...x: unknown[]) => number)(file, ...rest);
    }) as typeof fs.openSync,
  };
  const b = new Cache(dir, { segmentBytes: 16 * 1024, compactMinBytes: 0, fs: racing });
  t.after(() => b.close());
  assert.equal(raced, 1, 'the race was staged');
  for (let i = 0; i < 200; i++) assert.equal(b.get(`k${i}`), value(i, 3), `k${i}`);
  assert.deepEqual(b.check(), []);
});

test('kill -9 of the compactor at any point loses nothing; the store opens and compacts later', async (t) => {
  const dir = tmpdir(t, 'bg-kill');
  const rng = new Rng(14);
  const cache = new Cache(dir, { segmentBytes: 64 * 1024, compactMinBytes: 0 });
  t.after(() => cache.close());
  const KEYS = 400;
  let round = 0;
  const write = () => {
    round++;
    for (let i = 0; i < KEYS; i++) cache.set(`k${i}`, value(i, round));
  };
  const verify = (h: Cache, where: string) => {
    for (let i = 0; i < KEYS; i++) assert.equal(h.get(`k${i}`), value(i, round), `${where}: k${i}`);
  };
  // Where the kill lands: before the compactor starts, while it writes the base (its temporary file exists), once
  // the base is in place (before or after the old segments go), or after a random delay.
  const moments = ['start', 'temporary', 'base', 'random', 'random', 'temporary', 'base'] as const;
  let kills = 0;
  for (const moment of moments) {
    write();
    const basesBefore = fs.readdirSync(dir).filter((n) => n.endsWith('.base')).length;
    const job = cache.compactAsync().then(() => 'done', () => 'failed');
    const end = Date.now() + 60_000;
    for (;;) {
      const pid = compactorPid();
      const names = fs.readdirSync(dir);
      const ready = pid !== undefined && (moment === 'start'
        || (moment === 'temporary' && names.some((n) => n.startsWith('.tmp-base-')))
        || (moment === 'base' && names.filter((n) => n.endsWith('.base')).length > basesBefore)
        || (moment === 'random' && rng.chance(0.05)));
      if (ready || Date.now() > end) {
        if (pid !== undefined && processAlive(pid)) {
          process.kill(pid, 'SIGKILL');
          kills++;
        }
        break;
      }
      await sleep(1);
    }
    // A job whose compactor died goes once to a fresh one: it finishes, or fails with an IOError; either way:
    await job;
    verify(cache, `after a kill (${moment})`);
    const other = new Cache(dir, { compactMinBytes: 0 });
    try {
      verify(other, `reopened after a kill (${moment})`);
    } finally {
      other.close();
    }
  }
  assert.ok(kills >= moments.length - 2, `the compactor was killed (${kills} times)`);
  // Later: a compaction runs to the end, and nothing was lost.
  write();
  const r = await cache.compactAsync();
  assert.ok(r.base > 0, 'a later compaction finished');
  verify(cache, 'after the last compaction');
  cache.check({ fix: true }); // leftovers of the killed compactors (temporary files) go
  assert.deepEqual(cache.check(), []);
  const names = fs.readdirSync(dir).filter((n) => /^\d{10}\.(base|log)$/.test(n));
  assert.equal(names.filter((n) => n.endsWith('.base')).length, 1, `one base left: ${names.join(' ')}`);
});

test('the switch to a new base moves another handle to it in slices: old files closed, values intact', async (t) => {
  const dir = tmpdir(t, 'bg-switch');
  const a = new Cache(dir, { segmentBytes: 16 * 1024, compactMinBytes: 0 });
  const b = new Cache(dir, { segmentBytes: 16 * 1024, compactMinBytes: 0 });
  t.after(() => { a.close(); b.close(); });
  for (let round = 0; round < 3; round++) for (let i = 0; i < 500; i++) a.set(`k${i}`, value(i, round));
  a.incr('n', { delta: 5 });
  // A bare shard handle too, to see which files it holds.
  const s = new Shard(dir, { segmentBytes: 16 * 1024, compactMinBytes: 0 });
  t.after(() => s.close());
  assert.equal(b.get('k1'), value(1, 2));
  const r = a.compact();
  assert.ok(r.base > 0);
  // After the seal, changes that must survive the switch: a touch, an incr, an overwrite and a delete.
  assert.equal(a.touch('k2', { expire: 1000 }), true);
  assert.equal(a.incr('n'), 6);
  a.set('k3', 'new');
  assert.equal(a.delete('k4'), true);
  // Each call does a bounded slice; enough calls (and the timer's ticks) finish the switch.
  for (let i = 0; i < 2000; i++) {
    b.get(`k${i % 500}`);
    s.sync();
  }
  await sleep(300);
  s.sync();
  const files = s.openFiles();
  assert.ok(files.every((f) => (f.kind === KIND_BASE ? f.id === r.base : f.id > r.base)), JSON.stringify(files));
  assert.ok(files.some((f) => f.kind === KIND_BASE), 'the new base is open');
  // Switched in slices (frames of the base cut by the slices' ends included), never rebuilt from the files.
  assert.equal(s.loads, 1, 'the handle rebuilt its state instead of switching');
  for (let i = 5; i < 500; i++) assert.equal(b.get(`k${i}`), value(i, 2));
  assert.equal(b.get('k2'), value(2, 2));
  assert.equal(b.get('k3'), 'new');
  assert.equal(b.has('k4'), false);
  assert.equal(b.get('n'), 6);
  assert.deepEqual(b.check(), []);
  assert.equal(b.size, 500); // 500 keys and n, less k4
});

test('the "compaction done" seal reaches every process when a roll-over sealed the segment first', async (t) => {
  const dir = tmpdir(t, 'bg-done-void');
  const w = new Cache(dir, { segmentBytes: 16 * 1024, compactMinBytes: 0 });
  t.after(() => w.close());
  for (let round = 0; round < 3; round++) for (let i = 0; i < 200; i++) w.set(`k${i}`, value(i, round));
  const s = new Shard(dir, { segmentBytes: 16 * 1024, compactMinBytes: 0 });
  t.after(() => s.close());
  const newestLog = () => Math.max(...fs.readdirSync(dir).filter((n) => n.endsWith('.log')).map((n) => Number.parseInt(n, 10)));
  // While the compacting process removes the old segments (its base written, its replay at the log's end), another
  // one writes until its segment rolls over: the roll-over's seal ends the segment the DONE seal is appended to.
  let rolled = 0;
  const racing = {
    ...fs,
    unlinkSync: ((file: fs.PathLike) => {
      fs.unlinkSync(file);
      if (rolled === 0 && String(file).endsWith('.log')) {
        const past = newestLog() + 1;
        for (let i = 0; newestLog() < past; i++) w.set(`late${i}`, value(i, 9));
        rolled = newestLog();
      }
    }) as typeof fs.unlinkSync,
  };
  const a = new Cache(dir, { segmentBytes: 16 * 1024, compactMinBytes: 0, fs: racing });
  t.after(() => a.close());
  const r = a.compact();
  assert.ok(r.base > 0 && rolled > 0, 'the roll-over was staged');
  for (let i = 0; i < 500; i++) s.sync();
  await sleep(300);
  s.sync();
  const files = s.openFiles();
  assert.ok(files.every((f) => (f.kind === KIND_BASE ? f.id === r.base : f.id > r.base)), `old files still held: ${JSON.stringify(files)}`);
  assert.equal(s.loads, 1);
  for (let i = 0; i < 200; i++) assert.equal(a.get(`k${i}`), value(i, 2));
});

test('a process that exits right after writing exits by itself and leaves no compactor', async (t) => {
  const dir = tmpdir(t, 'bg-exit');
  const w = run('exit-after-write', dir);
  const pid = Number((await w.line('compactor ')).split(' ')[1]);
  const { code } = await w.exit;
  assert.equal(code, 0, w.stderr());
  assert.ok(await gone(pid), `compactor ${pid} still runs after its parent exited`);
});

test('a process killed with SIGKILL during a compaction leaves no compactor', async (t) => {
  const dir = tmpdir(t, 'bg-kill-parent');
  const w = run('hold', dir);
  const pid = Number((await w.line('compactor ')).split(' ')[1]);
  w.child.kill('SIGKILL');
  await w.exit;
  assert.ok(await gone(pid), `compactor ${pid} still runs after its parent was killed`);
  const cache = new Cache(dir, { compactMinBytes: 0 });
  try {
    assert.equal(cache.size, 100);
    cache.compact();
    assert.equal(cache.size, 100);
  } finally {
    cache.close();
  }
});


test('the compactor runs COMPACTOR_NICE steps below its parent\'s CPU priority (capped at 19)', async (t) => {
  const dir = tmpdir(t, 'bg-nice');
  const cache = new Cache(dir, { compactMinBytes: 0 });
  t.after(() => cache.close());
  for (let i = 0; i < 2000; i++) cache.set(`k${i % 500}`, 'v'.repeat(100));
  await cache.compactAsync();
  const pid = compactorPid();
  assert.ok(pid !== undefined, 'compactAsync ran in the compactor');
  // /proc/<pid>/stat: field 19 is the nice value (fields counted after the parenthesised command name).
  const nice = (p: number | string) => Number(fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
  assert.equal(nice(pid), Math.min(19, nice('self') + COMPACTOR_NICE));
  // Closed before the directory is removed (after-hooks run in the order they were added): its warm shard, opened by
  // compactAsync, must not find the files removed under a store that is still open.
  cache.close();
});
