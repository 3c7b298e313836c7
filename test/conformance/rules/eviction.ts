/** Removing items other than one by one: evict by tag, culling under each eviction policy, and the statistics. */
import assert from 'node:assert/strict';
import type { RuleContext } from '../suite.js';

export function registerEviction({ rule, fresh, supports }: RuleContext): void {
  rule('evict removes items by tag; evict(null) removes nothing', (t) => {
    const c = fresh(t);
    for (let i = 0; i < 10; i++) c.set(i, i, { tag: i % 2 === 0 ? 'even' : 'odd' });
    assert.equal(c.evict(null), 0);
    assert.equal(c.evict('even'), 5);
    assert.equal(c.size, 5);
    assert.deepEqual([...c].sort(), [1, 3, 5, 7, 9]);
  });

  // diskcache's example: six items, then a limit of 0 and a cull limit of 2; the next set culls the two oldest.
  // Culling is per shard, so the exact survivors are those of one insertion order.
  rule("culling after set keeps the size limit: least-recently-stored, diskcache's example", (t) => {
    const c = fresh(t, { cullLimit: 0 });
    for (let i = 0; i < 6; i++) c.set(i, i);
    c.reset('sizeLimit', 0);
    c.reset('cullLimit', 2);
    c.set('new', 'n');
    assert.deepEqual([...c], [2, 3, 4, 5, 'new']);
  }, 'insertionOrder');

  for (const policy of ['least-recently-used', 'least-frequently-used'] as const) {
    rule(`culling under ${policy} keeps what was read`, (t) => {
      const c = fresh(t, { evictionPolicy: policy, cullLimit: 0 });
      for (let i = 0; i < 6; i++) c.set(i, i);
      c.reset('sizeLimit', 0);
      c.reset('cullLimit', 2);
      for (const k of [3, 3, 1, 0]) c.get(k);
      c.set('new', 'n');
      assert.deepEqual([...c], [0, 1, 3, 5, 'new']);
    }, 'insertionOrder');
  }

  // The engine chooses what a hit records and the victims' order when it opens: reset must reach it.
  rule('an eviction policy changed by reset applies from the next get and the next cull', (t) => {
    const c = fresh(t, { cullLimit: 0 });
    for (let i = 0; i < 6; i++) c.set(i, i);
    c.reset('evictionPolicy', 'least-frequently-used');
    c.reset('sizeLimit', 0);
    c.reset('cullLimit', 2);
    for (const k of [0, 0, 1, 1, 2, 3]) c.get(k);
    c.set('new', 'n');
    assert.deepEqual([...c], [0, 1, 2, 3, 'new'], 'the two never read go, not the two stored first');
    c.reset('evictionPolicy', 'none');
    c.set('more', 'm');
    assert.equal(c.size, 6, 'none never evicts for size');
  }, 'insertionOrder');

  rule('eviction policy none never evicts for size', (t) => {
    const c = fresh(t, { evictionPolicy: 'none', sizeLimit: 0 });
    for (let i = 0; i < 20; i++) c.set(i, i);
    assert.equal(c.size, 20);
    assert.equal(c.cull(), 0);
  });

  rule('cull removes until volume is under the size limit, and volume shrinks as items go', (t) => {
    const c = fresh(t);
    for (let i = 0; i < 200; i++) c.set(i, 'x'.repeat(1000));
    const before = c.volume();
    // reset gives every shard the value (it is not divided), so a limit of half the volume is half of one share.
    c.reset('sizeLimit', before / 2 / supports.shards);
    assert.ok(c.cull() > 0);
    assert.ok(c.volume() <= before / 2, `volume ${c.volume()} after cull, ${before} before`);
    assert.ok(c.volume() < before);
  });

  rule('stats counts get hits and misses only while enabled', (t) => {
    const c = fresh(t);
    c.set('a', 1);
    c.get('a');
    assert.deepEqual(c.stats(), [0, 0], 'stats() returns the counters, then enables them');
    c.get('a');
    c.get('b');
    c.has('a');
    c.pop('zz');
    assert.deepEqual(c.stats({ reset: true }), [1, 1]);
    assert.deepEqual(c.stats({ enable: false }), [0, 0]);
    c.get('a');
    assert.deepEqual(c.stats({ enable: false }), [0, 0]);
  });
}
