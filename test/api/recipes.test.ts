/** diskcache's recipes, in one process and across processes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Averager, BoundedSemaphore, Cache, Deque, Lock, RLock, barrier, memoizeStampede, throttle } from '../../src/index.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/recipes-worker.ts');

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-recipes-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function run(task: string, dir: string, ...args: (string | number)[]): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, task, dir, ...args.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(stdout.split('\n').filter(Boolean)) : reject(new Error(stderr)))));
}

test('Averager keeps a running average; pop removes it', (t) => {
  const cache = new Cache(tmp(t));
  const avg = new Averager(cache, 'latency');
  assert.equal(avg.get(), null);
  for (const v of [1, 2, 3, 6]) avg.add(v);
  assert.equal(avg.get(), 3);
  assert.equal(avg.pop(), 3);
  assert.equal(avg.get(), null);
  cache.close();
});

test('RLock is re-entrant within its scope and refuses a release it does not hold', async (t) => {
  const cache = new Cache(tmp(t));
  const a = new RLock(cache, 'r');
  await a.using(async () => {
    await a.acquire();
    await a.acquire();
    a.release();
    a.release();
  });
  assert.throws(() => a.release(), /cannot release un-acquired lock/);
  cache.close();
});

test('BoundedSemaphore refuses a release above its initial value', async (t) => {
  const cache = new Cache(tmp(t));
  const s = new BoundedSemaphore(cache, 's', 2);
  await s.acquire();
  s.release();
  assert.throws(() => s.release(), /cannot release un-acquired semaphore/);
  cache.close();
});

test('barrier runs calls one at a time under a Lock', async (t) => {
  const cache = new Cache(tmp(t));
  let inside = 0;
  let max = 0;
  const f = barrier(cache, Lock, { name: 'serial' })(async () => {
    max = Math.max(max, ++inside);
    await new Promise((r) => setTimeout(r, 2));
    inside--;
  });
  await Promise.all([f(), f(), f(), f()]);
  assert.equal(max, 1);
  cache.close();
});

test('throttle with a fake clock: two immediate calls, then one every half second', async (t) => {
  const cache = new Cache(tmp(t));
  let now = 1000;
  const sleeps: number[] = [];
  const f = throttle(cache, 2, 1, { name: 'rate', timeFunc: () => now, sleepFunc: async (s) => { sleeps.push(s); now += s; } })(() => 'ok');
  for (let i = 0; i < 5; i++) await f();
  assert.deepEqual(sleeps.map((s) => Math.round(s * 100) / 100), [0.5, 0.5, 0.5]);
  cache.close();
});

test('a Lock held by one process blocks another until released', async (t) => {
  const dir = tmp(t);
  new Cache(dir).close();
  const first = run('lock', dir, 300);
  // Start the second only once the first holds the lock (a process start takes ~0.3 s, more on a loaded machine),
  // waiting at most 10 s. If the first worker ends before, its error (or that it ended) fails the test.
  let firstEnded = false;
  first.then(() => (firstEnded = true), () => (firstEnded = true));
  const probe = new Cache(dir);
  try {
    for (const deadline = Date.now() + 10_000; !probe.has('lock'); await delay(10)) {
      if (firstEnded) await first.then(() => assert.fail('the first worker ended before it was seen holding the lock'));
      assert.ok(Date.now() < deadline, 'the first worker did not take the lock within 10 s');
    }
  } finally {
    probe.close();
  }
  const [a, b] = await Promise.all([first, run('lock', dir, 0)]);
  const released = Number(a[1].split(' ')[1]);
  const acquiredAfter = Number(b[0].split(' ')[1]);
  assert.ok(acquiredAfter >= released, `second acquired at ${acquiredAfter}, first released at ${released}`);
});

test('BoundedSemaphore(2) lets at most two of four processes in at once', async (t) => {
  const dir = tmp(t);
  new Cache(dir).close();
  await Promise.all([0, 1, 2, 3].map(() => run('semaphore', dir)));
  const cache = new Cache(dir);
  assert.ok((cache.get('max') as number) <= 2, `max holders ${String(cache.get('max'))}`);
  assert.equal(cache.get('inside'), 0);
  cache.close();
});

test('a Deque filled by one process is drained exactly once by three consumers', async (t) => {
  const dir = tmp(t);
  const d = Deque.fromcache<number>(new Cache(dir, { evictionPolicy: 'none' }));
  const consumers = [0, 1, 2].map(() => run('consume', dir));
  for (let i = 0; i < 300; i++) d.append(i);
  const got = (await Promise.all(consumers)).flatMap((lines) => JSON.parse(lines[0]) as number[]);
  got.sort((a, b) => a - b);
  assert.deepEqual(got, Array.from({ length: 300 }, (_, i) => i));
  d.close();
});

test('memoizeStampede computes once under 8 concurrent callers', async (t) => {
  const dir = tmp(t);
  new Cache(dir).close();
  const results = await Promise.all(Array.from({ length: 8 }, () => run('stampede', dir)));
  assert.deepEqual(results.map((r) => r[0]), Array(8).fill('42'));
  const cache = new Cache(dir);
  assert.equal(cache.get('computed'), 1);
  cache.close();
});

test('memoizeStampede in one process: cached results, cacheKey on the wrapper', async (t) => {
  const cache = new Cache(tmp(t));
  let calls = 0;
  const f = memoizeStampede(cache, 60)(async function double(x: number) { calls++; return x * 2; });
  assert.equal(await f(2), 4);
  assert.equal(await f(2), 4);
  assert.equal(calls, 1);
  const [base, ...args] = f.cacheKey(2) as [string, ...unknown[]];
  assert.match(base, /^double#[0-9a-f]{16}$/);
  assert.deepEqual(args, [2]);
  cache.close();
});

test('throttle holds a rate across two processes', async (t) => {
  const dir = tmp(t);
  new Cache(dir).close();
  // 20 calls/s for 1.5 s in each of two processes, started together after both decorated (decorating resets the
  // bucket): one shared bucket allows 20 + ~30 refills; two independent buckets would allow 2 × (20 + 30) = 100.
  const counts = await Promise.all([run('throttle', dir, 1500, 20, 2), run('throttle', dir, 1500, 20, 2)]);
  const total = counts.reduce((n, lines) => n + Number(lines[0]), 0);
  assert.ok(total <= 65, `total calls ${total}`);
  assert.ok(total >= 20, `total calls ${total}`);
});
