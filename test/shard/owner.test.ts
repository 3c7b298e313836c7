/**
 * Transaction windows and their owners (issue 13 items 3, 4): an owner is judged by more than its pid, a window never
 * outlives its owner's ability to finish it (the lease), and a commit that did not apply fails in its owner.
 * Multi-process cases spawn real processes; the PID-namespace cases use `unshare` (root), else skip saying why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Cache, TransactionAborted } from '../../src/index.js';
import { OP_BEGIN } from '../../src/format/record.js';
import { Shard } from '../../src/shard/shard.js';
import { encodeIdentity, selfIdentity } from '../../src/shard/owner.js';
import { FaultyFs } from '../torture/faulty-fs.js';
import { startWorker } from '../fixtures/spawn.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WORKER = path.join(HERE, '..', 'fixtures', 'worker.ts');
const SLEEP = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => Atomics.wait(SLEEP, 0, 0, ms);

function tmpdir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-owner-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Why `unshare --pid --fork --mount-proc` cannot run here, or null when it can. */
function unshareUnavailable(): string | null {
  if (process.platform !== 'linux') return 'PID namespaces need Linux';
  const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' });
  if (r.error) return `unshare not found (${(r.error as NodeJS.ErrnoException).code})`;
  return r.status === 0 ? null : `unshare --pid --fork --mount-proc failed (exit ${r.status}; needs root or user namespaces)`;
}

/** Spawns worker.ts inside a new PID namespace (it is PID 1 there). */
function startInNamespace(task: string, dir: string, ...args: (string | number)[]) {
  return spawn('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, '--import', 'tsx', WORKER, task, dir, ...args.map(String)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(child: ReturnType<typeof spawn>): Promise<number | null> {
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code, signal) => {
    if (code !== 0 && stderr) process.stderr.write(stderr);
    resolve(code ?? (signal ? 128 : null));
  }));
}

/** Inside a transaction: keeps making calls (which renew the lease) until `marker` exists, then `holdMs` more. */
function holdUntil(c: Cache, marker: string, holdMs: number, renew: boolean): void {
  const until = Date.now() + 60_000;
  while (!fs.existsSync(marker) && Date.now() < until) {
    if (renew) c.get('renew');
    sleep(20);
  }
  assert.ok(fs.existsSync(marker), 'the other process started');
  for (const end = Date.now() + holdMs; Date.now() < end;) {
    if (renew) c.get('renew');
    sleep(20);
  }
}

test('a process in another PID namespace does not take a living owner for dead (issue 13 item 3)', async (t) => {
  const why = unshareUnavailable();
  if (why) return t.skip(why);
  const dir = tmpdir(t);
  const marker = path.join(dir, 'marker');
  const c = new Cache(dir);
  let child: ReturnType<typeof spawn> | null = null;
  // The owner's pid does not exist in the child's namespace: by its pid alone, the child would abort the window.
  c.transact(() => {
    c.set('a', 1);
    child = startInNamespace('set-marked', dir, 'b', 2, marker);
    holdUntil(c, marker, 1000, true);
  });
  assert.equal(await exited(child!), 0);
  assert.equal(c.get('a'), 1, 'the transaction applied');
  assert.equal(c.get('b'), 2, 'the other process wrote after the window closed');
  c.close();
});

test('a window whose owner pid now names another process (pid reuse) is closed at once (issue 13 item 4)', (t) => {
  const dir = tmpdir(t);
  new Cache(dir).close();
  // A BEGIN whose owner has this process's pid but another start time: the pid was reused, its owner is gone.
  const me = selfIdentity();
  if (me.pidNs === 0) return t.skip('no /proc: process start times cannot be read here');
  const ghost = new Shard(dir);
  ghost.beginTxn(Date.now() + 1000);
  ghost.close();
  const raw = new Shard(dir);
  raw.append(OP_BEGIN, { time: Date.now() / 1000, num1: me.pid, num2: Date.now() / 1000 + 3600, value: encodeIdentity({ ...me, startTicks: me.startTicks + 1 }) });
  raw.close();
  const c = new Cache(dir, { timeout: 5 });
  c.set('k', 1); // before: Timeout after 5 s (the pid answers kill(pid, 0))
  assert.equal(c.get('k'), 1);
  c.close();
});

