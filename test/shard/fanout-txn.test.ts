/**
 * FanoutCache.transact is atomic across shards (issue 13 item 6): after an I/O error or a SIGKILL between the shards'
 * commits, every process sees all of the transaction or none of it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FanoutCache, IOError } from '../../src/index.js';
import { OP_TXN } from '../../src/format/record.js';
import { FaultyFs } from '../torture/faulty-fs.js';
import { runWorker, startWorker } from '../fixtures/spawn.js';

function tmpdir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-fanout-txn-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A 2-shard FanoutCache with a = 100 on one shard and b = 0 on the other; returns the two keys. */
function setUp(dir: string): [string, string] {
  const f = new FanoutCache(dir, { shards: 2 });
  const keys: string[][] = [[], []];
  for (let i = 0; keys[0].length === 0 || keys[1].length === 0; i++) {
    f.set(`k${i}`, 0);
    keys[f.shards[0].has(`k${i}`) ? 0 : 1].push(`k${i}`);
  }
  f.clear();
  const [a, b] = [keys[0][0], keys[1][0]];
  f.set(a, 100);
  f.set(b, 0);
  f.close();
  return [a, b];
}

/** What another process reads. */
async function readElsewhere(dir: string, a: string, b: string): Promise<[number, number]> {
  const [line] = await runWorker('fanout-read', dir, a, b);
  return JSON.parse(line);
}

const transfer = (f: FanoutCache, a: string, b: string) => f.transact(() => {
  f.set(a, (f.get(a) as number) - 30);
  f.set(b, (f.get(b) as number) + 30);
});

test('ENOSPC on the second shard\'s commit: the transaction applies in full, in every process (issue 13 item 6)', async (t) => {
  const dir = tmpdir(t);
  const [a, b] = setUp(dir);
  let txns = 0;
  const layer = new FaultyFs((call) => (call.name === 'writeSync' && call.op === OP_TXN && ++txns === 2 ? { kind: 'throw', code: 'ENOSPC' } : null));
  const f = new FanoutCache(dir, { shards: 2, fs: layer.fs });
  assert.throws(() => transfer(f, a, b), IOError);
  assert.equal(layer.injected, 1);
  const here = [f.get(a), f.get(b)];
  assert.deepEqual(here, [70, 30], 'this process sees all of it');
  assert.deepEqual(await readElsewhere(dir, a, b), [70, 30], 'another process agrees');
  f.set('after', 1, { retry: true });
  assert.deepEqual(f.check(), []);
  f.close();
});

test('ENOSPC writing the commit point: nothing applies, in every process, and no window stays open (issue 13 item 6)', async (t) => {
  const dir = tmpdir(t);
  const [a, b] = setUp(dir);
  const layer = new FaultyFs((call) => (call.name === 'writeFileSync' && call.path?.includes(`${path.sep}intents${path.sep}`) ? { kind: 'throw', code: 'ENOSPC' } : null));
  const f = new FanoutCache(dir, { shards: 2, fs: layer.fs, timeout: 2 });
  assert.throws(() => transfer(f, a, b), IOError);
  assert.deepEqual([f.get(a), f.get(b)], [100, 0]);
  assert.deepEqual(await readElsewhere(dir, a, b), [100, 0]);
  assert.equal(f.set(a, 99), true, 'no window left open: a write goes through at once');
  f.close();
});

test('SIGKILL between the shards\' commits: every process sees the whole transaction (issue 13 item 6)', async (t) => {
  const dir = tmpdir(t);
  const [a, b] = setUp(dir);
  const child = startWorker('fanout-transfer-crash', dir, a, b, 'txn1');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 137 : null))));
  assert.equal(code, 137, 'the writer was killed');
  const first = await readElsewhere(dir, a, b);
  assert.equal(first[0] + first[1], 100, `a + b = ${first[0]} + ${first[1]}`);
  assert.deepEqual(first, [70, 30]);
  const f = new FanoutCache(dir, { shards: 2, timeout: 30 });
  assert.deepEqual([f.get(a), f.get(b)], [70, 30]);
  f.set('after', 1, { retry: true });
  assert.deepEqual(f.check(), []);
  f.close();
});

test('SIGKILL before the commit point: nothing applies, and the windows close with the lease (issue 13 item 6)', async (t) => {
  const dir = tmpdir(t);
  const [a, b] = setUp(dir);
  const child = startWorker('fanout-transfer-crash', dir, a, b, 'intent');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 137 : null))));
  assert.equal(code, 137);
  assert.deepEqual(await readElsewhere(dir, a, b), [100, 0]);
  const f = new FanoutCache(dir, { shards: 2, timeout: 30 });
  assert.equal(f.set(a, 99, { retry: true }), true);
  assert.equal(f.set(b, 1, { retry: true }), true);
  assert.deepEqual([f.get(a), f.get(b)], [99, 1]);
  assert.deepEqual(f.check(), []);
  f.close();
});
