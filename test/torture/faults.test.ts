/**
 * Fault injection (invariants 1, 2, 6), after SQLite's I/O-error tests: every kind of file-system call the engine
 * makes (open, read, write, create-by-link, unlink, fsync, stat, list) fails with EIO or ENOSPC, or a write is
 * torn after k bytes, at a chosen call or at random, through the `fs` option (test/torture/faulty-fs.ts).
 * After each fault:
 *   - the failing call threw a typed error (IOError, a LogcacheError);
 *   - the same handle, faults off, still reads every key as the acknowledged operations say (the one that failed
 *     may or may not have happened: its key holds the value before or after it, nothing else);
 *   - and at the end a fresh handle reads the same, `check()` finds only what an interrupted write leaves (a torn
 *     frame, an orphan value file), `check({ fix: true })` then `check()` is clean, and a reopen agrees.
 *
 * The call kinds are the ones a fault-free run of the workload makes (so a new kind of call is covered on its own).
 * Short mode: a few hundred operations per scenario; LOGCACHE_TORTURE=long: thousands, and more random seeds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cache } from '../../src/api/cache.js';
import { LogcacheError } from '../../src/errors.js';
import { FaultAction, FaultCode, FaultyFs, FsCall } from './faulty-fs.js';
import { BASE_SEED, Rng, count, figures, same, show, tmpdir } from './harness.js';

const OPS = count('LOGCACHE_TORTURE_FAULT_OPS', 300, 3000);
const RANDOM_SEEDS = count('LOGCACHE_TORTURE_FAULT_SEEDS', 4, 40);
const KEYS = 40;
const BIG = 40_000; // above the 32 KiB file threshold: the value goes to a value file

type Value = string | number | Buffer | null;
/** Per key: the values it may hold (one when certain; two after a failed operation on it). */
type Model = Map<string, Value[]>;

/** Every key missing, for certain. */
function emptyModel(): Model {
  return new Map(Array.from({ length: KEYS }, (_, j) => [`k${j}`, [null]]));
}

interface Tally { scenarios: number; faults: number; typedErrors: number; ops: number; keyChecks: number }
const tally: Tally = { scenarios: 0, faults: 0, typedErrors: 0, ops: 0, keyChecks: 0 };

function options(layer: FaultyFs | null, sync: boolean) {
  return { segmentBytes: 8 * 1024, compactMinBytes: 16 * 1024, sync: sync ? 'always' as const : 'none' as const, fs: layer?.fs };
}

/** Every key holds one of the values the model allows; the model then settles on what is there. */
function verify(h: Cache, model: Model, where: string): void {
  for (const [k, allowed] of model) {
    const v = h.get(k, { default: null }) as Value;
    assert.ok(allowed.some((a) => same(a, v)), `${where}: ${k} holds ${show(v)}; allowed ${allowed.map(show).join(' | ')}`);
    model.set(k, [v]);
    tally.keyChecks++;
  }
}

/** One operation of the workload. Before the call, each key it touches is allowed the value it will hold if the call
 * completes (beside the one it holds); once the call returns, that value is certain. */
function step(h: Cache, rng: Rng, model: Model, i: number): void {
  const key = `k${rng.int(KEYS)}`;
  const cur = () => model.get(key)![0];
  const r = rng.int(100);
  const commit = (k: string, v: Value) => model.set(k, [v]);
  // Before the call: each touched key may end as before or after (kept if the call throws).
  const maybe = (k: string, after: Value) => model.set(k, [...model.get(k)!, after]);
  if (r < 35) {
    const v = rng.chance(0.1) ? Buffer.alloc(BIG, i & 0xff) : `v${i}|${'x'.repeat(rng.int(200))}`;
    maybe(key, v);
    h.set(key, v);
    commit(key, v);
  } else if (r < 50) {
    maybe(key, null);
    const had = h.delete(key);
    assert.equal(had, cur() !== null, `delete ${key} returned ${had}`);
    commit(key, null);
  } else if (r < 62) {
    const before = cur();
    if (before !== null && typeof before !== 'number') return;
    const next = ((before as number | null) ?? 0) + 1;
    maybe(key, next);
    assert.equal(h.incr(key), next);
    commit(key, next);
  } else if (r < 72) {
    const before = cur();
    const v = `a${i}`;
    if (before === null) maybe(key, v);
    assert.equal(h.add(key, v), before === null);
    if (before === null) commit(key, v);
  } else if (r < 80) {
    const before = cur();
    maybe(key, null);
    const got = h.pop(key, { default: null }) as Value;
    assert.ok(same(got, before), `pop ${key} returned ${show(got)}, held ${show(before)}`);
    commit(key, null);
  } else if (r < 90) {
    const other = `k${(Number(key.slice(1)) + 1) % KEYS}`;
    const v = `t${i}`;
    maybe(key, v);
    maybe(other, v);
    h.transact(() => {
      h.set(key, v);
      h.set(other, v);
    });
    commit(key, v);
    commit(other, v);
  } else if (r < 95) {
    const v = h.get(key, { default: null }) as Value;
    assert.ok(same(v, cur()), `get ${key} returned ${show(v)}, held ${show(cur())}`);
  } else {
    h.compact();
  }
}

