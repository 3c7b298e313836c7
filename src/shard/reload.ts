/**
 * Reload: (re)building the shard's state from its files — the newest readable base, then the segments after it —
 * at open, after an I/O error left the state half-built, and after a compaction replaced the files this process
 * holds, when the switch to the new base (base-switch.ts) cannot be done in slices (a rebuild waits for a safe
 * point: caught up, none of our frames unread).
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { IOError, LogcacheError, NewerFormatError } from '../errors.js';
import { OP_BASE } from '../format/record.js';
import { FILE_HEADER_BYTES, FILE_HEADER_V1_BYTES, KIND_BASE, parseFileHeader } from '../format/segment.js';
import { PLAIN_SALT } from '../format/frame.js';
import { baseName } from '../format/files.js';
import type { ShardCore } from './core.js';
import type { OpenFile } from './segments.js';
import { rebuildInsertionOrder, rebuildStoreOrder } from './keydir.js';
import { type Chain, chainHeaderDamaged, chainOf, type BadChain } from './chain.js';
import { applyFile } from './chunks.js';
import { SWITCH_CALL_BYTES } from './base-switch.js';

/** (Re)builds the state from the newest base and the segments after it. */
export function load(c: ShardCore): void {
  c.refuseIfNewer();
  c.loads++;
  c.reloadWanted = false;
  const txn = c.window.beforeLoad();
  c.mustReload = false;
  // The files held now are closed once the load is over, not before it: an open handle holds a file of its store at
  // every moment, which is how its background compactor tells it still has the store open (compactor-main.ts). A
  // look that fell between closing them and opening the base took the store for closed, and its compaction failed
  // after the base was linked and the files it replaced were removed.
  const held = c.segments.detachAll();
  try {
    loadLog(c);
  } catch (err) {
    c.mustReload = true; // half-built: rebuild again before anything else
    if (err instanceof NewerFormatError) c.newer = err; // a base: the handle stops (Segments.#parse keeps a segment's)
    throw err instanceof LogcacheError ? err : new IOError(`load ${c.dir}`, err);
  } finally {
    c.segments.closeDetached(held);
  }
  c.window.afterLoad(txn);
}

/** Listings of the directory a load tries before it gives up: each retry means a compaction replaced the files it
 * listed while it read them, so a bound well above what concurrent compactions can cause. */
const LOAD_ATTEMPTS = 20;

function loadLog(c: ShardCore): void {
  c.switching.reset();
  for (let attempt = 1; ; attempt++) {
    c.segments.closeAll();
    c.state.reset();
    c.values.cache.clear();
    c.logBytes = 0;
    const { bases, segments } = c.segments.list();
    let start = segments.length > 0 ? segments[0] : 1;
    let loaded: BaseLoad = 'bad';
    c.baseId = 0;
    c.chain = [];
    c.baseBytes = 0;
    c.chainFresh = false;
    c.listedBase = Math.max(0, ...bases);
    for (const b of bases.sort((x, y) => y - x)) {
      loaded = loadChain(c, b);
      if (loaded === 'bad') continue;
      if (loaded === 'loaded') {
        c.baseId = b;
        start = b + 1;
        // Past a newer base skipped as damaged (reported): its compaction removed the segments up to it, so the log
        // resumes at the first segment after this base that is left (the history between is lost).
        if (b < bases[0] && !segments.includes(start)) start = segments.find((s) => s > b) ?? bases[0] + 1;
      }
      break;
    }
    try {
      // A listed base that is gone was replaced by a newer compaction after the listing (which also removed the
      // segments after it, or soon will): the listing is stale. Neither an older base nor the segments alone are the
      // history then (the segments read would be partial): list again.
      if (loaded === 'gone') throw Object.assign(new Error('a base was compacted away while loading'), { code: 'ENOENT' });
      if (loaded === 'bad' && bases.length > 0 && segments.length > 0 && segments[0] > 1) {
        // Every base is damaged (a gone one would have been listed again): reported, only after a stable listing.
        c.corruption.report('missing-base', baseName(bases[0]), 0, 0);
      }
      c.chainSeq = c.state.seq;
      c.baseBytes = c.logBytes;
      c.state.removedKeys?.clear(); // kept from the newest base's seal on
      c.chainFresh = true;
      c.segments.openActive(start);
      c.replay.sync();
      c.state.kd.fit();
      return;
    } catch (err) {
      // A compaction removed the files we were about to read: start again from its base.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && attempt < LOAD_ATTEMPTS) continue;
      throw err;
    }
  }
}

type BaseLoad = 'loaded' | 'gone' | 'bad';

/**
 * Loads base `id` and the earlier bases it builds on (chain.ts), oldest first, into the (reset) state. 'gone' when one
 * of them no longer exists because a newer compaction merged it (the listing is stale), 'bad' when one is unreadable
 * or missing without a newer base to explain it (reported; the caller tries an older base).
 */
function loadChain(c: ShardCore, id: number): BaseLoad {
  const chain = chainOf(c.fs, c.dir, id);
  if (chain === 'gone') return 'gone';
  if ('bad' in chain) {
    c.corruption.report('bad-base', baseName(id), 0, 0, chain.bad);
    return 'bad';
  }
  c.state.chainLoad = chain.link;
  try {
    for (const m of chain.ids) {
      const got = loadBase(c, m);
      if (got === 'gone') {
        // Merged by a newer compaction (whose base is listed next time), or lost: only the first is no damage.
        if (c.segments.list().bases.some((b) => b > id)) return 'gone';
        c.corruption.report('bad-base', baseName(id), 0, 0, `the base it builds on, ${baseName(m)}, is missing`);
        resetLoad(c);
        return 'bad';
      }
      if (got === 'bad') return 'bad';
      reportHeader(c, m, chainOf(c.fs, c.dir, m)); // (a member's header, as the newest base's below)
    }
    const got = loadBase(c, id);
    if (got !== 'loaded') return got;
  } finally {
    c.state.chainLoad = false;
  }
  reportHeader(c, id, chain);
  c.chain = chain.ids;
  const kd = c.state.kd;
  kd.rebuildFree();
  rebuildStoreOrder(kd);
  if (chain.link) rebuildInsertionOrder(kd);
  return 'loaded';
}

