/**
 * Compaction never grows a store: with nothing to reclaim it writes no base and leaves every file as it was; with
 * dead records, or with none but the framing an ITEM saves over a segment's record, it writes a base smaller than the
 * files it replaces, whatever wrote the items (plain sets,
 * a transaction, incr, push, tags, value files).
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cache } from '../../src/index.js';
import { parseLogFileName } from '../../src/format/files.js';

function open(t: TestContext): Cache {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logcache-compaction-'));
  const cache = new Cache(dir);
  t.after(() => { cache.close(); fs.rmSync(dir, { recursive: true, force: true }); });
  return cache;
}

/** Every file in the directory with its size (the log files and anything else the cache keeps there). */
function files(dir: string): Record<string, number> {
  return Object.fromEntries(fs.readdirSync(dir).filter((n) => parseLogFileName(n)).map((n) => [n, fs.statSync(path.join(dir, n)).size]));
}

test('2,000 small items and no garbage: compact() writes a smaller base (ITEMs are shorter than records); again, it writes none and changes no file', (t) => {
  const cache = open(t);
  for (let i = 0; i < 2000; i++) cache.set(`key-${i}`, `value ${i}`);
  const first = cache.compact();
  assert.ok(first.base > 0 && first.bytesAfter < first.bytesBefore * 0.7, JSON.stringify(first));
  const before = files(cache.directory);
  const r = cache.compact();
  assert.deepEqual({ base: r.base, skipped: r.skipped, bytesAfter: r.bytesAfter }, { base: 0, skipped: 'nothing to reclaim', bytesAfter: r.bytesBefore });
  assert.deepEqual(files(cache.directory), before);
  assert.equal(cache.get('key-1999'), 'value 1999');
  assert.ok(cache.volume() <= r.bytesBefore, 'live volume within the log bytes');
});

/** Writers that leave dead records behind, each a different way an item reaches the log. */
const WRITERS: Record<string, (c: Cache) => void> = {
  'overwritten sets': (c) => { for (let round = 0; round < 3; round++) for (let i = 0; i < 500; i++) c.set(`k${i}`, `round ${round} of ${i}`); },
  'a transaction': (c) => c.transact(() => { for (let round = 0; round < 2; round++) for (let i = 0; i < 300; i++) c.set(`t${i}`, { round, i }); }),
  'incr': (c) => { for (let i = 0; i < 2000; i++) c.incr(`n${i % 100}`); },
  'push and pull': (c) => { for (let i = 0; i < 600; i++) c.push(`job ${i}`); for (let i = 0; i < 300; i++) c.pull(); },
  'tags and deletes': (c) => { for (let i = 0; i < 600; i++) c.set(`g${i}`, i, { tag: `tag-${i % 3}` }); c.evict('tag-0'); },
  'value files': (c) => { for (let i = 0; i < 40; i++) c.set(`f${i % 20}`, Buffer.alloc(64 * 1024, i)); },
};

for (const [name, write] of Object.entries(WRITERS)) {
  test(`with dead records (${name}) compact() writes a smaller base, and compacting again never grows it`, (t) => {
    const cache = open(t);
    write(cache);
    const items = cache.size;
    const snapshot = [...cache.keys()].map((k) => [k, cache.get(k)]);
    const first = cache.compact();
    assert.ok(first.base > 0, `a base was written: ${JSON.stringify(first)}`);
    assert.equal(first.items, items);
    assert.ok(first.bytesAfter < first.bytesBefore, `${first.bytesBefore} -> ${first.bytesAfter}`);
    const second = cache.compact();
    assert.ok(second.bytesAfter <= second.bytesBefore, `again: ${second.bytesBefore} -> ${second.bytesAfter}`);
    assert.deepEqual([...cache.keys()].map((k) => [k, cache.get(k)]), snapshot);
    assert.deepEqual(cache.check(), []);
  });
}
