// The test bundles src/integrations/next.ts into ./logcache-next.mjs beside this file (a user imports 'logcache/next').
import { createCacheHandler } from './logcache-next.mjs';

export default createCacheHandler({ directory: process.env.LOGCACHE_DIR });
