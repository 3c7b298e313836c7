/**
 * Cache.incr's bigint counters (./cache.ts): the step in bigint arithmetic, read, added and written back in one
 * engine transaction. Touches the engine (get, set, transact) and the Disk (to store the new value).
 */
import type { Disk } from '../format/disk.js';
import { Key, typeName } from '../format/keys.js';
import { KeyError } from '../errors.js';
import { now as clockNow } from '../clock.js';
import type { CacheEngine } from '../engine/engine.js';

/** A counter's value as a bigint: a bigint, or an integer number. @throws TypeError for anything else. */
function asBigInt(v: unknown, what: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new TypeError(`${what} is not an integer number or bigint (a bigint counter needs one); got ${typeof v === 'number' ? v : typeName(v)}`);
}

/**
 * incr in bigint arithmetic: read, add and write back in one transaction (keeping expiry, tag and position). The
 * checks run first outside it too, so a refused incr writes nothing (not even a transaction's begin and abort).
 */
export function incrBigInt(engine: CacheEngine, disk: Disk, key: Key, delta: number | bigint, dflt: number | bigint | null, deadline: number): bigint {
  const step = asBigInt(delta, 'delta');
  const seen = engine.get(key, false, deadline);
  if (seen === undefined && dflt === null) throw new KeyError(key);
  asBigInt(seen === undefined ? dflt : seen.value, seen === undefined ? 'default' : `the value at key ${String(key)}`);
  return engine.transact(() => {
    const item = engine.get(key, false, deadline);
    if (item === undefined && dflt === null) throw new KeyError(key);
    const value = (item === undefined ? asBigInt(dflt, 'default') : asBigInt(item.value, `the value at key ${String(key)}`)) + step;
    const expire = item?.expireTime == null ? null : item.expireTime - clockNow();
    const tag = item === undefined ? null : (item.tag as Key | null);
    engine.set(key, disk.store(value, false, key), expire, tag, deadline);
    return value;
  }, deadline);
}
