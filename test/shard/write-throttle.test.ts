/**
 * Backpressure (src/shard/write-throttle.ts, compaction-rule.ts throttleShare): while the log is past the point where
 * compaction is wanted and the background compactor has not caught up, a writing process gives up a share of its
 * time, so the compactor gets a core and the disk stays bounded under sustained writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Cache, FanoutCache } from '../../src/index.js';
import { LINK_FRACTION, LINK_THROTTLE_FACTOR, LINK_THROTTLE_MIN_FACTOR, THROTTLE_MAX_SHARE, THROTTLE_MIN_FACTOR, THROTTLE_RAMP, throttleShare } from '../../src/shard/compaction-rule.js';
import { MAX_SLEEP_MS, WriteThrottle } from '../../src/shard/write-throttle.js';
import { tryLock } from '../../src/shard/lock.js';
import { COMPACT_LOCK } from '../../src/format/files.js';
import { tmpdir } from '../torture/harness.js';

const MiB = 1024 * 1024;

test('throttleShare: nothing until compaction is wanted and behind, then a share rising with the backlog to its cap', () => {
  const min = 8 * MiB;
  const live = 100 * MiB;
  // A large store: backpressure starts once dead bytes exceed the live bytes (where compaction is wanted).
  assert.equal(throttleShare(live + 50 * MiB, live, min), 0, 'under the trigger');
  assert.equal(throttleShare(live + live, live, min), 0, 'at the trigger');
  const half = throttleShare(live + live + (THROTTLE_RAMP / 2) * live, live, min);
  assert.ok(Math.abs(half - THROTTLE_MAX_SHARE / 2) < 1e-9, `half way up the ramp: ${half}`);
  assert.equal(throttleShare(live + live + THROTTLE_RAMP * live, live, min), THROTTLE_MAX_SHARE);
  assert.equal(throttleShare(live * 100, live, min), THROTTLE_MAX_SHARE, 'capped');
  assert.ok(THROTTLE_MAX_SHARE < 1, 'a writer always keeps some of its time');
  // A small store: not before THROTTLE_MIN_FACTOR × minBytes of dead bytes, though compaction is wanted from minBytes.
  const small = 1 * MiB;
  assert.equal(throttleShare(small + THROTTLE_MIN_FACTOR * min, small, min), 0);
  assert.ok(throttleShare(small + THROTTLE_MIN_FACTOR * min + MiB, small, min) > 0);
  // Automatic compaction off: nothing would catch up, so nothing is owed.
  assert.equal(throttleShare(live * 100, live, 0), 0);
});

/** A WriteThrottle on a fake clock, recording its sleeps and waits. */
function fake() {
  let t = 1000;
  const sleeps: number[] = [];
  const waits: number[] = [];
  const th = new WriteThrottle(() => t, (ms) => { sleeps.push(ms); t += ms; }, async (ms) => { waits.push(ms); t += ms; });
  return { th, sleeps, waits, advance: (ms: number) => { t += ms; } };
}

test('throttleShare counts the segments after the newest base too: past half as much again as a chain link compacts, dead or not', () => {
  const min = 8 * MiB;
  const live = 1000 * MiB;
  const start = (LINK_THROTTLE_FACTOR * live) / LINK_FRACTION; // 187.5 MiB: over LINK_THROTTLE_MIN_FACTOR × min
  const log = live + start; // nothing dead: the segments hold new items
  assert.equal(throttleShare(log, live, min, start), 0, 'at the point');
  const half = throttleShare(log, live, min, start + (THROTTLE_RAMP / 2) * start);
  assert.ok(Math.abs(half - THROTTLE_MAX_SHARE / 2) < 1e-9, `half way up the ramp: ${half}`);
  assert.equal(throttleShare(log, live, min, 3 * start), THROTTLE_MAX_SHARE, 'capped');
  assert.equal(throttleShare(log, live, min), 0, 'segments not counted (no background compactor): dead bytes only');
  // A store of 4 × minBytes live or more: not before LINK_THROTTLE_MIN_FACTOR × minBytes of segments.
  const grown = 40 * MiB; // all live: the segments hold every item
  assert.equal(throttleShare(grown, grown, min, LINK_THROTTLE_MIN_FACTOR * min), 0);
  assert.ok(throttleShare(grown, grown, min, LINK_THROTTLE_MIN_FACTOR * min + MiB) > 0);
  // A small one (many writers on one shard outrun a compactor just started): not before THROTTLE_MIN_FACTOR × minBytes.
  const tiny = 64 * 1024;
  assert.equal(throttleShare(THROTTLE_MIN_FACTOR * min - MiB, tiny, min, THROTTLE_MIN_FACTOR * min - MiB), 0);
});

test('WriteThrottle: owes share ÷ (1 − share) of the time between writes, and sleeps it in short pieces', () => {
  const { th, sleeps, advance } = fake();
  th.afterWrite(0.5); // the first write past the trigger only starts the clock
  assert.equal(th.owed, 0);
  for (let i = 0; i < 100; i++) {
    advance(0.01); // a write every 10 µs
    th.afterWrite(0.5);
  }
  // 1 ms of writing at share 0.5: 1 ms owed, paid in sleeps of at most MAX_SLEEP_MS once 0.25 ms is owed.
  const slept = sleeps.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(slept + th.owed - 1) < 1e-6, `slept ${slept} + owed ${th.owed}`);
  assert.ok(sleeps.length >= 2, `${sleeps.length} sleeps`);
  for (const s of sleeps) assert.ok(s > 0 && s <= MAX_SLEEP_MS, `sleep of ${s} ms`);
  assert.ok(th.owed < 0.25);
});

