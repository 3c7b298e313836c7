/**
 * The package as a user's project gets it: a clean copy of the repository packed with `npm pack` (its `prepack`
 * builds dist/) and the tarball installed with `npm install` (packed.ts). Checks what the tarball holds, that the
 * install needs nothing else and compiles nothing, `import` and `require` of every entry point (one Cache class
 * across them), the `logcache` bin, what loading the package leaves for later, and that package.json's exports
 * are the ones scripts/entries.mjs makes. Bundlers: bundle.test.ts; TypeScript consumers: types.test.ts.
 */
import { after, before, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, explain, runNode } from './helpers.js';
import { npm, packAndInstall, type Packed } from './packed.js';
// @ts-expect-error: a plain .mjs script with no declarations
import { ENTRIES, packageFields } from '../../scripts/entries.mjs';

let packed: Packed | undefined;
let failure: unknown;
before(() => {
  try { packed = packAndInstall(); } catch (err) { failure = err; }
});
after(() => { if (packed) fs.rmSync(packed.work, { recursive: true, force: true }); });

function got(): Packed {
  if (failure) throw failure;
  return packed!;
}

const installed = () => path.join(got().project, 'node_modules', 'logcache');

test('the tarball of a clean clone holds the built entry points, their types, LICENSE and examples, and no sources or maps', () => {
  const { files } = got();
  for (const name of ENTRIES as string[]) {
    for (const f of [`dist/${name}.js`, `dist/${name}.cjs`, `dist/${name}.d.ts`, `dist/${name}.d.cts`]) assert.ok(files.includes(f), `${f} is published`);
  }
  for (const f of ['dist/cli.js', 'bin/logcache.mjs', 'LICENSE', 'README.md', 'package.json', 'dist/THIRD-PARTY-NOTICES.md', 'examples/serverless/handler.mjs', 'docs/cli.md']) {
    assert.ok(files.includes(f), `${f} is published`);
  }
  assert.deepEqual(files.filter((f) => /^(src|test|bench|scripts|node_modules)\//.test(f) || f.endsWith('.map')), []);
  // 552 kB before dist/ carried only what a user needs (no sources, no source maps); 310 kB with the four
  // framework stores (each subpath's ESM and CommonJS bundle, and their docs and examples); 429 kB with the
  // background compactor's own bundles (dist/compactor-main.js and .cjs, each carrying the engine); 404 kB with
  // Node's split build (dist/*.cjs and dist/lazy-*.cjs), the bundlers' one-file build and one compactor bundle;
  // 460 kB with NewerFormatError (a newer format's file stops every reader: ~1.2 kB of code in three bundles, and its
  // docs); 465 kB with the guards around frames cut short (src/shard/torn-frames.ts, a lazy part of its own, its types,
  // and its docs in format.md and reliability.md); 467 kB with check()'s chunked scan (src/engine/frame-scan.ts); 479 kB
  // with format 3's ITEM record (its writer, its reader and varints, in the index, the compactor and the bundlers'
  // build) and its docs (format.md; README's Upgrading; engine.md's plan for partial compaction); 483 kB with write
  // backpressure (write-throttle.ts in each build) and its docs; 486 kB with the stores' asynchronous waits for another
  // process (writeWhenWritable in each store's two bundles, NextCacheStore's getAsync, and their docs); 489 kB with
  // the compactor's look before it creates anything (warm-shards.ts) and the day's figures in the docs; 509 kB with
  // chains of bases (chain.ts, the link writer, the chain load and switch, in each build) and their docs (format.md,
  // engine.md, reliability.md, benchmarks.md).
  assert.ok(got().size < 516_000, `packed size ${got().size} B`);
});

test('the install adds no dependency, runs no install script and no compiler, and adds no .node file', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(installed(), 'package.json'), 'utf8'));
  assert.deepEqual(Object.keys(pkg.dependencies ?? {}), []);
  assert.deepEqual(Object.keys(pkg.optionalDependencies ?? {}), []);
  assert.deepEqual(Object.keys(pkg.scripts ?? {}).filter((s) => /install/.test(s)), []);
  const modules = fs.readdirSync(path.join(got().project, 'node_modules')).filter((n) => !n.startsWith('.'));
  assert.deepEqual(modules, ['logcache']);
  const nodeFiles = (fs.readdirSync(installed(), { recursive: true }) as string[]).filter((f) => f.endsWith('.node'));
  assert.deepEqual(nodeFiles, []);
  // The licences of the code the bundles carry are shipped with them.
  assert.match(fs.readFileSync(path.join(installed(), 'dist/THIRD-PARTY-NOTICES.md'), 'utf8'), /## cbor-x [\s\S]*## proper-lockfile /);
});

