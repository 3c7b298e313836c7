// A job queue shared by processes: a producer pushes jobs, worker processes pull them until the queue is empty.
// pull() is atomic across processes, so each job is taken by exactly one worker.
// Run: node examples/job-queue.mjs [DIR]
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cache } from 'logcache';

const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'logcache-jobs-'));
const cache = new Cache(dir);
const JOBS = 'jobs'; // the queue's prefix: keys 'jobs-500000000000000', ...

if (process.argv[3] === 'worker') {
  const name = process.argv[4];
  let done = 0;
  for (;;) {
    const [key, job] = cache.pull({ prefix: JOBS }); // [undefined, undefined] when the queue is empty
    if (key === undefined) break;
    cache.set(`result:${job.id}`, { square: job.n * job.n, by: name });
    cache.incr('jobs-done');
    done++;
    await new Promise((r) => setTimeout(r, 5)); // stands for real work
  }
  cache.set(`report:${name}`, done); // the parent reads it once this process has exited
  cache.close();
} else {
  for (let id = 1; id <= 20; id++) cache.push({ id, n: id }, { prefix: JOBS });
  console.log('queued', 20, 'jobs');
  const names = ['worker-a', 'worker-b'];
  const workers = names.map((name) => fork(fileURLToPath(import.meta.url), [dir, 'worker', name]));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.on('exit', resolve))));
  for (const name of names) console.log(`${name} did ${cache.get(`report:${name}`)} job(s)`);
  let sum = 0;
  for (let id = 1; id <= 20; id++) sum += cache.get(`result:${id}`).square;
  console.log(`jobs done: ${cache.get('jobs-done')}, sum of squares: ${sum}`);
  cache.close();
}
