/** Issue 13, item 14: reports of damaged frames are bounded (one per place, at most MAX_REPORTS places). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cache } from '../../src/index.js';
import { encodeKey } from '../../src/format/keys.js';
import { Shard } from '../../src/shard/shard.js';
import { CorruptionReporter, MAX_REPORTS } from '../../src/shard/corruption.js';

test('every get of a key whose frame was damaged after indexing adds no report beyond the first', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-reports-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const c = new Cache(dir);
  const value = 'x'.repeat(6000); // above the value cache's size: every read goes to the frame on disk
  c.set('k', value);
  c.close();
  const shard = new Shard(dir);
  t.after(() => shard.close());
  const key = encodeKey('k');
  const slot = shard.state.kd.keys.find(key, 0, key.length);
  assert.ok(slot >= 0);
  // Damaged after it was indexed: one byte of the value flipped in place.
  const segment = path.join(dir, fs.readdirSync(dir).filter((n) => n.endsWith('.log')).sort().at(-1)!);
  const bytes = fs.readFileSync(segment);
  bytes[bytes.indexOf(value) + 100] ^= 1;
  fs.writeFileSync(segment, bytes);
  for (let i = 0; i < 10_000; i++) assert.equal(shard.valueBytes(slot), null);
  assert.equal([...shard.reports].length, 1);
});

test('reports keep at most MAX_REPORTS places and count the rest', () => {
  const r = new CorruptionReporter();
  for (let i = 0; i < MAX_REPORTS + 500; i++) r.report('checksum', 'f.log', i, 1);
  for (let i = 0; i < 100; i++) r.report('checksum', 'f.log', 0, 1);
  assert.equal(r.reports.length, MAX_REPORTS);
  assert.equal(r.dropped, 500);
  r.clear();
  assert.equal(r.reports.length, 0);
  assert.equal(r.dropped, 0);
  r.report('checksum', 'f.log', 0, 1);
  assert.equal(r.reports.length, 1, 'a place is reported again after a clear');
});