test('a window of an owner killed as PID 1 of its namespace is closed by the lease (issue 13 item 4)', async (t) => {
  const why = unshareUnavailable();
  if (why) return t.skip(why);
  const dir = tmpdir(t);
  new Cache(dir).close();
  // Node as PID 1 in a container dies inside transact; pid 1 also runs in the host namespace (init).
  assert.notEqual(await exited(startInNamespace('die-in-txn', dir, 1)), 0);
  const c = new Cache(dir, { timeout: 30 });
  c.set('k', 1);
  assert.equal(c.get('x'), undefined, 'the dead owner\'s write did not apply');
  assert.equal(c.get('k'), 1);
  // It restarts (PID 1 again, in a new namespace) and works.
  const again = startInNamespace('set-marked', dir, 'after', 3, path.join(dir, 'marker'));
  assert.equal(await exited(again), 0);
  assert.equal(c.get('after'), 3);
  c.close();
});

test('worker.terminate() inside transact: the window is closed once its lease runs out (issue 13 item 4)', async (t) => {
  const dir = tmpdir(t);
  new Cache(dir).close();
  // A TypeScript worker: register tsx's loader in the thread, then import the fixture.
  const fixture = new URL('../fixtures/txn-thread.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(fixture)}); })`, {
    eval: true, workerData: { dir, lease: 1 },
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  await worker.terminate();
  const c = new Cache(dir, { timeout: 30 });
  c.set('m', 1); // before: Timeout (the owner's pid, ours, runs)
  assert.equal(c.get('m'), 1);
  assert.equal(c.get('w'), undefined);
  c.close();
});

test('close() inside transact aborts the transaction and closes its window (issue 13 item 4)', (t) => {
  const dir = tmpdir(t);
  const c = new Cache(dir);
  assert.throws(() => c.transact(() => {
    c.set('a', 1);
    c.close();
  }), TransactionAborted);
  const d = new Cache(dir, { timeout: 2 });
  d.set('b', 2); // the window is closed: no wait
  assert.equal(d.get('a'), undefined);
  assert.equal(d.get('b'), 2);
  d.close();
});

test('a window whose ABORT could not be written (full disk) is closed once its lease runs out (issue 13 item 4)', (t) => {
  const dir = tmpdir(t);
  let full = false;
  const layer = new FaultyFs((call) => (full && call.name === 'writeSync' ? { kind: 'throw', code: 'ENOSPC' } : null));
  const c = new Cache(dir, { fs: layer.fs, transactionLease: 1 });
  assert.throws(() => c.transact(() => {
    c.set('a', 1);
    full = true;
    throw new Error('boom');
  }), /boom/);
  // The owner now only reads (the space is still gone for it).
  assert.equal(c.get('a'), undefined);
  const other = new Cache(dir, { timeout: 30 });
  other.set('b', 2); // before: Timeout (the window's owner, this process, runs)
  assert.equal(other.get('b'), 2);
  assert.equal(c.get('b'), 2);
  other.close();
  full = false;
  c.close();
});

test('a transaction that overran its lease and was aborted fails loudly in its owner (issue 13 item 4)', async (t) => {
  const dir = tmpdir(t);
  const marker = path.join(dir, 'marker');
  const c = new Cache(dir, { transactionLease: 0.5 });
  let child: ReturnType<typeof spawn> | null = null;
  assert.throws(() => c.transact(() => {
    c.set('a', 1);
    child = startWorker('set-marked', dir, 'b', 2, marker);
    holdUntil(c, marker, 2000, false); // no call on the cache: the lease is not renewed
  }), TransactionAborted);
  assert.equal(await exited(child!), 0);
  assert.equal(c.get('a'), undefined);
  assert.equal(c.get('b'), 2);
  c.close();
});
