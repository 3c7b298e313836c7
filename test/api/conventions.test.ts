/**
 * JavaScript conventions: a miss is undefined everywhere (with `default` honoured), pull/peek return a given
 * default as is, Deque's includes/indexOf, Index.get's default, and ClosedError from every method after close().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cache, ClosedError, Deque, FanoutCache, Index } from '../../src/index.js';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-conv-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a miss is undefined on Cache, FanoutCache, Index and Deque; a given default (null included) is returned', (t) => {
  const dir = tmp(t);
  const cache = new Cache(path.join(dir, 'c'));
  const fan = new FanoutCache(path.join(dir, 'f'), { shards: 2 });
  const index = new Index<string, number>(path.join(dir, 'i'));
  const deque = new Deque<number>([], { directory: path.join(dir, 'd') });
  t.after(() => { cache.close(); fan.close(); index.close(); deque.close(); });
  for (const h of [cache, fan]) {
    assert.equal(h.get('absent'), undefined);
    assert.equal(h.get('absent', { default: null }), null);
    assert.equal(h.get('absent', { default: 7 }), 7);
    assert.deepEqual(h.get('absent', { expireTime: true }), [undefined, null]);
    assert.deepEqual(h.get('absent', { tag: true, default: null }), [null, null]);
    assert.equal(h.pop('absent'), undefined);
    assert.equal(h.pop('absent', { default: null }), null);
    h.set('present', null);
    assert.equal(h.get('present', { default: 'd' }), null, 'a stored null is a hit, not a miss');
  }
  assert.equal(index.get('absent'), undefined);
  assert.equal(index.get('absent', 0), 0, 'Index.get takes a default, as Map-like stores do');
  index.set('one', 1);
  assert.equal(index.get('one', 0), 1);
  assert.equal(deque.at(0), undefined);
  assert.equal(deque.shift(), undefined);
  assert.deepEqual(index.pull(), [undefined, undefined]);
});

test('pull and peek: an empty queue gives [undefined, undefined], or the default as given (null stays null)', (t) => {
  const cache = new Cache(tmp(t));
  t.after(() => cache.close());
  for (const read of [(o?: object) => cache.pull(o), (o?: object) => cache.peek(o)]) {
    assert.deepEqual(read(), [undefined, undefined]);
    assert.equal(read({ default: null }), null);
    assert.equal(read({ default: 'none' }), 'none');
    assert.deepEqual(read({ default: null, expireTime: true }), [null, null]);
  }
  const key = cache.push('v');
  assert.deepEqual(cache.peek({ default: null }), [key, 'v']);
  assert.deepEqual(cache.pull({ default: null }), [key, 'v']);
});

test('Deque has includes and indexOf (deep equality, negative fromIndex counts from the back)', (t) => {
  const d = new Deque<unknown>(['a', { b: 1 }, 'c', 'a'], { directory: tmp(t) });
  t.after(() => d.close());
  assert.equal(d.includes({ b: 1 }), true);
  assert.equal(d.includes('z'), false);
  assert.equal(d.indexOf('a'), 0);
  assert.equal(d.indexOf('a', 1), 3);
  assert.equal(d.indexOf('a', -1), 3);
  assert.equal(d.indexOf('c', -1), -1);
  assert.equal(d.indexOf({ b: 1 }), 1);
  assert.throws(() => d.indexOf('a', 0.5), TypeError);
});

test('after close(), every method throws ClosedError (code LOGCACHE_CLOSED); close is idempotent; properties stay readable', (t) => {
  const dir = tmp(t);
  const cache = new Cache(path.join(dir, 'c'));
  cache.set('k', 1);
  cache.close();
  cache.close();
  const calls: [string, () => unknown][] = [
    ['get', () => cache.get('k')], ['set', () => cache.set('k', 2)], ['add', () => cache.add('n', 1)], ['has', () => cache.has('k')],
    ['pop', () => cache.pop('k')], ['delete', () => cache.delete('k')], ['incr', () => cache.incr('n')], ['touch', () => cache.touch('k')],
    ['size', () => cache.size], ['volume', () => cache.volume()], ['push', () => cache.push(1)], ['pull', () => cache.pull()],
    ['peek', () => cache.peek()], ['peekitem', () => cache.peekitem()], ['expire', () => cache.expire()], ['evict', () => cache.evict('t')],
    ['clear', () => cache.clear()], ['cull', () => cache.cull()], ['keys', () => [...cache.keys()]], ['reversed', () => [...cache.reversed()]],
    ['iterkeys', () => [...cache.iterkeys()]], ['transact', () => cache.transact(() => 1)], ['check', () => cache.check()],
    ['compact', () => cache.compact()], ['stats', () => cache.stats()], ['reset', () => cache.reset('sizeLimit', 5)],
    ['getItem', () => cache.getItem('k')], ['memoized call', () => cache.memoize({ name: 'm' })((n: number) => n)(1)],
  ];
  for (const [name, call] of calls) assert.throws(call, (err: ClosedError) => err instanceof ClosedError && err.code === 'LOGCACHE_CLOSED', name);
  assert.equal(cache.directory, path.join(dir, 'c'));
  assert.equal(cache.sizeLimit, 2 ** 30);

  const fan = new FanoutCache(path.join(dir, 'f'), { shards: 2 });
  fan.close();
  fan.close();
  for (const call of [() => fan.get('k'), () => fan.set('k', 1), () => fan.size, () => fan.stats(), () => [...fan.keys()],
    () => fan.cache('sub'), () => fan.deque('q'), () => fan.index('x'), () => fan.transact(() => 1)]) {
    assert.throws(call, ClosedError);
  }
  const d = new Deque([1], { directory: path.join(dir, 'd') });
  d.close();
  for (const call of [() => d.append(2), () => d.length, () => [...d], () => d.popleft(), () => d.includes(1)]) assert.throws(call, ClosedError);
  const index = new Index(path.join(dir, 'i'), { a: 1 });
  index.close();
  for (const call of [() => index.get('a'), () => index.set('a', 2), () => index.size, () => [...index.keys()], () => index.has('a')]) {
    assert.throws(call, ClosedError);
  }
});
