/** express + express-rate-limit (limit 10 per minute) on LogcacheRateLimitStore in directory argv[2]. */
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import { LogcacheRateLimitStore } from '../../../src/integrations/rate-limit.js';

const app = express();
app.use(rateLimit({ windowMs: 60_000, limit: 10, store: new LogcacheRateLimitStore({ directory: process.argv[2] }) }));
app.get('/', (_req, res) => { res.send(`ok ${process.pid}`); });
const server = app.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  console.log(`listening ${typeof addr === 'object' && addr ? addr.port : ''}`);
});
