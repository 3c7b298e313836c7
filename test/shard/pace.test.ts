/**
 * Pacing of the compactor's work (src/shard/pace.ts): a pause once per slice of work, only while more tasks are
 * runnable than there are CPUs; and the hooks that call it come often enough during a load and a base's writing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pacer, runnableTasks } from '../../src/shard/pace.js';
import { Shard } from '../../src/shard/shard.js';
import { compact } from '../../src/shard/compaction.js';
import { Cache } from '../../src/index.js';
import { tmpdir } from '../torture/harness.js';

/** A pacer on a clock the test moves, over a machine whose runnable count the test sets. */
function staged(runnable: number) {
  const s = { now: 0, runnable, slept: [] as number[] };
  const p = pacer({ sliceMs: 1, napMs: 0.25, cpus: 2, now: () => s.now, runnable: () => s.runnable, sleep: (ms) => s.slept.push(ms) });
  return { s, p };
}

test('a busy machine: one pause per slice of work, none within a slice', () => {
  const { s, p } = staged(3);
  for (let i = 0; i < 9; i++) {
    s.now += 0.1;
    assert.equal(p.tick(), false, 'within the first millisecond of work');
  }
  s.now += 0.2;
  assert.equal(p.tick(), true, 'a slice of work done');
  assert.deepEqual(s.slept, [0.25]);
  s.now += 0.5;
  assert.equal(p.tick(), false, 'the next slice starts after the pause');
  s.now += 0.6;
  assert.equal(p.tick(), true);
  assert.equal(p.pauses, 2);
});

test('a CPU to spare (or no way to tell): the work is never paused, the slice still ends', () => {
  for (const runnable of [2, 1, 0]) {
    const { s, p } = staged(runnable);
    for (let i = 0; i < 5; i++) {
      s.now += 1;
      assert.equal(p.tick(), true, 'each slice is reported, for the periodic checks');
    }
    assert.deepEqual(s.slept, [], `runnable ${runnable} on 2 CPUs`);
    assert.equal(p.pauses, 0);
  }
});

test('the running count is read from /proc/loadavg: this process is running', { skip: process.platform !== 'linux' }, () => {
  const n = runnableTasks();
  assert.ok(Number.isInteger(n) && n >= 1, `running count ${n}`);
});

test('the real sleep gives the CPU back: a paused tick takes at least the pause', () => {
  const p = pacer({ sliceMs: 0, napMs: 5, cpus: 1, runnable: () => 2 });
  const t = performance.now();
  assert.equal(p.tick(), true);
  assert.ok(performance.now() - t >= 4.5, 'slept about 5 ms');
  assert.equal(p.pauses, 1);
});

test('a load, and the writing of a base, call the hook every 64 frames: the pacer gets its chance', (t) => {
  const dir = tmpdir(t, 'pace-hooks');
  const items = 20_000;
  const cache = new Cache(dir, { compactMinBytes: 0 });
  for (let i = 0; i < items; i++) cache.set(`k${i}`, 'v'.repeat(50));
  cache.close();
  let calls = 0;
  const shard = new Shard(dir, { compactMinBytes: 0, onChunk: () => calls++ });
  t.after(() => shard.close());
  assert.ok(calls >= Math.floor(items / 64), `${calls} calls while ${items} frames were read`);
  calls = 0;
  assert.ok(compact(shard, true, false).items >= items);
  assert.ok(calls >= Math.floor(items / 64), `${calls} calls while a base of ${items} items was written`);
});
