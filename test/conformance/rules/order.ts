/** Iteration: which keys, in which order, forwards and backwards; peekitem's ends; iterkeys' sort order. */
import assert from 'node:assert/strict';
import { asCache, type RuleContext } from '../suite.js';

const KEYS = [Buffer.from('a'), 'b', 2, [1], -3, 'a', Buffer.from([0]), 1.5];
const sorted = (keys: unknown[]) => keys.map((k) => JSON.stringify(k)).sort();

export function registerOrder({ rule, fresh }: RuleContext): void {
  rule('iteration yields every live key once, forwards and reversed', (t) => {
    const c = fresh(t);
    for (const k of KEYS) c.set(k, 0);
    assert.deepEqual(sorted([...c]), sorted(KEYS));
    assert.deepEqual([...c.reversed()], [...c].reverse());
    assert.deepEqual([...c.keys()], [...c]);
  });

  rule('iteration is insertion order; an update keeps the position', (t) => {
    const c = fresh(t);
    for (const k of KEYS) c.set(k, 0);
    c.set('b', 1);
    assert.deepEqual([...c], KEYS);
    assert.deepEqual([...c.reversed()], [...KEYS].reverse());
  }, 'insertionOrder');

  rule('iterkeys is sort order (numbers, text, bytes, others)', (t) => {
    const c = asCache(fresh(t));
    for (const k of KEYS) c.set(k, 0);
    assert.deepEqual([...c.iterkeys()], [-3, 1.5, 2, 'a', 'b', Buffer.from([0]), Buffer.from('a'), [1]]);
    assert.deepEqual([...c.iterkeys({ reverse: true })], [[1], Buffer.from('a'), Buffer.from([0]), 'b', 'a', 2, 1.5, -3]);
  }, 'sortedKeys');

  rule('peekitem follows insertion order; an update keeps the position', (t) => {
    const c = asCache(fresh(t));
    for (const k of ['a', 'b', 'c']) c.set(k, k);
    c.set('a', 'A');
    assert.deepEqual(c.peekitem(), ['c', 'c']);
    assert.deepEqual(c.peekitem({ last: false }), ['a', 'A']);
    c.delete('a');
    c.set('a', 'again');
    assert.deepEqual(c.peekitem(), ['a', 'again']);
    c.clear();
    assert.throws(() => c.peekitem(), /dictionary is empty/);
  }, 'queues');
}
