// Memoize: an expensive function computed once, then served from disk to every process on the machine.
// Run: node examples/memoize.mjs [DIR]
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cache } from 'logcache';

const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'logcache-memoize-'));
const cache = new Cache(dir);

// The cache key is ['exchangeRate', from, to] (the name given; without one, the function's name plus a hash of its
// source text); each result is kept for 10 minutes.
let computed = 0;
const exchangeRate = cache.memoize({ name: 'exchangeRate', expire: 600 })(async function exchangeRate(from, to) {
  computed++;
  await new Promise((r) => setTimeout(r, 50)); // stands for a slow API call
  return from === 'EUR' && to === 'USD' ? 1.08 : 1;
});

if (process.argv[3] === 'child') {
  // Another process: the first call of the parent already stored the result.
  const rate = await exchangeRate('EUR', 'USD');
  cache.set('child-report', { rate, computed }); // the parent reads it once this process has exited
  cache.close();
} else {
  console.log('first call:', await exchangeRate('EUR', 'USD'), `(computed ${computed} time)`);
  console.log('second call:', await exchangeRate('EUR', 'USD'), `(computed ${computed} time)`);
  const child = fork(fileURLToPath(import.meta.url), [dir, 'child']);
  await new Promise((resolve) => child.on('exit', resolve));
  const reply = cache.get('child-report');
  console.log('another process:', reply.rate, `(computed ${reply.computed} times there)`);
  console.log('cache key:', JSON.stringify(exchangeRate.cacheKey('EUR', 'USD')));
  cache.close();
}
