/**
 * Serverless bundles: examples/serverless/handler.mjs, bundled by esbuild (`--bundle --platform=node`) into one
 * file, runs from a folder with no node_modules anywhere above it: no native module and no require that the
 * bundler could not follow is needed. The same check on the built dist/ is in package.test.ts.
 *
 * ESM output needs esbuild's usual banner for Node: proper-lockfile (a runtime dependency) and its own
 * dependencies are CommonJS and `require('fs')`, which an ESM bundle has no `require` for. CJS output needs nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { ESM_BANNER, ROOT, explain, noNodeModulesAbove, runNodeAsync, tempDir } from './helpers.js';

const HANDLER = path.join(ROOT, 'examples/serverless/handler.mjs');

/** Calls the bundled handler three times (two cities) in a fresh process, from `dir`. */
const INVOKE = (file: string, esm: boolean) => `
  const load = ${esm ? `import(${JSON.stringify(file)})` : `Promise.resolve(require(${JSON.stringify(file)}))`};
  load.then(async ({ handler }) => {
    const out = [];
    for (const city of ['Paris', 'Paris', 'Oslo']) {
      const r = await handler({ queryStringParameters: { city } });
      out.push({ status: r.statusCode, cache: r.headers['x-cache'], body: JSON.parse(r.body) });
    }
    console.log(JSON.stringify(out));
  });
`;

for (const format of ['esm', 'cjs'] as const) {
  test(`the serverless handler bundled by esbuild as ${format} runs with no node_modules${format === 'esm' ? ' (with the createRequire banner)' : ''}`, async (t) => {
    const out = tempDir(t, 'logcache-bundle-');
    const file = path.join(out, format === 'esm' ? 'index.mjs' : 'index.cjs');
    // The package's own `logcache-source` condition resolves `import 'logcache'` to src/ (no build needed).
    const result = await build({
      entryPoints: [HANDLER], bundle: true, platform: 'node', target: 'node20', format, outfile: file,
      conditions: ['logcache-source'], metafile: true, logLevel: 'silent',
      ...(format === 'esm' ? { banner: { js: ESM_BANNER } } : {}),
    });
    assert.deepEqual(result.errors, []);
    const inputs = Object.keys(result.metafile!.inputs);
    assert.ok(inputs.some((p) => p.endsWith('src/index.ts')), 'logcache came from src/');
    assert.deepEqual(inputs.filter((p) => p.endsWith('.node')), [], 'no native module is bundled');
    const outputs = fs.readdirSync(out);
    assert.deepEqual(outputs, [path.basename(file)], 'one file');
    assert.ok(noNodeModulesAbove(out), `${out} must have no node_modules above it`);

    const env = { PATH: process.env.PATH, LOGCACHE_DIR: path.join(out, 'cache') };
    const r = await runNodeAsync([format === 'esm' ? '--input-type=module' : '--input-type=commonjs', '-e', INVOKE(file, format === 'esm')], { cwd: out, env });
    assert.equal(r.status, 0, explain(r));
    assert.equal(r.stderr, '');
    assert.deepEqual(JSON.parse(r.stdout), [
      { status: 200, cache: 'MISS', body: { city: 'Paris', forecast: 'sun', invocations: 1 } },
      { status: 200, cache: 'HIT', body: { city: 'Paris', forecast: 'sun', invocations: 2 } },
      { status: 200, cache: 'MISS', body: { city: 'Oslo', forecast: 'rain', invocations: 3 } },
    ]);
    // A second cold start (a new instance on the same disk) finds the warm entries.
    const again = await runNodeAsync([format === 'esm' ? '--input-type=module' : '--input-type=commonjs', '-e', INVOKE(file, format === 'esm')], { cwd: out, env });
    assert.equal(again.status, 0, explain(again));
    assert.deepEqual(JSON.parse(again.stdout).map((x: { cache: string }) => x.cache), ['HIT', 'HIT', 'HIT']);
  });
}
