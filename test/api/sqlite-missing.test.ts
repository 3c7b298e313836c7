/**
 * engine: 'sqlite' with better-sqlite3 installed but not built (`npm install --ignore-scripts`) throws the
 * documented SqliteMissingError (exported from the package root, code LOGCACHE_SQLITE_MISSING, the bindings error
 * as its cause), and creates nothing. The child process sees a copy of better-sqlite3 without its build directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const hasNodeSqlite = Boolean((process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:sqlite'));

function packageDir(name: string, from: string): string {
  return path.dirname(createRequire(from).resolve(`${name}/package.json`));
}

test('an unbuilt better-sqlite3 is SqliteMissingError from the root, not a raw bindings Error', { skip: hasNodeSqlite && 'this Node has node:sqlite, which the engine prefers' }, (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-sqlite-missing-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  // better-sqlite3's JavaScript and its dependencies, without build/ (what --ignore-scripts leaves).
  const better = packageDir('better-sqlite3', path.join(ROOT, 'package.json'));
  const modules = path.join(tmp, 'node_modules');
  fs.cpSync(path.join(better, 'lib'), path.join(modules, 'better-sqlite3', 'lib'), { recursive: true });
  fs.copyFileSync(path.join(better, 'package.json'), path.join(modules, 'better-sqlite3', 'package.json'));
  for (const dep of ['bindings', 'file-uri-to-path']) {
    fs.cpSync(packageDir(dep, path.join(better, 'package.json')), path.join(modules, dep), { recursive: true });
  }
  // Resolve 'better-sqlite3' to the copy, wherever it is required from.
  const hook = path.join(tmp, 'hook.cjs');
  fs.writeFileSync(hook, `const Module = require('module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (request === 'better-sqlite3') return require.resolve(${JSON.stringify(path.join(modules, 'better-sqlite3'))});
  return resolve.call(this, request, parent, ...rest);
};\n`);
  const dir = path.join(tmp, 'cache');
  const script = `
    import { Cache, SqliteMissingError, LogcacheError } from ${JSON.stringify(path.join(ROOT, 'src/index.ts'))};
    import * as fs from 'node:fs';
    try {
      new Cache(${JSON.stringify(dir)}, { engine: 'sqlite' });
      console.log(JSON.stringify({ opened: true }));
    } catch (err) {
      console.log(JSON.stringify({ missing: err instanceof SqliteMissingError, base: err instanceof LogcacheError, code: err.code,
        message: err.message, cause: String(err.cause?.message ?? ''), created: fs.existsSync(${JSON.stringify(dir)}) }));
    }`;
  const file = path.join(tmp, 'probe.mts');
  fs.writeFileSync(file, script);
  const r = spawnSync(process.execPath, ['--require', hook, '--import', 'tsx', file], { encoding: 'utf8', cwd: ROOT });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.missing, true, r.stdout);
  assert.equal(out.base, true);
  assert.equal(out.code, 'LOGCACHE_SQLITE_MISSING');
  assert.match(out.message, /better-sqlite3/);
  assert.match(out.cause, /bindings/i, 'the bindings error is the cause');
  assert.equal(out.created, false, 'nothing created');
});
