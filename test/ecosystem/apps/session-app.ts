/**
 * express + express-session on LogcacheSessionStore in directory argv[2]. POST /login?user=NAME[&maxAge=MS] logs
 * in (cookie lifetime one hour unless maxAge), GET /me answers { user, pid }, POST /logout destroys the session.
 */
import express from 'express';
import session from 'express-session';
import { LogcacheSessionStore } from '../../../src/integrations/express-session.js';

declare module 'express-session' {
  interface SessionData { user?: string }
}

const app = express();
app.use(session({
  store: new LogcacheSessionStore({ directory: process.argv[2] }),
  secret: 'test secret', resave: false, saveUninitialized: false, cookie: { maxAge: 3_600_000 },
}));
app.post('/login', (req, res) => {
  req.session.user = String(req.query.user);
  if (req.query.maxAge) req.session.cookie.maxAge = Number(req.query.maxAge);
  res.json({ user: req.session.user, pid: process.pid });
});
app.get('/me', (req, res) => { res.json({ user: req.session.user ?? null, pid: process.pid }); });
app.post('/logout', (req, res, next) => { req.session.destroy((err) => (err ? next(err) : res.json({ ok: true }))); });
const server = app.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  console.log(`listening ${typeof addr === 'object' && addr ? addr.port : ''}`);
});
