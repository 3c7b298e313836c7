/** The single-key methods beyond get and set: add, incr/decr, pop, the KeyError forms, and memoize. */
import assert from 'node:assert/strict';
import { KeyError } from '../../../src/index.js';
import { MISS, type RuleContext } from '../suite.js';

export function registerMethods({ rule, fresh }: RuleContext): void {
  rule('add stores only when the key is absent', (t) => {
    const c = fresh(t);
    assert.equal(c.add('k', 1), true);
    assert.equal(c.add('k', 2), false);
    assert.equal(c.get('k'), 1);
  });

  rule('incr and decr: atomic counters that keep expiry and tag; default null raises KeyError', (t) => {
    const c = fresh(t);
    assert.equal(c.incr('n'), 1);
    assert.equal(c.incr('n', { delta: 5 }), 6);
    assert.equal(c.decr('n', { delta: 2 }), 4);
    assert.equal(c.incr('m', { default: 10 }), 11);
    assert.throws(() => c.incr('missing', { default: null }), KeyError);
    c.set('f', 1.5, { tag: 'x', expire: 100 });
    const [, expireTime] = c.get('f', { expireTime: true }) as [number, number];
    assert.equal(c.incr('f'), 2.5);
    assert.deepEqual(c.get('f', { expireTime: true, tag: true }), [2.5, expireTime, 'x']);
    c.set('s', 'text');
    assert.throws(() => c.incr('s'), TypeError);
  });

  rule('pop removes and returns a live item, with tuple forms', (t) => {
    const c = fresh(t);
    c.set('k', 'v', { tag: 't' });
    assert.deepEqual(c.pop('k', { tag: true }), ['v', 't']);
    assert.equal(c.has('k'), false);
    assert.deepEqual(c.pop('k', { expireTime: true, tag: true }), [MISS, null, null]);
    assert.equal(c.pop('k'), MISS);
    assert.equal(c.pop('k', { default: 'd' }), 'd');
  });

  rule('getItem and deleteItem raise KeyError on a miss', (t) => {
    const c = fresh(t);
    assert.throws(() => c.getItem('k'), KeyError);
    assert.throws(() => c.deleteItem('k'), KeyError);
    c.setItem('k', 1);
    assert.equal(c.getItem('k'), 1);
    assert.equal(c.deleteItem('k'), true);
  });

  rule('memoize caches sync and async results, by name, with typed keys and ignored arguments', async (t) => {
    const c = fresh(t);
    let calls = 0;
    const add = c.memoize({ name: 'add', typed: true, ignore: [2] })((a: number, b: number, _log?: string) => { calls++; return a + b; });
    assert.equal(add(1, 2, 'x'), 3);
    assert.equal(add(1, 2, 'y'), 3);
    assert.equal(calls, 1);
    assert.deepEqual(add.cacheKey(1, 2, 'z'), ['add', 1, 2, '\u0000typed', 'number', 'number']);
    const slow = c.memoize({ name: 'slow', expire: 60 })(async (x: number) => { calls++; return x * 2; });
    assert.equal(await slow(4), 8);
    assert.equal(await slow(4), 8);
    assert.equal(calls, 2);
  });
}
