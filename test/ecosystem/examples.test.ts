/**
 * Every program in examples/ runs and prints what docs/guide.md says it prints. They import 'logcache' as a user's
 * code does; the package's `logcache-source` export condition points that at src/ (no build needed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cache } from '../../src/index.js';
import { NODE_SOURCE_ARGS, ROOT, explain, runNodeAsync, tempDir } from './helpers.js';

/** Runs examples/<name> with a fresh cache directory; returns its stdout lines. */
async function run(t: Parameters<typeof tempDir>[0], name: string): Promise<{ lines: string[]; dir: string }> {
  const dir = tempDir(t);
  const r = await runNodeAsync([...NODE_SOURCE_ARGS, path.join(ROOT, 'examples', name), dir]);
  assert.equal(r.status, 0, explain(r));
  return { lines: r.stdout.trimEnd().split('\n'), dir };
}

function healthy(dir: string): void {
  const c = new Cache(dir);
  try { assert.deepEqual(c.check(), []); } finally { c.close(); }
}

test('every example is covered here', () => {
  const covered = [
    'express-session-cluster.mjs', 'job-queue.mjs', 'keyv-cache-manager.mjs', 'lock.mjs', 'memoize.mjs', 'next',
    'rate-limit-cluster.mjs', 'serverless', 'undici-http-cache.mjs', 'web-handler.mjs',
  ];
  assert.deepEqual(fs.readdirSync(path.join(ROOT, 'examples')).sort(), covered);
});

test('web-handler: the first request misses, the next ones hit, evict() empties the tag', async (t) => {
  const { lines, dir } = await run(t, 'web-handler.mjs');
  assert.deepEqual(lines.map((l) => l.replace(/ \(\d+ ms\)$/, '')), [
    'GET /report?id=7 -> MISS total=294',
    'GET /report?id=7 -> HIT total=294',
    'GET /report?id=7 -> HIT total=294',
    'evicted 1 cached report(s)',
    'GET /report?id=7 -> MISS after evict',
  ]);
  healthy(dir);
});

test('job-queue: two worker processes take 20 jobs, each exactly once', async (t) => {
  const { lines, dir } = await run(t, 'job-queue.mjs');
  assert.equal(lines[0], 'queued 20 jobs');
  const done = lines.slice(1, 3).map((l) => Number(/^worker-[ab] did (\d+) job\(s\)$/.exec(l)![1]));
  assert.equal(done[0] + done[1], 20);
  assert.equal(lines[3], 'jobs done: 20, sum of squares: 2870');
  healthy(dir);
});

test('lock: four processes add 25 each under the lock and lose nothing', async (t) => {
  const { lines, dir } = await run(t, 'lock.mjs');
  assert.deepEqual(lines, ['counter = 100 (4 processes x 25 locked increments)', 'lock held afterwards: false']);
  healthy(dir);
});

test('memoize: computed once, served to a second process from disk', async (t) => {
  const { lines, dir } = await run(t, 'memoize.mjs');
  assert.deepEqual(lines, [
    'first call: 1.08 (computed 1 time)',
    'second call: 1.08 (computed 1 time)',
    'another process: 1.08 (computed 0 times there)',
    'cache key: ["exchangeRate","EUR","USD"]',
  ]);
  healthy(dir);
});

test('keyv-cache-manager: namespaces, TTL and wrap through Keyv and cache-manager', async (t) => {
  const { lines, dir } = await run(t, 'keyv-cache-manager.mjs');
  assert.deepEqual(lines, [
    'users:ada = {"name":"Ada Lovelace"}',
    'sessions:ada = token-123',
    'sessions:ada after its TTL = undefined',
    'users:ada after sessions.clear() = {"name":"Ada Lovelace"}',
    'wrap: 42 42 (fetched 1 time)',
    'price:book expires in 60 s',
  ]);
  healthy(dir);
});

test('undici-http-cache: fetched by one process, served from disk to another; the origin asked once', async (t) => {
  const { lines, dir } = await run(t, 'undici-http-cache.mjs');
  assert.deepEqual(lines.map((l) => l.replace(/age header: \d+/, 'age header: N')), [
    'process 1: 200 sunny (age header: none)',
    'process 2: 200 sunny (age header: N)',
    'origin requests: 1',
  ]);
  healthy(dir);
});

test('express-session-cluster: a login on one process is seen by the other; a logout logs out both', async (t) => {
  const { lines, dir } = await run(t, 'express-session-cluster.mjs');
  assert.deepEqual(lines, ['POST /login on A -> logged in', 'GET /me on B -> ada', 'POST /logout on B -> logged out', 'GET /me on A -> nobody']);
  healthy(dir);
});

test('rate-limit-cluster: 15 requests over two processes with a limit of 5: exactly 5 pass', async (t) => {
  const { lines, dir } = await run(t, 'rate-limit-cluster.mjs');
  assert.deepEqual(lines, ['statuses: 200 200 200 200 200 429 429 429 429 429 429 429 429 429 429', 'allowed: 5 of 15']);
  healthy(dir);
});

test('next: a page stored by one process is served by another; revalidateTag there is a miss in both', async (t) => {
  const { lines, dir } = await run(t, 'next/demo.mjs');
  assert.deepEqual(lines, [
    'process 1 stored /blog',
    'process 2 reads /blog: <h1>Posts</h1>',
    "process 2 called revalidateTag('posts')",
    'process 1 reads /blog: miss (regenerated on this request)',
  ]);
  healthy(dir);
});