test('import and require of logcache and logcache/keyv share one Cache class', () => {
  const { project } = got();
  const dir = path.join(project, 'data');
  const esm = `
    import { Cache } from 'logcache';
    import KeyvDefault, { KeyvLogcache } from 'logcache/keyv';
    const c = new Cache(${JSON.stringify(dir)});
    c.set(['esm', 'k'], 'written before');
    const byDir = new KeyvLogcache(${JSON.stringify(dir)});
    await new KeyvLogcache(c, { namespace: 'esm' }).set('k2', 'from esm');
    console.log(JSON.stringify([KeyvDefault === KeyvLogcache, byDir.cache instanceof Cache, c.get(['esm', 'k']), c.get(['esm', 'k2'])]));
    await byDir.disconnect();
    c.close();
  `;
  const r1 = runNode(['--input-type=module', '-e', esm], { cwd: project });
  assert.equal(r1.status, 0, explain(r1));
  assert.deepEqual(JSON.parse(r1.stdout), [true, true, 'written before', 'from esm']);
  const cjs = `
    const { Cache } = require('logcache');
    const { KeyvLogcache } = require('logcache/keyv');
    const store = new KeyvLogcache(${JSON.stringify(dir)}, { namespace: 'esm' });
    store.get('k2').then((v) => { console.log(JSON.stringify([store.cache instanceof Cache, v])); return store.disconnect(); });
  `;
  const r2 = runNode(['--input-type=commonjs', '-e', cjs], { cwd: project });
  assert.equal(r2.status, 0, explain(r2));
  assert.deepEqual(JSON.parse(r2.stdout), [true, 'from esm']);
});

