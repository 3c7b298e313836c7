/** incr stays exact (bigint counters, no silent rounding past 2^53); stats() and reset() wait out a busy store. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cache, FanoutCache, Timeout } from '../../src/index.js';

const HOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/hold-transaction.ts');

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-incr-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('incr with bigints is exact past 2^53 and int64; a stored bigint counter stays a bigint', (t) => {
  const c = new Cache(tmp(t));
  t.after(() => c.close());
  const big = 2n ** 53n;
  assert.equal(c.incr('n', { default: big, delta: 1n }), big + 1n);
  assert.equal(c.incr('n', { delta: 1n }), big + 2n);
  assert.equal(c.incr<bigint>('n'), big + 3n, 'a number delta on a bigint counter adds exactly');
  assert.equal(c.decr<bigint>('n', { delta: 3 }), big);
  assert.equal(c.get('n'), big);
  const int64Max = 2n ** 63n - 1n;
  assert.equal(c.incr('i64', { default: int64Max - 1n }), int64Max);
  assert.equal(c.incr('i64', { delta: 1n }), int64Max + 1n, 'beyond int64 too: bigints have no width');
  // A number counter becomes a bigint with a bigint delta.
  c.set('small', 5);
  assert.equal(c.incr('small', { delta: 2n }), 7n);
  assert.throws(() => c.incr('n', { delta: 0.5 }), TypeError, 'a fraction cannot step a bigint counter');
  assert.throws(() => c.incr('missing', { default: null, delta: 1n }), { code: 'LOGCACHE_KEY' });
});

test('a number counter never rounds: a step past 2^53 is a RangeError that changes nothing', (t) => {
  const c = new Cache(tmp(t));
  t.after(() => c.close());
  const edge = Number.MAX_SAFE_INTEGER - 1;
  assert.equal(c.incr('n', { default: edge }), Number.MAX_SAFE_INTEGER);
  assert.throws(() => c.incr('n'), (err: Error) => err instanceof RangeError && /bigint/.test(err.message));
  assert.equal(c.get('n'), Number.MAX_SAFE_INTEGER, 'the counter kept its value');
  assert.throws(() => c.incr('fresh', { default: 2 ** 60 }), RangeError);
  assert.equal(c.has('fresh'), false);
  assert.equal(c.incr('f', { default: 0.5, delta: 0.25 }), 0.75, 'fractional counters add as doubles, as before');
});

test('a bigint incr keeps the item\'s expiry, tag and insertion position; FanoutCache routes it', (t) => {
  const dir = tmp(t);
  const c = new Cache(path.join(dir, 'c'));
  const f = new FanoutCache(path.join(dir, 'f'), { shards: 3 });
  t.after(() => { c.close(); f.close(); });
  c.set('first', 1);
  c.set('ctr', 10n, { expire: 100, tag: 'T' });
  c.set('last', 1);
  const [, expireBefore] = c.get('ctr', { expireTime: true });
  assert.equal(c.incr('ctr', { delta: 5n }), 15n);
  const [value, expireTime, tag] = c.get('ctr', { expireTime: true, tag: true });
  assert.equal(value, 15n);
  assert.equal(tag, 'T');
  assert.ok(Math.abs((expireTime as number) - (expireBefore as number)) < 0.01, `expiry kept: ${expireTime} vs ${expireBefore}`);
  assert.deepEqual([...c.keys()], ['first', 'ctr', 'last']);
  assert.equal(f.incr('x', { default: 2n ** 64n }), 2n ** 64n + 1n);
  assert.equal(f.get('x'), 2n ** 64n + 1n);
});

function holdTransaction(dir: string, ms: number): { held: Promise<void>; done: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, dir, String(ms)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let onHeld!: () => void;
  const held = new Promise<void>((r) => (onHeld = r));
  child.stdout.on('data', (d) => {
    stdout += d;
    if (stdout.includes('holding')) onHeld();
  });
  const done = new Promise<string>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(stderr)))));
  return { held, done };
}

test('stats() and reset(name, value) wait while another process holds a transaction (diskcache retries them)', async (t) => {
  const dir = tmp(t);
  const c = new Cache(dir, { timeout: 0.05 });
  t.after(() => c.close());
  const { held, done } = holdTransaction(dir, 1500);
  await held;
  // The store really is busy: an ordinary write times out.
  assert.throws(() => c.set('x', 1), Timeout);
  assert.deepEqual(c.stats({ enable: true, reset: true }), [0, 0]);
  assert.equal(c.reset('cullLimit', 5), 5);
  assert.equal(c.reset('sizeLimit'), 2 ** 30);
  assert.match(await done, /released/);
  assert.equal(c.get('held-by') === undefined, false, 'the other process committed');
  const again = new Cache(dir);
  assert.equal(again.cullLimit, 5);
  again.close();
});
