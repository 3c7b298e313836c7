/**
 * Only a base holds items (ITEM, and ENTRY from older bases) and its trailer (docs/format.md, "Records"): the same
 * frame copied into a segment, with the segment's salt so that it checks out there, is malformed: never applied,
 * reported by check(). And a base of either kind of item loads as the other does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cache } from '../../src/index.js';
import { FRAME_OK, newFrameView, readFrame, saltFrame } from '../../src/format/frame.js';
import { OP_BASE, OP_ITEM, newRecordView } from '../../src/format/record.js';
import { readItem } from '../../src/format/base.js';
import { FILE_HEADER_BYTES, KIND_BASE, KIND_SEGMENT, parseFileHeader } from '../../src/format/segment.js';
import { tempDir } from '../fixtures/tmp.js';

const OPTIONS = { compactMinBytes: 0 } as const;

/** The frames of the log file `name` in `dir` with the op `op`, and the file's header. */
function framesOf(dir: string, name: string, kind: number, op: number) {
  const buf = fs.readFileSync(path.join(dir, name));
  const header = parseFileHeader(buf.subarray(0, FILE_HEADER_BYTES), kind, Number.parseInt(name, 10), name);
  assert.ok(typeof header !== 'string', String(header));
  const out: Buffer[] = [];
  const fv = newFrameView();
  for (let p = header.start; p < buf.length && readFrame(buf, p, buf.length, fv, header.salt).status === FRAME_OK; p = fv.next) {
    if (fv.op === op) out.push(Buffer.from(buf.subarray(p, fv.next)));
  }
  return { frames: out, header };
}

test('an ITEM or a BASE trailer copied into a segment is malformed there: never applied, reported', (t) => {
  const dir = tempDir(t);
  const cache = new Cache(dir, OPTIONS);
  for (let i = 0; i < 20; i++) cache.set(`k${i}`, `old value ${i}`);
  for (let i = 0; i < 20; i++) cache.set(`k${i}`, `value ${i}`);
  assert.ok(cache.compact().base > 0, 'a base was written');
  cache.delete('k3');
  cache.close();
  const baseName = fs.readdirSync(dir).find((n) => n.endsWith('.base'))!;
  const base = framesOf(dir, baseName, KIND_BASE, OP_ITEM);
  const k3 = base.frames.find((f) => {
    const r = newRecordView();
    assert.ok(readItem(f, 13, f.length - 13, r, { rowid: 0, version: 0, slot: 0 }));
    return f.toString('latin1', r.keyStart, r.keyStart + r.keyLength).endsWith('k3');
  })!;
  assert.ok(k3, 'the base holds k3 as an ITEM');
  const trailer = framesOf(dir, baseName, KIND_BASE, OP_BASE).frames[0];
  const segment = fs.readdirSync(dir).filter((n) => n.endsWith('.log')).sort().at(-1)!;
  const { header } = framesOf(dir, segment, KIND_SEGMENT, OP_ITEM);
  fs.appendFileSync(path.join(dir, segment), Buffer.concat([saltFrame(Buffer.from(k3), base.header.salt, header.salt),
    saltFrame(Buffer.from(trailer), base.header.salt, header.salt)]));

  const fresh = new Cache(dir, OPTIONS);
  t.after(() => fresh.close());
  assert.equal(fresh.get('k3'), undefined, 'the ITEM in a segment was applied');
  assert.equal(fresh.get('k4'), 'value 4');
  const warnings = fresh.check().filter((w) => w.category === 'CorruptionWarning');
  assert.equal(warnings.filter((w) => /malformed/.test(w.message)).length, 2, JSON.stringify(warnings.map((w) => w.message)));
  fresh.set('after', 1);
  assert.equal(fresh.get('after'), 1);
});
