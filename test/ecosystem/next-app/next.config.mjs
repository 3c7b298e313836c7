// The fixture site of next-build.test.ts: Next's incremental cache on logcache/next.
import { fileURLToPath } from 'node:url';

export default {
  cacheHandler: fileURLToPath(new URL('./cache-handler.mjs', import.meta.url)),
};
