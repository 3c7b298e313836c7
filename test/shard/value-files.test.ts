/** Value files and concurrent processes: a file outlives every reader that may still need it (issue 13 items 7, 8). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cache } from '../../src/index.js';
import { runWorker, startWorker } from '../fixtures/spawn.js';

function tmpdir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-vf-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const BIG = 40_000;
const big = (n: number) => Buffer.alloc(BIG, n % 251);

/**
 * A writer handle on `k` and a reader whose file-system layer runs the writer's overwrite right when the reader looks
 * at the value file it found in its (just synced) state, whenever `overwriteAt(look)` says so: the overwrite deletes
 * that file. `overwrites()` counts them.
 */
function racingReader(t: { after(fn: () => void): void }, overwriteAt: (look: number, overwrites: number) => boolean) {
  const dir = tmpdir(t);
  const writer = new Cache(dir);
  writer.set('k', big(0));
  let overwrites = 0;
  let looks = 0;
  const hooked: typeof fs = {
    ...fs,
    lstatSync: ((p: fs.PathLike, o?: fs.StatSyncOptions) => {
      if (String(p).endsWith('.val') && overwriteAt(looks++, overwrites)) writer.set('k', big(++overwrites));
      return fs.lstatSync(p, o);
    }) as typeof fs.lstatSync,
  };
  const reader = new Cache(dir, { fs: hooked });
  t.after(() => { reader.close(); writer.close(); });
  return { reader, overwrites: () => overwrites };
}

test('a get racing an overwrite by another handle never misses the key (issue 13 item 7)', (t) => {
  // Every other look: the first of each get finds its file replaced, the look after the re-sync does not.
  const { reader, overwrites } = racingReader(t, (look) => look % 2 === 0);
  for (let i = 0; i < 5; i++) {
    const v = reader.get('k') as Buffer | undefined;
    assert.ok(v !== undefined, `get ${i} missed a key that always existed`);
    assert.equal(v.length, BIG);
    assert.equal(v[0], overwrites() % 251, 'the value of the overwrite that replaced the file');
  }
  assert.equal(overwrites(), 5, 'the race was staged at every get');
});

test('a get that loses the race to overwrites many times in a row still never misses: it reads again while newer writes keep replacing the file', (t) => {
  // Every look, for the first LOSSES looks, finds the file replaced by a newer write (a reader slowed down beside a
  // fast writer); then the writer stops. More losses than the 16 re-reads a get used to allow.
  const LOSSES = 60;
  const { reader, overwrites } = racingReader(t, (_, n) => n < LOSSES);
  const v = reader.get('k') as Buffer | undefined;
  assert.equal(overwrites(), LOSSES, 'the race was staged');
  assert.ok(v !== undefined, 'a key that always existed was missed');
  assert.equal(v[0], LOSSES % 251, 'the last overwrite');
});

test('gets from one process while another overwrites a value file key never miss (issue 13 item 7)', async (t) => {
  const dir = tmpdir(t);
  const c = new Cache(dir);
  c.set('big0', big(0));
  const child = startWorker('overwrite-big', dir, 'big0', 4000);
  let exited = false;
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => { exited = true; resolve(code); }));
  let misses = 0;
  let gets = 0;
  while (!exited) {
    for (let i = 0; i < 50; i++, gets++) if (c.get('big0') === undefined) misses++;
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(await done, 0);
  assert.equal(misses, 0, `${misses} of ${gets} gets missed`);
  c.close();
});

test('check({ fix: true }) beside a writer never deletes an acknowledged value file (issue 13 item 8)', async (t) => {
  const dir = tmpdir(t);
  new Cache(dir).close();
  const child = startWorker('write-big', dir, 400);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  let exited = false;
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => { exited = true; resolve(code); }));
  const c = new Cache(dir);
  let checks = 0;
  while (!exited) {
    c.check({ fix: true });
    checks++;
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(await done, 0);
  const acked = out.split('\n').filter(Boolean);
  assert.ok(acked.length >= 400 && checks > 0);
  const last = new Map(acked.map((line) => line.split(' ') as [string, string]));
  let lost = 0;
  for (const [key, n] of last) {
    const v = c.get(key) as Buffer | undefined;
    if (v === undefined || v[0] !== Number(n) % 251) lost++;
  }
  assert.equal(lost, 0, `${lost} of ${last.size} keys lost their last acknowledged value file (${checks} checks ran)`);
  assert.deepEqual(c.check(), []);
  c.close();
});

test('a value file of a write still in flight is not reported as unknown, and a stale one is (issue 13 item 8)', async (t) => {
  const dir = tmpdir(t);
  const c = new Cache(dir);
  c.set('k', big(1));
  await runWorker('get', dir, 'k');
  c.close();
  // An orphan (a writer died after writing it): old enough, it is unknown and fix removes it.
  const stale = path.join(dir, 'ab', 'cd');
  fs.mkdirSync(stale, { recursive: true });
  const orphan = path.join(stale, '0123456789abcdef0123456789ab.val');
  fs.writeFileSync(orphan, 'x');
  const old = new Date(Date.now() - 3600_000);
  fs.utimesSync(orphan, old, old);
  const fresh = path.join(stale, 'fedcba9876543210fedcba987654.val');
  fs.writeFileSync(fresh, 'y');
  const c2 = new Cache(dir);
  const warnings = c2.check();
  assert.ok(warnings.some((w) => w.message.includes(orphan)), 'the stale orphan is reported');
  assert.ok(!warnings.some((w) => w.message.includes(fresh)), 'a file just written (a write in flight) is not');
  c2.check({ fix: true });
  assert.equal(fs.existsSync(orphan), false);
  assert.equal(fs.existsSync(fresh), true);
  c2.close();
});
