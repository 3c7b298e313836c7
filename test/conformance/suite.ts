/**
 * The conformance suite (abstract-level's pattern): every rule of the Cache surface that does not depend on the
 * engine, registered as node:test tests for one implementation. Each test file under
 * test/conformance calls `suite` with a factory and a feature map:
 *
 *   suite({ name: 'Cache(log)', open: (dir, o) => new Cache(dir, { ...o, engine: 'log' }), supports: CACHE_SUPPORTS })
 *
 * Rules live in ./rules/, one module per area. A rule that needs a feature an implementation lacks (diskcache's
 * FanoutCache has no queues, no peekitem, no iterkeys) is not registered for it; `skip` (a missing SQLite binding)
 * registers every rule as skipped, with the reason.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import type { Cache, CacheOptions, FanoutCache, Key } from '../../src/index.js';
import { tempDir } from '../fixtures/tmp.js';
import { registerCore } from './rules/core.js';
import { registerMethods } from './rules/methods.js';
import { registerExpiry } from './rules/expiry.js';
import { registerEviction } from './rules/eviction.js';
import { registerOrder } from './rules/order.js';
import { registerQueues } from './rules/queues.js';
import { registerIntegrity } from './rules/integrity.js';
import { registerRecipes } from './rules/recipes.js';

/**
 * What a miss returns from get/pop (and in the value slot of their tuple forms, and from pull): `undefined`, as
 * Map and every JavaScript cache do (diskcache returns None).
 */
export const MISS = undefined;

/** Either implementation of the Cache surface. */
export type Opened = Cache | FanoutCache;

/** Opens (creating) the implementation on `dir`; the same `dir` again reopens it. */
export type Open = (dir: string, options?: CacheOptions) => Opened;

/** What an implementation has beyond the surface every one shares. */
export interface Supports {
  /** push, pull, peek and peekitem (diskcache's FanoutCache has none of them). */
  queues: boolean;
  /** iterkeys: keys in sort order (Cache only, as diskcache). */
  sortedKeys: boolean;
  /** Iteration is one insertion order over every key (false when keys are spread over several shards). */
  insertionOrder: boolean;
  /** Unknown options are stored as settings and read back as properties (Cache only). */
  extraSettingProperties: boolean;
  /** How many shards share `sizeLimit` (1 for a Cache): each shard's limit, which is what `sizeLimit` reports, is
   * the given one divided by this. */
  shards: number;
  /** Reopening without `sizeLimit` keeps the stored one (Cache); a FanoutCache resets every shard to
   * 2**30 / shards, as diskcache's does. */
  storesSizeLimit: boolean;
}

export interface SuiteOptions {
  /** The implementation's name, prefixed to every test's name. */
  name: string;
  open: Open;
  supports: Supports;
  /** Why the whole suite cannot run here (a missing binding); every rule is then registered as skipped. */
  skip?: string | false;
}

/** What each rule module receives. */
export interface RuleContext {
  supports: Supports;
  /** Registers a rule (a test named `<implementation>: <rule>`), only where the implementation has `needs`. */
  rule(name: string, fn: (t: TestContext) => void | Promise<void>, needs?: keyof Supports): void;
  /** Opens the implementation on a fresh directory, closed and removed when the test ends. */
  fresh(t: TestContext, options?: CacheOptions): Opened;
  /** Opens the implementation on `dir` (closed when the test ends). */
  reopen(t: TestContext, dir: string, options?: CacheOptions): Opened;
}

/** Registers every rule for one implementation. */
export function suite({ name, open, supports, skip }: SuiteOptions): void {
  // Handles a test opened, closed when it ends: registered before the test makes its directories, so every handle is
  // closed before its directory is removed (node:test runs `after` hooks in the order they were added).
  const handles = new WeakMap<TestContext, Opened[]>();
  const reopen = (t: TestContext, dir: string, options?: CacheOptions): Opened => {
    const c = open(dir, options);
    handles.get(t)!.push(c);
    return c;
  };
  const ctx: RuleContext = {
    supports,
    rule(rule, fn, needs) {
      // A rule for a feature the implementation does not have is not registered (as abstract-level does).
      if (needs !== undefined && !supports[needs]) return;
      test(`${name}: ${rule}`, { skip }, (t) => {
        handles.set(t, []);
        t.after(() => { for (const c of handles.get(t)!) c.close(); });
        return fn(t);
      });
    },
    fresh: (t, options) => reopen(t, tempDir(t, 'lc-conf-'), options),
    reopen,
  };
  const areas = [registerCore, registerMethods, registerExpiry, registerEviction, registerOrder, registerQueues, registerIntegrity, registerRecipes];
  for (const register of areas) register(ctx);
}

/** `c` as a Cache, for rules registered only where the Cache-only feature they need is supported. */
export function asCache(c: Opened): Cache {
  return c as Cache;
}

/** The directory holding `key`'s files: the key's shard's directory on a FanoutCache. */
export function directoryOf(c: Opened, key: Key): string {
  return 'shardFor' in c ? c.shardFor(key).directory : c.directory;
}
