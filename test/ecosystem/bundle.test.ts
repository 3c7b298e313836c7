/**
 * Serverless bundles: an application that uses Cache, FanoutCache, JSONDisk, compaction and the Keyv store,
 * bundled into one file by esbuild (`--bundle --platform=node`, ESM and CommonJS), rollup (node-resolve +
 * commonjs) and webpack 5 (target node, ESM and CommonJS output) from the packed package (packed.ts) with no
 * banner and no option beyond the bundler's usual ones, then run from a folder with no node_modules above it.
 *
 * An entry point joins the application with one entry in USES: what to import, what to do with it, and the
 * packages it needs beside logcache (its peer dependencies), which are linked into the project from the
 * repository's node_modules for the bundlers to find.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { builtinModules } from 'node:module';
import { build as esbuild } from 'esbuild';
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjsModule from '@rollup/plugin-commonjs';
import webpack from 'webpack';
import { ROOT, explain, noNodeModulesAbove, runNodeAsync } from './helpers.js';
import { packAndInstall, type Packed } from './packed.js';

/**
 * The application's parts: names imported from an entry point, and statements that use them and record what they
 * saw in `out` (in an async function of the cache directory `dir`); `needs` lists peer packages to link, and
 * EXPECTED what `out` must hold.
 */
const USES: { from: string; names: string[]; code: string; needs?: string[] }[] = [
  {
    from: 'logcache', names: ['Cache', 'FanoutCache', 'JSONDisk'], code: `
      const cache = new Cache(dir + '/cache');
      out.firstRun = cache.get('runs') === undefined;
      cache.incr('runs');
      cache.set('obj', { n: 1, list: [1, 'two'] });
      for (let i = 0; i < 50; i++) cache.set('tmp' + i, 'x'.repeat(100));
      for (let i = 0; i < 50; i++) cache.delete('tmp' + i);
      out.compacted = cache.compact().items;
      out.obj = cache.get('obj');
      const fanout = new FanoutCache(dir + '/fanout', { shards: 3 });
      for (let i = 0; i < 10; i++) fanout.set('f' + i, i);
      out.fanout = fanout.size;
      fanout.close();
      const json = new Cache(dir + '/json', { disk: JSONDisk });
      json.set('j', { deep: [1, 2, 3] });
      out.json = json.get('j');
      json.close();`,
  },
  {
    from: 'logcache/keyv', names: ['KeyvLogcache'], code: `
      const store = new KeyvLogcache(cache, { namespace: 'app' });
      await store.set('k', { v: 'keyv' }, 60000);
      out.keyv = await store.get('k');
      cache.close();`,
  },
];

function appSource(format: 'esm' | 'cjs'): string {
  const imports = USES.map((u) => (format === 'esm'
    ? `import { ${u.names.join(', ')} } from '${u.from}';`
    : `const { ${u.names.join(', ')} } = require('${u.from}');`));
  const body = `async function run(dir) {\n  const out = {};\n${USES.map((u) => u.code).join('\n')}\n  return out;\n}`;
  return `${imports.join('\n')}\n${body}\n${format === 'esm' ? 'export { run };' : 'module.exports = { run };'}\n`;
}

const EXPECTED = (firstRun: boolean) => ({
  // compaction keeps runs and obj (and, from the second run on, the Keyv item)
  firstRun, compacted: firstRun ? 2 : 3, obj: { n: 1, list: [1, 'two'] }, fanout: 10, json: { deep: [1, 2, 3] }, keyv: { v: 'keyv' },
});

type Bundler = (entry: string, outfile: string, format: 'esm' | 'cjs') => Promise<void>;

// The plugin's one declaration file types its ESM default export as a CommonJS module's.
const commonjs = commonjsModule as unknown as typeof commonjsModule.default;

const isBuiltin = (id: string) => id.startsWith('node:') || builtinModules.includes(id);

const BUNDLERS: Record<string, Bundler> = {
  async esbuild(entry, outfile, format) {
    const r = await esbuild({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format, logLevel: 'silent' });
    assert.deepEqual(r.errors, []);
  },
  async rollup(entry, outfile, format) {
    const bundle = await rollup({ input: entry, external: isBuiltin, plugins: [nodeResolve(), commonjs()], onwarn: (w) => { throw new Error(`rollup: ${w.message}`); } });
    await bundle.write({ file: outfile, format: format === 'esm' ? 'es' : 'cjs', inlineDynamicImports: true });
    await bundle.close();
  },
  async webpack(entry, outfile, format) {
    const compiler = webpack({
      mode: 'production', target: 'node', entry, optimization: { minimize: false },
      output: { path: path.dirname(outfile), filename: path.basename(outfile), ...(format === 'esm' ? { module: true, library: { type: 'module' } } : { library: { type: 'commonjs2' } }) },
      ...(format === 'esm' ? { experiments: { outputModule: true } } : {}),
    });
    const stats = await new Promise<webpack.Stats>((resolve, reject) => compiler.run((err, s) => (err ? reject(err) : resolve(s!))));
    await new Promise((resolve) => compiler.close(resolve));
    const info = stats.toJson({ all: false, errors: true, warnings: true });
    assert.deepEqual([...(info.errors ?? []), ...(info.warnings ?? [])].map((e) => e.message), []);
  },
};

let packed: Packed | undefined;
let failure: unknown;
before(() => {
  try {
    packed = packAndInstall();
    for (const dep of USES.flatMap((u) => u.needs ?? [])) {
      const link = path.join(packed.project, 'node_modules', dep);
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(path.join(ROOT, 'node_modules', dep), link, 'dir');
    }
    for (const format of ['esm', 'cjs'] as const) fs.writeFileSync(path.join(packed.project, `app.${format === 'esm' ? 'mjs' : 'cjs'}`), appSource(format));
  } catch (err) { failure = err; }
});
after(() => { if (packed) fs.rmSync(packed.work, { recursive: true, force: true }); });

for (const [name, bundle] of Object.entries(BUNDLERS)) {
  for (const format of ['esm', 'cjs'] as const) {
    test(`${name} bundles the application as ${format} into one file that runs with no node_modules`, async (t) => {
      if (failure) throw failure;
      const out = fs.mkdtempSync(path.join(os.tmpdir(), `logcache-bundle-${name}-`));
      t.after(() => fs.rmSync(out, { recursive: true, force: true }));
      const ext = format === 'esm' ? 'mjs' : 'cjs';
      const file = path.join(out, `index.${ext}`);
      await bundle(path.join(packed!.project, `app.${ext}`), file, format);
      assert.deepEqual(fs.readdirSync(out), [path.basename(file)], 'one file');
      assert.ok(noNodeModulesAbove(out), `${out} has no node_modules above it`);
      assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /\.node['"]/, 'no native module is referenced');
      const load = format === 'esm' ? `import(${JSON.stringify(file)})` : `Promise.resolve(require(${JSON.stringify(file)}))`;
      const code = `${load}.then(async ({ run }) => console.log(JSON.stringify(await run(${JSON.stringify(path.join(out, 'data'))}))));`;
      const env = { PATH: process.env.PATH };
      for (const firstRun of [true, false]) {
        const r = await runNodeAsync([`--input-type=${format === 'esm' ? 'module' : 'commonjs'}`, '-e', code], { cwd: out, env });
        assert.equal(r.status, 0, explain(r));
        assert.equal(r.stderr, '');
        assert.deepEqual(JSON.parse(r.stdout), EXPECTED(firstRun));
      }
    });
  }
}