test('loading the package leaves proper-lockfile, zlib and crypto for their first use; compaction loads the lock', () => {
  for (const [flag, load] of [['--input-type=module', "await import('logcache')"], ['--input-type=commonjs', "require('logcache')"]]) {
    const code = `
      const loaded = (m) => process.moduleLoadList.includes('NativeModule ' + m);
      const before = { signals: process.listenerCount('SIGINT'), zlib: loaded('zlib'), crypto: loaded('crypto') };
      const { Cache } = ${load};
      const atLoad = { signals: process.listenerCount('SIGINT'), zlib: loaded('zlib'), crypto: loaded('crypto') };
      const c = new Cache(require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'lc-lazy-')));
      c.set('k', 1);
      c.compact();
      const afterCompact = { signals: process.listenerCount('SIGINT') };
      c.close();
      console.log(JSON.stringify({ before, atLoad, afterCompact }));
    `.replace(/require\(/g, flag === '--input-type=module' ? 'process.getBuiltinModule(' : 'require(');
    const r = runNode([flag, '-e', code], { cwd: got().project });
    assert.equal(r.status, 0, explain(r));
    const { before, atLoad, afterCompact } = JSON.parse(r.stdout);
    assert.deepEqual(atLoad, before, flag);
    // proper-lockfile's exit hook (signal-exit) is installed when the lock is first taken.
    assert.ok(afterCompact.signals > before.signals, `${flag}: the lock was loaded by compact()`);
  }
});

test("Node's build loads its rarely used parts at their first use, and they share the index's classes", () => {
  for (const [flag, load] of [['--input-type=module', "await import('logcache')"], ['--input-type=commonjs', "require('logcache')"]]) {
    const code = `
      const req = require('node:module').createRequire(process.cwd() + '/');
      const path = require('node:path');
      const dist = path.dirname(req.resolve('logcache'));
      const loaded = () => Object.keys(req.cache).filter((f) => path.dirname(f) === dist).map((f) => path.basename(f)).sort();
      const { Cache, SqliteMissingError, memoize } = ${load};
      const tmp = require('node:fs').mkdtempSync(path.join(require('node:os').tmpdir(), 'lc-parts-'));
      const seen = { atLoad: loaded() };
      const c = new Cache(tmp + '/log');
      c.set('n', 1);
      c.set('s', 'text');
      seen.primitives = loaded();
      c.set('o', { a: [1, 'two'] });
      seen.object = [loaded(), c.get('o')];
      for (let i = 0; i < 20; i++) c.set('t' + i, 'x'.repeat(100));
      for (let i = 0; i < 20; i++) c.delete('t' + i);
      seen.compact = [c.compact().items, loaded()];
      seen.check = [c.check(), loaded()];
      let calls = 0;
      const twice = memoize(c)(function twice(x) { calls++; return 2 * x; });
      seen.memoize = [twice(21), twice(21), calls, loaded()];
      c.close();
      // Without a SQLite binding (none is installed here before Node 22.5) the part throws the index's own error class.
      let sqlite;
      try { const s = new Cache(tmp + '/sqlite', { engine: 'sqlite' }); s.set('k', { v: 1 }); sqlite = s.get('k').v === 1; s.close(); } catch (e) { sqlite = e instanceof SqliteMissingError || String(e); }
      seen.sqlite = [sqlite, loaded()];
      require('node:fs').rmSync(tmp, { recursive: true, force: true });
      console.log(JSON.stringify(seen));
    `.replace(/require\(/g, flag === '--input-type=module' ? 'process.getBuiltinModule(' : 'require(');
    const r = runNode([flag, '-e', code], { cwd: got().project });
    assert.equal(r.status, 0, explain(r));
    const index = ['index.cjs'];
    assert.deepEqual(JSON.parse(r.stdout), {
      atLoad: index,
      primitives: index,
      object: [[...index, 'lazy-cbor.cjs'], { a: [1, 'two'] }],
      compact: [3, [...index, 'lazy-base-walk.cjs', 'lazy-cbor.cjs', 'lazy-compaction.cjs', 'lazy-lockfile.cjs']],
      check: [[], ['index.cjs', 'lazy-base-walk.cjs', 'lazy-cbor.cjs', 'lazy-check.cjs', 'lazy-compaction.cjs', 'lazy-lockfile.cjs']],
      memoize: [42, 42, 1, ['index.cjs', 'lazy-base-walk.cjs', 'lazy-cbor.cjs', 'lazy-check.cjs', 'lazy-compaction.cjs', 'lazy-lockfile.cjs', 'lazy-memoize-key.cjs', 'lazy-memoize.cjs']],
      sqlite: [true, ['index.cjs', 'lazy-base-walk.cjs', 'lazy-cbor.cjs', 'lazy-check.cjs', 'lazy-compaction.cjs', 'lazy-lockfile.cjs', 'lazy-memoize-key.cjs', 'lazy-memoize.cjs', 'lazy-sqlite.cjs']],
    }, flag);
  }
});

test('`npm exec logcache` runs the bin of the installed package', () => {
  const { project } = got();
  const dir = path.join(project, 'bin-data');
  const w = runNode(['--input-type=module', '-e', `import { Cache } from 'logcache'; const c = new Cache(${JSON.stringify(dir)}); c.set('a', 1); c.close();`], { cwd: project });
  assert.equal(w.status, 0, explain(w));
  assert.equal(JSON.parse(npm(['exec', '--no', '--', 'logcache', 'stats', '--json', dir], project)).count, 1);
  // The launcher itself, executed through its shebang as a shell would.
  const direct = spawnSync(path.join(project, 'node_modules/.bin/logcache'), ['keys', '--json', dir], { cwd: project, encoding: 'utf8' });
  assert.equal(direct.status, 0, explain(direct));
  assert.deepEqual(JSON.parse(direct.stdout), ['a']);
});

test("package.json's exports and typesVersions are the ones scripts/entries.mjs makes (run it after adding an entry)", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const want = packageFields();
  assert.deepEqual({ exports: pkg.exports, typesVersions: pkg.typesVersions }, want);
  for (const name of ENTRIES as string[]) assert.ok(fs.existsSync(path.join(ROOT, 'src', `${name}.ts`)), `src/${name}.ts`);
});
