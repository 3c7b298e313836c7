/** diskcache's recipes in one process, on the implementation (each takes a Cache or a FanoutCache). */
import assert from 'node:assert/strict';
import { Averager, BoundedSemaphore, Lock, RLock, barrier, memoizeStampede, throttle } from '../../../src/index.js';
import type { RuleContext } from '../suite.js';

export function registerRecipes({ rule, fresh }: RuleContext): void {
  rule('Averager keeps a running average; pop removes it', (t) => {
    const cache = fresh(t);
    const avg = new Averager(cache, 'latency');
    assert.equal(avg.get(), null);
    for (const v of [1, 2, 3, 6]) avg.add(v);
    assert.equal(avg.get(), 3);
    assert.equal(avg.pop(), 3);
    assert.equal(avg.get(), null);
  });

  rule('RLock is re-entrant within its scope and refuses a release it does not hold', async (t) => {
    const cache = fresh(t);
    const a = new RLock(cache, 'r');
    await a.using(async () => {
      await a.acquire();
      await a.acquire();
      a.release();
      a.release();
    });
    assert.throws(() => a.release(), /cannot release un-acquired lock/);
  });

  rule('BoundedSemaphore refuses a release above its initial value', async (t) => {
    const cache = fresh(t);
    const s = new BoundedSemaphore(cache, 's', 2);
    await s.acquire();
    s.release();
    assert.throws(() => s.release(), /cannot release un-acquired semaphore/);
  });

  rule('barrier runs calls one at a time under a Lock', async (t) => {
    const cache = fresh(t);
    let inside = 0;
    let max = 0;
    const f = barrier(cache, Lock, { name: 'serial' })(async () => {
      max = Math.max(max, ++inside);
      await new Promise((r) => setTimeout(r, 2));
      inside--;
    });
    await Promise.all([f(), f(), f(), f()]);
    assert.equal(max, 1);
  });

  rule('throttle with a fake clock: two immediate calls, then one every half second', async (t) => {
    const cache = fresh(t);
    let now = 1000;
    const sleeps: number[] = [];
    const f = throttle(cache, 2, 1, { name: 'rate', timeFunc: () => now, sleepFunc: async (s) => { sleeps.push(s); now += s; } })(() => 'ok');
    for (let i = 0; i < 5; i++) await f();
    assert.deepEqual(sleeps.map((s) => Math.round(s * 100) / 100), [0.5, 0.5, 0.5]);
  });

  rule('memoizeStampede in one process: cached results, cacheKey on the wrapper', async (t) => {
    const cache = fresh(t);
    let calls = 0;
    const f = memoizeStampede(cache, 60)(async function double(x: number) { calls++; return x * 2; });
    assert.equal(await f(2), 4);
    assert.equal(await f(2), 4);
    assert.equal(calls, 1);
    const [base, ...args] = f.cacheKey(2) as [string, ...unknown[]];
    assert.match(base, /^double#[0-9a-f]{16}$/);
    assert.deepEqual(args, [2]);
  });
}
