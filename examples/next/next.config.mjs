// next.config.mjs of a self-hosted Next.js site whose processes share one disk cache.
import { fileURLToPath } from 'node:url';

export default {
  cacheHandler: fileURLToPath(new URL('./cache-handler.mjs', import.meta.url)),
};
