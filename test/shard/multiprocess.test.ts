/** Invariant 3, "many processes, one truth", with real child processes on one directory. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cache } from '../../src/index.js';
import { runWorker } from '../fixtures/spawn.js';
import { tempDir as tmpdir } from '../fixtures/tmp.js';


test('incr from 4 processes x 2,500 loses no increment', async (t) => {
  const dir = tmpdir(t);
  new Cache(dir).close();
  await Promise.all([0, 1, 2, 3].map(() => runWorker('incr', dir, 2500)));
  const cache = new Cache(dir);
  assert.equal(cache.get('counter'), 10000);
  assert.deepEqual(cache.check(), []);
  cache.close();
});

test('concurrent add of one key succeeds exactly once', async (t) => {
  const dir = tmpdir(t);
  new Cache(dir).close();
  const results = await Promise.all([0, 1, 2, 3].map(() => runWorker('add', dir, 300)));
  const wins = results.map((lines) => JSON.parse(lines[0]) as number[]);
  for (let i = 0; i < 300; i++) {
    assert.equal(wins.filter((w) => w.includes(i)).length, 1, `key-${i} added exactly once`);
  }
  const cache = new Cache(dir);
  assert.equal(cache.size, 300);
  cache.close();
});

test('a value set in one process is read by another right after', async (t) => {
  const dir = tmpdir(t);
  const cache = new Cache(dir);
  for (let i = 0; i < 5; i++) {
    cache.set('shared', `value-${i}`);
    const [seen] = await runWorker('get', dir, 'shared');
    assert.equal(JSON.parse(seen), `value-${i}`);
  }
  cache.close();
});

test('a value set by a child process is read by the parent right after it exits', async (t) => {
  const dir = tmpdir(t);
  const cache = new Cache(dir);
  cache.set('counter', 5);
  await runWorker('incr', dir, 1);
  assert.equal(cache.get('counter'), 6);
  cache.close();
});

test('transact that reads and writes two keys stays consistent under a concurrent writer', async (t) => {
  const dir = tmpdir(t);
  const cache = new Cache(dir);
  cache.set('a', 1000);
  cache.set('b', 0);
  const workers = [runWorker('transfer', dir, 300), runWorker('transfer', dir, 300)];
  let observations = 0;
  let done = false;
  void Promise.all(workers).then(() => (done = true));
  while (!done) {
    // Each observation is one transaction: both reads see the same committed state.
    const sum = cache.transact(() => (cache.get('a') as number) + (cache.get('b') as number));
    assert.equal(sum, 1000);
    // Plain writes from this process interleave with the children's transactions.
    cache.incr('noise');
    observations++;
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(workers);
  assert.equal(cache.get('a'), 400);
  assert.equal(cache.get('b'), 600);
  assert.ok(observations > 0);
  assert.deepEqual(cache.check(), []);
  cache.close();
});
