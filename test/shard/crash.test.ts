/**
 * Invariants 1 and 2: a writer killed with SIGKILL in the middle of heavy writes, 50 times in a row on one
 * directory, never loses an operation that returned before the kill, and the directory reopens clean.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cache } from '../../src/index.js';
import { startWorker } from '../fixtures/spawn.js';

const KILLS = Number(process.env.LOGCACHE_KILLS ?? 50);

/** Runs a writer until it has acknowledged some operations, kills it, returns its journal. */
async function writeAndKill(dir: string, delayMs: number): Promise<string[]> {
  const child = startWorker('writer', dir, 100);
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => setTimeout(resolve, delayMs));
    child.once('exit', (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
  });
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  // Only whole lines are acknowledged operations.
  const lines = stdout.split('\n');
  lines.pop();
  return lines;
}

/** What each key must hold after the kill, given the journal: the last acknowledged op, or the one in flight. */
function verify(cache: Cache, journal: string[], run: number): void {
  const last = new Map<string, string[]>();
  for (const line of journal) last.set(line.split(' ')[1], line.split(' '));
  const inflight = journal.length; // index of the op the writer was doing when killed
  for (const [key, [op, , n]] of last) {
    const v = cache.get(key);
    const i = Number(n);
    const nextOnKey = (j: number) => j === inflight; // only the in-flight op can be newer than the journal
    if (op === 'set') {
      const ok = v === `${i}:${'x'.repeat(100)}` || nextOnKey(i + 200);
      assert.ok(ok || (typeof v === 'string' && Number(v.split(':')[0]) === inflight), `run ${run}: ${key} = ${String(v).slice(0, 20)}, acked set ${i}`);
    } else if (op === 'del') {
      assert.ok(v === undefined || (typeof v === 'string' && Number(v.split(':')[0]) === inflight), `run ${run}: ${key} deleted at ${i} but holds ${String(v).slice(0, 20)}`);
    } else if (op === 'incr') {
      assert.ok(v === i || v === i + 1, `run ${run}: ${key} = ${v}, acked incr to ${i}`);
    } else if (op === 'big') {
      const buf = v as Buffer;
      assert.ok(Buffer.isBuffer(buf) && buf.length === 40_000, `run ${run}: ${key} missing`);
      const fill = buf[0];
      assert.ok(buf.every((b) => b === fill), `run ${run}: ${key} holds a torn value`);
      assert.ok(fill === i % 251 || fill === inflight % 251, `run ${run}: ${key} fill ${fill}, acked ${i % 251}`);
    }
  }
}

test(`SIGKILL during heavy writes, ${KILLS} times in a row, loses no acknowledged operation`, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-crash-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // Small segments and compaction threshold: kills land during roll-over and compaction too.
  new Cache(dir, { segmentBytes: 256 * 1024, compactMinBytes: 512 * 1024 }).close();
  let acknowledged = 0;
  for (let run = 0; run < KILLS; run++) {
    const journal = await writeAndKill(dir, 20 + ((run * 37) % 200));
    acknowledged += journal.length;
    const cache = new Cache(dir);
    verify(cache, journal, run);
    // Nothing to fix beyond what an interrupted write leaves: a torn tail, a value file written just before the
    // kill whose record never made it, or the empty directory of a value file removed just before it (diskcache
    // leaves the same two), and the temporary file of a compaction the kill cut short.
    for (const w of cache.check()) {
      const leftover = /^torn tail/.test(w.message) || w.category === 'EmptyDirWarning' ||
        (w.category === 'UnknownFileWarning' && (w.message.endsWith('.val') || w.message.startsWith('leftover of a dead process')));
      assert.ok(leftover, `run ${run}: ${w.message}`);
    }
    cache.close();
  }
  assert.ok(acknowledged > KILLS, 'the writers acknowledged operations');
  const cache = new Cache(dir);
  cache.check({ fix: true });
  assert.deepEqual(cache.check(), []);
  cache.close();
});
