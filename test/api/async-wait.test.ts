/**
 * Promise-returning methods wait for another process asynchronously (issue 14): while another process holds a
 * transaction window open, the event loop keeps running (a timer fires) until the write goes through. A blocking
 * wait would hold the timer back until the write's own timeout, and the window (released by that timer) would never
 * close: the write would fail with Timeout instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cache, FanoutCache } from '../../src/index.js';
import { KeyvLogcache } from '../../src/integrations/keyv.js';
import { Timeout } from '../../src/errors.js';
import { tmpdir } from '../torture/harness.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'compaction-worker.ts');

/** A process holding a transaction window open on `dir` until `release` exists. */
async function holdWindow(dir: string, release: string): Promise<{ exit: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, 'hold-window', dir, release], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  while (!out.includes('in\n')) {
    if (child.exitCode !== null) throw new Error('the window holder exited early');
    await new Promise((r) => setTimeout(r, 20));
  }
  return { exit }; // (a bare Promise returned here would be awaited: the child's exit)
}

for (const kind of ['Cache', 'FanoutCache'] as const) {
  test(`the Keyv store on a ${kind} waits out another process's transaction without blocking the event loop`, async (t) => {
    const dir = tmpdir(t, 'async-wait');
    const release = path.join(dir, '..', `${path.basename(dir)}.release`);
    t.after(() => fs.rmSync(release, { force: true }));
    // The worker opens a Cache on the directory: a FanoutCache(1) routes every key to shard 000.
    const shardDir = kind === 'Cache' ? dir : path.join(dir, '000');
    const cache = kind === 'Cache' ? new Cache(dir, { timeout: 60 }) : new FanoutCache(dir, { shards: 1, timeout: 60 });
    t.after(() => cache.close());
    cache.set('warm', 1);
    const { exit: exited } = await holdWindow(shardDir, release);
    const store = new KeyvLogcache(cache);
    let timerRan = false;
    // The only thing that closes the window: a timer, which runs only if the write below waits asynchronously.
    setTimeout(() => {
      timerRan = true;
      fs.writeFileSync(release, '');
    }, 50);
    assert.equal(await store.set('k', 'v'), true);
    assert.equal(timerRan, true, 'the timer ran while the write waited');
    assert.equal(await store.get('k'), 'v');
    assert.equal(cache.get('held'), 1, 'the other process committed first');
    assert.equal(await exited, 0);
  });
}

test('Cache.whenWritable is undefined with no window open, and a Promise rejecting with Timeout past its timeout with one', async (t) => {
  const dir = tmpdir(t, 'async-wait-timeout');
  const release = path.join(dir, '..', `${path.basename(dir)}.release`);
  t.after(() => fs.rmSync(release, { force: true }));
  const cache = new Cache(dir, { timeout: 0.2 });
  t.after(() => cache.close());
  assert.equal(cache.whenWritable(), undefined, 'nothing to wait for: no Promise, the write may run at once');
  const { exit: exited } = await holdWindow(dir, release);
  const wait = cache.whenWritable();
  assert.ok(wait instanceof Promise);
  await assert.rejects(wait, (err: unknown) => err instanceof Timeout);
  fs.writeFileSync(release, '');
  assert.equal(await exited, 0);
  await cache.whenWritable();
});
