/**
 * diskcache's recipes across processes (each worker a real process, so these wait for real time). The recipes' rules
 * in one process run on every implementation in test/conformance/rules/recipes.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Cache, Deque } from '../../src/index.js';
import { RECIPES_WORKER, runScript } from '../fixtures/spawn.js';
import { tempDir } from '../fixtures/tmp.js';

const run = (task: string, dir: string, ...args: (string | number)[]) => runScript(RECIPES_WORKER, task, dir, ...args);

test('a Lock held by one process blocks another until released', async (t) => {
  const dir = tempDir(t);
  new Cache(dir).close();
  const first = run('lock', dir, 300);
  // Start the second only once the first holds the lock (a process start takes ~0.3 s, more on a loaded machine: a
  // busy 2-core machine took over 10 s), waiting at most 60 s. If the first worker ends before, its error (or that it
  // ended) fails the test.
  let firstEnded = false;
  first.then(() => (firstEnded = true), () => (firstEnded = true));
  const probe = new Cache(dir);
  try {
    for (const deadline = Date.now() + 60_000; !probe.has('lock'); await delay(10)) {
      if (firstEnded) await first.then(() => assert.fail('the first worker ended before it was seen holding the lock'));
      assert.ok(Date.now() < deadline, 'the first worker did not take the lock within 60 s');
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
  const dir = tempDir(t);
  new Cache(dir).close();
  await Promise.all([0, 1, 2, 3].map(() => run('semaphore', dir)));
  const cache = new Cache(dir);
  assert.ok((cache.get('max') as number) <= 2, `max holders ${String(cache.get('max'))}`);
  assert.equal(cache.get('inside'), 0);
  cache.close();
});

test('a Deque filled by one process is drained exactly once by three consumers', async (t) => {
  const dir = tempDir(t);
  const d = Deque.fromcache<number>(new Cache(dir, { evictionPolicy: 'none' }));
  const consumers = [0, 1, 2].map(() => run('consume', dir));
  for (let i = 0; i < 300; i++) d.append(i);
  const got = (await Promise.all(consumers)).flatMap((lines) => JSON.parse(lines[0]) as number[]);
  got.sort((a, b) => a - b);
  assert.deepEqual(got, Array.from({ length: 300 }, (_, i) => i));
  d.close();
});

test('memoizeStampede computes once under 8 concurrent callers', async (t) => {
  const dir = tempDir(t);
  new Cache(dir).close();
  const results = await Promise.all(Array.from({ length: 8 }, () => run('stampede', dir)));
  assert.deepEqual(results.map((r) => r[0]), Array(8).fill('42'));
  const cache = new Cache(dir);
  assert.equal(cache.get('computed'), 1);
  cache.close();
});

test('throttle holds a rate across two processes', async (t) => {
  const dir = tempDir(t);
  new Cache(dir).close();
  // 20 calls/s for 1.5 s in each of two processes, started together after both decorated (decorating resets the
  // bucket): one shared bucket allows 20 + ~30 refills; two independent buckets would allow 2 × (20 + 30) = 100.
  const counts = await Promise.all([run('throttle', dir, 1500, 20, 2), run('throttle', dir, 1500, 20, 2)]);
  const total = counts.reduce((n, lines) => n + Number(lines[0]), 0);
  assert.ok(total <= 65, `total calls ${total}`);
  assert.ok(total >= 20, `total calls ${total}`);
});
