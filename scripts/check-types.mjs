#!/usr/bin/env node
// The type test (test/types/api.types.ts: lines that must compile and @ts-expect-error lines that must not), run
// twice: against the sources with the project's TypeScript, and against the package's declarations (built as
// `npm run build` builds dist/types, into a temporary directory) with TypeScript 5.0 (the `typescript50`
// devDependency) and skipLibCheck false, so the published types work for every TypeScript from 5.0 on. Also checks
// that the declarations reachable from index.d.ts never reach the engine's internals (src/shard, but its leaf
// reports.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const TSC50 = join(ROOT, 'node_modules/typescript50/bin/tsc');

function tsc(bin, args, what) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`type check failed: ${what}\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
  console.log(`# types: ${what}: ok`);
}

/** The declaration files reachable from `entry` through relative imports. */
function reachable(entry) {
  const seen = new Set();
  const stack = [entry];
  while (stack.length) {
    const file = stack.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)\.js'/g)) stack.push(normalize(join(dirname(file), `${m[1]}.d.ts`)));
  }
  return [...seen];
}

tsc(TSC, ['-p', 'test/types/tsconfig.json'], 'the type test against src/ (project TypeScript)');
const work = mkdtempSync(join(tmpdir(), 'logcache-types-'));
try {
  const types = join(work, 'types');
  tsc(TSC, ['-p', 'tsconfig.build.json', '--outDir', types], 'declarations built');
  const internal = reachable(join(types, 'index.d.ts')).map((f) => relative(types, f))
    .filter((f) => f.startsWith('shard/') && f !== 'shard/reports.d.ts');
  if (internal.length) {
    process.stderr.write(`the public declarations reach engine internals: ${internal.join(', ')}\n`);
    process.exit(1);
  }
  console.log('# types: public declarations reach no engine internals: ok');
  const config = join(work, 'tsconfig.json');
  writeFileSync(config, JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false,
      lib: ['ES2022'], types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')], baseUrl: work,
      paths: { logcache: [join(types, 'index.d.ts')] },
    },
    files: [join(ROOT, 'test/types/api.types.ts')],
  }));
  tsc(TSC50, ['-p', config], 'the type test against the declarations (TypeScript 5.0, skipLibCheck false)');
} finally {
  rmSync(work, { recursive: true, force: true });
}
