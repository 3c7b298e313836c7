/**
 * The built package, as a user's project sees it: `npm run build` (scripts/build.mjs) in a copy of the repository,
 * then a project whose node_modules/logcache is that copy. Checks the published file list, `import` and `require`
 * of `logcache` and `logcache/keyv` (one Cache class across both), the `logcache` bin as `npm exec` runs it, and
 * esbuild bundles of the built dist/ running from a folder with no node_modules.
 */
import { after, before, test } from 'node:test';
import type { TestContext } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { Cache } from '../../src/index.js';
import { ESM_BANNER, ROOT, explain, noNodeModulesAbove, runNode, runNodeAsync, which } from './helpers.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'logcache-pkg-'));
const pkg = path.join(work, 'logcache');
const project = path.join(work, 'project');
const dataDir = path.join(work, 'data');
let built: { status: number | null; stdout: string; stderr: string } | undefined;

before(async () => {
  fs.mkdirSync(pkg);
  for (const f of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md']) fs.copyFileSync(path.join(ROOT, f), path.join(pkg, f));
  for (const d of ['src', 'scripts', 'bin', 'docs']) fs.cpSync(path.join(ROOT, d), path.join(pkg, d), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
  built = await runNodeAsync(['scripts/build.mjs'], { cwd: pkg });
  fs.mkdirSync(path.join(project, 'node_modules', '.bin'), { recursive: true });
  fs.symlinkSync(pkg, path.join(project, 'node_modules', 'logcache'), 'dir');
  fs.symlinkSync('../logcache/bin/logcache.mjs', path.join(project, 'node_modules', '.bin', 'logcache'));
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const c = new Cache(dataDir);
  c.set(['esm', 'k'], 'written before');
  c.close();
});

after(() => fs.rmSync(work, { recursive: true, force: true }));

/** Runs npm (from PATH) in `cwd`. */
function npm(args: string[], cwd: string) {
  const bin = which('npm');
  assert.ok(bin, 'npm is on PATH');
  return spawnSync(bin, args, { cwd, encoding: 'utf8', timeout: 60_000 });
}

const CJS_HANDLER = `
const { Cache } = require('logcache');
const cache = new Cache(process.env.LOGCACHE_DIR);
exports.handler = async () => {
  const hit = cache.get('forecast') !== undefined;
  cache.set('forecast', { sky: 'sun' }, { expire: 300 });
  return { statusCode: 200, headers: { 'x-cache': hit ? 'HIT' : 'MISS' } };
};
`;

/** The first test reports a failed build; the others skip rather than repeat it. */
function requireBuilt(t?: TestContext): boolean {
  if (t) {
    if (built?.status !== 0) t.skip('npm run build failed (see the first test)');
    return built?.status === 0;
  }
  assert.equal(built?.status, 0, `npm run build failed:\n${built && explain(built)}`);
  return true;
}

test('npm run build writes the ESM, CommonJS and type files of every entry point', () => {
  requireBuilt();
  for (const f of ['esm/index.js', 'esm/keyv.js', 'esm/cli.js', 'cjs/index.cjs', 'cjs/keyv.cjs', 'cjs/cli.cjs', 'types/index.d.ts', 'types/integrations/keyv.d.ts']) {
    assert.ok(fs.existsSync(path.join(pkg, 'dist', f)), `dist/${f}`);
  }
  // The subpath and the command load the package's index instead of carrying a second engine.
  assert.match(fs.readFileSync(path.join(pkg, 'dist/esm/keyv.js'), 'utf8'), /from "\.\/index\.js"/);
  assert.match(fs.readFileSync(path.join(pkg, 'dist/cjs/keyv.cjs'), 'utf8'), /require\("\.\/index\.cjs"\)/);
  // The framework stores' subpaths likewise.
  for (const sub of ['undici', 'express-session', 'rate-limit', 'next']) {
    for (const f of [`esm/${sub}.js`, `cjs/${sub}.cjs`, `types/integrations/${sub}.d.ts`]) assert.ok(fs.existsSync(path.join(pkg, 'dist', f)), `dist/${f}`);
    assert.match(fs.readFileSync(path.join(pkg, `dist/esm/${sub}.js`), 'utf8'), /from "\.\/index\.js"/);
  }
});

test('the published files include dist, bin and src, and no tests or examples', (t) => {
  if (!requireBuilt(t)) return;
  const r = npm(['pack', '--dry-run', '--json', '--ignore-scripts'], pkg);
  assert.equal(r.status, 0, explain(r));
  const files: string[] = JSON.parse(r.stdout)[0].files.map((f: { path: string }) => f.path);
  for (const f of ['bin/logcache.mjs', 'dist/esm/keyv.js', 'dist/cjs/keyv.cjs', 'dist/types/integrations/keyv.d.ts', 'dist/esm/cli.js', 'src/integrations/keyv.ts', 'package.json', 'README.md']) {
    assert.ok(files.includes(f), `${f} is published`);
  }
  assert.deepEqual(files.filter((f) => f.startsWith('test/') || f.startsWith('examples/') || f.startsWith('node_modules/')), []);
});

test('import and require of logcache and logcache/keyv share one Cache class', (t) => {
  if (!requireBuilt(t)) return;
  const esm = `
    import { Cache } from 'logcache';
    import { KeyvLogcache } from 'logcache/keyv';
    const c = new Cache(${JSON.stringify(dataDir)});
    const byDir = new KeyvLogcache(${JSON.stringify(dataDir)});
    const before = c.get(['esm', 'k']);
    await new KeyvLogcache(c, { namespace: 'esm' }).set('k', 'from esm');
    console.log(JSON.stringify([byDir.cache instanceof Cache, before, c.get(['esm', 'k'])]));
    await byDir.disconnect();
    c.close();
  `;
  const r1 = runNode(['--input-type=module', '-e', esm], { cwd: project });
  assert.equal(r1.status, 0, explain(r1));
  assert.deepEqual(JSON.parse(r1.stdout), [true, 'written before', 'from esm']);
  const cjs = `
    const { Cache } = require('logcache');
    const { KeyvLogcache } = require('logcache/keyv');
    const store = new KeyvLogcache(${JSON.stringify(dataDir)}, { namespace: 'esm' });
    store.get('k').then((v) => { console.log(JSON.stringify([store.cache instanceof Cache, v])); return store.disconnect(); });
  `;
  const r2 = runNode(['--input-type=commonjs', '-e', cjs], { cwd: project });
  assert.equal(r2.status, 0, explain(r2));
  assert.deepEqual(JSON.parse(r2.stdout), [true, 'from esm']);
});

test('`npm exec logcache` runs the bin from the built package', (t) => {
  if (!requireBuilt(t)) return;
  const r = npm(['exec', '--no', '--', 'logcache', 'stats', '--json', dataDir], project);
  assert.equal(r.status, 0, explain(r));
  assert.equal(JSON.parse(r.stdout).count, 1);
  // The launcher itself, executed through its shebang as a shell would.
  const direct = spawnSync(path.join(project, 'node_modules/.bin/logcache'), ['keys', '--json', dataDir], { cwd: project, encoding: 'utf8' });
  assert.equal(direct.status, 0, explain(direct));
  assert.deepEqual(JSON.parse(direct.stdout), [['esm', 'k']]);
});

for (const format of ['esm', 'cjs'] as const) {
  test(`esbuild bundles the built package (${format}) into one file that runs with no node_modules`, async (t) => {
    if (!requireBuilt(t)) return;
    // ESM: the example handler (`import` picks dist/esm). CommonJS: the same idea with `require` (picks dist/cjs,
    // whose import.meta.url is defined from __filename).
    const src = path.join(project, format === 'esm' ? 'handler.mjs' : 'handler.cjs');
    if (format === 'esm') fs.copyFileSync(path.join(ROOT, 'examples/serverless/handler.mjs'), src);
    else fs.writeFileSync(src, CJS_HANDLER);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'logcache-pkg-bundle-'));
    try {
      const file = path.join(out, format === 'esm' ? 'index.mjs' : 'index.cjs');
      const result = await build({
        entryPoints: [src], bundle: true, platform: 'node', target: 'node20', format, outfile: file, metafile: true,
        logLevel: 'silent', ...(format === 'esm' ? { banner: { js: ESM_BANNER } } : {}),
      });
      assert.deepEqual(result.errors, []);
      const inputs = Object.keys(result.metafile!.inputs);
      assert.ok(inputs.some((p) => p.includes(`dist/${format}/index.`)), `bundled dist/${format}: ${inputs.filter((p) => p.includes('logcache')).join(', ')}`);
      assert.ok(noNodeModulesAbove(out));
      const load = format === 'esm' ? `import(${JSON.stringify(file)})` : `Promise.resolve(require(${JSON.stringify(file)}))`;
      const code = `${load}.then(async ({ handler }) => { const a = await handler({}); const b = await handler({}); console.log(a.headers['x-cache'], b.headers['x-cache']); });`;
      const r = runNode([`--input-type=${format === 'esm' ? 'module' : 'commonjs'}`, '-e', code], { cwd: out, env: { PATH: process.env.PATH, LOGCACHE_DIR: path.join(out, 'cache') } });
      assert.equal(r.status, 0, explain(r));
      assert.equal(r.stdout, 'MISS HIT\n');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
}
