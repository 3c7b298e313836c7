/**
 * Invariant 6: a failing write (EIO, ENOSPC, a write torn after k bytes) gives a typed error, no acknowledged
 * operation is lost, and a reopen recovers. Faults come through the Cache's injectable `fs` layer
 * (test/torture/faulty-fs.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cache, IOError } from '../../src/index.js';
import { FaultAction, FaultyFs } from '../torture/faulty-fs.js';

for (const [code, tearAt] of [['EIO', -1], ['ENOSPC', -1], ['ENOSPC', 20], ['EIO', 7]] as const) {
  test(`${code}${tearAt >= 0 ? ` after ${tearAt} bytes` : ''} on writes: a typed error, nothing acknowledged is lost, reopen recovers`, (t) => {
    const dir = nodeFs.mkdtempSync(path.join(os.tmpdir(), 'lc-fault-'));
    t.after(() => nodeFs.rmSync(dir, { recursive: true, force: true }));
    new Cache(dir).close();
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    // About one writeSync in ten fails (torn after `tearAt` bytes first, when tearAt >= 0).
    const fault: FaultAction = tearAt >= 0 ? { kind: 'tear', bytes: tearAt, code } : { kind: 'throw', code };
    const layer = new FaultyFs((c) => (c.name === 'writeSync' && rnd() < 0.1 ? fault : null));
    const cache = new Cache(dir, { fs: layer.fs });
    const acknowledged = new Map<string, unknown>();
    let errors = 0;
    for (let i = 0; i < 500; i++) {
      const key = `k${i % 50}`;
      try {
        if (i % 7 === 0) {
          cache.delete(key);
          acknowledged.set(key, null);
        } else {
          cache.set(key, `v${i}`);
          acknowledged.set(key, `v${i}`);
        }
      } catch (err) {
        assert.ok(err instanceof IOError, `typed error, got ${String(err)}`);
        assert.equal((err as IOError).code, 'LOGCACHE_IO');
        errors++;
        // The failed operation's effect is unknown only for that key: a torn frame is dropped by readers.
        acknowledged.delete(key);
      }
    }
    assert.ok(errors > 0 && layer.injected > 0, 'faults were injected');
    cache.close();
    const reopened = new Cache(dir);
    for (const [key, value] of acknowledged) assert.equal(reopened.get(key, { default: null }), value, key);
    for (const w of reopened.check()) assert.ok(/torn|corrupt frame/.test(w.message), w.message);
    reopened.check({ fix: true });
    assert.deepEqual(reopened.check(), []);
    reopened.close();
  });
}

test('value files go through the injected fs: a fault writing or reading one is an IOError, and nothing is left', (t) => {
  const dir = nodeFs.mkdtempSync(path.join(os.tmpdir(), 'lc-fault-'));
  t.after(() => nodeFs.rmSync(dir, { recursive: true, force: true }));
  let fail: { call: string; code: 'ENOSPC' | 'EIO' } | null = null;
  const valueCalls: string[] = [];
  const layer = new FaultyFs((c) => {
    if (!(c.path ?? '').endsWith('.val')) return null;
    valueCalls.push(c.name);
    return fail !== null && c.name === fail.call ? { kind: 'throw', code: fail.code } : null;
  });
  const cache = new Cache(dir, { fs: layer.fs });
  cache.set('kept', Buffer.alloc(40_000, 1));
  assert.ok(valueCalls.includes('openSync') && valueCalls.includes('writeSync'), `value file calls: ${valueCalls.join(', ')}`);
  fail = { call: 'writeSync', code: 'ENOSPC' };
  assert.throws(() => cache.set('big', Buffer.alloc(40_000, 2)), (err) => err instanceof IOError && /ENOSPC/.test(err.message));
  assert.equal(cache.get('big'), undefined);
  const files = (nodeFs.readdirSync(dir, { recursive: true }) as string[]).filter((n) => n.endsWith('.val'));
  assert.equal(files.length, 1, 'the failed write left no value file');
  fail = { call: 'openSync', code: 'EIO' };
  assert.throws(() => cache.get('kept'), IOError);
  fail = null;
  assert.deepEqual(cache.get('kept'), Buffer.alloc(40_000, 1));
  cache.close();
});
