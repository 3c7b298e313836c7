/**
 * Node 20, 22 and 24: the ecosystem tests and the format tests run again on every other Node found, and a cache
 * directory is shared by processes of different Node versions at once.
 *
 * Other Nodes come from `node test/ecosystem/install-nodes.mjs 22 24` (the npm registry's `node` package, opt-in:
 * it downloads ~45 MB per version into ~/.cache/logcache-nodes) or from LOGCACHE_TEST_NODES (paths of node
 * executables, separated by ':').
 * With none, the tests skip and say how to get them; under CI=true (.ci/run installs both) they fail instead.
 * LOGCACHE_COMPAT_FULL=1 runs the whole suite on each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cache } from '../../src/index.js';
import { NODE_SOURCE_ARGS, explain, runNode, runNodeAsync, tempDir } from './helpers.js';

/** Where install-nodes.mjs puts them (outside the repository, so `npm ci` keeps them). */
const INSTALLED = process.env.LOGCACHE_NODES_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'logcache-nodes');
const HOW = 'run `node test/ecosystem/install-nodes.mjs 22 24` (downloads Node from the npm registry) or set LOGCACHE_TEST_NODES=/path/to/node22:/path/to/node24';

/** Other Node executables: [version, path], one per version, not this process's version. */
function otherNodes(): [string, string][] {
  const candidates: string[] = (process.env.LOGCACHE_TEST_NODES ?? '').split(path.delimiter).filter(Boolean);
  if (fs.existsSync(INSTALLED)) {
    for (const d of fs.readdirSync(INSTALLED).sort()) candidates.push(path.join(INSTALLED, d, 'node_modules', 'node', 'bin', 'node'));
  }
  const found = new Map<string, string>();
  for (const bin of candidates) {
    const r = runNode(['--version'], { node: bin, timeout: 10_000 });
    const version = r.status === 0 ? r.stdout.trim() : '';
    if (version && version !== process.version && !found.has(version)) found.set(version, bin);
  }
  return [...found];
}

// A run started by this file does not start more (with LOGCACHE_COMPAT_FULL the whole suite includes this file).
const CHILD = Boolean(process.env.LOGCACHE_COMPAT_CHILD);
const nodes = CHILD ? [] : otherNodes();
const SUBSET = ['test/format', 'test/ecosystem/keyv.test.ts', 'test/ecosystem/cli.test.ts', 'test/ecosystem/examples.test.ts', 'test/ecosystem/bundle.test.ts', 'test/ecosystem/redis.test.ts'];

/** Skips (or, in CI, fails) when no other Node is installed. */
function noNodes(t: { skip(why: string): void }): boolean {
  if (nodes.length > 0) return false;
  if (process.env.CI === 'true') assert.fail(`CI: no Node other than ${process.version} found: ${HOW}`);
  t.skip(`no Node other than ${process.version} found: ${HOW}`);
  return true;
}

test(`the tests pass on the other Node versions found (${nodes.map(([v]) => v).join(', ') || 'none'})`, async (t) => {
  if (CHILD) return t.skip('run by compat.test.ts on another Node');
  if (noNodes(t)) return;
  const files = process.env.LOGCACHE_COMPAT_FULL ? [] : SUBSET;
  // The versions run side by side (each runs two test files at a time): the suite is I/O-bound and short.
  const runs = await Promise.all(nodes.map(async ([version, bin]) => {
    // NODE_TEST_CONTEXT (set by this test runner) would make the nested runner report to us in its own protocol.
    const { NODE_TEST_CONTEXT: _ctx, ...rest } = process.env;
    const env = { ...rest, LOGCACHE_COMPAT_CHILD: '1' };
    // The subset packs the package and builds six bundles: minutes on a busy machine.
    const r = await runNodeAsync(['scripts/test.mjs', ...files], { node: bin, env, timeout: 900_000 });
    return { version, r };
  }));
  for (const { version, r } of runs) {
    // TAP (Node 20, 22) or spec (Node 24's default) summary lines.
    const summary = /[#ℹ] pass (\d+)[\s\S]*[#ℹ] fail (\d+)[\s\S]*[#ℹ] skipped (\d+)/.exec(r.stdout);
    t.diagnostic(`Node ${version}: ${summary ? `${summary[1]} passed, ${summary[2]} failed, ${summary[3]} skipped` : 'no summary'}`);
    assert.equal(r.status, 0, `on Node ${version}:\n${explain({ ...r, stdout: r.stdout.split('\n').filter((l) => /^not ok|✖|^[#ℹ] (pass|fail)|error:/.test(l)).join('\n') })}`);
  }
});

test('processes on different Node versions share one cache directory', async (t) => {
  if (CHILD) return t.skip('run by compat.test.ts on another Node');
  if (noNodes(t)) return;
  const dir = tempDir(t);
  const cache = new Cache(dir);
  cache.set('written-by', process.version);
  // Each other version reads what this one wrote, counts with incr, and adds a value of its own; all at once.
  const script = `
    import { Cache } from 'logcache';
    const c = new Cache(${JSON.stringify(dir)});
    const seen = c.get('written-by');
    for (let i = 0; i < 200; i++) c.incr('count');
    c.set('from:' + process.version, { buf: Buffer.from(process.version), n: 1.5, list: [1, 'two', null] });
    console.log(seen);
    c.close();
  `;
  const runs = await Promise.all(nodes.map(([, bin]) => runNodeAsync([...NODE_SOURCE_ARGS, '--input-type=module', '-e', script], { node: bin })));
  for (let i = 0; i < 200; i++) cache.incr('count');
  for (const r of runs) {
    assert.equal(r.status, 0, explain(r));
    assert.equal(r.stdout.trim(), process.version);
  }
  assert.equal(cache.get('count'), 200 * (nodes.length + 1));
  for (const [version] of nodes) {
    assert.deepEqual(cache.get(`from:${version}`), { buf: Buffer.from(version), n: 1.5, list: [1, 'two', null] });
  }
  assert.deepEqual(cache.check(), []);
  cache.close();
});
