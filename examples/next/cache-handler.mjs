// Next.js's incremental cache on logcache: point next.config's `cacheHandler` at this file. Every `next start`
// process given the same NEXT_CACHE_DIR serves and revalidates one cache.
import { createCacheHandler } from 'logcache/next';

export default createCacheHandler({ directory: process.env.NEXT_CACHE_DIR ?? '.next/logcache' });
