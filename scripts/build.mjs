#!/usr/bin/env node
// Builds dist/: ESM and CommonJS bundles of src/ (dependencies stay external) and type declarations.
// Entry points: the package (index), its `logcache/keyv` subpath and the `logcache` command. The subpath and the
// command import the package's own index as an external file, so a process that loads two of them has one Cache
// class (instanceof works across them) and one copy of the engine.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

// compactor-main: the background compactor's process (src/shard/compactor.ts starts it from beside the bundle).
const ENTRIES = { index: 'src/index.ts', keyv: 'src/api/keyv.ts', cli: 'src/cli.ts', 'compactor-main': 'src/shard/compactor-main.ts' };
const INDEX = resolve('src/index.js');

/** Resolves an import of src/index.js (from keyv.ts, cli.ts) to the built index next to the importer. */
const ownIndex = (file) => ({
  name: 'own-index',
  setup(b) {
    b.onResolve({ filter: /(^|\/)index\.js$/ }, (args) => {
      if (args.kind === 'entry-point' || resolve(args.resolveDir, args.path) !== INDEX) return undefined;
      return { path: `./${file}`, external: true };
    });
  },
});

rmSync('dist', { recursive: true, force: true });
const common = { bundle: true, platform: 'node', target: 'node20', packages: 'external', sourcemap: true, logLevel: 'warning' };
for (const [name, entry] of Object.entries(ENTRIES)) {
  await build({ ...common, entryPoints: [entry], format: 'esm', outfile: `dist/esm/${name}.js`, plugins: [ownIndex('index.js')] });
  // import.meta.url has no CommonJS meaning: give the CJS bundle the file's own URL.
  await build({
    ...common, entryPoints: [entry], format: 'cjs', outfile: `dist/cjs/${name}.cjs`, plugins: [ownIndex('index.cjs')],
    define: { 'import.meta.url': '__logcache_import_meta_url' },
    banner: { js: "const __logcache_import_meta_url = require('url').pathToFileURL(__filename).href;" },
  });
}
writeFileSync('dist/esm/package.json', JSON.stringify({ type: 'module' }) + '\n');
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
console.log('built dist/esm, dist/cjs, dist/types');
