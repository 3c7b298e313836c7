/** Lock, RLock and BoundedSemaphore: barrier factories, re-entrancy by async call chain, timeout, abort, await using. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BoundedSemaphore, Cache, Lock, RLock, Timeout, barrier } from '../../src/index.js';

function open(t: { after(fn: () => void): void }): Cache {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-locks-'));
  const c = new Cache(dir);
  t.after(() => {
    c.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return c;
}

const tick = () => new Promise((r) => setTimeout(r, 2));

/** Runs `n` concurrent calls of `f` and returns the most that were inside at once. */
async function maxInside(n: number, enter: (body: () => Promise<void>) => Promise<unknown>): Promise<number> {
  let inside = 0;
  let max = 0;
  await Promise.all(Array.from({ length: n }, () => enter(async () => {
    max = Math.max(max, ++inside);
    await tick();
    await tick();
    inside--;
  })));
  return max;
}

test('barrier takes Lock, RLock and BoundedSemaphore as lock factories, as diskcache lists them', async (t) => {
  const c = open(t);
  for (const Factory of [Lock, RLock, BoundedSemaphore]) {
    const max = await maxInside(4, (body) => barrier(c, Factory, { name: `b-${Factory.name}` })(body)());
    assert.equal(max, 1, `${Factory.name}: one call at a time`);
  }
  // BoundedSemaphore's value and options may come as one object (the form barrier calls factories with).
  const sem = new BoundedSemaphore(c, 'two', { value: 2, expire: 60 });
  assert.equal(sem.value, 2);
  assert.equal(await maxInside(4, (body) => sem.using(body)), 2);
});

test('RLock: concurrent tasks sharing one RLock exclude each other; nested acquires in one chain re-enter', async (t) => {
  const c = open(t);
  const lock = new RLock(c, 'r');
  const guarded = barrier(c, RLock, { name: 'rb' })(async (body: () => Promise<void>) => body());
  assert.equal(await maxInside(3, (body) => guarded(body)), 1, 'three tasks inside one barrier(cache, RLock) exclude each other');
  assert.equal(await maxInside(3, (body) => lock.using(body)), 1, 'three tasks using one RLock object exclude each other');
  // Re-entry: the holder's chain acquires again (deep in awaits) without waiting.
  const depth = await lock.using(async () => {
    await tick();
    return lock.using(async () => {
      const held = await lock.acquire({ timeout: 1 });
      held.release();
      return (c.get('r') as [string, number])[1];
    });
  });
  assert.equal(depth, 2, 'two scopes deep: count 2');
  assert.deepEqual((c.get('r') as [string, number])[1], 0);
  // A task outside the holder's chain waits.
  let release!: () => void;
  const holding = lock.using(() => new Promise<void>((r) => (release = r)));
  await tick();
  await assert.rejects(lock.acquire({ timeout: 0.05 }), Timeout);
  release();
  await holding;
});

test('acquire takes { timeout } (Timeout, code LOGCACHE_TIMEOUT) and { signal } (rejects with its reason); nothing is held after', async (t) => {
  const c = open(t);
  for (const make of [() => new Lock(c, 'l'), () => new RLock(c, 'rl'), () => new BoundedSemaphore(c, 's', 1)]) {
    const a = make();
    const b = make();
    const held = await a.acquire();
    await assert.rejects(b.acquire({ timeout: 0.02 }), (err: Timeout) => err instanceof Timeout && err.code === 'LOGCACHE_TIMEOUT');
    const ac = new AbortController();
    const waiting = b.acquire({ signal: ac.signal });
    setTimeout(() => ac.abort(new Error('stop waiting')), 10);
    await assert.rejects(waiting, /stop waiting/);
    await assert.rejects(b.acquire({ signal: AbortSignal.abort() }), { name: 'AbortError' });
    held.release();
    held.release(); // a guard releases once
    const again = await b.acquire({ timeout: 1 });
    again.release();
  }
  await assert.rejects(new Lock(c, 'x').acquire({ timeout: -1 }), RangeError);
  await assert.rejects(new Lock(c, 'x').acquire({ signal: 'no' as never }), TypeError);
});

test('await using releases a lock at the end of the block, also when the block throws', async (t) => {
  const c = open(t);
  const lock = new Lock(c, 'u');
  {
    await using held = await lock.acquire();
    assert.equal(lock.locked(), true);
    void held;
  }
  assert.equal(lock.locked(), false);
  await assert.rejects((async () => {
    await using _held = await lock.acquire();
    throw new Error('inside');
  })(), /inside/);
  assert.equal(lock.locked(), false);
  const sem = new BoundedSemaphore(c, 'us', 1);
  {
    using _held = await sem.acquire();
    assert.equal(c.get('us'), 0);
  }
  assert.equal(c.get('us'), 1);
});
