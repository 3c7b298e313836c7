/**
 * The bad input table (invariant 6: bad input changes nothing). Each row calls one public method of Cache,
 * FanoutCache, Deque or Index (or a constructor, or a sub-collection opener) with one wrong argument: a key of the
 * wrong type, NaN or too large for a record; an unserializable value; a malformed expire, tag, delta, side, prefix or
 * options object; an invalid setting; a sub-collection name with '..', an absolute path, a NUL or nothing; a call on
 * a closed handle. For each row:
 *   - a fresh store gets a few known items (inline values, a value file, a tag, an expiry, a queue item) and is
 *     closed, and the directory is snapshotted (SHA-256 of every file);
 *   - it is reopened, the bad call throws (or rejects) a TypeError, RangeError or LogcacheError whose message names
 *     the argument, and the handle is closed;
 *   - the directory is byte-for-byte what it was.
 * Opening and closing a store writes nothing (the control rows check it): the snapshot is taken right after the setup.
 * The stores use the default policy, least-recently-stored, under which a read writes nothing either (under LRU/LFU
 * a get hit writes the access sidecar, access.bin).
 *
 * Accepted on purpose, as python-diskcache 5.6 accepts them (checked by the last subtest, not rejected by the table):
 * a negative, zero, infinite or 1e300 expire (the item is born expired or never expires), tags of every key type,
 * a circular plain object as a value, a 100 KB key. Rows marked `todo` are gaps the API layer cannot close (the fix
 * belongs to src/shard); they run and report without failing the suite.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { Cache, Deque, FanoutCache, Index, LogcacheError } from '../../src/index.js';
import { MAX_BODY_BYTES } from '../../src/format/frame.js';
import * as path from 'node:path';
import { copyTree, figures, snapshot, snapshotDiff, tmpdir, watchdog } from './harness.js';

type Kind = 'cache' | 'fanout' | 'deque' | 'index';
type Call = (h: any, dir: string) => unknown;
interface Case { kind: Kind; name: string; arg: string; call: Call; todo?: string; async?: boolean }

/** A synchronous call left hanging (a record too large to read back once did that) would stop the runner too. */
const CASE_LIMIT_MS = 60_000;

// ---- the stores ---------------------------------------------------------------------------------------------------

const OPEN: Record<Kind, (dir: string) => { close(): void }> = {
  cache: (dir) => new Cache(dir),
  fanout: (dir) => new FanoutCache(dir, { shards: 2 }),
  deque: (dir) => new Deque([], { directory: dir }),
  index: (dir) => new Index(dir),
};

/** A few known items of every kind of record: inline values, a value file, a tag, an expiry, a queue item. */
function populate(kind: Kind, dir: string): void {
  const fill = (c: Cache | FanoutCache) => {
    c.set('a', 1);
    c.set('b', 'text', { expire: 3600, tag: 't' });
    c.set(['tuple', 2], Buffer.alloc(40_000, 7)); // above diskMinFileSize: a value file
    c.incr('n', { delta: 5 });
  };
  if (kind === 'cache') {
    const c = new Cache(dir);
    fill(c);
    c.push('queued', { prefix: 'q' });
    c.close();
  } else if (kind === 'fanout') {
    const f = new FanoutCache(dir, { shards: 2 });
    fill(f);
    for (const sub of [f.cache('c'), f.deque('d'), f.index('i')]) {
      if (sub instanceof Deque) sub.append('x');
      else sub.set('k', 1);
      sub.close(); // FanoutCache.close forgets sub-collections without closing them (as diskcache)
    }
    f.close();
  } else if (kind === 'deque') new Deque(['x', 'y', 'z'], { directory: dir }).close();
  else new Index(dir, { a: 1, b: [2, 3] }).close();
}

// ---- bad arguments --------------------------------------------------------------------------------------------------

