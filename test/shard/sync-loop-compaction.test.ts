/**
 * Automatic compaction in a process whose event loop never turns (a bulk script writing in one synchronous loop):
 * the background compactor is started and answered from the event loop, so such a writer would never compact and
 * its log would grow without bound. After the background job has waited LOOP_STALL_MS (2 s) for a turn, the writer
 * compacts in its own call instead (src/shard/auto-compaction.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Cache } from '../../src/index.js';
import { tempDir } from '../fixtures/tmp.js';

test('a writer whose event loop never turns still gets its log compacted', (t) => {
  const dir = tempDir(t);
  const c = new Cache(dir, { segmentBytes: 64 * 1024, compactMinBytes: 128 * 1024 });
  t.after(() => c.close());
  const value = 'x'.repeat(300);
  // 50 live keys overwritten for 5 s without yielding: hundreds of dead segments if nothing compacts.
  for (let i = 0, end = Date.now() + 5000; Date.now() < end; i++) c.set(`k${i % 50}`, value);
  assert.ok(c.shard.baseId > 0, 'the log was compacted');
  assert.equal(c.get('k7'), value);
  const logs = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).length;
  const bases = fs.readdirSync(dir).filter((f) => f.endsWith('.base')).length;
  assert.ok(bases <= 1, `one base left (${bases})`);
  assert.ok(c.shard.baseId > logs, `most segments were replaced (${logs} left, base ${c.shard.baseId})`);
});
