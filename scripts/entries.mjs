#!/usr/bin/env node
// The package's entry points: `logcache` (index) and `logcache/<name>`, each built from src/<name>.ts into
// dist/<name>.js (ESM), dist/<name>.cjs (CommonJS), dist/bundler/<name>.js (bundlers) and their types
// (scripts/build.mjs).
//
// Adding a subpath: add its name to ENTRIES, then run `node scripts/entries.mjs`, which writes package.json's
// `exports` and `typesVersions` from this list (test/ecosystem/package.test.ts fails while they differ).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ENTRIES = [
  'index',
  'keyv',
  'undici',
  'express-session',
  'rate-limit',
  'next',
];

/**
 * One entry's conditions: TypeScript sources for the repository's own tests; bundlers' one-file ESM build (the
 * `module` condition, which esbuild, rollup, webpack and the others match and Node does not); then Node's ESM and
 * CommonJS entries, with types (scripts/build.mjs says what each file is).
 */
const conditions = (name) => ({
  'logcache-source': `./src/${name}.ts`,
  module: `./dist/bundler/${name}.js`,
  import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
  require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
});

/** package.json's `exports` and `typesVersions` (the latter for TypeScript's node10 resolution of subpaths). */
export function packageFields(entries = ENTRIES) {
  const subpaths = entries.filter((n) => n !== 'index');
  return {
    exports: {
      '.': conditions('index'),
      ...Object.fromEntries(subpaths.map((n) => [`./${n}`, conditions(n)])),
      './package.json': './package.json',
    },
    typesVersions: { '*': Object.fromEntries(subpaths.map((n) => [n, [`./dist/${n}.d.cts`]])) },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = new URL('../package.json', import.meta.url);
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  Object.assign(pkg, packageFields());
  writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
  console.log(`package.json: exports for ${ENTRIES.join(', ')}`);
}