let huge: Buffer | undefined, hugeText: string | undefined;
/** Keys longer than a frame's body can ever be (no record can carry them), allocated once, lazily. */
const HUGE = () => (huge ??= Buffer.alloc(MAX_BODY_BYTES));
const HUGE_TEXT = () => (hugeText ??= 'k'.repeat(MAX_BODY_BYTES));
const fn = () => 1;
const sym = Symbol('s');
const cyclicKey = () => { const a: unknown[] = []; a.push(a); return a; };
const cyclicMap = () => { const m = new Map<string, unknown>(); m.set('self', m); return m; };
class Point { x = 1; }
const badStream = () => Readable.from([{ not: 'bytes' }]);
const asyncFn = async () => 1;
const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : typeof v === 'object' ? JSON.stringify(v) : String(v));
const closed = (call: Call): Call => (h, dir) => { h.close(); return call(h, dir); };
/** A sub-collection of a FanoutCache, closed after the call (the FanoutCache does not close it). */
const sub = (open: (h: any) => { close(): void }, call: (s: any) => unknown): Call => (h) => {
  const s = open(h);
  try { return call(s); } finally { s.close(); }
};

const cases: Case[] = [];
const add = (kind: Kind, prefix: string) => (name: string, arg: string, call: Call, more: Pick<Case, 'todo' | 'async'> = {}) =>
  cases.push({ kind, name: `${prefix}.${name}`, arg, call, ...more });

