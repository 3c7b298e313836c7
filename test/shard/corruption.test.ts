/** Invariant 4: corruption is found, not followed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cache, Timeout } from '../../src/index.js';
import { FILE_HEADER_BYTES, damagedFileHeader } from '../../src/format/segment.js';
import { COMPACT_LOCK } from '../../src/format/files.js';
import { tryLock } from '../../src/shard/lock.js';

function setup(t: { after(fn: () => void): void }): { dir: string; segment: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-corrupt-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cache = new Cache(dir);
  for (let i = 0; i < 100; i++) cache.set(`key-${i}`, `value-${i}-${'v'.repeat(50)}`);
  cache.close();
  const segment = fs.readdirSync(dir).filter((n) => n.endsWith('.log')).sort().at(-1)!;
  return { dir, segment: path.join(dir, segment) };
}

function flip(file: string, needle: string): void {
  const buf = fs.readFileSync(file);
  const at = buf.indexOf(needle);
  assert.ok(at > 0, `${needle} is in the segment`);
  buf[at + needle.length - 1] ^= 0x01;
  fs.writeFileSync(file, buf);
}

test('a flipped byte in a value is reported by check and never returned', (t) => {
  const { dir, segment } = setup(t);
  flip(segment, 'value-42-');
  const cache = new Cache(dir);
  const v = cache.get('key-42');
  assert.notEqual(v, `value-42-${'v'.repeat(50)}`.replace('value-42', 'value-43'));
  assert.ok(v === undefined, 'the damaged record is skipped, so the key is missing');
  assert.equal(cache.get('key-41'), `value-41-${'v'.repeat(50)}`, 'the records around it are intact');
  assert.equal(cache.get('key-43'), `value-43-${'v'.repeat(50)}`);
  const warnings = cache.check();
  assert.ok(warnings.some((w) => w.category === 'CorruptionWarning'), JSON.stringify(warnings));
  cache.check({ fix: true });
  assert.deepEqual(cache.check(), []);
  assert.equal(cache.get('key-43'), `value-43-${'v'.repeat(50)}`);
  cache.close();
});

test('a flipped byte in a frame length does not stop the reader', (t) => {
  const { dir, segment } = setup(t);
  const buf = fs.readFileSync(segment);
  // The 10th frame's length field: find frames by their magic (the segment's own, from its header).
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(damagedFileHeader(buf).salt.magic);
  let at = FILE_HEADER_BYTES - 1;
  for (let i = 0; i < 10; i++) at = buf.indexOf(magic, at + 1);
  buf[at + 8] ^= 0x40;
  fs.writeFileSync(segment, buf);
  const cache = new Cache(dir);
  assert.equal(cache.get('key-99'), `value-99-${'v'.repeat(50)}`);
  assert.ok(cache.check().length > 0);
  cache.close();
});

test('a value read after its bytes were damaged on disk is a miss, not the damaged bytes', (t) => {
  const { dir, segment } = setup(t);
  const cache = new Cache(dir);
  // A fresh handle reads values from disk (nothing cached for slots loaded at open beyond the last replay).
  const other = new Cache(dir);
  flip(segment, 'value-7-');
  const v = other.get('key-7');
  assert.ok(v === undefined || v === `value-7-${'v'.repeat(50)}`, `got ${String(v)}`);
  assert.notEqual(v, `value-7-${'v'.repeat(49)}w`);
  other.close();
  cache.close();
});

test('garbage appended to a segment is skipped and the store stays writable', (t) => {
  const { dir, segment } = setup(t);
  fs.appendFileSync(segment, Buffer.from('LCFR\u0000\u0000garbage that is not a frame'));
  const cache = new Cache(dir);
  cache.set('after', 'garbage');
  assert.equal(cache.get('after'), 'garbage');
  cache.close();
  const again = new Cache(dir);
  assert.equal(again.get('after'), 'garbage');
  assert.equal(again.get('key-0'), `value-0-${'v'.repeat(50)}`);
  again.close();
});

test('check({ fix: true }) while another holds the compaction lock: it waits for it (a typed Timeout past the handle\'s timeout, nothing repaired yet), then repairs', (t) => {
  const { dir, segment } = setup(t);
  flip(segment, 'value-42-');
  // Another process's compaction (a compactor's warm copy compacting by itself) holds the lock.
  const release = tryLock(dir, COMPACT_LOCK)!;
  assert.ok(release);
  const cache = new Cache(dir, { timeout: 0.2 });
  t.after(() => cache.close());
  assert.throws(() => cache.check({ fix: true }), (err: Error) => err instanceof Timeout && /compaction lock/.test(err.message));
  assert.ok(cache.check().some((w) => w.category === 'CorruptionWarning'), 'not repaired while the lock is taken');
  release();
  cache.check({ fix: true });
  assert.deepEqual(cache.check(), [], 'repaired once it is free (before, the repair was skipped and the damage stayed)');
  assert.equal(cache.get('key-43'), `value-43-${'v'.repeat(50)}`);
});