/** Reports base `id` when its header's version disagrees with what it holds (a flipped bit); it is read all the same. */
function reportHeader(c: ShardCore, id: number, chain: Chain | 'gone' | BadChain): void {
  if (chain === 'gone' || 'bad' in chain || !chainHeaderDamaged(chain)) return;
  c.corruption.report('bad-file-header', baseName(id), 0, 0,
    `format version ${chain.version} ${chain.link ? 'over a chain link (format 4 and later)' : 'over a whole base'}`);
}

function resetLoad(c: ShardCore): void {
  c.state.reset();
  c.segments.closeAll();
  c.logBytes = 0;
}

/** Loads base `id` into the (reset) state: 'gone' if it no longer exists (a newer compaction removed it), 'bad' if it
 * is unreadable (the caller tries an older one). A base in a newer format throws NewerFormatError: an older base or
 * the segments alone would be a partial history. */
function loadBase(c: ShardCore, id: number): BaseLoad {
  const name = baseName(id);
  let fd: number;
  try {
    fd = c.fs.openSync(path.join(c.dir, name), nodeFs.constants.O_RDONLY | nodeFs.constants.O_NOFOLLOW); // never a link out
  } catch (err) {
    // Gone (a newer compaction removed it): try the next. Any other error must not fall back to an older,
    // partial history: it fails the load.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw new IOError(`open ${name} in ${c.dir}`, err);
  }
  // Held from here (closed with the others whatever happens below); salt and start are set once the header is read.
  const file: OpenFile = { id, kind: KIND_BASE, name, fd, salt: PLAIN_SALT, start: FILE_HEADER_V1_BYTES };
  const fileNo = c.segments.add(file);
  const header = Buffer.alloc(FILE_HEADER_BYTES);
  const size = c.io(`stat ${name}`, () => c.fs.fstatSync(fd).size);
  const got = c.io(`read ${name}`, () => c.fs.readSync(fd, header, 0, FILE_HEADER_BYTES, 0));
  const parsed = parseFileHeader(header.subarray(0, got), KIND_BASE, id, name);
  const bad = typeof parsed === 'string' ? parsed : null;
  let complete = false;
  if (typeof parsed !== 'string') {
    file.salt = parsed.salt;
    file.start = parsed.start;
    file.version = parsed.version;
    // Read in bounded chunks (chunks.ts), never one buffer as large as the base, then the same frame loop as the log.
    complete = applyFile(c, fd, fileNo, parsed.start, size, name) === OP_BASE;
  }
  if (bad || !complete) {
    c.corruption.report('bad-base', name, 0, size, bad ?? 'base has no trailer');
    resetLoad(c);
    return 'bad';
  }
  return 'loaded';
}

/**
 * Past a DONE seal naming base `compactedBase`: if that compaction replaced files we hold, reload from the newest
 * base once we are caught up and none of our frames is unread (see caughtUp). The state is already right; only the
 * files change. A reload while a frame of ours is unread could jump past it into a base that holds it, or a segment
 * that voided it, and never learn its outcome.
 */
export function reloadAfterCompaction(c: ShardCore, compactedBase: number): void {
  // The base this process loaded (its DONE seal comes after it), an older one, or one its load skipped as damaged
  // (reported): the load replays the segments after it, and meets this seal again.
  if (compactedBase <= Math.max(c.baseId, c.listedBase)) return;
  // Chain and chainSeq no longer describe the newest base, unless this handle wrote it (at its seal, where it also began
  // its removals afresh: compaction.ts): then they do once the switch to it is done.
  const own = c.ownBase?.id === compactedBase ? c.ownBase : null;
  c.chainFresh = false;
  // (The base must exist: a DONE seal copied from elsewhere names one that does not, and would reload forever.)
  const chain = chainOf(c.fs, c.dir, compactedBase);
  if (chain === 'gone') return;
  if ('bad' in chain) {
    c.reloadWanted = true; // the rebuild reports it
    return;
  }
  const keep = new Set(chain.ids);
  const holds = c.releasedEarly.size > 0 || c.segments.holdsReplaced(compactedBase, keep);
  if (holds && c.segments.compactedPast(compactedBase)) {
    // Re-point the items at the base in bounded slices (base-switch.ts); rebuild only if that cannot start.
    if (!c.switching.start(compactedBase, chain.ids)) {
      c.reloadWanted = true;
      return;
    }
  }
  if (own) {
    c.chainSeq = own.seq;
    c.chainFresh = true; // (Shard.chain says fresh only once no switch is under way)
  }
}

/** At the tail of the log: a slice of a switch to a new base, or the deferred reload after a compaction, if none of
 * our frames is still unread. */
export function caughtUp(c: ShardCore): void {
  if (c.switching.active) c.switching.step(SWITCH_CALL_BYTES);
  if (!c.reloadWanted || c.unreadOwn > 0) return;
  for (const p of c.pending.values()) if (p.unread) return;
  load(c);
}
