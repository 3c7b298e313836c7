// Keyv and cache-manager on logcache: the same API your code already uses, with every process of the machine
// sharing one disk cache. Needs `npm install keyv cache-manager` beside logcache.
// Run: node examples/keyv-cache-manager.mjs [DIR]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Keyv from 'keyv';
import { createCache } from 'cache-manager';
import { KeyvLogcache } from 'logcache/keyv';

const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'logcache-keyv-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One adapter per Keyv instance: the namespace belongs to the adapter. Outgrowing one machine is this one line:
//   const store = (ns) => new KeyvRedis('redis://cache.internal:6379');   // import KeyvRedis from '@keyv/redis'
const store = () => new KeyvLogcache(dir);
const users = new Keyv({ store: store(), namespace: 'users' });
const sessions = new Keyv({ store: store(), namespace: 'sessions' });

await users.set('ada', { name: 'Ada Lovelace' });
await sessions.set('ada', 'token-123', 1000); // expires after 1 s
console.log('users:ada =', JSON.stringify(await users.get('ada')));
console.log('sessions:ada =', await sessions.get('ada'));
await sleep(1300);
console.log('sessions:ada after its TTL =', await sessions.get('ada'));
await sessions.clear(); // clears the 'sessions' namespace only
console.log('users:ada after sessions.clear() =', JSON.stringify(await users.get('ada')));

// cache-manager takes Keyv instances as its stores.
const cache = createCache({ stores: [new Keyv({ store: store(), namespace: 'http' })], ttl: 60_000 });
let calls = 0;
const fetchPrice = async () => { calls++; return 42; };
console.log('wrap:', await cache.wrap('price:book', fetchPrice), await cache.wrap('price:book', fetchPrice), `(fetched ${calls} time)`);
const expires = await cache.ttl('price:book'); // cache-manager 7 gives the expiry time in ms
console.log('price:book expires in', Math.round((expires - Date.now()) / 1000), 's');

await cache.disconnect();
await users.disconnect();
await sessions.disconnect();
