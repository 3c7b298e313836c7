// What two `next start` processes do with cache-handler.mjs, without building a site: one stores a rendered page
// (tagged 'posts' by its fetches), the other serves it, then revalidateTag('posts') in one is a miss in both.
// Run: node examples/next/demo.mjs [DIR]
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [dirArg, role] = process.argv.slice(2);
process.env.NEXT_CACHE_DIR = dirArg ?? mkdtempSync(join(tmpdir(), 'logcache-next-'));
const { default: CacheHandler } = await import('./cache-handler.mjs');
const handler = new CacheHandler({}); // Next constructs one per request; they share one cache
const PAGE = { kind: 'APP_PAGE', isFallback: false };

if (role === 'other') {
  const hit = await handler.get('/blog', PAGE);
  console.log(`process 2 reads /blog: ${hit ? hit.value.html : 'miss'}`);
  await handler.revalidateTag('posts');
  console.log("process 2 called revalidateTag('posts')");
  CacheHandler.store.close();
} else {
  await handler.set('/blog', { kind: 'APP_PAGE', html: '<h1>Posts</h1>', rscData: Buffer.from('rsc'), status: 200,
    headers: { 'x-next-cache-tags': '_N_T_/layout,_N_T_/blog,posts' } }, { cacheControl: { revalidate: 3600 } });
  console.log('process 1 stored /blog');
  const child = fork(fileURLToPath(import.meta.url), [process.env.NEXT_CACHE_DIR, 'other']);
  await new Promise((r) => child.on('exit', r));
  const after = await handler.get('/blog', PAGE);
  console.log(`process 1 reads /blog: ${after ? after.value.html : 'miss (regenerated on this request)'}`);
  CacheHandler.store.close();
}
