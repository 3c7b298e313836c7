#!/usr/bin/env node
// Builds dist/ (run by `npm run build` and by `prepack`, so a packed clean clone ships it):
//
//   dist/<entry>.cjs           Node's build, CommonJS, one per entry point (ENTRIES); the index's rarely used parts
//                              are split off into dist/lazy-<part>.cjs, loaded at first use (scripts/lazy-parts.mjs)
//   dist/<entry>.js            Node's ESM entry points: each re-exports its CommonJS build (through createRequire,
//                              which skips the export scan Node runs on a CommonJS file an `import` names), so
//                              `import` and `require` in one process share one engine
//   dist/bundler/<entry>.js    the bundlers' build (package.json's "module" condition, which bundlers match and Node
//                              does not): ESM, everything in one file per entry, built-ins imported statically
//   dist/<entry>.d.ts .d.cts   their types, for `import` and for `require` consumers
//   dist/types/**              the declarations tsc writes (.d.ts, and .d.cts copies for CommonJS consumers)
//   dist/cli.js                the `logcache` command (bin/logcache.mjs loads it)
//   dist/compactor-main.cjs    the background compactor's process (started from beside the index that needs it)
//   dist/THIRD-PARTY-NOTICES.md  licences of the code bundled in
//
// package.json's exports map `logcache/<name>` to these files with one pattern, so a new subpath is one line in
// scripts/entries.mjs. The bundles carry the runtime libraries (cbor-x, proper-lockfile and its dependencies)
// inside them, so the published package has no runtime dependencies: an install compiles nothing, adds no `.node`
// file, and a user's bundler meets no CommonJS `require` of a Node built-in in the ESM files (the ESM build turns
// each into an import). Peer dependencies (framework integrations) stay external. Entries other than the index
// import the index as an external file, so a process that loads two of them has one Cache class and one engine.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ENTRIES } from './entries.mjs';
import { buildSplitIndex, builtinsAsRequire } from './lazy-parts.mjs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const peers = Object.keys(pkg.peerDependencies ?? {});
const INDEX = resolve('src/index.ts');

/** Resolves an import of src/index.js from another entry to the built index next to it. */
const ownIndex = (file) => ({
  name: 'own-index',
  setup(b) {
    b.onResolve({ filter: /(^|\/)index\.js$/ }, (args) => {
      if (args.kind === 'entry-point' || resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')) !== INDEX) return undefined;
      return { path: `./${file}`, external: true };
    });
  },
});

// ESM output: a bundled CommonJS module's `require('fs')` would become esbuild's `__require`, which throws in ESM
// ("Dynamic require of "fs" is not supported"). Each becomes a call of src/builtin.ts's loader, at the same moment.
const BUILTINS = new Set(builtinModules);
const INJECT = resolve('scripts/inject-builtin.mjs');
const builtinRequires = {
  name: 'builtin-requires',
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (args.kind !== 'require-call' || !BUILTINS.has(name)) return undefined;
      return { path: name, namespace: 'builtin-require' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => ({ contents: `module.exports = __logcache_builtin('node:${args.path}');`, loader: 'js' }));
  },
};

