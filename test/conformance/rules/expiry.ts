/**
 * Expiry, on the fake clock (test/fixtures/clock.ts): time moves only when a rule advances it, so no rule sleeps
 * and every expire time is exact. (Expiry seen from another process needs real time: test/shard, test/ecosystem.)
 */
import assert from 'node:assert/strict';
import { fakeClock } from '../../fixtures/clock.js';
import { MISS, type RuleContext } from '../suite.js';

export function registerExpiry({ rule, fresh, reopen }: RuleContext): void {
  rule('get with expireTime and tag returns tuples, and wraps the default on a miss', (t) => {
    const clock = fakeClock(t);
    const c = fresh(t);
    c.set('a', 1, { expire: 100, tag: 'T' });
    assert.deepEqual(c.get('a', { expireTime: true, tag: true }), [1, clock.now() + 100, 'T']);
    assert.deepEqual(c.get('zz', { expireTime: true, tag: true }), [MISS, null, null]);
    assert.deepEqual(c.get('zz', { tag: true, default: 3 }), [3, null]);
  });

  rule('an item is live until its expire time passes, then absent', (t) => {
    const clock = fakeClock(t);
    const c = fresh(t);
    c.set('a', 1, { expire: 10 });
    clock.advance(9.5);
    assert.equal(c.get('a'), 1);
    assert.equal(c.has('a'), true);
    clock.advance(1);
    assert.equal(c.get('a'), MISS);
    assert.equal(c.has('a'), false);
  });

  rule('expired items behave as absent everywhere but still count in size', (t) => {
    const clock = fakeClock(t);
    const c = fresh(t, { cullLimit: 0 });
    c.set('a', 1, { expire: 0.02 });
    c.set('b', 2, { expire: -1 });
    clock.advance(0.04);
    assert.equal(c.get('a'), MISS);
    assert.equal(c.has('a'), false);
    assert.equal(c.touch('a', { expire: 10 }), false);
    assert.equal(c.delete('b'), false);
    assert.equal(c.pop('b', { default: 'd' }), 'd');
    assert.equal(c.size, 2, 'expired rows stay until removed');
    assert.equal(c.add('a', 3), true, 'add replaces an expired item');
    assert.equal(c.expire(), 1);
    assert.equal(c.size, 1);
  });

  rule('incr on an expired item starts again from the default', (t) => {
    const clock = fakeClock(t);
    const c = fresh(t);
    c.set('n', 41, { expire: 1 });
    clock.advance(2);
    assert.equal(c.incr('n'), 1);
    assert.deepEqual(c.get('n', { expireTime: true }), [1, null]);
  });

  rule('touch sets a new expiry on a live item', (t) => {
    const clock = fakeClock(t);
    const c = fresh(t);
    c.set('k', 1);
    assert.equal(c.touch('k', { expire: 100 }), true);
    assert.deepEqual(c.get('k', { expireTime: true }), [1, clock.now() + 100]);
    assert.equal(c.touch('k', { expire: null }), true);
    assert.deepEqual(c.get('k', { expireTime: true }), [1, null]);
    assert.equal(c.touch('missing'), false);
    c.set('short', 1, { expire: 1 });
    assert.equal(c.touch('short', { expire: 60 }), true);
    clock.advance(30);
    assert.equal(c.get('short'), 1, 'touch moved the expiry past the old one');
  });

  rule('expire() removes exactly the expired items and counts them; a given now is used instead of the clock', (t) => {
    const clock = fakeClock(t);
    const c = fresh(t);
    c.set('soon', 1, { expire: 1 });
    c.set('later', 2, { expire: 100 });
    c.set('never', 3);
    assert.equal(c.expire(), 0);
    assert.equal(c.expire({ now: clock.now() + 50 }), 1);
    assert.equal(c.size, 2);
    clock.advance(200);
    assert.equal(c.expire(), 1);
    assert.deepEqual([...c], ['never']);
  });

  rule('an expire time is absolute: it holds across a reopen', (t) => {
    const clock = fakeClock(t);
    const c = fresh(t);
    c.set('k', 'v', { expire: 10 });
    c.close();
    const again = reopen(t, c.directory);
    assert.deepEqual(again.get('k', { expireTime: true }), ['v', clock.now() + 10]);
    clock.advance(11);
    assert.equal(again.get('k'), MISS);
  });
}
