/** The keydir's per-slot arrays grow in place (src/shard/slot-arrays.ts): no copy proportional to the slots. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RESERVE_SLOTS, resized } from '../../src/shard/slot-arrays.js';

test('an array grows and shrinks in place, keeping its elements, and comes back zeroed when not kept', () => {
  for (const Type of [Float64Array, Uint32Array, Int32Array, Uint8Array]) {
    let a = resized(new Type(0), 1024);
    for (let i = 0; i < 1024; i++) a[i] = i % 200;
    const first = a;
    a = resized(a, 1 << 20);
    assert.ok(a === first, `${Type.name}: the same array, grown in place`);
    assert.equal(a.length, 1 << 20);
    for (let i = 0; i < 1024; i++) assert.equal(a[i], i % 200);
    assert.equal(a[1024], 0, 'new elements are zero');
    assert.equal(a[(1 << 20) - 1], 0);
    a = resized(a, 2048);
    assert.ok(a === first, 'shrunk in place');
    assert.equal(a.length, 2048);
    assert.equal(a[1023], 1023 % 200);
    a = resized(a, 4096, false);
    assert.equal(a.length, 4096);
    assert.ok(a.every((x) => x === 0), `${Type.name}: not kept: all zero`);
  }
});

test('past the reserved slots an array is copied into a larger one, elements kept', () => {
  const a = resized(new Uint8Array(0), 16);
  a.set([1, 2, 3]);
  const b = resized(a, RESERVE_SLOTS + 1);
  assert.ok(b !== a);
  assert.equal(b.length, RESERVE_SLOTS + 1);
  assert.deepEqual([...b.subarray(0, 4)], [1, 2, 3, 0]);
  const c = resized(b, RESERVE_SLOTS + 100);
  assert.ok(c === b, 'the larger one reserves twice its size');
});

test('a plain array (not resizable) is copied into a resizable one', () => {
  const a = new Float64Array([1.5, 2.5]);
  const b = resized(a, 8);
  assert.ok(b !== a);
  assert.deepEqual([...b], [1.5, 2.5, 0, 0, 0, 0, 0, 0]);
  assert.equal((b.buffer as ArrayBuffer & { resizable: boolean }).resizable, true);
});

test('a process whose address space is limited (ulimit -v) reserves nothing: arrays grow by copying, and a cache works', { skip: process.platform !== 'linux' }, () => {
  const script = `
    import { reservesAddressSpace, resized } from ${JSON.stringify(new URL('../../src/shard/slot-arrays.ts', import.meta.url).pathname)};
    import { Cache } from ${JSON.stringify(new URL('../../src/index.ts', import.meta.url).pathname)};
    import fs from 'node:fs';
    import os from 'node:os';
    import path from 'node:path';
    const a = resized(new Float64Array(0), 1024);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logcache-ulimit-'));
    const cache = new Cache(dir);
    for (let i = 0; i < 5000; i++) cache.set('k' + i, 'v' + i);
    let ok = 0;
    for (let i = 0; i < 5000; i++) if (cache.get('k' + i) === 'v' + i) ok++;
    cache.close();
    fs.rmSync(dir, { recursive: true, force: true });
    console.log(JSON.stringify({ reserves: reservesAddressSpace(), resizable: a.buffer.resizable === true, ok }));
  `;
  const run = (limit: string) => {
    const out = execFileSync('bash', ['-c', `${limit} exec "$0" --import tsx --input-type=module -e "$1"`, process.execPath, script],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8' });
    return JSON.parse(out.trim().split('\n').pop()!) as { reserves: boolean; resizable: boolean; ok: number };
  };
  // A generous limit (tsx's WebAssembly needs ~10 GB of address space): any limit at all turns reservations off.
  assert.deepEqual(run('ulimit -v 64000000;'), { reserves: false, resizable: false, ok: 5000 });
  assert.deepEqual(run(''), { reserves: true, resizable: true, ok: 5000 });
});
