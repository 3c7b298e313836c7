/**
 * The application of keyv-app.ts on @keyv/redis and a real redis-server: the path for a user who outgrows one
 * machine is to replace `new KeyvLogcache(dir)` with `new KeyvRedis(url)`. Runs when `redis-server` is on PATH
 * (Debian: apt-get install redis-server; .ci/run installs it, and under CI=true a missing server fails the test);
 * starts its own server on 127.0.0.1 on a free port and stops it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import KeyvV5 from 'keyv';
import KeyvRedis from '@keyv/redis';
import { createCache } from 'cache-manager';
import { runKeyvApp, KeyvClass } from './keyv-app.js';
import { tempDir, which } from './helpers.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts redis-server on 127.0.0.1 with no persistence; resolves once it accepts connections. */
async function startRedis(bin: string, dir: string): Promise<{ url: string; child: ChildProcess }> {
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = await new Promise<boolean>((resolve) => {
      let out = '';
      const timer = setTimeout(() => resolve(false), 10_000);
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('Ready to accept connections')) { clearTimeout(timer); resolve(true); }
      });
      child.on('exit', () => { clearTimeout(timer); lastError = out; resolve(false); });
    });
    if (ready) return { url: `redis://127.0.0.1:${port}`, child };
    child.kill('SIGKILL');
  }
  throw new Error(`redis-server did not start: ${lastError}`);
}

test('keyv 5 and cache-manager 7 run the same application on @keyv/redis and a real redis-server', async (t) => {
  const bin = which('redis-server');
  if (!bin) {
    // .ci/run installs it, so in CI a missing server is a failure, not a skip.
    if (process.env.CI === 'true') assert.fail('CI: redis-server is not on PATH (.ci/run installs it: apt-get install redis-server)');
    return t.skip('redis-server is not on PATH (Debian: apt-get install redis-server); the Redis run is skipped');
  }
  const { url, child } = await startRedis(bin, tempDir(t, 'logcache-redis-'));
  t.after(() => new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  }));
  const prefix = `t${process.pid}-`;
  await runKeyvApp({ Keyv: KeyvV5 as unknown as KeyvClass, makeStore: () => new KeyvRedis(url), createCache, prefix });
  // The same server holds what the app left (users:ada), under @keyv/redis's own key layout.
  const keyv = new KeyvV5({ store: new KeyvRedis(url), namespace: `${prefix}users` });
  assert.deepEqual(await keyv.get('ada'), { name: 'Ada', born: 1815, tags: ['math'] });
  await keyv.disconnect();
});
