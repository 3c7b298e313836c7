// A serverless function (AWS Lambda style) that caches in the instance's /tmp: warm invocations, and other
// functions running on the same instance, are served from disk. Bundle it into one file with no node_modules:
//   npx esbuild examples/serverless/handler.mjs --bundle --platform=node --format=esm --outfile=dist-lambda/index.mjs
// logcache has no dependency, no native module and no require a bundler cannot follow: no banner, no options.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cache } from 'logcache';

// Opened once per instance (outside the handler), reused by every invocation it serves.
const cache = new Cache(process.env.LOGCACHE_DIR ?? join(tmpdir(), 'logcache-lambda'));

async function lookUp(city) {
  await new Promise((r) => setTimeout(r, 20)); // stands for a slow upstream API
  return { city, forecast: city.length % 2 ? 'sun' : 'rain' };
}

export async function handler(event) {
  const city = event?.queryStringParameters?.city ?? 'Paris';
  const key = `forecast:${city}`;
  let body = cache.get(key);
  const hit = body !== undefined;
  if (!hit) {
    body = await lookUp(city);
    cache.set(key, body, { expire: 300 });
  }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'x-cache': hit ? 'HIT' : 'MISS' },
    body: JSON.stringify({ ...body, invocations: cache.incr('invocations') }),
  };
}