const C = add('cache', 'Cache');
// keys: wrong types, NaN, lone surrogates, cycles, and more bytes than a record holds
C('set key=undefined', 'key', (h) => h.set(undefined, 1));
C('set key={}', 'key', (h) => h.set({}, 1));
C('set key=function', 'key', (h) => h.set(fn, 1));
C('set key=Symbol', 'key', (h) => h.set(sym, 1));
C('set key=NaN', 'key', (h) => h.set(NaN, 1));
C('set key=lone surrogate', 'key', (h) => h.set('\ud800', 1));
C('set key=[1, NaN]', 'key[1]', (h) => h.set([1, NaN], 1));
C('set key=self-containing array', 'key', (h) => h.set(cyclicKey(), 1));
C('set key=Map', 'key', (h) => h.set(new Map(), 1));
C('set key=256 MiB Buffer', 'key', (h) => h.set(HUGE(), 1));
C('set key=256 Mi-char string', 'key', (h) => h.set(HUGE_TEXT(), 1));
C('add key={}', 'key', (h) => h.add({}, 1));
C('add key=256 MiB Buffer', 'key', (h) => h.add(HUGE(), 1));
C('get key=undefined', 'key', (h) => h.get(undefined));
C('get key=Symbol', 'key', (h) => h.get(sym));
C('has key={}', 'key', (h) => h.has({}));
C('read key=NaN', 'key', (h) => h.read(NaN));
C('pop key=function', 'key', (h) => h.pop(fn));
C('delete key=Symbol', 'key', (h) => h.delete(sym));
C('incr key={}', 'key', (h) => h.incr({}));
C('incr key=256 MiB Buffer', 'key', (h) => h.incr(HUGE()));
C('decr key=NaN', 'key', (h) => h.decr(NaN));
C('touch key=undefined', 'key', (h) => h.touch(undefined, { expire: 1 }));
C('touch key=256 MiB Buffer', 'key', (h) => h.touch(HUGE(), { expire: 1 }));
C('getItem key=undefined', 'key', (h) => h.getItem(undefined));
C('setItem key={}', 'key', (h) => h.setItem({}, 1));
C('deleteItem key=NaN', 'key', (h) => h.deleteItem(NaN));
// values the Disk cannot store faithfully
C('set value=function', 'value', (h) => h.set('k', fn));
C('set value=Symbol', 'value', (h) => h.set('k', sym));
C('set value=Map containing itself', 'value', (h) => h.set('k', cyclicMap()));
C('set value=class instance', 'value', (h) => h.set('k', new Point()));
C('set value={a: [function]}', 'value.a[0]', (h) => h.set('k', { a: [fn] }));
C('set value=sparse array', 'value', (h) => h.set('k', [1, , 3]));
C('add value=Symbol', 'value', (h) => h.add('new', sym));
C('setItem value=function', 'value', (h) => h.setItem('k', fn));
C('set read=true value=string', 'value', (h) => h.set('k', 'text', { read: true }));
C('set read=true stream of objects', 'value', (h) => h.set('k', badStream(), { read: true }), { async: true });
C('set value=256 MiB inline (diskMinFileSize raised on this handle only)', 'value', (h) => {
  h.reset('diskMinFileSize', 2 ** 40, { update: false }); // not stored: the directory stays as it was
  return h.set('k', HUGE());
});
C('push value=function', 'value', (h) => h.push(fn));
// expire, tag, delta, default
C('set expire=NaN', 'expire', (h) => h.set('k', 1, { expire: NaN }));
C("set expire='60'", 'expire', (h) => h.set('k', 1, { expire: '60' }));
C('set expire=60n', 'expire', (h) => h.set('k', 1, { expire: 60n }));
C('set expire={}', 'expire', (h) => h.set('k', 1, { expire: {} }));
C('add expire=NaN', 'expire', (h) => h.add('new', 1, { expire: NaN }));
C("touch expire='x'", 'expire', (h) => h.touch('a', { expire: 'x' }));
C('push expire=NaN', 'expire', (h) => h.push(1, { expire: NaN }));
C('set tag={}', 'tag', (h) => h.set('k', 1, { tag: {} }));
C('set tag=NaN', 'tag', (h) => h.set('k', 1, { tag: NaN }));
C('set tag=function', 'tag', (h) => h.set('k', 1, { tag: fn }));
C('set tag=256 MiB Buffer', 'tag', (h) => h.set('k', 1, { tag: HUGE() }));
C('set key+tag=2 x 150 MiB (each fits, together not)', 'tag', (h) => {
  const half = HUGE().subarray(0, 150 * 2 ** 20);
  return h.set(half, 1, { tag: half });
});
C('add tag=Symbol', 'tag', (h) => h.add('new', 1, { tag: sym }));
C('push tag={}', 'tag', (h) => h.push(1, { tag: {} }));
C('evict tag={}', 'tag', (h) => h.evict({}));
C('evict tag=NaN', 'tag', (h) => h.evict(NaN));
C('incr delta=NaN', 'delta', (h) => h.incr('n', { delta: NaN }));
C("incr delta='1'", 'delta', (h) => h.incr('n', { delta: '1' }));
C("incr default='x'", 'default', (h) => h.incr('new', { default: 'x' }));
C('decr delta={}', 'delta', (h) => h.decr('n', { delta: {} }));
C('incr on a string value', 'value', (h) => h.incr('b'));
// options given positionally, Python style: refused, not ignored
C('set opts=60 (positional expire)', 'options', (h) => h.set('k', 1, 60));
C('touch opts=10', 'options', (h) => h.touch('a', 10));
C('incr opts=5 (positional delta)', 'options', (h) => h.incr('n', 5));
C('decr opts=5', 'options', (h) => h.decr('n', 5));
C('get opts=null', 'options', (h) => h.get('a', null));
C("pop opts='default'", 'options', (h) => h.pop('a', 'default'));
C("push opts='prefix'", 'options', (h) => h.push(1, 'q'));
C("pull opts='prefix'", 'options', (h) => h.pull('q'));
C('peekitem opts=false', 'options', (h) => h.peekitem(false));
C('clear opts=true', 'options', (h) => h.clear(true));
C('check opts=true (positional fix)', 'options', (h) => h.check(true));
C('evict opts=true', 'options', (h) => h.evict('t', true));
C('iterkeys opts=true', 'options', (h) => h.iterkeys(true));
// queues
C("push side='middle'", 'side', (h) => h.push(1, { side: 'middle' }));
C('push prefix=42', 'prefix', (h) => h.push(1, { prefix: 42 }));
C("pull side='up'", 'side', (h) => h.pull({ side: 'up' }));
C('peek prefix={}', 'prefix', (h) => h.peek({ prefix: {} }));
C("expire now='x'", 'now', (h) => h.expire({ now: 'x' }));
// transact, memoize
C("transact fn='x'", 'fn', (h) => h.transact('x'));
C('transact fn=async function', 'fn', (h) => h.transact(asyncFn));
C('memoize(fn) (no options)', 'options', (h) => h.memoize(fn));
C('memoize()(42)', 'fn', (h) => h.memoize()(42));
C("memoize expire='1'", 'expire', (h) => h.memoize({ expire: '1' }));
C('memoize tag={}', 'tag', (h) => h.memoize({ tag: {} }));
C('memoize ignore=5', 'ignore', (h) => h.memoize({ ignore: 5 }));
// settings through reset, stats and the constructor
C('reset name=42', 'name', (h) => h.reset(42, 1));
const BAD_SETTINGS = [['sizeLimit', -1], ['evictionPolicy', 'random'], ['cullLimit', NaN], ['statistics', 'yes'], ['diskMinFileSize', -1]] as const;
const BAD_HANDLE_OPTIONS = [['timeout', -1], ['sync', 'sometimes'], ['disk', {}], ['segmentBytes', 0], ['compactMinBytes', 'x'], ['throttleWrites', 'yes'], ['engine', 'bogus']] as const;
for (const [arg, v] of BAD_SETTINGS) C(`reset ${arg}=${show(v)}`, arg, (h) => h.reset(arg, v));
for (const [arg, v] of [...BAD_SETTINGS, ...BAD_HANDLE_OPTIONS]) C(`new Cache ${arg}=${show(v)}`, arg, (_, dir) => new Cache(dir, { [arg]: v }));
C("reset 'bad name'", 'name', (h) => h.reset('bad name', 1));
C('reset foo=function', 'foo', (h) => h.reset('foo', fn));
C('reset never stored', 'neverStored', (h) => h.reset('neverStored'));
C('reset opts=false (positional update)', 'options', (h) => h.reset('cullLimit', 3, false));
C("stats enable='yes'", 'statistics', (h) => h.stats({ enable: 'yes' }));
C("stats reset=true enable='yes'", 'statistics', (h) => h.stats({ reset: true, enable: 'yes' }));
C("new Cache options='x'", 'options', (_, dir) => new Cache(dir, 'x' as never));
C('new Cache directory=42', 'directory', () => new Cache(42 as never));
C('new Cache setting foo=function', 'foo', (_, dir) => new Cache(dir, { foo: fn } as never));
// a closed handle: every method throws ClosedError ('cache is closed'), whatever its arguments
const KEYED: Record<string, unknown[]> = { set: ['a', 2], add: ['new', 2], get: ['a'], pop: ['a'], delete: ['a'], incr: ['n'], touch: ['a'] };
for (const m of [...Object.keys(KEYED), 'clear', 'cull', 'check', 'volume', 'expire', 'iterkeys', 'peekitem', 'pull']) {
  C(`${m} on a closed handle`, 'closed', closed((h) => h[m](...(KEYED[m] ?? []))));
}

