/** Every constructor refuses a wrongly typed argument with a TypeError naming it, before anything is created. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cache, Deque, FanoutCache, Index } from '../../src/index.js';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-ctor-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const named = (arg: string) => (err: Error) => err instanceof TypeError && err.message.startsWith(arg);

test("new Deque([1], '/some/dir') is a TypeError naming options (the directory goes in { directory })", (t) => {
  const dir = path.join(tmp(t), 'deque');
  const tmpBefore = fs.readdirSync(os.tmpdir()).length;
  assert.throws(() => new Deque([1], dir as never), (err: Error) => named('options')(err) && /\{ directory \}/.test(err.message));
  assert.equal(fs.existsSync(dir), false);
  assert.ok(fs.readdirSync(os.tmpdir()).length <= tmpBefore + 1, 'no temporary directory was made for it');
  assert.throws(() => new Deque(5 as never), named('iterable'));
  assert.throws(() => new Deque([], { directory: 5 as never }), named('options.directory'));
  assert.throws(() => new Deque([], { maxlen: 'x' as never }), RangeError);
  assert.throws(() => new Deque([], { cache: {} as never }), named('cache'));
});

test('Cache, FanoutCache and Index name a wrongly typed directory or options', (t) => {
  const dir = path.join(tmp(t), 'x');
  assert.throws(() => new Cache(5 as never), named('directory'));
  assert.throws(() => new Cache({ sizeLimit: 1 } as never), named('directory'));
  assert.throws(() => new Cache(dir, '/other' as never), named('options'));
  assert.throws(() => new Cache(dir, [] as never), named('options'));
  assert.throws(() => new Cache(dir, { engine: 'mongo' as never }), RangeError);
  assert.throws(() => new FanoutCache(5 as never), named('directory'));
  assert.throws(() => new FanoutCache(dir, 4 as never), named('options'));
  assert.throws(() => new FanoutCache(dir, { timeout: 'slow' as never }), RangeError);
  assert.throws(() => new FanoutCache(dir, { disk: {} as never }), named('disk'));
  assert.throws(() => new Index(5 as never), named('directory'));
  assert.throws(() => new Index(dir, 5 as never), named('entries'));
  assert.throws(() => new Index(dir, {}, {} as never), named('cache'));
  assert.equal(fs.existsSync(dir), false, 'nothing was created');
});

test('the recipes and Disk name a wrongly typed cache, key, options or directory', async (t) => {
  const { Averager, BoundedSemaphore, Disk, Lock, RLock } = await import('../../src/index.js');
  const cache = new Cache(tmp(t));
  t.after(() => cache.close());
  for (const Recipe of [Averager, Lock, RLock]) {
    assert.throws(() => new Recipe('/dir' as never, 'k'), named('cache'), Recipe.name);
    assert.throws(() => new Recipe(cache, Symbol('k') as never), named('key'), Recipe.name);
    assert.throws(() => new Recipe(cache, 'k', 60 as never), named('opts'), Recipe.name);
  }
  assert.throws(() => new BoundedSemaphore({} as never, 's'), named('cache'));
  assert.throws(() => new BoundedSemaphore(cache, 's', 1.5), RangeError);
  assert.throws(() => new BoundedSemaphore(cache, 's', 1, 'x' as never), named('opts'));
  assert.throws(() => new Disk(5 as never), named('directory'));
  assert.throws(() => new Disk('/d', 5 as never), named('options'));
});
