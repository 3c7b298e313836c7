// HTTP caching for fetch: undici's cache interceptor on logcache/undici. A response fetched by one process is
// served from the disk cache to another; the origin is asked once.
// Run: node examples/undici-http-cache.mjs [DIR]
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, fetch, interceptors } from 'undici';
import { LogcacheCacheStore } from 'logcache/undici';

const [dirArg, role, url] = process.argv.slice(2);
const dir = dirArg ?? mkdtempSync(join(tmpdir(), 'logcache-undici-'));

/** Fetches `url` through the cache (in this process) and prints what came back. */
async function cachedFetch(who) {
  const store = new LogcacheCacheStore({ directory: dir });
  const dispatcher = new Agent().compose(interceptors.cache({ store }));
  const res = await fetch(url ?? `http://127.0.0.1:${server.address().port}/forecast`, { dispatcher });
  const text = await res.text();
  await store.close(); // waits until the response is stored
  await dispatcher.close();
  console.log(`${who}: ${res.status} ${text} (age header: ${res.headers.get('age') ?? 'none'})`);
}

let server;
if (role === 'child') {
  await cachedFetch('process 2');
} else {
  let hits = 0;
  server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'cache-control': 'public, max-age=60' });
    res.end('sunny');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  await cachedFetch('process 1');
  const child = fork(fileURLToPath(import.meta.url), [dir, 'child', `http://127.0.0.1:${server.address().port}/forecast`]);
  await new Promise((r) => child.on('exit', r));
  console.log(`origin requests: ${hits}`);
  server.close();
}
