// Caching a web handler: the cache-aside pattern on node:http. The first request for a report computes it; the
// next ones, from this process or any other that opens the same directory (cluster workers, a second server),
// are served from disk until the entry expires.
// Run: node examples/web-handler.mjs [DIR]
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cache } from 'logcache';

const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'logcache-web-'));
const cache = new Cache(dir);

async function buildReport(id) {
  await new Promise((r) => setTimeout(r, 100)); // stands for slow queries
  return { id, total: id * 42, builtAt: new Date().toISOString() };
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const id = Number(url.searchParams.get('id') ?? 1);
  const key = `report:${id}`;
  let report = cache.get(key);          // undefined on a miss (or once expired)
  const status = report === undefined ? 'MISS' : 'HIT';
  if (report === undefined) {
    report = await buildReport(id);
    cache.set(key, report, { expire: 30, tag: 'reports' }); // 30 seconds; tag: evict them all at once
  }
  res.setHeader('content-type', 'application/json');
  res.setHeader('x-cache', status);
  res.end(JSON.stringify(report));
});

await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const res = await fetch(`${base}/report?id=7`);
  const body = await res.json();
  console.log(`GET /report?id=7 -> ${res.headers.get('x-cache')} total=${body.total} (${Math.round(performance.now() - t0)} ms)`);
}
console.log('evicted', cache.evict('reports'), 'cached report(s)'); // e.g. after the data changed
const res = await fetch(`${base}/report?id=7`);
console.log(`GET /report?id=7 -> ${res.headers.get('x-cache')} after evict`);
server.close();
cache.close();
