/**
 * A frame cut short whose missing last bytes equal the first bytes of the file's magic is completed by the next frame
 * appended after it (that frame starts with the magic): the two together check out. Found by the fault-injection
 * test (test/torture/faults.test.ts, 1 run in ~30): a pop cut one byte short of its key "k5" in a file whose magic
 * starts with "5" applied later, after its caller had been told it failed, and the next write's frame was cut in turn
 * and waited for ever. The salt is random per file, so these tests pick the key from the file's magic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cache, IOError } from '../../src/index.js';
import { encodeKey } from '../../src/format/keys.js';
import { OP_DELETE, encodeRecord } from '../../src/format/record.js';
import { FILE_HEADER_BYTES, KIND_SEGMENT, parseFileHeader } from '../../src/format/segment.js';
import { PLAIN_SALT, saltFrame } from '../../src/format/frame.js';
import { FaultyFs } from '../torture/faulty-fs.js';
import { tmpdir } from '../torture/harness.js';

/** The newest segment of `dir`: its path and its salt. */
function activeSegment(dir: string) {
  const name = fs.readdirSync(dir).filter((n) => n.endsWith('.log')).sort().pop()!;
  const file = path.join(dir, name);
  const header = parseFileHeader(fs.readFileSync(file).subarray(0, FILE_HEADER_BYTES), KIND_SEGMENT, Number.parseInt(name, 10), name);
  assert.ok(typeof header !== 'string', String(header));
  return { file, salt: header.salt };
}

/** A bytes key whose encoding ends in the first byte of the file's magic. */
function keyEndingInMagic(magic: number): Buffer {
  return Buffer.from([0x41, magic & 0xff]);
}

test('a write of ours cut one byte short is not completed by our next frame: its command stays failed', (t) => {
  const dir = tmpdir(t, 'torn-own');
  const layer = new FaultyFs(null);
  const cache = new Cache(dir, { fs: layer.fs, compactMinBytes: 0 });
  t.after(() => cache.close());
  cache.set('before', 'x');
  const key = keyEndingInMagic(activeSegment(dir).salt.magic);
  cache.set(key, 'v');
  // The delete's frame reaches the disk without its last byte: the key's last byte, the magic's first.
  layer.decide = (c) => (c.name === 'writeSync' && c.op === OP_DELETE ? { kind: 'tear', bytes: c.bytes - 1, code: 'ENOSPC' } : null);
  assert.throws(() => cache.delete(key), IOError);
  layer.decide = null;
  assert.equal(cache.get(key), 'v', 'the failed delete did not apply');
  cache.set('after', 'w');
  assert.equal(cache.get('after'), 'w');
  assert.equal(cache.get(key), 'v', 'nor did it once the next frame was appended after it');
  const again = new Cache(dir, { compactMinBytes: 0 });
  t.after(() => again.close());
  assert.equal(again.get(key), 'v');
  assert.equal(again.get('after'), 'w');
  for (const w of again.check()) assert.match(w.message, /torn|corrupt frame/);
});

test('a write whose frame completes a torn frame a crashed writer left is written again: it neither waits for ever nor is lost', (t) => {
  const dir = tmpdir(t, 'torn-crashed');
  const cache = new Cache(dir, { compactMinBytes: 0 });
  cache.set('before', 'x');
  const { file, salt } = activeSegment(dir);
  const key = keyEndingInMagic(salt.magic);
  cache.set(key, 'v');
  cache.close();
  // What a writer killed during its write leaves: its delete of `key` without the last byte.
  const frame = saltFrame(encodeRecord(OP_DELETE, { writer: 0x1234, seq: 1, time: Date.now() / 1000, key: encodeKey(key) }), PLAIN_SALT, salt);
  fs.appendFileSync(file, frame.subarray(0, frame.length - 1));
  // In a child with a timeout: before the fix its set waited for its frame for ever.
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../fixtures/write-after-torn.ts'), dir, (salt.magic & 0xff).toString(16)], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(child.status, 0, `the writer finished (signal ${child.signal}): ${child.stderr}`);
  const seen = JSON.parse(child.stdout.trim());
  assert.equal(seen.after, 'w', 'its write applied');
  // The dead writer's delete was completed by the first byte of the set's frame: it applied, as a crashed write may.
  const again = new Cache(dir, { compactMinBytes: 0 });
  t.after(() => again.close());
  assert.equal(again.get('after'), 'w');
  assert.equal(again.get(key) ?? null, seen.key, 'every process reads the same');
  for (const w of again.check()) assert.match(w.message, /torn|corrupt frame/);
});
