/**
 * A writer process of the kill -9 loop (kill.test.ts bundles and spawns it): `writer.mjs <config JSON>`.
 * Opens a Cache or a FanoutCache and does mixed set/delete/add/incr/pop/get/transact/push/pull/compact until it is
 * killed, journaling each operation's intent before the call and its result after it (journal.ts). With a crash
 * plan it kills itself with SIGKILL at a chosen file-system call: inside a compaction, at a seal (roll-over or
 * compaction start), while creating a segment, or halfway through writing a frame (a torn write).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cache } from '../../src/api/cache.js';
import { FanoutCache } from '../../src/api/fanout.js';
import { shardDirectory } from '../../src/api/subpath.js';
import { Shard } from '../../src/shard/shard.js';
import { compact } from '../../src/shard/compaction.js';
import { compactionWanted } from '../../src/shard/compaction-rule.js';
import { chainOf, planLink } from '../../src/shard/chain.js';
import { OP_SEAL } from '../../src/format/record.js';
import { FaultyFs, FsCall, FaultAction } from './faulty-fs.js';
import { Rng } from './harness.js';
import { Op, accountKeys, bigValue, describeBig, slotKeys } from './journal.js';

export interface CrashPlan {
  /** Where: the first call of a compaction (opening its temporary base), a SEAL frame's write, the temporary file
   * of a new segment, the nth frame written to a segment, a read of a base (a load or a switch), or the commit point
   * of a transaction across shards. */
  at: 'compaction' | 'seal' | 'rollover' | 'torn' | 'switch' | 'group';
  /** Calls to let through after the trigger (for 'torn': frames to write whole before the torn one). */
  skip: number;
  when: 'before' | 'after';
  /** Fraction of the write to put on disk before dying, when the fatal call is a write. */
  tear?: number;
}

export interface WriterConfig {
  dir: string;
  kind: 'cache' | 'fanout';
  slot: number;
  gen: number;
  journal: string;
  seed: number;
  segmentBytes: number;
  compactMinBytes: number;
  /** The FanoutCache's shards; 0 for a Cache (keys are then not placed by shard). */
  shards: number;
  crash: CrashPlan | null;
  /** With a crash plan: also run a background compactor's copy of each shard in this process (CompactorCopies), so
   * the crash points land in its chain links too. */
  copies?: boolean;
}

/**
 * A background compactor's copies (warm-shards.ts) of the writer's shards, run in the writer's process through its
 * crash layer: each opened with keepRemovals, caught up every few operations, and compacted by the compactor's rule
 * (compaction-rule.ts), so it writes chain links, and a crash point (a compaction, a seal, a torn frame) can kill it
 * inside one. (A real compactor runs in its own process, out of the crash layer's reach: the rounds kill those at
 * random moments only.) Read again after another process's compaction, as a warm copy is.
 */
class CompactorCopies {
  readonly #copies: { dir: string; shard: Shard | null; base: number }[];
  /** A compaction of a copy is running, and whether it writes a chain link (for the crash mark). */
  busy = false;
  link = false;

  constructor(dirs: string[], readonly fs: typeof import('node:fs'), readonly cfg: WriterConfig) {
    this.#copies = dirs.map((dir) => ({ dir, shard: null, base: 0 }));
  }

  tick(): void {
    for (const c of this.#copies) {
      try {
        if (!c.shard) {
          c.shard = new Shard(c.dir, { segmentBytes: this.cfg.segmentBytes, compactMinBytes: 0, fs: this.fs, existing: true, keepRemovals: true });
          c.base = c.shard.baseId;
        }
        const sh = c.shard;
        sh.sync();
        if (sh.baseId !== c.base) throw new Error('another process compacted: read the shard again');
        if (!compactionWanted(sh.logBytes, sh.state.kd.liveFrameBytes, this.cfg.compactMinBytes, false, sh.segmentLogBytes)) continue;
        this.link = planLink(sh) !== null;
        this.busy = true;
        try {
          if (compact(sh, false, true).base !== 0) c.base = sh.baseId;
        } finally {
          this.busy = false;
        }
      } catch {
        c.shard?.close();
        c.shard = null;
      }
    }
  }
}

/** Whether `file` is a chain link (a base whose first record is a CHAIN). */
function isLink(file: string | null): boolean {
  const m = file === null ? null : /(\d+)\.base$/.exec(file);
  if (!m) return false;
  const c = chainOf(fs, path.dirname(file!), Number(m[1]));
  return typeof c === 'object' && 'link' in c && c.link;
}

