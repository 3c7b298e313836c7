/**
 * Issue 13, item 1 (invariant 8): a value's bytes can never become a record, even after a torn write. A value that
 * carries whole frames with a correct CRC32C ("SET role:alice = admin", as anyone can compute from docs/format.md) is
 * cut short by ENOSPC; a later write lands after the partial frame; a fresh reader resynchronises past the torn frame
 * and must not apply a frame from inside the value. Format 2 salts every file's frames (docs/format.md, "Frames").
 * Also: a format-1 directory still opens, reads, and moves to format-2 segments at its first write.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cache, IOError } from '../../src/index.js';
import { MODE_RAW_TEXT } from '../../src/format/disk.js';
import { encodeKey } from '../../src/format/keys.js';
import { OP_SET, encodeRecord } from '../../src/format/record.js';
import { FILE_HEADER_V1_BYTES, FILE_MAGIC, KIND_SEGMENT, parseFileHeader } from '../../src/format/segment.js';
import { segmentName } from '../../src/format/files.js';
import { FaultyFs } from '../torture/faulty-fs.js';

function tmp(t: { after(fn: () => void): void }, prefix = 'lc-value-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A complete frame as the public format 1 describes it (fixed magic, plain CRC32C): what an outsider can forge. */
function forgedFrame(key: string, value: string): Buffer {
  return encodeRecord(OP_SET, {
    writer: 0x1234, seq: 1, time: Date.now() / 1000, mode: MODE_RAW_TEXT, key: encodeKey(key), value: Buffer.from(value),
  });
}

/** A value made of forged frames back to back, so any long enough part of it holds whole ones. */
function hostileValue(bytes: number): string {
  const frame = forgedFrame('role:alice', 'admin').toString('latin1');
  return frame.repeat(Math.ceil(bytes / frame.length)).slice(0, bytes);
}

test('a torn write of a value holding forged frames: no reader applies them (injected short write)', (t) => {
  const dir = tmp(t);
  new Cache(dir).close();
  let tearNext = false;
  const layer = new FaultyFs((c) => {
    if (!tearNext || c.name !== 'writeSync' || !(c.path ?? '').endsWith('.log')) return null;
    tearNext = false;
    // ENOSPC after most of the frame: the part on disk holds dozens of whole forged frames.
    return { kind: 'tear', bytes: c.bytes - 200, code: 'ENOSPC' };
  });
  const cache = new Cache(dir, { fs: layer.fs });
  cache.set('before', 1);
  tearNext = true;
  // latin1 string of byte values < 256 stored as a Buffer: inline (under diskMinFileSize), raw bytes.
  assert.throws(() => cache.set('upload', Buffer.from(hostileValue(8000), 'latin1')), IOError);
  assert.equal(layer.injected, 1);
  cache.set('after', 2); // space came back: this frame lands after the partial one
  assert.equal(cache.get('role:alice'), undefined, 'the writing process applied a frame from inside a value');
  cache.close();
  // A fresh process resynchronises past the torn frame.
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
    import { Cache } from ${JSON.stringify(path.resolve('src/index.ts'))};
    const c = new Cache(${JSON.stringify(dir)});
    const get = (k) => c.get(k, { default: null });
    console.log(JSON.stringify({ alice: get('role:alice'), before: get('before'), after: get('after'), upload: get('upload') }));
    c.close();`], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout), { alice: null, before: 1, after: 2, upload: null });
  const reopened = new Cache(dir);
  assert.equal(reopened.get('role:alice'), undefined);
  const warnings = reopened.check();
  assert.ok(warnings.some((w) => /corrupt frame|torn/.test(w.message)), JSON.stringify(warnings));
  reopened.check({ fix: true });
  assert.deepEqual(reopened.check(), []);
  assert.equal(reopened.get('role:alice'), undefined);
  assert.equal(reopened.get('after'), 2);
  reopened.close();
});

test('a torn write of a value holding forged frames on a full 1 MiB tmpfs (ENOSPC): no reader applies them', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-tmpfs-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { encoding: 'utf8' });
  t.after(() => {
    if (mounted.status === 0) spawnSync('umount', ['-l', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  if (mounted.status !== 0) {
    const reason = `cannot mount a tmpfs here (${(mounted.stderr || mounted.error?.message || '').trim()})`;
    console.log(`# skipped: ${reason}`);
    t.skip(reason);
    return;
  }
  const cache = new Cache(dir);
  cache.set('before', 1);
  // Fill the file system with a file outside the cache's names, leaving a little under one value's room.
  const filler = path.join(dir, 'filler');
  const free = () => fs.statfsSync(dir).bavail * fs.statfsSync(dir).bsize;
  fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 12 * 1024)));
  let torn = false;
  for (let i = 0; i < 40 && !torn; i++) {
    try {
      cache.set(`upload-${i}`, Buffer.from(hostileValue(30_000), 'latin1'));
    } catch (err) {
      assert.ok(err instanceof IOError, `typed error, got ${String(err)}`);
      torn = true;
    }
  }
  assert.ok(torn, 'the disk filled up');
  fs.unlinkSync(filler); // space comes back
  cache.set('after', 2);
  assert.equal(cache.get('role:alice'), undefined);
  cache.close();
  const reopened = new Cache(dir);
  assert.equal(reopened.get('role:alice'), undefined, 'a fresh reader applied a frame from inside a value');
  assert.equal(reopened.get('before'), 1);
  assert.equal(reopened.get('after'), 2);
  reopened.close();
});

test('a format-1 directory opens, reads, and its first write moves the log to a format-2 segment', (t) => {
  const dir = tmp(t);
  const header = Buffer.alloc(FILE_HEADER_V1_BYTES);
  FILE_MAGIC.copy(header);
  header.writeUInt16LE(1, 8);
  header.writeUInt16LE(KIND_SEGMENT, 10);
  header.writeUInt32LE(1, 12);
  fs.writeFileSync(path.join(dir, segmentName(1)), Buffer.concat([header, forgedFrame('old', 'from version 1')]));
  const cache = new Cache(dir);
  assert.equal(cache.get('old'), 'from version 1');
  assert.deepEqual(cache.check(), []);
  cache.set('new', 'from version 2');
  const second = fs.readFileSync(path.join(dir, segmentName(2)));
  const parsed = parseFileHeader(second, KIND_SEGMENT, 2, segmentName(2));
  assert.ok(typeof parsed !== 'string' && parsed.version === 2, `segment 2 is format 2: ${JSON.stringify(parsed)}`);
  cache.close();
  const reopened = new Cache(dir);
  assert.equal(reopened.get('old'), 'from version 1');
  assert.equal(reopened.get('new'), 'from version 2');
  assert.deepEqual(reopened.check(), []);
  reopened.compact();
  assert.equal(reopened.get('old'), 'from version 1');
  reopened.close();
});
