/**
 * The access sidecar (src/shard/sidecar.ts, docs/format.md "Access sidecar") on its own: what a hit records under
 * least-recently-used and least-frequently-used, that an entry belongs to one version of a slot's item, the shared
 * hit/miss counters, and that a file that is not a sidecar is started afresh. One test per rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ACCESS_ENTRY_FIELDS, ACCESS_HEADER_BYTES, FIELD_ACCESS_COUNT, FIELD_ACCESS_TIME, FIELD_VERSION, accessEntryOffset,
} from '../../src/format/access.js';
import { ACCESS_FILE } from '../../src/format/files.js';
import { Sidecar } from '../../src/shard/sidecar.js';
import { tempDir } from '../fixtures/tmp.js';

const T0 = 1_700_000_000;

/** A sidecar in a fresh directory, closed when the test ends. */
function open(t: { after(fn: () => void): void }, dir = tempDir(t)): Sidecar {
  const side = new Sidecar(dir, fs);
  t.after(() => side.close());
  return side;
}

/** Slot `slot`'s entry as [version, accessTime, accessCount]. */
function entry(side: Sidecar, slot: number): [number, number, number] {
  const all = side.readAll(slot + 1);
  const at = slot * ACCESS_ENTRY_FIELDS;
  return [all[at + FIELD_VERSION], all[at + FIELD_ACCESS_TIME], all[at + FIELD_ACCESS_COUNT]];
}

test('a new sidecar is a header of zero counters and no entries', (t) => {
  const dir = tempDir(t);
  const side = open(t, dir);
  assert.deepEqual(side.counters(), [0, 0]);
  assert.equal(fs.statSync(path.join(dir, ACCESS_FILE)).size, ACCESS_HEADER_BYTES);
  assert.deepEqual(entry(side, 5), [0, 0, 0], 'a slot never touched reads as never accessed');
});

test('a least-recently-used hit records the access time at the slot\'s own offset', (t) => {
  const dir = tempDir(t);
  const side = open(t, dir);
  side.touch(3, 7, T0 + 1, false);
  side.touch(3, 7, T0 + 2, false);
  assert.deepEqual(entry(side, 3), [7, T0 + 2, 0], 'the last access wins; the count is not kept');
  assert.deepEqual(entry(side, 2), [0, 0, 0], 'its neighbours are untouched');
  assert.equal(fs.statSync(path.join(dir, ACCESS_FILE)).size, accessEntryOffset(4));
});

test('a least-frequently-used hit adds one to the count of the same version', (t) => {
  const side = open(t);
  for (let i = 1; i <= 3; i++) side.touch(0, 4, T0 + i, true);
  assert.deepEqual(entry(side, 0), [4, T0 + 3, 3]);
});

test('an entry written for another version of the slot\'s item does not count (a reused slot starts afresh)', (t) => {
  const side = open(t);
  side.touch(1, 10, T0, true);
  side.touch(1, 10, T0, true);
  side.touch(1, 11, T0 + 5, true);
  assert.deepEqual(entry(side, 1), [11, T0 + 5, 1]);
});

test('readAll returns one entry per slot below the high-water mark, in slot order', (t) => {
  const side = open(t);
  for (const slot of [0, 2, 4]) side.touch(slot, slot + 1, T0 + slot, false);
  const all = side.readAll(6);
  assert.equal(all.length, 6 * ACCESS_ENTRY_FIELDS);
  const versions = Array.from({ length: 6 }, (_, s) => all[s * ACCESS_ENTRY_FIELDS + FIELD_VERSION]);
  assert.deepEqual(versions, [1, 0, 3, 0, 5, 0]);
  assert.equal(side.readAll(0).length, 0);
});

test('hits and misses are counted in the file, shared by every handle on the directory, and reset together', (t) => {
  const dir = tempDir(t);
  const a = open(t, dir);
  const b = open(t, dir);
  a.count(true);
  b.count(true);
  b.count(false);
  assert.deepEqual(a.counters(), [2, 1]);
  a.resetCounters();
  assert.deepEqual(b.counters(), [0, 0]);
});

test('entries and counters survive closing and reopening', (t) => {
  const dir = tempDir(t);
  const first = new Sidecar(dir, fs);
  first.touch(2, 9, T0, true);
  first.count(false);
  first.close();
  const again = open(t, dir);
  assert.deepEqual(entry(again, 2), [9, T0, 1]);
  assert.deepEqual(again.counters(), [0, 1]);
});

test('a file that is not a sidecar (wrong magic, cut short) is started afresh: history is advisory', (t) => {
  for (const bytes of [Buffer.from('not a sidecar at all, but long enough to hold a header'.repeat(2)), Buffer.from('LCACC')]) {
    const dir = tempDir(t);
    fs.writeFileSync(path.join(dir, ACCESS_FILE), bytes);
    const side = open(t, dir);
    assert.deepEqual(side.counters(), [0, 0]);
    side.count(true);
    assert.deepEqual(side.counters(), [1, 0]);
  }
});