/** The fs decide function for a crash plan. */
function crashDecider(plan: CrashPlan): (call: FsCall) => FaultAction | null {
  let armed = false;
  let left = plan.skip;
  const isTrigger = (c: FsCall): boolean => {
    switch (plan.at) {
      case 'compaction': return c.name === 'openSync' && /\.tmp-base-/.test(c.path ?? '');
      case 'seal': return c.name === 'writeSync' && c.op === OP_SEAL;
      case 'rollover': return c.name === 'writeFileSync' && /\/\.tmp-\d+-[0-9a-f]+-\d+$/.test(c.path ?? '');
      case 'torn': return c.name === 'writeSync' && c.op >= 0 && (c.path ?? '').endsWith('.log');
      // The commit point of a FanoutCache transaction: the crash lands between it and the shards' commits.
      case 'group': return c.name === 'linkSync' && /[\\/]intents[\\/]/.test(c.path ?? '');
      // A read of a base: loading one, or the switch to one after a compaction (base-switch.ts).
      case 'switch': return c.name === 'readSync' && (c.path ?? '').endsWith('.base');
    }
  };
  return (c) => {
    if (plan.at === 'torn') {
      if (!isTrigger(c) || left-- > 0) return null;
      return { kind: 'crash', when: 'before', tear: Math.max(1, Math.min(c.bytes - 1, Math.floor((plan.tear ?? 0.5) * c.bytes))) };
    }
    if (!armed) {
      if (!isTrigger(c)) return null;
      armed = true;
    }
    if (left-- > 0) return null;
    const tear = plan.tear !== undefined && c.bytes > 1 ? Math.max(1, Math.floor(plan.tear * c.bytes)) : undefined;
    return { kind: 'crash', when: plan.when, tear };
  };
}

async function main(cfg: WriterConfig): Promise<void> {
  const journal = fs.openSync(cfg.journal, 'a');
  const log = (entry: unknown) => fs.writeSync(journal, JSON.stringify(entry) + '\n');
  let layer: FaultyFs | undefined;
  let copies: CompactorCopies | undefined;
  if (cfg.crash) {
    layer = new FaultyFs(crashDecider(cfg.crash));
    layer.onCrash = (c) => log({ crash: cfg.crash!.at, call: c.name, path: c.path, link: copies?.busy ? copies.link : isLink(c.path) });
  }
  const options = { timeout: 120, segmentBytes: cfg.segmentBytes, compactMinBytes: cfg.compactMinBytes, fs: layer?.fs };
  const fanout = cfg.kind === 'fanout';
  const h: Cache | FanoutCache = fanout ? new FanoutCache(cfg.dir, { ...options, shards: cfg.shards }) : new Cache(cfg.dir, options);
  process.stdout.write('ready\n');
  if (layer && cfg.copies) {
    copies = new CompactorCopies(fanout ? Array.from({ length: cfg.shards }, (_, i) => shardDirectory(cfg.dir, i)) : [cfg.dir], layer.fs, cfg);
  }

  const rng = new Rng(cfg.seed);
  const keys = slotKeys(cfg.slot, cfg.shards);
  const accounts = accountKeys(cfg.shards);
  const tagOf = (s: number) => `${cfg.slot}.${cfg.gen}.${s}`;
  const text = (s: number, most = 300) => `${tagOf(s)}|${'x'.repeat(rng.int(most))}`;
  const weights = {
    set: 30, cold: 15, del: 8, add: 8, incr: 10, pop: 4, get: 6, big: 3, txn: 6, ctr: 8, xfer: 5, claim: 5,
    // compact: an explicit compaction writes a whole base; at 1 in ~150 operations they were most of the bases, and the
    // background compactors' chain links (cold, above) were rare.
    push: fanout ? 0 : 5, pull: fanout ? 0 : 5, compact: 0.2,
  };
  // LOGCACHE_TORTURE_WEIGHTS='{"txn":0,"xfer":0}' narrows the mix (to find which operations a failure needs).
  Object.assign(weights, JSON.parse(process.env.LOGCACHE_TORTURE_WEIGHTS ?? '{}'));
  for (let s = 1; ; s++) {
    // A turn of the event loop now and then, as a server's writer has: a background compaction is started, and its
    // answer read, from the event loop (a loop that never yields would compact nothing in the background).
    if (s % 8 === 0) await new Promise((resolve) => setImmediate(resolve));
    if (copies && s % 16 === 0) copies.tick();
    let op: Op;
    switch (rng.weighted(weights)) {
      case 'set': op = { s, op: 'set', k: rng.pick(keys.small), v: text(s) }; break;
      case 'cold': op = { s, op: 'set', k: rng.pick(keys.cold), v: text(s, 800) }; break;
      case 'add': op = { s, op: 'add', k: rng.pick(keys.small), v: text(s) }; break;
      case 'del': op = { s, op: 'del', k: rng.pick([...keys.small, ...keys.big]) }; break;
      case 'pop': op = { s, op: 'pop', k: rng.pick(keys.small) }; break;
      case 'get': op = { s, op: 'get', k: rng.pick([...keys.small, ...keys.big, ...keys.counters]) }; break;
      case 'incr': op = { s, op: 'incr', k: rng.pick(keys.counters), d: rng.range(1, 5) }; break;
      case 'big': op = { s, op: 'big', k: rng.pick(keys.big), id: tagOf(s) }; break;
      case 'txn': op = { s, op: 'txn', k: keys.group, v: text(s), d: rng.range(1, 5) }; break;
      case 'ctr': op = { s, op: 'ctr' }; break;
      case 'xfer': {
        const from = rng.int(accounts.length);
        op = { s, op: 'xfer', from: accounts[from], to: accounts[(from + 1 + rng.int(accounts.length - 1)) % accounts.length], amt: rng.range(1, 50) };
        break;
      }
      case 'claim': op = { s, op: 'claim', k: `claim:${Math.floor(Date.now() / 50)}`, v: tagOf(s) }; break;
      case 'push': op = { s, op: 'push', q: keys.queue, v: text(s) }; break;
      case 'pull': op = { s, op: 'pull', q: keys.queue }; break;
      default: op = { s, op: 'compact' };
    }
    log(op);
    log({ a: s, r: run(h, op, cfg.crash === null) });
    if (SELFCHECK > 0 && !fanout && s % SELFCHECK === 0) selfCheck(h as Cache, cfg, log);
  }
}

