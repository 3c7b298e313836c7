/**
 * The state machine (src/shard/state.ts) on its own: records in, keydir and outcomes out, no files. Every process
 * applies the same records in the same order, so what a record does may depend only on the record and the state
 * before it (its own time, never the clock). One test per rule. The transaction window's rules are in
 * txn-window.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MODE_RAW_NUMBER } from '../../src/format/disk.js';
import { Key, encodeKey } from '../../src/format/keys.js';
import {
  FLAG_DEFAULT_NULL, FLAG_FILE, FLAG_HAS_EXPIRE, FLAG_HAS_PREFIX, FLAG_SIDE_FRONT, OP_ADD, OP_CLEAR, OP_DELETE, OP_DELV,
  OP_INCR, OP_PUSH, OP_SET, OP_SETTING, OP_TOUCH, RecordInput, encodeTxnValue, OP_BEGIN, OP_TXN, OP_ITEM, OP_ENTRY, OP_BASE,
} from '../../src/format/record.js';
import { NEVER, NIL } from '../../src/shard/keydir.js';
import { QUEUE_START, QueueIndex } from '../../src/shard/queues.js';
import { APPLIED, MALFORMED } from '../../src/shard/state.js';
import { mulberry32 } from '../fixtures/prng.js';
import { Feeder, T0 } from '../fixtures/records.js';

const set = (key: Key, value: string, extra: Partial<RecordInput> = {}) =>
  [OP_SET, { key: encodeKey(key), value: Buffer.from(value), ...extra }] as const;
const expiringAt = (time: number): Partial<RecordInput> => ({ flags: FLAG_HAS_EXPIRE, num1: time });

test('set inserts an item; a second set of the key replaces it in place, with a new version', () => {
  const f = new Feeder();
  assert.equal(f.apply(...set('a', 'one')).out.applied, true);
  f.apply(...set('b', 'two'));
  const slot = f.live('a');
  const before = f.st.kd.versionOf(slot);
  assert.equal(f.apply(...set('a', 'three')).out.applied, true);
  assert.equal(f.live('a'), slot, 'the slot is kept');
  assert.ok(f.st.kd.versionOf(slot) > before);
  assert.deepEqual(f.keys(), [encodeKey('a'), encodeKey('b')], 'insertion order is kept');
  assert.equal(f.st.kd.count, 2);
});

test('expiry is judged by each record\'s own time, never by the clock', () => {
  const f = new Feeder();
  f.apply(...set('k', 'v', expiringAt(T0 + 10)));
  const add = (time: number) => f.apply(OP_ADD, { key: encodeKey('k'), value: Buffer.from('x'), time }).out.applied;
  assert.equal(add(T0 + 9), false, 'live before its expiry time');
  assert.equal(add(T0 + 10), true, 'expired at its expiry time');
  assert.equal(f.st.kd.expireOf(f.live('k', T0 + 10)), NEVER, 'the new item does not expire');
});

test('add stores only when the key is absent or expired', () => {
  const f = new Feeder();
  assert.equal(f.apply(OP_ADD, { key: encodeKey('k'), value: Buffer.from('1') }).out.applied, true);
  const version = f.st.kd.versionOf(f.live('k'));
  assert.equal(f.apply(OP_ADD, { key: encodeKey('k'), value: Buffer.from('2') }).out.applied, false);
  assert.equal(f.st.kd.versionOf(f.live('k')), version, 'a refused add changes nothing');
});

test('delete removes a live item; a missing or expired one is not applied', () => {
  const f = new Feeder();
  f.apply(...set('live', 'v'));
  f.apply(...set('old', 'v', expiringAt(T0 + 1)));
  assert.equal(f.apply(OP_DELETE, { key: encodeKey('missing') }).out.applied, false);
  assert.equal(f.apply(OP_DELETE, { key: encodeKey('old'), time: T0 + 2 }).out.applied, false);
  assert.equal(f.apply(OP_DELETE, { key: encodeKey('live') }).out.applied, true);
  assert.equal(f.st.kd.find(encodeKey('live')), NIL);
  assert.equal(f.st.kd.count, 1, 'the expired item stays until something removes it');
});

test('a removed or replaced item with a value file is handed to the writer (it deletes the file)', () => {
  const f = new Feeder();
  const file = { flags: FLAG_FILE, num2: 4096, value: Buffer.from('ab/cdef.val') };
  f.apply(OP_SET, { key: encodeKey('big'), ...file });
  assert.deepEqual(f.st.kd.valueFileOf(f.live('big')), { name: 'ab/cdef.val', size: 4096 });
  const { out } = f.apply(...set('big', 'small'));
  assert.equal(out.removed.length, 1);
  assert.equal(out.removed[0].valueFile?.name, 'ab/cdef.val');
  assert.equal(f.st.kd.valueFileOf(f.live('big')), undefined);
  assert.deepEqual(f.apply(...set('big', 'again')).out.removed, [], 'an inline value needs no clean-up');
});

test('incr adds to a number, starts from the default when missing, and refuses a missing key without one or a non-number', () => {
  const f = new Feeder();
  const incr = (key: string, delta: number, dflt: number | null) =>
    f.apply(OP_INCR, { key: encodeKey(key), num1: delta, num2: dflt ?? 0, flags: dflt === null ? FLAG_DEFAULT_NULL : 0 }).out;
  assert.deepEqual([incr('n', 5, 10).value, incr('n', -2, 10).value], [15, 13]);
  assert.equal(f.st.kd.numberOf(f.live('n')), 13);
  assert.equal(f.st.kd.modeOf(f.live('n')), MODE_RAW_NUMBER);
  const missing = incr('m', 1, null);
  assert.deepEqual([missing.applied, missing.error], [false, 'missing']);
  assert.equal(f.st.kd.find(encodeKey('m')), NIL);
  f.apply(...set('s', 'text'));
  const type = incr('s', 1, 0);
  assert.deepEqual([type.applied, type.error], [false, 'type']);
});

test('touch sets a live item\'s expiry (or clears it) and is not applied to a missing one', () => {
  const f = new Feeder();
  f.apply(...set('k', 'v'));
  assert.equal(f.apply(OP_TOUCH, { key: encodeKey('k'), ...expiringAt(T0 + 30) }).out.applied, true);
  assert.equal(f.st.kd.expireOf(f.live('k')), T0 + 30);
  assert.equal(f.st.kd.expiring, 1);
  f.apply(OP_TOUCH, { key: encodeKey('k') });
  assert.equal(f.st.kd.expireOf(f.live('k')), NEVER);
  assert.equal(f.st.kd.expiring, 0);
  assert.equal(f.apply(OP_TOUCH, { key: encodeKey('nope'), ...expiringAt(T0 + 30) }).out.applied, false);
  assert.equal(f.st.kd.find(encodeKey('nope')), NIL);
});

test('clear removes every item, expired ones included, and counts them', () => {
  const f = new Feeder();
  for (const k of ['a', 'b', 'c']) f.apply(...set(k, 'v'));
  f.apply(...set('d', 'v', expiringAt(T0 + 1)));
  const { out } = f.apply(OP_CLEAR, { time: T0 + 2 });
  assert.deepEqual([out.applied, out.count], [true, 4]);
  assert.equal(f.st.kd.count, 0);
  assert.equal(f.st.kd.liveBytes, 0, 'the byte accounting returns to zero');
});

test('DELV removes only the items still at the version it names', () => {
  const f = new Feeder();
  f.apply(...set('a', 'v'));
  f.apply(...set('b', 'v'));
  const va = f.st.kd.versionOf(f.live('a'));
  const vb = f.st.kd.versionOf(f.live('b'));
  f.apply(...set('b', 'changed since'));
  const value = encodeTxnValue([{ key: encodeKey('a'), version: va }, { key: encodeKey('b'), version: vb }], []);
  const { out } = f.apply(OP_DELV, { value });
  assert.deepEqual([out.applied, out.count], [true, 1]);
  assert.equal(f.st.kd.find(encodeKey('a')), NIL);
  assert.notEqual(f.live('b'), NIL, 'b changed after the versions were read: it stays');
});

test('push chooses the key at replay: back after the last, front before the first, per prefix', () => {
  const f = new Feeder();
  const push = (prefix: string | null, front: boolean) => f.apply(OP_PUSH, {
    key: prefix === null ? undefined : Buffer.from(prefix), value: Buffer.from('x'),
    flags: (prefix === null ? 0 : FLAG_HAS_PREFIX) | (front ? FLAG_SIDE_FRONT : 0),
  }).out.key!;
  assert.deepEqual(push(null, false), QueueIndex.encodeKey(null, QUEUE_START));
  assert.deepEqual(push(null, false), QueueIndex.encodeKey(null, QUEUE_START + 1));
  assert.deepEqual(push(null, true), QueueIndex.encodeKey(null, QUEUE_START - 1));
  assert.deepEqual(push('jobs', false), QueueIndex.encodeKey('jobs', QUEUE_START), 'another prefix is another queue');
  assert.equal(f.st.kd.count, 4);
});

test('a setting is stored as JSON; a setting whose value is not JSON is malformed and changes nothing', () => {
  const f = new Feeder();
  const setting = (name: string, json: string) => f.apply(OP_SETTING, { key: Buffer.from(name), value: Buffer.from(json) }).status;
  assert.equal(setting('sizeLimit', '1024'), APPLIED);
  assert.equal(setting('evictionPolicy', '"least-recently-used"'), APPLIED);
  assert.equal(setting('sizeLimit', '{not json'), MALFORMED);
  assert.deepEqual([...f.st.settings], [['sizeLimit', 1024], ['evictionPolicy', 'least-recently-used']]);
});

test('a record of an op this version does not know is skipped, not fatal, and still counts', () => {
  const f = new Feeder();
  f.apply(...set('k', 'v'));
  const seq = f.st.seq;
  assert.equal(f.apply(200, { key: encodeKey('k') }).status, APPLIED);
  assert.equal(f.st.seq, seq + 1);
  assert.notEqual(f.live('k'), NIL);
});

test('every process computes the same keydir: outcomes asked for or not, the same slots, versions and bytes', () => {
  const next = mulberry32(12);
  const a = new Feeder();
  const b = new Feeder();
  for (let i = 0; i < 400; i++) {
    const key = `k${Math.floor(next() * 40)}`;
    const time = T0 + i;
    const roll = next();
    const [op, input] = roll < 0.5 ? set(key, 'v'.repeat(1 + Math.floor(next() * 20)), roll < 0.1 ? { ...expiringAt(time + 5), time } : { time })
      : roll < 0.7 ? [OP_DELETE, { key: encodeKey(key), time }] as const
        : roll < 0.85 ? [OP_INCR, { key: encodeKey(key), num1: 1, time }] as const
          : [OP_ADD, { key: encodeKey(key), value: Buffer.from('a'), time }] as const;
    a.apply(op, input, true);
    b.apply(op, input, false);
  }
  const view = (f: Feeder) => [...f.st.kd.slots()].map((s) => [s, f.st.kd.keyBytes(s).toString('hex'), f.st.kd.versionOf(s), f.st.kd.expireOf(s)]);
  assert.ok(a.st.kd.count > 0);
  assert.deepEqual(view(a), view(b));
  assert.deepEqual([a.st.seq, a.st.kd.liveBytes], [b.st.seq, b.st.kd.liveBytes]);
});

test('reset empties the state: items, settings and counters', () => {
  const f = new Feeder();
  f.apply(...set('k', 'v'));
  f.apply(OP_SETTING, { key: Buffer.from('cullLimit'), value: Buffer.from('3') });
  f.st.reset();
  assert.deepEqual([f.st.kd.count, f.st.seq, f.st.settings.size, f.st.kd.liveBytes], [0, 0, 0, 0]);
});

test('a transaction with a malformed command applies none of its commands: its window closes, nothing applied', () => {
  const nested = (key: string, value: string) => ({ op: OP_SET, record: { writer: 1, seq: 0, time: T0, key: encodeKey(key), value: Buffer.from(value) } });
  for (const bad of [
    { what: 'an ITEM (only a base holds items)', op: OP_ITEM },
    { what: 'an ENTRY', op: OP_ENTRY },
    { what: 'a BASE trailer', op: OP_BASE },
  ]) {
    const f = new Feeder();
    f.apply(...set('before', 'v0'));
    assert.equal(f.apply(OP_BEGIN, { num1: 1234 }).status, APPLIED);
    const value = encodeTxnValue([], [nested('first', 'v1'), { op: bad.op, record: { writer: 1, seq: 0, time: T0, key: encodeKey('x'), value: Buffer.alloc(40) } }, nested('last', 'v3')]);
    const { status, out } = f.apply(OP_TXN, { value });
    assert.equal(status, MALFORMED, bad.what);
    assert.equal(out.applied, false, bad.what);
    assert.deepEqual(f.keys(), [encodeKey('before')], `${bad.what}: none of the transaction's commands applied`);
    assert.equal(f.st.txnOwner, 0, `${bad.what}: the window is closed`);
    assert.equal(f.apply(...set('after', 'v4'), false).status, APPLIED, `${bad.what}: others write on`);
  }
  // The control: the same transaction without the bad command applies as one.
  const f = new Feeder();
  f.apply(OP_BEGIN, { num1: 1234 });
  assert.equal(f.apply(OP_TXN, { value: encodeTxnValue([], [nested('first', 'v1'), nested('last', 'v3')]) }).out.applied, true);
  assert.deepEqual(f.keys(), [encodeKey('first'), encodeKey('last')]);
});
