/** push, pull and peek: diskcache's queue keys (Cache only; its FanoutCache has no queues). */
import assert from 'node:assert/strict';
import { MISS, asCache, type RuleContext } from '../suite.js';

export function registerQueues({ rule, fresh, reopen }: RuleContext): void {
  rule('push on an empty queue starts at 500000000000000 on either side', (t) => {
    const c = asCache(fresh(t));
    assert.equal(c.push('a', { side: 'front' }), 500000000000000);
    assert.equal(c.push('b', { side: 'front' }), 499999999999999);
    assert.equal(c.push('c'), 500000000000001);
    assert.deepEqual(c.pull(), [499999999999999, 'b']);
    assert.deepEqual(c.pull({ side: 'back' }), [500000000000001, 'c']);
    assert.deepEqual(c.peek(), [500000000000000, 'a']);
    assert.deepEqual(c.check(), []);
  }, 'queues');

  rule('prefixed queues use text keys and stay apart', (t) => {
    const c = asCache(fresh(t));
    assert.equal(c.push(1, { prefix: 'jobs' }), 'jobs-500000000000000');
    assert.equal(c.push(2, { prefix: 'jobs' }), 'jobs-500000000000001');
    c.push('x');
    assert.deepEqual(c.pull({ prefix: 'jobs' }), ['jobs-500000000000000', 1]);
    assert.deepEqual(c.pull({ prefix: 'other' }), [MISS, MISS]);
  }, 'queues');

  rule('the prefix "\\u0000" is a text prefix like any other, apart from the queue without a prefix', (t) => {
    const c = asCache(fresh(t));
    assert.equal(c.push('a'), 500000000000000);
    assert.equal(c.push('b', { prefix: '\u0000' }), '\u0000-500000000000000');
    assert.deepEqual(c.pull(), [500000000000000, 'a']);
    assert.deepEqual(c.pull(), [MISS, MISS]);
    assert.deepEqual(c.pull({ prefix: '\u0000' }), ['\u0000-500000000000000', 'b']);
  }, 'queues');

  rule('queue order survives reopen and compaction', (t) => {
    const c = asCache(fresh(t));
    for (let i = 0; i < 5; i++) c.push(i);
    for (let i = 0; i < 20; i++) c.set('dead', 'x'.repeat(i)); // dead records, so that compaction writes a base
    c.delete('dead');
    assert.ok(c.compact().base > 0);
    c.close();
    const d = asCache(reopen(t, c.directory));
    assert.equal(d.push(5), 500000000000005);
    assert.deepEqual(d.pull(), [500000000000000, 0]);
  }, 'queues');

  rule('pushes inside a transaction keep the queue in order', (t) => {
    const c = asCache(fresh(t));
    c.transact(() => { c.push('a'); c.push('b'); });
    c.transact(() => c.push('c'));
    assert.deepEqual([...c], [500000000000000, 500000000000001, 500000000000002]);
  }, 'queues');
}