/**
 * LOGCACHE_TORTURE_SELFCHECK=<n>: every n operations, inside a transaction (so nobody writes meanwhile), compare
 * this process's view of every key with a freshly opened handle's; a difference is journaled and ends the writer
 * (the supervisor reports it). Finds a process whose in-memory state drifted from the log, near where it drifted.
 */
const SELFCHECK = Number(process.env.LOGCACHE_TORTURE_SELFCHECK ?? 0);

function selfCheck(h: Cache, cfg: WriterConfig, log: (e: unknown) => void): void {
  h.transact(() => {
    const fresh = new Cache(cfg.dir, { compactMinBytes: 0 });
    const keys = new Set<unknown>([...h.iterkeys(), ...fresh.iterkeys()]);
    const diffs: string[] = [];
    for (const k of keys) {
      const a = JSON.stringify(describeBig(h.get(k as string))), b = JSON.stringify(describeBig(fresh.get(k as string)));
      if (a !== b) diffs.push(`${String(k)}: mine ${a?.slice(0, 30)} fresh ${b?.slice(0, 30)}`);
    }
    fresh.close();
    if (diffs.length) {
      log({ diverged: diffs });
      process.kill(process.pid, 'SIGKILL');
    }
  }, { retry: true });
}

function run(h: Cache | FanoutCache, op: Op, background: boolean): unknown {
  const retry = { retry: true };
  switch (op.op) {
    case 'set': return h.set(op.k, op.v, retry);
    case 'add': case 'claim': return h.add(op.k, op.v, retry);
    case 'big': return h.set(op.k, bigValue(op.id), retry);
    case 'del': return h.delete(op.k, retry);
    // The journal models a miss as null (JSON has no undefined).
    case 'pop': return h.pop(op.k, { retry: true, default: null });
    case 'get': return describeBig(h.get(op.k, { default: null }));
    case 'incr': return h.incr(op.k, { delta: op.d, retry: true });
    case 'ctr': return h.incr('ctr', retry);
    case 'txn': {
      const [a, b, c] = op.k;
      return h.transact(() => {
        h.set(a, op.v, retry);
        h.set(b, op.v, retry);
        h.incr(c, { delta: op.d, retry: true });
        return true;
      }, retry);
    }
    case 'xfer':
      return h.transact(() => {
        const from = h.get(op.from) as number;
        const to = h.get(op.to) as number;
        h.set(op.from, from - op.amt, retry);
        h.set(op.to, to + op.amt, retry);
        return true;
      }, retry);
    case 'push': return (h as Cache).push(op.v, { prefix: op.q, retry: true });
    case 'pull': return (h as Cache).pull({ prefix: op.q, retry: true });
    case 'compact':
      // A writer without a crash plan compacts in its background compactor (started now if it is not running: the
      // rounds kill it, mid-compaction most often); one with a plan compacts in the call, where its crash points are.
      if (background) void h.compactAsync().catch(() => { /* a killed compactor: the automatic ones retry */ });
      else h.compact();
      return true;
  }
}

void main(JSON.parse(process.argv[2]) as WriterConfig);
