/**
 * One process of the undici test: fetches argv[3] through undici's cache interceptor on LogcacheCacheStore in
 * directory argv[2] (with `accept-language: argv[4]` when given) and prints { status, length, sha256, cache }.
 */
import { createHash } from 'node:crypto';
import { Agent, fetch, interceptors } from 'undici';
import { LogcacheCacheStore } from '../../../src/integrations/undici.js';

const [dir, url, lang] = process.argv.slice(2);
const store = new LogcacheCacheStore({ directory: dir });
const dispatcher = new Agent().compose(interceptors.cache({ store }));
const res = await fetch(url, { dispatcher, headers: lang ? { 'accept-language': lang } : {} });
const body = Buffer.from(await res.arrayBuffer());
await store.close(); // waits for the response to be stored
await dispatcher.close();
console.log(JSON.stringify({ status: res.status, length: body.length, sha256: createHash('sha256').update(body).digest('hex'), age: res.headers.get('age') }));
