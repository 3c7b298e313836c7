// One rate limit across two express processes: logcache/rate-limit. 15 requests alternate between the two
// processes; with a limit of 5 per minute, exactly 5 pass, whichever process takes them.
// Run: node examples/rate-limit-cluster.mjs [DIR]
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import { LogcacheRateLimitStore } from 'logcache/rate-limit';

const [dirArg, role] = process.argv.slice(2);
const dir = dirArg ?? mkdtempSync(join(tmpdir(), 'logcache-ratelimit-'));

if (role === 'server') {
  const app = express();
  app.use(rateLimit({ windowMs: 60_000, limit: 5, store: new LogcacheRateLimitStore({ directory: dir }) }));
  app.get('/', (_req, res) => { res.send('ok'); });
  const server = app.listen(0, '127.0.0.1', () => process.send(server.address().port));
  process.on('disconnect', () => process.exit(0));
} else {
  const children = [fork(fileURLToPath(import.meta.url), [dir, 'server']), fork(fileURLToPath(import.meta.url), [dir, 'server'])];
  const urls = [];
  for (const child of children) urls.push(`http://127.0.0.1:${await new Promise((r) => child.once('message', r))}/`);
  const statuses = [];
  for (let i = 0; i < 15; i++) statuses.push((await fetch(urls[i % 2])).status);
  console.log(`statuses: ${statuses.join(' ')}`);
  console.log(`allowed: ${statuses.filter((s) => s === 200).length} of ${statuses.length}`);
  for (const child of children) child.disconnect();
}