const F = add('fanout', 'FanoutCache');
F('set key=undefined', 'key', (h) => h.set(undefined, 1));
F('set key=256 MiB Buffer', 'key', (h) => h.set(HUGE(), 1));
F('get key={}', 'key', (h) => h.get({}));
F('has key=NaN', 'key', (h) => h.has(NaN));
F('read key={}', 'key', (h) => h.read({}));
F('pop key=Symbol', 'key', (h) => h.pop(sym));
F('delete key={}', 'key', (h) => h.delete({}));
F('add value=function', 'value', (h) => h.add('new', fn));
F("set expire='x'", 'expire', (h) => h.set('k', 1, { expire: 'x' }));
F('set opts=60', 'options', (h) => h.set('k', 1, 60));
F('touch expire=NaN', 'expire', (h) => h.touch('a', { expire: NaN }));
F('incr delta=NaN', 'delta', (h) => h.incr('n', { delta: NaN }));
F('evict tag={}', 'tag', (h) => h.evict({}));
F("expire now='x'", 'now', (h) => h.expire({ now: 'x' }));
F('reset sizeLimit=-1', 'sizeLimit', (h) => h.reset('sizeLimit', -1));
F("reset evictionPolicy='random'", 'evictionPolicy', (h) => h.reset('evictionPolicy', 'random'));
F("stats enable='x'", 'statistics', (h) => h.stats({ enable: 'x' }));
F("transact fn='x'", 'fn', (h) => h.transact('x'));
F('transact fn=async function', 'fn', (h) => h.transact(asyncFn));
F('transact retry=false', 'retry', (h) => h.transact(fn, { retry: false }));
F('memoize expire=NaN', 'expire', (h) => h.memoize({ expire: NaN }));
F('new FanoutCache shards=2.5', 'shards', (_, dir) => new FanoutCache(dir, { shards: 2.5 }));
F('new FanoutCache shards=0', 'shards', (_, dir) => new FanoutCache(dir, { shards: 0 }));
F("new FanoutCache shards='4'", 'shards', (_, dir) => new FanoutCache(dir, { shards: '4' as never }));
for (const [arg, v] of [BAD_SETTINGS[0], BAD_SETTINGS[1], BAD_HANDLE_OPTIONS[0]]) {
  F(`new FanoutCache ${arg}=${show(v)}`, arg, (_, dir) => new FanoutCache(dir, { shards: 2, [arg]: v }));
}
for (const opener of ['cache', 'deque', 'index'] as const) {
  for (const [label, name] of [['..', '..'], ['a/../../b', 'a/../../b'], ['an absolute path', '/tmp/escape'], ['a NUL', 'a\0b'],
    ["''", ''], ["'.'", '.'], ["'a//b'", 'a//b'], ['42', 42]] as const) {
    F(`${opener}(${label})`, 'name', (h) => h[opener](name));
  }
}
F('cache(ok, sizeLimit=-1)', 'sizeLimit', (h) => h.cache('ok', { sizeLimit: -1 }));
F('deque(ok, maxlen=-1)', 'maxlen', (h) => h.deque('ok', { maxlen: -1 }));
F('cache(c).set expire=NaN', 'expire', sub((h) => h.cache('c'), (c) => c.set('k', 1, { expire: NaN })));
F('deque(d).append value=function', 'value', sub((h) => h.deque('d'), (d) => d.append(fn)));
F('index(i).set key={}', 'key', sub((h) => h.index('i'), (x) => x.set({}, 1)));
F('clear on a closed handle', 'closed', closed((h) => h.clear()));
F('set on a closed handle', 'closed', closed((h) => h.set('a', 2)));

