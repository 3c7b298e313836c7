/**
 * The framework stores in a bundle: esbuild bundles each subpath (`logcache/undici`, `/rate-limit`, `/next`,
 * `/express-session`) as an application importing it would, with the frameworks left to the application. Only
 * express-session's store imports its framework at run time; the other three carry nothing of theirs, and their
 * bundles run from a folder with no node_modules at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { ROOT, explain, noNodeModulesAbove, runNodeAsync, tempDir } from './helpers.js';

/** These tests bundle the sources (src/, through the logcache-source condition), whose lazy `require` of
 * proper-lockfile needs a `require` in an ESM bundle; the published dist/ needs none (test/ecosystem/bundle.test.ts). */
const ESM_BANNER = "import { createRequire as __logcacheCreateRequire } from 'node:module'; const require = __logcacheCreateRequire(import.meta.url);";

const FRAMEWORKS = ['undici', 'express', 'express-session', 'express-rate-limit', 'next', 'react'];

/** A smoke run per subpath: writes through the store and reads back, all in one process. */
const USE: Record<string, string> = {
  undici: `
    const { LogcacheCacheStore } = m;
    const store = new LogcacheCacheStore({ directory: dir });
    const now = Date.now();
    const w = store.createWriteStream({ origin: 'o', path: '/', method: 'GET' }, { statusCode: 200, statusMessage: 'OK', headers: {}, cachedAt: now, staleAt: now + 1e4, deleteAt: now + 2e4 });
    w.end(Buffer.from('body'));
    await store.flush();
    out = String(store.get({ origin: 'o', path: '/', method: 'GET', headers: {} }).body);
    await store.close();`,
  'rate-limit': `
    const store = new m.LogcacheRateLimitStore({ directory: dir });
    store.init({ windowMs: 60000 });
    await store.increment('ip');
    out = (await store.increment('ip')).totalHits;
    await store.shutdown();`,
  next: `
    const Handler = m.createCacheHandler({ directory: dir });
    const h = new Handler({});
    await h.set('/p', { kind: 'APP_PAGE', html: 'hi', headers: { 'x-next-cache-tags': 't' } }, {});
    out = (await h.get('/p', { kind: 'APP_PAGE' })).value.html;
    await h.revalidateTag('t');
    out += ' ' + (await h.get('/p', { kind: 'APP_PAGE' }));
    Handler.store.close();`,
};
const EXPECTED: Record<string, unknown> = { undici: 'body', 'rate-limit': 2, next: 'hi null' };

for (const sub of ['undici', 'rate-limit', 'next', 'express-session']) {
  for (const format of ['esm', 'cjs'] as const) {
    test(`logcache/${sub} bundled by esbuild (${format}) with the frameworks external: ${sub === 'express-session' ? 'imports express-session only' : 'needs no framework and runs with no node_modules'}`, async (t) => {
      const out = tempDir(t, 'logcache-int-bundle-');
      const entry = path.join(out, 'entry.mjs');
      const body = USE[sub] ?? '';
      // `m` is used by every entry (package.json's sideEffects: false would let an unused import be dropped).
      fs.writeFileSync(entry, `import * as m from 'logcache/${sub}';\nexport const names = Object.keys(m);\nexport async function run(dir) { let out; ${body}\n return out; }\n`);
      const file = path.join(out, format === 'esm' ? 'bundle.mjs' : 'bundle.cjs');
      // 'logcache' resolves to this repository through its exports (the logcache-source condition: src/).
      const packages = path.join(out, 'packages');
      fs.mkdirSync(packages);
      fs.symlinkSync(ROOT, path.join(packages, 'logcache'), 'dir');
      const result = await build({
        entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', format, outfile: file,
        conditions: ['logcache-source'], metafile: true, logLevel: 'silent', external: FRAMEWORKS,
        nodePaths: [packages], ...(format === 'esm' ? { banner: { js: ESM_BANNER } } : {}),
      });
      assert.deepEqual(result.errors, []);
      const inputs = Object.keys(result.metafile!.inputs);
      assert.ok(inputs.some((p) => p.endsWith(`src/integrations/${sub}.ts`)), 'the store came from src/');
      const imports = Object.values(result.metafile!.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
      const frameworks = [...new Set(imports.filter((p) => FRAMEWORKS.includes(p)))];
      assert.deepEqual(frameworks, sub === 'express-session' ? ['express-session'] : []);
      if (sub === 'express-session') return; // it needs the application's express-session to load
      fs.rmSync(entry);
      fs.rmSync(packages, { recursive: true });
      assert.ok(noNodeModulesAbove(out));
      const load = format === 'esm' ? `import(${JSON.stringify(file)})` : `Promise.resolve(require(${JSON.stringify(file)}))`;
      const r = await runNodeAsync([`--input-type=${format === 'esm' ? 'module' : 'commonjs'}`, '-e', `${load}.then((b) => b.run(${JSON.stringify(path.join(out, 'cache'))})).then((v) => console.log(JSON.stringify(v)))`], { cwd: out, env: { PATH: process.env.PATH } });
      assert.equal(r.status, 0, explain(r));
      assert.deepEqual(JSON.parse(r.stdout), EXPECTED[sub]);
    });
  }
}
