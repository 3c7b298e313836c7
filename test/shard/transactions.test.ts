/** Transactions on one shard: what may run inside one, commits that do not apply, size accounting, memory bound. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cache, InTransactionError, TransactionAborted } from '../../src/index.js';
import { OP_ABORT } from '../../src/format/record.js';
import { Shard } from '../../src/shard/shard.js';
import { logDiskBytes } from '../../src/shard/compaction.js';

function tmpdir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-txn-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('compact() inside transact is refused with a typed error and changes nothing (issue 13 item 2)', (t) => {
  const dir = tmpdir(t);
  const c = new Cache(dir);
  c.set('n', 10);
  c.push('q-item', { prefix: 'q' });
  assert.throws(() => c.transact(() => {
    c.incr('n', { delta: 1 });
    c.push('rolled back', { prefix: 'q' });
    c.compact();
  }), InTransactionError);
  c.transact(() => {
    c.incr('n', { delta: 1 });
    assert.throws(() => c.compact(), (e: unknown) => e instanceof InTransactionError && e.code === 'LOGCACHE_IN_TRANSACTION');
  });
  assert.equal(c.get('n'), 11);
  c.close();
  const fresh = new Cache(dir);
  assert.equal(fresh.get('n'), 11, 'the rolled-back increment is gone and the committed one applied once');
  assert.equal(fresh.size, 2);
  assert.deepEqual(fresh.check(), []);
  fresh.close();
});

test('check({ fix: true }) inside transact is refused; check() without fix still runs (issue 13 item 2)', (t) => {
  const dir = tmpdir(t);
  const c = new Cache(dir);
  c.set('n', 10);
  assert.throws(() => c.transact(() => {
    c.set('rolled back', 1);
    c.check({ fix: true });
  }), InTransactionError);
  c.transact(() => {
    c.incr('n');
    assert.deepEqual(c.check(), []);
    assert.throws(() => c.check({ fix: true }), InTransactionError);
  });
  c.close();
  const fresh = new Cache(dir);
  assert.equal(fresh.get('n'), 11);
  assert.equal(fresh.get('rolled back'), undefined);
  fresh.close();
});

test('a commit whose window was aborted meanwhile throws TransactionAborted, and nothing of it applies (issue 13 item 3)', (t) => {
  const dir = tmpdir(t);
  const c = new Cache(dir);
  c.set('a', 100);
  const other = new Shard(dir);
  assert.throws(() => c.transact(() => {
    c.set('a', 30);
    c.set('b', 70);
    // Another process takes the window's owner for gone and closes the window.
    other.append(OP_ABORT, { time: Date.now() / 1000, num1: c.shard.writer });
  }), TransactionAborted);
  assert.equal(c.get('a'), 100);
  assert.equal(c.get('b'), undefined);
  other.close();
  c.close();
  const fresh = new Cache(dir);
  assert.equal(fresh.get('a'), 100);
  assert.equal(fresh.get('b'), undefined);
  fresh.close();
});

test('items set in one transaction are each counted at their own size (issue 13 item 5)', (t) => {
  const dir = tmpdir(t);
  const c = new Cache(dir, { evictionPolicy: 'least-recently-stored', sizeLimit: 2 ** 40 });
  const value = 'v'.repeat(1000);
  c.transact(() => {
    for (let i = 0; i < 3000; i++) c.set(`k${i}`, value);
  });
  const onDisk = logDiskBytes(c.shard);
  assert.ok(c.volume() <= 1.1 * onDisk, `volume() ${c.volume()} must not exceed the ${onDisk} bytes on disk`);
  assert.ok(c.volume() > 3000 * 1000, `volume() ${c.volume()} counts every item`);
  c.close();
  // Another process (a fresh handle) accounts the same.
  const fresh = new Cache(dir);
  assert.ok(fresh.volume() <= 1.1 * onDisk);
  // cull() under a limit a little below the live data evicts a few items, not most of them.
  fresh.reset('sizeLimit', 3000 * 1100 - 100 * 1100);
  fresh.cull();
  assert.ok(fresh.size > 2800, `cull() left ${fresh.size} of 3000 items`);
  fresh.close();
});

test('a log of keys rewritten in transactions is compacted automatically (issue 13 item 5)', async (t) => {
  const dir = tmpdir(t);
  const compactMinBytes = 256 * 1024;
  const c = new Cache(dir, { compactMinBytes, segmentBytes: 1024 * 1024 });
  const value = 'x'.repeat(400);
  for (let round = 0; round < 300; round++) {
    c.transact(() => {
      for (let i = 0; i < 200; i++) c.set(`k${i}`, `${round}:${value}`);
    });
  }
  // 300 rounds write ~26 MB for ~100 kB live; compaction keeps the log near its threshold plus the live data.
  const live = 200 * 500;
  assert.ok(c.volume() < 2 * live, `volume() ${c.volume()} for ~${live} live bytes`);
  // Compaction runs in the background (issue 14): once this loop, which never yielded, lets the event loop run, the
  // compactor brings the log back near its threshold plus the live data (polled, bounded, not timed).
  const bound = 4 * (compactMinBytes + live);
  for (let i = 0; i < 1200 && logDiskBytes(c.shard) >= bound; i++) {
    await new Promise((r) => setTimeout(r, 50));
    c.get('k0'); // a call lets the switch to a new base take its slices
  }
  const onDisk = logDiskBytes(c.shard);
  assert.ok(onDisk < bound, `log ${onDisk} bytes for ~${live} live bytes`);
  assert.equal(c.get('k7'), `299:${value}`);
  c.close();
});

test('values written in a transaction are cached within the value cache bound (issue 13 item 15)', (t) => {
  const dir = tmpdir(t);
  const c = new Cache(dir);
  const value = Buffer.alloc(30_000, 7);
  c.transact(() => {
    for (let i = 0; i < 300; i++) c.set(`k${i}`, value);
  });
  const cached = c.shard.valueCacheBytes;
  assert.ok(cached <= 1024 * 1024, `${cached} bytes of values cached after the commit`);
  assert.deepEqual(c.get('k299'), value);
  c.close();
});