const D = add('deque', 'Deque');
D('append value=function', 'value', (h) => h.append(fn));
D('appendleft value=Symbol', 'value', (h) => h.appendleft(sym));
D('append value=function, maxlen=5', 'value', (h) => Deque.fromcache<unknown>(h.cache, [], { maxlen: 5 }).append(fn));
D('push value=Map containing itself', 'value', (h) => h.push(cyclicMap()));
D('unshift value=class instance', 'value', (h) => h.unshift(new Point()));
D('rotate steps=1.5', 'steps', (h) => h.rotate(1.5));
D("rotate steps='1'", 'steps', (h) => h.rotate('1'));
D('get index=1.5', 'index', (h) => h.get(1.5));
D("get index='0'", 'index', (h) => h.get('0'));
D('get index=99', 'index', (h) => h.get(99));
D("at index='x'", 'index', (h) => h.at('x'));
D('set index=NaN', 'index', (h) => h.set(NaN, 'v'));
D('set index=99', 'index', (h) => h.set(99, 'v'));
D('set index=0 value=function', 'value', (h) => h.set(0, fn));
D('delete index=0.5', 'index', (h) => h.delete(0.5));
D('delete index=-99', 'index', (h) => h.delete(-99));
D('maxlen=-1', 'maxlen', (h) => { h.maxlen = -1; });
D("maxlen='x'", 'maxlen', (h) => { h.maxlen = 'x'; });
D('extend 42', 'iterable', (h) => h.extend(42));
D('extendleft null', 'iterable', (h) => h.extendleft(null));
D('remove an absent value', 'value', (h) => h.remove('absent'));
D("transact fn='x'", 'fn', (h) => h.transact('x'));
D('new Deque maxlen=-1', 'maxlen', (_, dir) => new Deque([], { directory: dir, maxlen: -1 }));
D('new Deque iterable=42', 'iterable', (_, dir) => new Deque(42 as never, { directory: dir }));
D('new Deque [function]', 'value', (_, dir) => new Deque([fn], { directory: dir }));
D('append on a closed handle', 'closed', closed((h) => h.append('v')));

const X = add('index', 'Index');
X('set key=undefined', 'key', (h) => h.set(undefined, 1));
X('set key={}', 'key', (h) => h.set({}, 1));
X('set value=function', 'value', (h) => h.set('k', fn));
X('get key=Symbol', 'key', (h) => h.get(sym));
X('has key=NaN', 'key', (h) => h.has(NaN));
X('delete key={}', 'key', (h) => h.delete({}));
X('getItem a missing key', 'key', (h) => h.getItem('missing'));
X('setdefault key={}', 'key', (h) => h.setdefault({}, 1));
X('setdefault value=function', 'value', (h) => h.setdefault('new', fn));
X('pop key=function', 'key', (h) => h.pop(fn));
X('pop a missing key, no default', 'key', (h) => h.pop('missing'));
X('push value=Symbol', 'value', (h) => h.push(sym));
X("push side='x'", 'side', (h) => h.push(1, { side: 'x' }));
X("pull side='x'", 'side', (h) => h.pull({ side: 'x' }));
X('pull prefix=1', 'prefix', (h) => h.pull({ prefix: 1 }));
X('update 42', 'entries', (h) => h.update(42));
X("update 'abc'", 'entries[0]', (h) => h.update('abc'));
X('update [[1, 2, 3]]', 'entries[0]', (h) => h.update([[1, 2, 3]]));
X('update [[a, 1], [{}, 2]] (a bad key after a good one)', 'key', (h) => h.update([['a', 9], [{}, 2]]));
X("transact fn='x'", 'fn', (h) => h.transact('x'));
X('memoize ignore=5', 'ignore', (h) => h.memoize({ ignore: 5 }));
X('new Index entries=42', 'entries', (_, dir) => new Index(dir, 42 as never));
X('new Index entries {a: function}', 'value', (_, dir) => new Index(dir, { a: fn }));
X('set on a closed handle', 'closed', closed((h) => h.set('a', 2)));

