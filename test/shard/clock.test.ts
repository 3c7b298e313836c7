/**
 * Issue 13, item 16: record times follow the wall clock (docs/engine.md, "Time"), so processes started before and
 * after a step of the system clock agree on expiry and `add`. Two processes with a faked wall clock
 * (test/fixtures/fake-wall-clock.ts): A starts, its clock is stepped an hour ahead, and it stores items expiring in a
 * minute; B starts after the step and must see them live.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { now } from '../../src/clock.js';

const FIXTURE = path.resolve('test/fixtures/fake-wall-clock.ts');
const INDEX = path.resolve('src/index.ts');

function run(script: string, offsetSeconds: number): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', FIXTURE, '--input-type=module', '-e', `
    import { Cache } from ${JSON.stringify(INDEX)};
    ${script}`], { encoding: 'utf8', env: { ...process.env, LOGCACHE_TEST_CLOCK_OFFSET: String(offsetSeconds) } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

test('processes started before and after a wall-clock step agree on expiry and add', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-clock-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const a = run(`
    const c = new Cache(${JSON.stringify(dir)});
    globalThis.stepWallClock(3600);
    c.set('x', 'live', { expire: 60 });
    c.add('claim', 'A', { expire: 60 });
    const [, expireTime] = c.get('x', { expireTime: true });
    console.log(JSON.stringify({ expireTime, wall: Date.now() / 1000 }));
    c.close();`, 0);
  assert.ok(Math.abs((a.expireTime as number) - (a.wall as number) - 60) < 5, `A stamps with its wall clock: ${JSON.stringify(a)}`);
  const b = run(`
    const c = new Cache(${JSON.stringify(dir)});
    console.log(JSON.stringify({ x: c.get('x'), added: c.add('claim', 'B', { expire: 60 }), claim: c.get('claim') }));
    c.close();`, 3600);
  assert.deepEqual(b, { x: 'live', added: false, claim: 'A' });
});

test('the clock follows a wall-clock step in this process, with sub-millisecond resolution between steps', () => {
  const realNow = Date.now;
  try {
    const before = now();
    assert.ok(Math.abs(before - Date.now() / 1000) < 0.002);
    Date.now = () => realNow() + 3_600_000;
    assert.ok(Math.abs(now() - Date.now() / 1000) < 0.002, 'followed a step forward');
    Date.now = realNow;
    assert.ok(Math.abs(now() - Date.now() / 1000) < 0.002, 'followed a step back');
    const samples = Array.from({ length: 2000 }, () => now());
    assert.ok(new Set(samples).size > 1000, 'distinct times within a millisecond');
  } finally {
    Date.now = realNow;
  }
});
