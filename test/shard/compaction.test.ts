/**
 * Compaction (src/shard/compaction.ts) through its interface, compact(shard): only the invariants any compactor must
 * keep, so the file survives changes to when and how a compaction runs. It keeps exactly the live items (keys,
 * values, insertion order, settings) and drops the dead records; every handle and a reopen see the same; a store
 * with nothing to reclaim does not grow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeKey } from '../../src/format/keys.js';
import { FLAG_HAS_EXPIRE, OP_DELETE, OP_INCR, OP_SET, OP_SETTING } from '../../src/format/record.js';
import { now } from '../../src/clock.js';
import { NIL } from '../../src/shard/keydir.js';
import { Shard } from '../../src/shard/shard.js';
import { compact, logDiskBytes } from '../../src/shard/compaction.js';
import { mulberry32, randomBytes } from '../fixtures/prng.js';
import { shardContents } from '../fixtures/records.js';
import { tempDir } from '../fixtures/tmp.js';
import { fakeClock } from '../fixtures/clock.js';

/** A shard on `dir` that compacts only when told, closed when the test ends. */
function open(t: { after(fn: () => void): void }, dir: string): Shard {
  const shard = new Shard(dir, { compactMinBytes: 0 });
  t.after(() => shard.close());
  return shard;
}
const set = (shard: Shard, key: string, value: Buffer, expire?: number) => shard.append(OP_SET, {
  time: now(), key: encodeKey(key), value, ...(expire === undefined ? {} : { flags: FLAG_HAS_EXPIRE, num1: expire }),
});

/** A seeded history of sets, overwrites, deletes and incrs over 50 keys: most of its records are dead. */
function churn(shard: Shard, seed: number, ops = 600): void {
  const next = mulberry32(seed);
  for (let i = 0; i < ops; i++) {
    const key = `k${Math.floor(next() * 50)}`;
    const roll = next();
    if (roll < 0.7) set(shard, key, randomBytes(next, 1 + Math.floor(next() * 200)));
    else if (roll < 0.9) shard.append(OP_DELETE, { time: now(), key: encodeKey(key) });
    else shard.append(OP_INCR, { time: now(), key: encodeKey(`n${key}`), num1: 1 });
  }
}

test('compaction keeps exactly the live items, in insertion order, and drops the dead records', (t) => {
  const dir = tempDir(t);
  const shard = open(t, dir);
  churn(shard, 14);
  const live = shardContents(shard);
  assert.ok(live.length > 0);
  const before = logDiskBytes(shard);
  const result = compact(shard);
  assert.equal(result.items, live.length);
  assert.deepEqual(shardContents(shard), live);
  assert.ok(logDiskBytes(shard) < before, `the log shrank: ${logDiskBytes(shard)} < ${before}`);
  assert.deepEqual([result.bytesBefore, result.bytesAfter], [before, logDiskBytes(shard)], 'the result says what it did');
});

test('after a compaction, another handle and a reopen see the same items, and writes go on on top of them', (t) => {
  const dir = tempDir(t);
  const a = open(t, dir);
  const b = open(t, dir);
  churn(a, 15);
  compact(a);
  const live = shardContents(a);
  assert.deepEqual(shardContents(b), live);
  assert.deepEqual(shardContents(open(t, dir)), live);
  set(b, 'after', Buffer.from('v'));
  assert.deepEqual(shardContents(a), [...live, [encodeKey('after').toString('hex'), Buffer.from('v').toString('hex')]]);
});

test('settings and items that expire later survive a compaction; items whose records were removed do not come back', (t) => {
  const clock = fakeClock(t);
  const dir = tempDir(t);
  const shard = open(t, dir);
  shard.append(OP_SETTING, { time: now(), key: Buffer.from('cullLimit'), value: Buffer.from('7') });
  set(shard, 'soon', Buffer.from('v'), clock.now() + 60);
  set(shard, 'deleted', Buffer.from('v'));
  shard.append(OP_DELETE, { time: now(), key: encodeKey('deleted') });
  compact(shard);
  const reopened = open(t, dir);
  reopened.sync();
  assert.equal(reopened.state.settings.get('cullLimit'), 7);
  const kd = reopened.state.kd;
  assert.equal(kd.expireOf(kd.find(encodeKey('soon'))), clock.now() + 60);
  assert.equal(kd.find(encodeKey('deleted')), NIL);
  assert.equal(kd.count, 1);
});

test('a compaction of a store with nothing to reclaim (compacted already) does not make it larger', (t) => {
  const dir = tempDir(t);
  const shard = open(t, dir);
  churn(shard, 16);
  compact(shard);
  const live = shardContents(shard);
  const size = logDiskBytes(shard);
  const again = compact(shard);
  assert.ok(again.bytesAfter <= again.bytesBefore, `${again.bytesAfter} <= ${again.bytesBefore}`);
  assert.ok(logDiskBytes(shard) <= size, `${logDiskBytes(shard)} <= ${size}`);
  assert.deepEqual(shardContents(shard), live);
});

// A base entry carries its item's rowid, version and slot (ENTRY_META_BYTES) that a SET record leaves to the replay:
// a base of a log with no dead record would be larger (32,135 -> 36,299 bytes for these 200 items), so compaction
// declines when there is nothing to reclaim (test/shard/compaction-size.test.ts covers it through the API).
test('a store of live items only is not larger once compacted', (t) => {
  const dir = tempDir(t);
  const shard = open(t, dir);
  const next = mulberry32(17);
  for (let i = 0; i < 200; i++) set(shard, `k${i}`, randomBytes(next, 1 + Math.floor(next() * 200)));
  const live = shardContents(shard);
  const result = compact(shard);
  assert.ok(result.bytesAfter <= result.bytesBefore, `${result.bytesAfter} <= ${result.bytesBefore}`);
  assert.deepEqual(shardContents(shard), live);
});

test('compacting an empty store leaves an empty store', (t) => {
  const dir = tempDir(t);
  const shard = open(t, dir);
  const result = compact(shard);
  assert.equal(result.items, 0);
  assert.deepEqual(shardContents(open(t, dir)), []);
});
