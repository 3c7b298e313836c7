#!/usr/bin/env node
// Builds dist/: an ESM and a CommonJS bundle of src/ (dependencies stay external) and type declarations.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
const common = { entryPoints: ['src/index.ts'], bundle: true, platform: 'node', target: 'node20', packages: 'external', sourcemap: true, logLevel: 'warning' };
await build({ ...common, format: 'esm', outfile: 'dist/esm/index.js' });
// import.meta.url has no CommonJS meaning: give the CJS bundle the file's own URL.
await build({
  ...common, format: 'cjs', outfile: 'dist/cjs/index.cjs',
  define: { 'import.meta.url': '__logcache_import_meta_url' },
  banner: { js: "const __logcache_import_meta_url = require('url').pathToFileURL(__filename).href;" },
});
writeFileSync('dist/esm/package.json', JSON.stringify({ type: 'module' }) + '\n');
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
console.log('built dist/esm, dist/cjs, dist/types');
