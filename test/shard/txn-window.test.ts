/**
 * The transaction window (src/shard/txn-window.ts) through the shard's interface (beginTxn, append, commitTxn,
 * abortTxn): only the invariants any window protocol must keep, so the file survives changes to how a window's
 * owner is named and how long it may hold the window. A rolled-back window leaves no trace; a committed one
 * applies once, as one step, in every process and after a reopen; until it commits, no other handle sees it.
 */
import { test } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { encodeKey } from '../../src/format/keys.js';
import { OP_DELETE, OP_INCR, OP_SET } from '../../src/format/record.js';
import { now } from '../../src/clock.js';
import { Shard } from '../../src/shard/shard.js';
import { Cache, Timeout } from '../../src/index.js';
import { shardContents } from '../fixtures/records.js';
import { tempDir } from '../fixtures/tmp.js';

/** A shard on `dir`, closed when the test ends. */
function open(t: { after(fn: () => void): void }, dir: string): Shard {
  const shard = new Shard(dir, { compactMinBytes: 0 });
  t.after(() => shard.close());
  return shard;
}
const set = (shard: Shard, key: string, value: string) =>
  shard.append(OP_SET, { time: now(), key: encodeKey(key), value: Buffer.from(value) });
const incr = (shard: Shard, key: string, delta: number) => shard.append(OP_INCR, { time: now(), key: encodeKey(key), num1: delta });
const later = () => Date.now() + 10_000;

test('a rolled-back window leaves the state as it was, in this handle, in another, and after a reopen', (t) => {
  const dir = tempDir(t);
  const a = open(t, dir);
  const b = open(t, dir);
  set(a, 'kept', 'v1');
  set(a, 'gone?', 'v2');
  incr(a, 'n', 5);
  const before = shardContents(a);
  a.beginTxn(later());
  set(a, 'kept', 'changed');
  a.append(OP_DELETE, { time: now(), key: encodeKey('gone?') });
  set(a, 'new', 'v3');
  incr(a, 'n', 1);
  a.abortTxn();
  assert.equal(a.inTxn, false);
  assert.deepEqual(shardContents(a), before);
  assert.deepEqual(shardContents(b), before);
  set(b, 'after', 'v4'); // the window is closed: another writer goes ahead
  assert.deepEqual(shardContents(open(t, dir)), [...before, [encodeKey('after').toString('hex'), Buffer.from('v4').toString('hex')]]);
});

test('a committed window applies once: every command, in every handle, and again after a reopen', (t) => {
  const dir = tempDir(t);
  const a = open(t, dir);
  const b = open(t, dir);
  set(a, 'x', 'old');
  a.beginTxn(later());
  for (let i = 0; i < 3; i++) incr(a, 'n', 1);
  set(a, 'x', 'new');
  a.commitTxn();
  const n = encodeKey('n').toString('hex');
  const expected = [[encodeKey('x').toString('hex'), Buffer.from('new').toString('hex')], [n, 3]];
  assert.deepEqual(shardContents(a), expected);
  assert.deepEqual(shardContents(b), expected);
  incr(b, 'n', 10);
  assert.deepEqual(shardContents(a).find(([k]) => k === n), [n, 13], 'later writes apply on top, once');
  assert.deepEqual(shardContents(open(t, dir)), shardContents(a));
});

test('until it commits, another handle sees none of the window\'s commands', (t) => {
  const dir = tempDir(t);
  const a = open(t, dir);
  const b = open(t, dir);
  set(a, 'k', 'before');
  const before = shardContents(b);
  a.beginTxn(later());
  set(a, 'k', 'inside');
  set(a, 'other', 'inside');
  assert.deepEqual(shardContents(b), before);
  a.commitTxn();
  assert.equal(shardContents(b).length, 2);
});

test("a transaction whose window never opened (a Timeout waiting for another's) logs nothing", (t) => {
  const dir = tempDir(t);
  const a = new Cache(dir);
  const b = new Cache(dir, { timeout: 0.1 });
  t.after(() => { a.close(); b.close(); });
  const logBytes = () => fs.readdirSync(dir).filter((f) => f.endsWith('.log')).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  a.transact(() => {
    a.set('x', 1);
    const before = logBytes();
    assert.throws(() => b.transact(() => b.get('y')), Timeout);
    assert.equal(logBytes(), before);
  });
  assert.equal(b.get('x'), 1);
});
