/**
 * One process of the core workload (forked by core.ts with tsx). Opens the
 * contender, checks it, says `ready`, waits for `go` (so all processes start
 * together), runs OPS operations timing each with hrtime, sends the samples back.
 * With num = -1 it only pre-fills the RANGE keys and says `ready`: the parent
 * never loads the engine, so nothing of it (a timer, an open file) outlives a run.
 *
 * argv: kind dir num ops range warmup
 */
import { checkContender, loadKind } from './lib/contender.js';
import { reason } from './lib/reason.js';
import { mulberry32, randrange } from './lib/prng.js';
import type { WorkerMessage, ParentMessage } from './lib/protocol.js';

const [kind = '', dir = '', numS = '0', opsS = '100000', rangeS = '100', warmupS = '1000'] = process.argv.slice(2);
const num = Number(numS);
const ops = Number(opsS);
const range = Number(rangeS);
const warmup = Number(warmupS);

function send(msg: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(msg, undefined, {}, (e) => (e ? reject(e) : resolve())));
}

function waitForGo(): Promise<void> {
  return new Promise((resolve) => {
    process.once('message', (m: ParentMessage) => { if (m.type === 'go') resolve(); });
  });
}

async function main(): Promise<void> {
  const open = await loadKind(kind);
  if (typeof open === 'string') return send({ type: 'fail', message: open });
  let cache;
  try {
    cache = open(dir);
  } catch (err) {
    // An engine that cannot open (LOGCACHE_SQLITE_MISSING, say) is a skip with its reason, not a crash.
    return send({ type: 'fail', message: reason(err) });
  }
  if (num < 0) {
    for (let k = 0; k < range; k++) cache.set(Buffer.from(String(k)), Buffer.from(String(k)));
    cache.close();
    return send({ type: 'ready' });
  }
  const problem = checkContender(cache, num);
  if (problem) {
    cache.close();
    return send({ type: 'fail', message: `correctness check failed: ${problem}` });
  }

  const rng = mulberry32(num);
  const timed = Math.max(0, ops - warmup);
  const t = { get: new Float64Array(timed), set: new Float64Array(timed), delete: new Float64Array(timed) };
  const n = { get: 0, set: 0, delete: 0 };
  const miss = { get: 0, set: 0, delete: 0 };
  const clock = process.hrtime.bigint;
  const go = waitForGo();
  await send({ type: 'ready' });
  await go;

  for (let count = 0; count < ops; count++) {
    // Draw order as in the peer: key, repeat count, action.
    const key = Buffer.from(String(randrange(rng, 0, range)));
    const value = Buffer.from(String(count).repeat(randrange(rng, 1, 100)));
    const choice = rng();
    let s: bigint, e: bigint, act: 'get' | 'set' | 'delete', m: boolean;
    if (choice < 0.9) {
      s = clock(); const r = cache.get(key); e = clock(); act = 'get'; m = r === undefined || r === null;
    } else if (choice < 0.99) {
      s = clock(); const r = cache.set(key, value); e = clock(); act = 'set'; m = r === false;
    } else {
      s = clock(); const r = cache.delete(key); e = clock(); act = 'delete'; m = r === false;
    }
    if (count >= warmup) {
      t[act][n[act]++] = Number(e - s);
      if (m) miss[act]++;
    }
  }
  const endNs = clock();
  cache.close();
  await send({ type: 'result', ns: { get: t.get.slice(0, n.get), set: t.set.slice(0, n.set), delete: t.delete.slice(0, n.delete) }, miss, endNs });
}

main().then(
  () => process.disconnect(),
  async (err: unknown) => {
    await send({ type: 'fail', message: `worker ${num} threw: ${(err as Error)?.stack ?? String(err)}` }).catch(() => {});
    process.exitCode = 1;
    process.disconnect();
  },
);
