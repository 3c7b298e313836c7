/**
 * The eviction policies (src/engine/policy.ts): diskcache's four names, what a hit records and how victims are
 * ordered under each, and the hooks an engine installs once (NOOP for a feature that is off). One test per rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_EVICTION_POLICY, EVICTION_POLICY, NOOP, evictionPolicy, hitHook, isEvictionPolicyName, statisticsHook,
} from '../../src/engine/policy.js';
import { DEFAULT_SETTINGS, validateSetting } from '../../src/api/settings.js';
import * as root from '../../src/index.js';

test('the policies are diskcache\'s four, with what a hit records and the victims\' order', () => {
  assert.deepEqual(EVICTION_POLICY, {
    none: { onAccess: 'none', order: null },
    'least-recently-stored': { onAccess: 'none', order: 'stored' },
    'least-recently-used': { onAccess: 'time', order: 'accessTime' },
    'least-frequently-used': { onAccess: 'count', order: 'accessCount' },
  });
  assert.equal(root.EVICTION_POLICY, EVICTION_POLICY, 'the package exports the one table');
  assert.equal(DEFAULT_SETTINGS.evictionPolicy, DEFAULT_EVICTION_POLICY);
  assert.ok(Object.isFrozen(EVICTION_POLICY) && Object.isFrozen(EVICTION_POLICY.none));
});

test('a name is a policy only if it is one of the four (not a property every object has)', () => {
  for (const name of Object.keys(EVICTION_POLICY)) assert.ok(isEvictionPolicyName(name));
  for (const name of ['toString', '__proto__', 'constructor', 'LRU', '', 1, null]) {
    assert.equal(isEvictionPolicyName(name), false, String(name));
    assert.throws(() => validateSetting('evictionPolicy', name), RangeError);
  }
});

test('a stored name this version does not know behaves as the default policy', () => {
  assert.equal(evictionPolicy('least-recently-used'), EVICTION_POLICY['least-recently-used']);
  assert.equal(evictionPolicy('most-recently-used'), EVICTION_POLICY[DEFAULT_EVICTION_POLICY]);
  assert.equal(evictionPolicy('toString'), EVICTION_POLICY[DEFAULT_EVICTION_POLICY]);
});

test('a hit runs the access-time hook under least-recently-used, the count hook under least-frequently-used, else NOOP', () => {
  const time = (): void => {};
  const count = (): void => {};
  assert.equal(hitHook(EVICTION_POLICY['least-recently-used'], time, count), time);
  assert.equal(hitHook(EVICTION_POLICY['least-frequently-used'], time, count), count);
  assert.equal(hitHook(EVICTION_POLICY['least-recently-stored'], time, count), NOOP);
  assert.equal(hitHook(EVICTION_POLICY.none, time, count), NOOP);
});

test('statistics off install NOOP; on, the counting hook', () => {
  const counted: boolean[] = [];
  const count = (hit: boolean) => { counted.push(hit); };
  assert.equal(statisticsHook(false, count), NOOP);
  statisticsHook(true, count)(true);
  assert.deepEqual(counted, [true]);
});