test('WriteThrottle: a long gap counts as at most 1 ms of work, a debt has a cap, and share 0 forgives it', () => {
  const { th, sleeps, advance } = fake();
  th.afterWrite(THROTTLE_MAX_SHARE);
  advance(60_000); // a writer that writes once a minute owes for at most 1 ms of work
  th.afterWrite(THROTTLE_MAX_SHARE);
  assert.equal(sleeps.length, 1);
  assert.ok(sleeps[0]! <= MAX_SLEEP_MS);
  const perMs = THROTTLE_MAX_SHARE / (1 - THROTTLE_MAX_SHARE);
  assert.ok(Math.abs(sleeps[0]! + th.owed - perMs) < 1e-6);
  for (let i = 0; i < 50; i++) {
    advance(1);
    th.afterWrite(THROTTLE_MAX_SHARE);
  }
  assert.ok(th.owed <= 4, `debt capped: ${th.owed}`);
  for (const s of sleeps) assert.ok(s <= MAX_SLEEP_MS);
  th.afterWrite(0); // the compactor caught up
  assert.equal(th.owed, 0);
  const n = sleeps.length;
  advance(1);
  th.afterWrite(0);
  assert.equal(sleeps.length, n, 'no sleep once compaction caught up');
});

test('WriteThrottle.owedAsync: an asynchronous caller awaits its debt with a timer, and its next write does not sleep', async () => {
  const { th, sleeps, waits, advance } = fake();
  assert.equal(th.owedAsync(), undefined, 'not throttling');
  th.afterWrite(0.5);
  advance(0.5);
  const p0 = th.owedAsync(); // 0.5 ms owed: not worth a timer yet
  assert.equal(p0, undefined);
  th.afterWrite(0.5); // the write after it adds to the debt and does not sleep
  assert.equal(sleeps.length, 0);
  assert.ok(th.owed >= 0.5);
  advance(1);
  th.owedAsync();
  th.afterWrite(0.5);
  assert.equal(sleeps.length, 0, 'an asynchronous caller never sleeps in its write');
  const owed = th.owed;
  assert.ok(owed >= 1);
  const p = th.owedAsync();
  assert.ok(p instanceof Promise);
  await p;
  assert.deepEqual(waits, [owed]);
  assert.equal(th.owed, 0);
});

/** Overwrites `key` with 1 KiB values until `cache.whenWritable()` asks to wait (at most `max` writes). */
function writeUntilThrottled(cache: Cache | FanoutCache, max: number): number {
  const value = Buffer.alloc(1024, 7);
  for (let i = 1; i <= max; i++) {
    cache.set('k', value);
    const w = cache.whenWritable('k');
    if (w !== undefined) return i;
  }
  return -1;
}

for (const kind of ['Cache', 'FanoutCache'] as const) {
  test(`${kind}: writes wait (whenWritable) while compaction is held back, and not once it caught up`, async (t) => {
    const dir = tmpdir(t, `throttle-${kind}`);
    const open = () => (kind === 'Cache' ? new Cache(dir, { compactMinBytes: 64 * 1024 }) : new FanoutCache(dir, { shards: 1, compactMinBytes: 64 * 1024 }));
    const cache = open();
    t.after(() => cache.close());
    const shardDir = kind === 'Cache' ? dir : `${dir}/000`;
    cache.set('k', 0);
    // Another process compacting (its lock taken): no compaction catches up.
    const release = tryLock(shardDir, COMPACT_LOCK);
    assert.ok(release);
    const writes = writeUntilThrottled(cache, 2000);
    // Backpressure starts past LINK_THROTTLE_MIN_FACTOR × 64 KiB of segments (~128 writes of 1 KiB), before the
    // THROTTLE_MIN_FACTOR × 64 KiB of dead bytes (~256).
    assert.ok(writes > 100 && writes < 800, `throttled after ${writes} writes`);
    await cache.whenWritable('k');
    release!();
    const shard = kind === 'Cache' ? (cache as Cache) : (cache as FanoutCache).shards[0]!;
    const r = await shard.compactAsync();
    assert.ok(r.base > 0, 'compacted once the lock was free');
    cache.set('k', 1);
    assert.equal(cache.whenWritable('k'), undefined, 'nothing owed once compaction caught up');
    assert.equal(cache.get('k'), 1);
  });
}

test('throttleWrites: false never asks a write to wait for compaction', async (t) => {
  const dir = tmpdir(t, 'throttle-off');
  const cache = new Cache(dir, { compactMinBytes: 64 * 1024, throttleWrites: false });
  t.after(() => cache.close());
  cache.set('k', 0);
  const release = tryLock(dir, COMPACT_LOCK);
  assert.ok(release);
  t.after(() => release!());
  assert.equal(writeUntilThrottled(cache, 1000), -1);
});

test('throttleWrites must be a boolean: TypeError, nothing created', (t) => {
  const dir = tmpdir(t, 'throttle-bad');
  const sub = `${dir}/c`;
  assert.throws(() => new Cache(sub, { throttleWrites: 'yes' as unknown as boolean }), (e: Error) => e instanceof TypeError && /throttleWrites/.test(e.message));
  assert.equal(fs.existsSync(sub), false);
});