/** Runs the workload with `decide` injecting faults; checks after every fault and at the end. */
function scenario(dir: string, decide: (c: FsCall) => FaultAction | null, seed: number, sync: boolean, where: string): void {
  const model = emptyModel();
  const layer = new FaultyFs(null);
  const h = new Cache(dir, options(layer, sync));
  const rng = new Rng(seed);
  try {
    for (let i = 0; i < OPS; i++) {
      layer.decide = decide;
      const before = layer.injected;
      try {
        step(h, rng, model, i);
      } catch (err) {
        if (layer.injected === before) throw err; // not ours: a real failure
        assert.ok(err instanceof LogcacheError, `${where} op ${i}: untyped error after ${layer.lastFault}: ${String(err)}`);
        tally.typedErrors++;
      } finally {
        layer.decide = null;
      }
      tally.ops++;
      if (layer.injected > before) {
        tally.faults += layer.injected - before;
        verify(h, model, `${where} after ${layer.lastFault}`);
      }
    }
  } finally {
    layer.decide = null;
    h.close();
  }
  const again = new Cache(dir, options(null, sync));
  try {
    verify(again, model, `${where} reopened`);
    for (const w of again.check()) {
      assert.ok(/torn|corrupt frame|unknown file: .*\.val$|empty directory/.test(w.message), `${where}: check() after faults: ${w.category}: ${w.message}`);
    }
    again.check({ fix: true });
    assert.deepEqual(again.check(), [], `${where}: check() after check({ fix: true })`);
    verify(again, model, `${where} repaired`);
  } finally {
    again.close();
  }
  const cold = new Cache(dir, options(null, sync));
  try {
    verify(cold, model, `${where} reopened after the repair`);
  } finally {
    cold.close();
  }
  tally.scenarios++;
}

/** The call kinds a fault-free run makes. */
function callKinds(dir: string): string[] {
  const seen = new Set<string>();
  const layer = new FaultyFs((c) => (seen.add(c.name), null));
  const model = emptyModel();
  const h = new Cache(dir, options(layer, true));
  const rng = new Rng(BASE_SEED);
  for (let i = 0; i < OPS; i++) step(h, rng, model, i);
  h.close();
  return [...seen].sort();
}

const CODES: FaultCode[] = ['EIO', 'ENOSPC'];

test('fault injection: each kind of call fails at chosen points; typed errors, nothing acknowledged lost, reopen recovers', async (t) => {
  const kinds = callKinds(tmpdir(t, 'kinds'));
  assert.ok(kinds.includes('writeSync') && kinds.includes('readSync') && kinds.includes('fdatasyncSync'), `call kinds: ${kinds}`);
  for (const name of kinds) {
    for (const code of CODES) {
      // The 1st, 3rd, 10th, 30th ... call of this kind fails (spread over the run: roll-overs, compactions, opens).
      const nth = new Set([1, 3, 10, 30, 100, 300, 1000]);
      let seen = 0;
      const decide = (c: FsCall): FaultAction | null => (c.name === name && nth.has(++seen) ? { kind: 'throw', code } : null);
      await t.test(`${name} ${code}`, (tt) => {
        scenario(tmpdir(tt, 'fault'), decide, BASE_SEED, name === 'fdatasyncSync' || name === 'fsyncSync', `${name} ${code}`);
      });
    }
  }
  for (const k of [0, 1, 7, 13, 60]) {
    let seen = 0;
    const decide = (c: FsCall): FaultAction | null => {
      if (c.name !== 'writeSync' || c.bytes <= k) return null;
      return ++seen % 23 === 0 ? { kind: 'tear', bytes: k, code: 'ENOSPC' } : null;
    };
    await t.test(`writes torn after ${k} bytes`, (tt) => {
      scenario(tmpdir(tt, 'tear'), decide, BASE_SEED + k, false, `torn after ${k}`);
    });
  }
  for (let s = 0; s < RANDOM_SEEDS; s++) {
    const rng = new Rng(BASE_SEED * 31 + s);
    const decide = (c: FsCall): FaultAction | null => {
      if (!rng.chance(0.02)) return null;
      const code = rng.pick<FaultCode>(['EIO', 'ENOSPC', 'EROFS', 'EACCES']);
      if (c.name === 'writeSync' && c.bytes > 1 && rng.chance(0.5)) return { kind: 'tear', bytes: rng.int(c.bytes), code };
      return { kind: 'throw', code };
    };
    await t.test(`random faults, seed ${BASE_SEED * 31 + s}`, (tt) => {
      scenario(tmpdir(tt, 'random'), decide, BASE_SEED * 31 + s, s % 2 === 1, `random seed ${BASE_SEED * 31 + s}`);
    });
  }
  t.diagnostic(figures('faults', { kinds: kinds.join(','), ...tally, lost: 0 }));
});
