/**
 * Records that close a transaction window from outside its owner (issue 13 item 6, the FanoutCache kill loop):
 * another process's ABORT, or its TXN completing a committed group from the intent, is decided on a window it saw
 * open, and may reach the log after that window closed and its owner opened the next one. Such a record names the
 * window it is about, and closes nothing else. And an owner whose commit meets its window already closed rebuilds
 * its state without losing its place in the log.
 *
 * The race is made deterministic with the injectable file system: the closer's own append runs the owner's next steps
 * first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { TransactionAborted } from '../../src/errors.js';
import { encodeKey } from '../../src/format/keys.js';
import { OP_ABORT, OP_BEGIN, OP_SET, OP_TXN, encodeTxnValue } from '../../src/format/record.js';
import { now } from '../../src/clock.js';
import { claimDecision, encodeIntent, intentPath } from '../../src/shard/group-commit.js';
import { NIL } from '../../src/shard/keydir.js';
import { encodeWindow, newWindowId, selfIdentity } from '../../src/shard/owner.js';
import { Shard, ShardOptions } from '../../src/shard/shard.js';
import { FaultyFs } from '../torture/faulty-fs.js';
import { Feeder, T0, shardContents } from '../fixtures/records.js';
import { runWorker } from '../fixtures/spawn.js';
import { tempDir } from '../fixtures/tmp.js';

function open(t: { after(fn: () => void): void }, dir: string, options: ShardOptions = {}): Shard {
  const shard = new Shard(dir, { compactMinBytes: 0, ...options });
  t.after(() => shard.close());
  return shard;
}
const set = (shard: Shard, key: string, value: string) =>
  shard.append(OP_SET, { time: now(), key: encodeKey(key), value: Buffer.from(value) });
const later = () => Date.now() + 10_000;
const hex = (s: string) => Buffer.from(s).toString('hex');

/** A closer whose next append of `op` first runs `before` (the owner moving on meanwhile). */
function closer(t: { after(fn: () => void): void }, dir: string, op: number, before: () => void): Shard {
  let armed = true;
  const layer = new FaultyFs((call) => {
    if (armed && call.name === 'writeSync' && call.op === op) {
      armed = false;
      before();
    }
    return null;
  });
  return open(t, dir, { fs: layer.fs });
}

test("a group's window completed from its intent after its owner moved on leaves the owner's next window alone", (t) => {
  const dir = path.join(tempDir(t), '000');
  const owner = open(t, dir);
  set(owner, 'x', 'before');
  const first = newWindowId();
  const second = newWindowId();
  owner.beginTxn(later(), first);
  set(owner, 'x', 'first');
  const record = owner.txnRecord();
  // The commit point of the first group: its intent.
  claimDecision(owner.fs, intentPath(dir, first), encodeIntent([{ shard: '000', writer: owner.writer, time: record.time, value: record.value }]), false);
  // A reader meets the first window open and completes it from the intent; before its TXN lands, the owner commits
  // the first window itself and opens the second.
  const reader = closer(t, dir, OP_TXN, () => {
    owner.commitTxn(true);
    owner.beginTxn(later(), second);
    set(owner, 'x', 'second');
  });
  reader.sync();
  assert.equal(reader.state.txnOwner, owner.writer, "the owner's second window is still open");
  owner.commitTxn(true);
  const expected = [[encodeKey('x').toString('hex'), hex('second')]];
  assert.deepEqual(shardContents(owner), expected);
  assert.deepEqual(shardContents(reader), expected);
  assert.deepEqual(shardContents(open(t, dir)), expected);
});

test('an ABORT or TXN that names a window closes that window only; one that names none closes the open one', () => {
  const owner = 7;
  const [first, second] = [newWindowId(), newWindowId()];
  const begin = (f: Feeder, id: Buffer) => f.apply(OP_BEGIN, { writer: owner, num1: process.pid, num2: T0 + 10, value: encodeWindow(selfIdentity(), id, false) });
  const f = new Feeder();
  begin(f, first);
  f.apply(OP_TXN, { writer: owner, key: first, value: encodeTxnValue([], []) });
  begin(f, second);
  // Decided on the first window, arriving in the second: nothing happens.
  f.apply(OP_ABORT, { writer: 9, num1: owner, key: first });
  assert.equal(f.st.txnOwner, owner);
  const late = f.apply(OP_TXN, { writer: owner, key: first, value: encodeTxnValue([], [{ op: OP_SET, record: { writer: owner, seq: 0, time: T0, key: encodeKey('x'), value: Buffer.from('late') } }]) });
  assert.equal(late.out.applied, false);
  assert.equal(f.live('x'), NIL);
  assert.equal(f.st.txnOwner, owner);
  // Naming the open window closes it; so does an ABORT that names none (older records).
  f.apply(OP_ABORT, { writer: 9, num1: owner, key: second });
  assert.equal(f.st.txnOwner, 0);
  begin(f, first);
  f.apply(OP_ABORT, { writer: 9, num1: owner });
  assert.equal(f.st.txnOwner, 0);
});

test('an owner whose commit finds its window closed by another process rebuilds and keeps following the log', async (t) => {
  const dir = tempDir(t);
  const owner = open(t, dir, { txnLeaseMs: 50 });
  set(owner, 'a', '1');
  owner.beginTxn(later());
  set(owner, 'b', '2');
  // Another process waits for the window, finds its lease run out (this one makes no call meanwhile), closes it
  // with ABORT and writes.
  const marker = path.join(dir, 'marker');
  await runWorker('set-marked', dir, 'c', 3, marker);
  assert.throws(() => owner.commitTxn(), TransactionAborted);
  // The owner reads on from where the log is: it sees what another handle writes next, and its own writes land.
  const other = open(t, dir);
  set(other, 'd', '4');
  assert.deepEqual(shardContents(owner), shardContents(other), 'the owner sees the write made after its rebuild');
  set(owner, 'e', '5');
  const seen = shardContents(owner);
  assert.deepEqual(seen.map(([k]) => k), ['a', 'c', 'd', 'e'].map((k) => encodeKey(k).toString('hex')));
  assert.deepEqual(shardContents(other), seen);
  assert.deepEqual(shardContents(open(t, dir)), seen);
});
