/** memoize: keys that cannot mix functions, canonical arguments across processes, one computation per cold key. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cache, FanoutCache, Index, argsToKey, memoize } from '../../src/index.js';
import { counter, total } from '../fixtures/memoized.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/memoize-worker.ts');

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-memoize-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function open(t: { after(fn: () => void): void }): Cache {
  const c = new Cache(tmp(t));
  t.after(() => c.close());
  return c;
}

function worker(dir: string, task: string): Promise<{ result: unknown; computed: number; key: unknown }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, dir, task], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(stderr)))));
}

test('an inline arrow cannot be memoized without a name: TypeError at decoration saying how', (t) => {
  const c = open(t);
  assert.throws(() => c.memoize()(async (n: number) => n * n), (err: Error) => err instanceof TypeError && /\{ name: 'square' \}/.test(err.message));
  assert.throws(() => c.memoize()(function named() {}.bind(null)), TypeError, 'a bound function has no definition of its own');
  assert.throws(() => c.memoize()(Math.max), TypeError, 'a native function has no source text');
  assert.throws(() => c.memoize({ name: '' })(() => 1), TypeError);
});

test("the README's pattern no longer mixes functions: square and double keep their own results", async (t) => {
  const c = open(t);
  const square = c.memoize({ name: 'square' })(async (n: number) => n * n);
  const double = c.memoize({ name: 'double' })(async (n: number) => n * 2);
  assert.equal(await square(12), 144);
  assert.equal(await double(12), 24);
});

test('same-named functions with different definitions key apart; the same definition shares (as one module would)', (t) => {
  const c = open(t);
  const moduleA = { area: function area(w: number) { return w * 2; } };
  const moduleB = { area: function area(w: number) { return w * 3; } };
  const a = c.memoize()(moduleA.area);
  const b = c.memoize()(moduleB.area);
  assert.equal(a(5), 10);
  assert.equal(b(5), 15);
  assert.notDeepEqual(a.cacheKey(5), b.cacheKey(5));
  const again = c.memoize()(function area(w: number) { return w * 2; });
  assert.deepEqual(again.cacheKey(5), a.cacheKey(5));
});

test('a method call needs thisKey: refused without it, keyed per instance with it, shared on purpose with null', (t) => {
  const c = open(t);
  class Rect {
    constructor(readonly id: string, readonly w: number) {}
    area = c.memoize({ name: 'Rect.area', thisKey: (self: Rect) => self.id })(function (this: Rect) { return this.w * 10; });
    bare = c.memoize({ name: 'Rect.bare' })(function (this: Rect) { return this.w; });
    shared = c.memoize({ name: 'Rect.shared', thisKey: null })(function (this: Rect) { return this.w; });
  }
  const r1 = new Rect('r1', 1);
  const r2 = new Rect('r2', 2);
  assert.equal(r1.area(), 10);
  assert.equal(r2.area(), 20, 'two instances do not share results');
  assert.throws(() => r1.bare(), (err: Error) => err instanceof TypeError && /thisKey/.test(err.message));
  assert.equal(r1.shared(), 1);
  assert.equal(r2.shared(), 1, 'thisKey: null shares across instances, as asked');
  // A plain object used as a namespace is not an instance: `api.fn()` needs no thisKey.
  const api = { triple: c.memoize({ name: 'triple' })((n: number) => n * 3) };
  assert.equal(api.triple(2), 6);
});

test('plain objects key alike in any property order; Dates, Maps, Sets, arrays and nesting are canonical', (t) => {
  const c = open(t);
  let calls = 0;
  const f = c.memoize({ name: 'f' })((_opts: unknown) => ++calls);
  assert.equal(f({ a: 1, b: { c: [1, 2], d: new Date(0) } }), 1);
  assert.equal(f({ b: { d: new Date(0), c: [1, 2] }, a: 1 }), 1, 'same object, other property order: a hit');
  assert.equal(f({ a: 1, b: { c: [1, 2], d: new Date(1) } }), 2, 'another Date: a miss');
  assert.equal(f({ a: 1, b: { c: [2, 1], d: new Date(0) } }), 3, 'array order matters');
  assert.equal(f(new Map([['x', 1], ['y', 2]])), 4);
  assert.equal(f(new Map([['y', 2], ['x', 1]])), 4, 'Map entries in any order');
  assert.equal(f(new Set([3, 1])), 5);
  assert.equal(f(new Set([1, 3])), 5);
  assert.equal(f({ a: 1, u: undefined }), 6);
  assert.equal(f({ a: 1 }), 6, 'an undefined property is left out, as JSON does');
  assert.equal(f(undefined), 7);
  assert.equal(f(null), 8, 'undefined and null differ');
  assert.equal(f(['\u0000o']), 9);
  assert.equal(f({}), 10, "a string that looks like a tag does not collide with one");
  assert.throws(() => f(new (class Point {})()), (err: Error) => err instanceof TypeError && /args\[0\] is a Point/.test(err.message));
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => f(cyclic), RangeError);
  assert.deepEqual(argsToKey('f', [{ b: 2, a: 1 }], false, new Set()), ['f', ['\u0000o', 'a', 1, 'b', 2]]);
});

test('concurrent cold calls of an async function compute once; a rejection is shared, not cached', async (t) => {
  const c = open(t);
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slow = c.memoize({ name: 'slow' })(async (n: number) => {
    calls++;
    await gate;
    return n * 2;
  });
  const pending = [slow(1), slow(1), slow(1), slow(2)];
  release();
  assert.deepEqual(await Promise.all(pending), [2, 2, 2, 4]);
  assert.equal(calls, 2, 'one computation per key');
  let fails = 0;
  const flaky = c.memoize({ name: 'flaky' })(async () => {
    fails++;
    await new Promise((r) => setImmediate(r));
    if (fails === 1) throw new Error('boom');
    return 'ok';
  });
  const both = await Promise.allSettled([flaky(), flaky()]);
  assert.deepEqual(both.map((r) => r.status), ['rejected', 'rejected'], 'concurrent callers share the failure');
  assert.equal(fails, 1);
  assert.equal(await flaky(), 'ok', 'the failure was not cached');
});

test('memoize works the same on FanoutCache, Index and standalone', async (t) => {
  const dir = tmp(t);
  const fan = new FanoutCache(path.join(dir, 'f'), { shards: 2 });
  const index = new Index(path.join(dir, 'i'));
  const map = new Map<string, unknown>();
  const standalone = memoize({ get: (k, o) => (map.has(JSON.stringify(k)) ? map.get(JSON.stringify(k)) : o?.default), set: (k, v) => map.set(JSON.stringify(k), v) });
  t.after(() => { fan.close(); index.close(); });
  for (const decorate of [fan.memoize({ name: 'sq' }), index.memoize({ name: 'sq' }), standalone]) {
    let calls = 0;
    const sq = decorate(async function sq(n: number) { calls++; return n * n; });
    assert.equal(await sq(3), 9);
    assert.equal(await sq(3), 9);
    assert.equal(calls, 1);
  }
});

test('across processes: a result computed here is a hit in another process, whatever the property order', async (t) => {
  const dir = tmp(t);
  const cache = new Cache(dir);
  let computed = 0;
  const search = cache.memoize({ name: 'search' })((query: { text: string; filters: { tags: string[]; since: Date } }) => {
    computed++;
    return `${query.text}:${query.filters.tags.join(',')}:${query.filters.since.toISOString()}`;
  });
  const expected = search({ text: 'q', filters: { tags: ['a', 'b'], since: new Date(Date.UTC(2024, 0, 2)) } });
  assert.equal(computed, 1);
  // The module the worker imports too: without a name, the key is the function's name plus its source hash.
  const memoTotal = cache.memoize()(total);
  assert.equal(memoTotal([1, 2, 3]), 6);
  assert.equal(counter.computed, 1);
  cache.close();
  const [other, otherTotal] = [await worker(dir, 'search'), await worker(dir, 'total')];
  assert.equal(other.result, expected);
  assert.equal(other.computed, 0, 'the other process read the result instead of computing it');
  assert.equal(otherTotal.result, 6);
  assert.equal(otherTotal.computed, 0);
  const again = new Cache(dir);
  t.after(() => again.close());
  assert.deepEqual(otherTotal.key, JSON.parse(JSON.stringify(again.memoize()(total).cacheKey([1, 2, 3]))));
});