rmSync('dist', { recursive: true, force: true });
const common = {
  bundle: true, platform: 'node', target: 'node20', logLevel: 'warning', metafile: true, minifyWhitespace: true, minifySyntax: true,
  external: peers.flatMap((p) => [p, `${p}/*`]),
  // CommonJS has no import.meta: src/shard/sqlite-binding.ts then falls back to `require`.
  logOverride: { 'empty-import-meta': 'silent' },
};
const bundled = new Set();
const note = (result) => {
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) bundled.add(m[1]);
  }
};
// src/api/dispose.ts is imported for its effect (Symbol.dispose on Node 20.0-20.3): package.json's
// "sideEffects": false, meant for users' bundlers, would otherwise make esbuild drop it.
const DISPOSE = resolve('src/api/dispose.ts');
const keepDispose = {
  name: 'keep-dispose',
  setup(b) {
    b.onResolve({ filter: /(^|\/)dispose\.js$/ }, (args) => {
      const file = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      return file === DISPOSE ? { path: file, sideEffects: true } : undefined;
    });
  },
};
const cjsPlugins = [keepDispose, builtinsAsRequire];
const esmPlugins = [keepDispose, builtinRequires];
for (const name of ENTRIES) {
  const entry = `src/${name}.ts`;
  const esm = await build({ ...common, entryPoints: [entry], format: 'esm', outfile: `dist/bundler/${name}.js`, plugins: [ownIndex('index.js'), ...esmPlugins], inject: [INJECT] });
  note(esm);
  if (name === 'index') for (const r of await buildSplitIndex(common, cjsPlugins, entry, 'dist/index.cjs')) note(r);
  else note(await build({ ...common, entryPoints: [entry], format: 'cjs', outfile: `dist/${name}.cjs`, plugins: [ownIndex('index.cjs'), ...cjsPlugins] }));
  // Node's ESM entry: the CommonJS build's exports, by name (the bundlers' build lists them).
  const names = esm.metafile.outputs[`dist/bundler/${name}.js`].exports;
  const named = names.filter((n) => n !== 'default');
  writeFileSync(`dist/${name}.js`, [
    `// logcache${name === 'index' ? '' : `/${name}`} for \`import\` in Node: the CommonJS build, ${name}.cjs, is the one implementation.`,
    "import { createRequire } from 'node:module';",
    `const m = createRequire(import.meta.url)('./${name}.cjs');`,
    named.length > 0 ? `export const { ${named.join(', ')} } = m;` : '',
    names.includes('default') ? 'export default m.default;' : '',
  ].filter(Boolean).join('\n') + '\n');
}
note(await build({ ...common, entryPoints: ['src/cli/main.ts'], format: 'esm', outfile: 'dist/cli.js', plugins: [ownIndex('index.js'), ...esmPlugins], inject: [INJECT] }));
// The background compactor's process (src/shard/compactor.ts starts it from the file beside the index that loads it).
note(await build({ ...common, entryPoints: ['src/shard/compactor-main.ts'], format: 'cjs', outfile: 'dist/compactor-main.cjs', plugins: cjsPlugins }));

// Types: tsc's declarations, a CommonJS copy of each (`.d.cts`, its relative imports pointing at `.cjs`), and for
// every entry a file beside its bundles that re-exports its declarations.
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
for (const file of walk('dist/types').filter((f) => f.endsWith('.d.ts'))) {
  const text = readFileSync(file, 'utf8').replace(/((?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]*?)\.js(['"])/g, '$1.cjs$2');
  writeFileSync(file.replace(/\.d\.ts$/, '.d.cts'), text);
}
// A default export is declared for `import` only: the CommonJS bundle's `module.exports = {...}` carries it as a
// `.default` property, which TypeScript (node16) would not read as `export default`; CommonJS users take the name.
for (const name of ENTRIES) {
  const hasDefault = /^export default |^export \{[^}]*\bdefault\b/m.test(readFileSync(`dist/types/${name}.d.ts`, 'utf8'));
  writeFileSync(`dist/${name}.d.ts`, `export * from './types/${name}.js';\n${hasDefault ? `export { default } from './types/${name}.js';\n` : ''}`);
  writeFileSync(`dist/${name}.d.cts`, `export * from './types/${name}.cjs';\n`);
}

// The licences of what the bundles carry.
const notices = [...bundled].sort().map((dep) => {
  const dir = join('node_modules', dep);
  const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const licenseFile = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  const text = licenseFile ? readFileSync(join(dir, licenseFile), 'utf8').trim() : `(${meta.license})`;
  return `## ${dep} ${meta.version} (${meta.license})\n\n${text}\n`;
});
writeFileSync('dist/THIRD-PARTY-NOTICES.md', `# Code bundled into logcache's dist/\n\n${notices.join('\n')}`);
console.log(`built dist: ${ENTRIES.join(', ')} (+ cli); bundled ${[...bundled].sort().join(', ') || 'nothing'}`);
