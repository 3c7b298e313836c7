// Sessions shared by two express processes: logcache/express-session. A login on one process is seen by the
// other; a logout on either logs out both.
// Run: node examples/express-session-cluster.mjs [DIR]
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import session from 'express-session';
import { LogcacheSessionStore } from 'logcache/express-session';

const [dirArg, role] = process.argv.slice(2);
const dir = dirArg ?? mkdtempSync(join(tmpdir(), 'logcache-sessions-'));

if (role === 'server') {
  const app = express();
  app.use(session({
    store: new LogcacheSessionStore({ directory: dir }), secret: 'example secret',
    resave: false, saveUninitialized: false, cookie: { maxAge: 3_600_000 },
  }));
  app.post('/login', (req, res) => { req.session.user = 'ada'; res.send('logged in'); });
  app.get('/me', (req, res) => { res.send(req.session.user ?? 'nobody'); });
  app.post('/logout', (req, res) => req.session.destroy(() => res.send('logged out')));
  const server = app.listen(0, '127.0.0.1', () => process.send(server.address().port));
  process.on('disconnect', () => process.exit(0));
} else {
  const servers = [];
  for (const name of ['A', 'B']) {
    const child = fork(fileURLToPath(import.meta.url), [dir, 'server']);
    const port = await new Promise((r) => child.once('message', r));
    servers.push({ name, child, url: `http://127.0.0.1:${port}` });
  }
  let cookie = '';
  const call = async ({ name, url }, method, path) => {
    const res = await fetch(url + path, { method, headers: cookie ? { cookie } : {} });
    cookie = res.headers.get('set-cookie')?.split(';')[0] ?? cookie;
    console.log(`${method} ${path} on ${name} -> ${await res.text()}`);
  };
  const [a, b] = servers;
  await call(a, 'POST', '/login');
  await call(b, 'GET', '/me');
  await call(b, 'POST', '/logout');
  await call(a, 'GET', '/me');
  for (const s of servers) s.child.disconnect();
}
