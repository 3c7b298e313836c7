// A cross-process lock: four processes each add 25 to a counter with a read-modify-write (get, then set), which
// loses updates when two processes interleave. Holding the lock around it makes the total exactly 100.
//
// The lock is diskcache's recipe: add() stores the key only if it is absent, atomically across processes, so one
// caller wins; the expiry frees the lock if its holder dies. Release deletes the key only while it is still ours.
// Run: node examples/lock.mjs [DIR]
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Cache } from 'logcache';

const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'logcache-lock-'));
const cache = new Cache(dir);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` holding the lock `name` (expires after `expire` seconds if the holder dies). */
async function withLock(name, fn, { expire = 10 } = {}) {
  const token = randomUUID();
  while (!cache.add(name, token, { expire })) await sleep(1); // another process holds it: wait
  try {
    return await fn();
  } finally {
    // Delete only our own lock (it may have expired and been taken by someone else meanwhile).
    cache.transact(() => {
      if (cache.get(name) === token) cache.delete(name);
    });
  }
}

if (process.argv[3] === 'worker') {
  for (let i = 0; i < 25; i++) {
    await withLock('counter-lock', async () => {
      const n = cache.get('counter', { default: 0 });
      await sleep(0); // the window in which another process would overwrite the counter without the lock
      cache.set('counter', n + 1);
    });
  }
  cache.close();
} else {
  cache.set('counter', 0);
  const workers = [1, 2, 3, 4].map(() => fork(fileURLToPath(import.meta.url), [dir, 'worker']));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.on('exit', resolve))));
  console.log(`counter = ${cache.get('counter')} (4 processes x 25 locked increments)`);
  console.log(`lock held afterwards: ${cache.has('counter-lock')}`);
  cache.close();
}