// ---- the run ----------------------------------------------------------------------------------------------------

/** Typed (TypeError, RangeError or a LogcacheError) and naming the argument. */
function typedNaming(arg: string) {
  return (err: unknown): true => {
    assert.ok(err instanceof TypeError || err instanceof RangeError || err instanceof LogcacheError, `untyped error: ${String(err)}`);
    assert.ok(err.message.includes(arg), `the message does not name '${arg}': ${err.message}`);
    return true;
  };
}

/** Closes whatever a call that should have thrown opened instead. */
function closeIfHandle(v: unknown): void {
  if (v instanceof Cache || v instanceof FanoutCache || v instanceof Deque || v instanceof Index) v.close();
}

test('bad input changes nothing', async (t) => {
  const dog = watchdog(CASE_LIMIT_MS);
  t.after(() => dog.stop());
  const tally = { cases: 0, typed: 0, unchanged: 0, todo: 0 };
  // One pristine store per kind, copied for each row (a copy is byte-for-byte the store, and cheaper to make).
  const pristine = {} as Record<Kind, { dir: string; snap: Map<string, string> }>;
  for (const kind of Object.keys(OPEN) as Kind[]) {
    const dir = tmpdir(t, `bad-pristine-${kind}`);
    populate(kind, dir);
    pristine[kind] = { dir, snap: snapshot(dir) };
    await t.test(`control: ${kind} open and close write nothing`, () => {
      OPEN[kind](dir).close();
      assert.deepEqual(snapshotDiff(pristine[kind].snap, snapshot(dir)), []);
    });
  }

  for (const c of cases) {
    await t.test(`${c.name} (${c.arg})`, { todo: c.todo }, async (st) => {
      dog.enter(`bad input: ${c.name}`);
      tally.cases++;
      if (c.todo) tally.todo++;
      const dir = path.join(tmpdir(st, 'bad'), 'store');
      copyTree(pristine[c.kind].dir, dir);
      const before = snapshot(dir);
      assert.deepEqual(snapshotDiff(pristine[c.kind].snap, before), []);
      const h = OPEN[c.kind](dir);
      try {
        if (c.async) await assert.rejects(async () => c.call(h, dir), typedNaming(c.arg));
        else assert.throws(() => closeIfHandle(c.call(h, dir)), typedNaming(c.arg));
        tally.typed++;
      } finally {
        h.close();
      }
      assert.deepEqual(snapshotDiff(before, snapshot(dir)), [], 'the directory changed');
      tally.unchanged++;
    });
  }
  dog.leave();

  await t.test('accepted as python-diskcache accepts them', (st) => {
    const c = new Cache(tmpdir(st, 'bad-accepted'));
    try {
      for (const expire of [-1, 0, Infinity, -Infinity, 1e300, null, undefined]) assert.equal(c.set('e', 1, { expire }), true);
      for (const tag of [1, 2.5, 10n ** 30n, true, [1, 'a'], Buffer.from('t'), '']) assert.equal(c.set('t', 1, { tag }), true);
      const loop: Record<string, unknown> = {};
      loop.self = loop;
      c.set('circular', loop);
      const back = c.get('circular') as typeof loop;
      assert.equal(back.self, back);
      c.set('k'.repeat(100_000), 1);
      assert.equal(c.get('k'.repeat(100_000)), 1);
      assert.equal(c.evict(null), 0);
      assert.deepEqual(c.check(), []);
    } finally {
      c.close();
    }
  });

  t.diagnostic(figures('bad-input', { cases: tally.cases, typed: tally.typed, unchanged: tally.unchanged, todo: tally.todo }));
});
