/**
 * logcache/next with the real Next: `next build` of test/ecosystem/next-app (an ISR page whose fetch is tagged
 * 'news', and a route that calls revalidateTag('news')), then two `next start` processes on one cache directory.
 *
 * Opt-in (LOGCACHE_TEST_NEXT_BUILD=1): the build alone takes ~23 s of CPU and ~350 MB, 1.7 to 2.3 minutes of
 * wall time on a shared 2-core machine (the whole test ~3 minutes), too much for the default suite; next.test.ts
 * covers the handler contract there. The build uses webpack: Turbopack refuses a node_modules linked from outside the app's root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { build } from 'esbuild';
import { ROOT, explain, runNodeAsync, tempDir } from './helpers.js';

/** These tests bundle the sources (src/, through the logcache-source condition), whose lazy `require` of
 * proper-lockfile needs a `require` in an ESM bundle; the published dist/ needs none (test/ecosystem/bundle.test.ts). */
const ESM_BANNER = "import { createRequire as __logcacheCreateRequire } from 'node:module'; const require = __logcacheCreateRequire(import.meta.url);";

type T = Parameters<typeof tempDir>[0];
const NEXT = path.join(ROOT, 'node_modules/next/dist/bin/next');
const OPT_IN = process.env.LOGCACHE_TEST_NEXT_BUILD === '1';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** `next start` on 127.0.0.1:port; resolves once it answers. Killed when the test ends. */
async function nextStart(t: T, app: string, env: NodeJS.ProcessEnv): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, [NEXT, 'start', '-p', String(port), '-H', '127.0.0.1'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  for (let i = 0; i < 600 && !/Ready/.test(log); i++) {
    if (child.exitCode !== null) throw new Error(`next start exited ${child.exitCode}\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(log, /Ready/, log);
  return `http://127.0.0.1:${port}`;
}

const news = async (url: string) => /news #(\d+)/.exec(await (await fetch(`${url}/news`)).text())?.[1];

test('next build + two next start on one directory: one render serves both, revalidateTag on one refreshes both', { skip: OPT_IN ? false : 'opt-in: LOGCACHE_TEST_NEXT_BUILD=1 (a real next build)' }, async (t) => {
  let hits = 0;
  const origin = http.createServer((_req, res) => { hits++; res.end(`news #${hits}`); });
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => origin.close(() => r())));

  const app = tempDir(t, 'logcache-next-');
  fs.cpSync(path.join(ROOT, 'test/ecosystem/next-app'), app, { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'));
  await build({
    entryPoints: [path.join(ROOT, 'src/integrations/next.ts')], bundle: true, platform: 'node', target: 'node20', format: 'esm',
    outfile: path.join(app, 'logcache-next.mjs'), banner: { js: ESM_BANNER }, logLevel: 'silent',
  });
  const env = {
    ...process.env, NEXT_TELEMETRY_DISABLED: '1', LOGCACHE_DIR: path.join(app, 'cache'),
    ORIGIN: `http://127.0.0.1:${(origin.address() as net.AddressInfo).port}`,
  };
  const started = Date.now();
  const built = await runNodeAsync([NEXT, 'build', '--webpack'], { cwd: app, env, timeout: 600_000 });
  assert.equal(built.status, 0, explain(built));
  t.diagnostic(`next build: ${((Date.now() - started) / 1000).toFixed(1)} s wall`);

  const [a, b] = [await nextStart(t, app, env), await nextStart(t, app, env)];
  const first = await news(a);
  assert.ok(first !== undefined);
  const afterFirst = hits;
  assert.equal(await news(b), first, 'the second process serves what the first stored');
  assert.equal(await news(a), first);
  assert.equal(hits, afterFirst, 'no more fetches from the origin');

  const r = await fetch(`${a}/revalidate`, { method: 'POST' });
  assert.equal(r.status, 200);
  const fresh = await news(b);
  assert.equal(Number(fresh), afterFirst + 1, 'the other process regenerated with a fresh fetch');
  assert.equal(await news(a), fresh, 'and the first serves the regenerated page');
  assert.equal(hits, afterFirst + 1);
});
