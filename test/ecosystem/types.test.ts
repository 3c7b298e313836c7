/**
 * The published types, as TypeScript projects of every kind see them: a small ESM consumer and a small CommonJS
 * consumer of `logcache` and `logcache/keyv`, type-checked (declarations included: skipLibCheck off) against the
 * packed package under each module resolution a project uses: node16, nodenext, bundler and node10 (NestJS's
 * default `"module": "commonjs"`). A CommonJS project that gets the ESM declarations fails here with TS1479.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, explain, runNodeAsync } from './helpers.js';
import { packAndInstall, type Packed } from './packed.js';

let packed: Packed | undefined;
let failure: unknown;
before(() => {
  try { packed = packAndInstall(); } catch (err) { failure = err; }
});
after(() => { if (packed) fs.rmSync(packed.work, { recursive: true, force: true }); });

/** What both consumers do: every entry point's main classes, in value and type positions. */
const BODY = `
const cache: Cache = new Cache('/tmp/logcache-types');
const fanout = new FanoutCache('/tmp/logcache-types-fanout', { shards: 2 });
cache.set('k', { v: 1 }, { expire: 60 });
const got: unknown = cache.get('k');
const store = new KeyvLogcache(cache, { namespace: 'ns' });
const same: Cache = store.cache as Cache;
export const used = [got, same, fanout, store] as const;
`;
const ESM = `import { Cache, FanoutCache } from 'logcache';\nimport { KeyvLogcache } from 'logcache/keyv';\nimport KeyvDefault from 'logcache/keyv';\nexport const d: typeof KeyvLogcache = KeyvDefault;\n${BODY}`;
const CJS = `import { Cache, FanoutCache } from 'logcache';\nimport { KeyvLogcache } from 'logcache/keyv';\n${BODY}`;

/** A project per resolution mode: its compiler options and its consumer files (name -> source). */
const MODES: Record<string, { options: Record<string, unknown>; files: Record<string, string> }> = {
  node16: { options: { module: 'node16', moduleResolution: 'node16' }, files: { 'esm.mts': ESM, 'cjs.cts': CJS } },
  nodenext: { options: { module: 'nodenext', moduleResolution: 'nodenext' }, files: { 'esm.mts': ESM, 'cjs.cts': CJS } },
  bundler: { options: { module: 'preserve', moduleResolution: 'bundler' }, files: { 'esm.mts': ESM, 'cjs.cts': CJS } },
  // node10 reads `main`/`types` and typesVersions (the CommonJS declarations, which name no default export: the
  // CommonJS bundle carries it as a property), for a CommonJS project and for one written in ESM syntax.
  'node10 (commonjs)': { options: { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true }, files: { 'cjs.ts': CJS } },
  'node10 (es2022)': { options: { module: 'es2022', moduleResolution: 'node10', esModuleInterop: true }, files: { 'esm.ts': CJS } },
};

for (const [mode, { options, files }] of Object.entries(MODES)) {
  test(`ESM and CommonJS consumers type-check under ${mode}`, async () => {
    if (failure) throw failure;
    const dir = path.join(packed!.project, mode.replace(/\W+/g, '-'));
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        ...options, target: 'es2022', strict: true, noEmit: true, skipLibCheck: false,
        types: ['node'], typeRoots: [path.join(ROOT, 'node_modules/@types')],
      },
      files: Object.keys(files),
    }));
    const r = await runNodeAsync([path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir });
    assert.equal(r.status, 0, explain(r));
  });
}

test('a consumer that gets a name wrong fails to type-check (the checks above can fail)', async () => {
  if (failure) throw failure;
  const dir = path.join(packed!.project, 'negative');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'cjs.cts'), `import { Cache } from 'logcache';\nimport { KeyvLogcacheTypo } from 'logcache/keyv';\nexport const c = [Cache, KeyvLogcacheTypo];\n`);
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules/@types')] },
    files: ['cjs.cts'],
  }));
  const r = await runNodeAsync([path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir });
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /TS2305|TS2724/);
  assert.doesNotMatch(r.stdout, /TS1479|TS2307/, 'only the wrong name is reported');
});
