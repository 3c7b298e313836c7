/**
 * The kill -9 loop (invariants 1, 2, 3). Writer processes (writer.ts) hammer one directory with mixed operations
 * and journal each intent and each acknowledgement; a supervisor kills one of them, or all, with SIGKILL at random
 * moments, or lets a writer kill itself at a chosen point (inside a compaction, at a seal, while creating a
 * segment, halfway through a frame), then reopens the directory and checks with journal.ts that every acknowledged
 * operation is there, that the one in flight is all there or not at all, and that the shared keys add up. Writers
 * that were not killed keep running through the check. Small segments and a small compaction threshold make
 * roll-overs and compactions happen every few dozen milliseconds, so kills land inside them.
 *
 * Writers without a crash plan compact in background compactor processes; rounds sometimes kill those first. A
 * 'switch' crash point kills a writer while it reads a base (loading it, or moving to it after a compaction).
 *
 * Runs once on a Cache (3 writers) and once on a FanoutCache (2 writers, 4 shards). Kills: 50 in the default suite,
 * 1,000 with LOGCACHE_TORTURE=long (LOGCACHE_TORTURE_KILLS overrides).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildSync } from 'esbuild';
import { Cache } from '../../src/api/cache.js';
import { FanoutCache } from '../../src/api/fanout.js';
import { BASE_SEED, HERE, Rng, count, figures, tmpdir } from './harness.js';
import { ACCOUNT_START, SharedModel, SlotModel, readJournal, storedKeys } from './journal.js';
import type { CrashPlan, WriterConfig } from './writer.js';
import { chainOf } from '../../src/shard/chain.js';

const KILLS = count('LOGCACHE_TORTURE_KILLS', 50, 1000);
const SEGMENT_BYTES = 64 * 1024;
const COMPACT_MIN_BYTES = 128 * 1024;
const SHARDS = 4;
const ESM_BANNER = "import { createRequire as __lcRequire } from 'node:module'; const require = __lcRequire(import.meta.url);";

/** The writer as one ESM file: a spawn costs ~50 ms instead of ~300 ms through tsx, which matters at 1,000 kills. */
function bundleWriter(dir: string): string {
  const outfile = path.join(dir, 'writer.mjs');
  buildSync({
    entryPoints: [path.join(HERE, 'writer.ts')], bundle: true, platform: 'node', target: 'node20', format: 'esm',
    outfile, banner: { js: ESM_BANNER }, logLevel: 'silent',
  });
  // The background compactor's entry beside it (compactor.ts looks there), so writers without a crash plan compact
  // in a compactor process, and the rounds kill those too.
  buildSync({
    entryPoints: [path.join(HERE, '..', '..', 'src', 'shard', 'compactor-main.ts')], bundle: true, platform: 'node',
    target: 'node20', format: 'cjs', outfile: path.join(dir, 'compactor-main.cjs'), logLevel: 'silent',
  });
  return outfile;
}

/** Pids of the compactor processes the writers started (their children), from /proc. */
function compactorsOf(parents: readonly number[]): number[] {
  const out: number[] = [];
  for (const n of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${n}/stat`, 'utf8');
      if (parents.includes(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))) out.push(Number(n));
    } catch { /* gone */ }
  }
  return out;
}

/** Built once for both tests of the file. */
const WRITER = bundleWriter(tmpdir({ after }, 'kill-writer'));

interface Proc {
  child: ChildProcess;
  cfg: WriterConfig;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: boolean;
  stderr: string;
}

interface Tally {
  kills: number;
  /** Background compactor processes killed (besides the writers). */
  compactorKills: number;
  killOneRounds: number;
  killAllRounds: number;
  byCause: Record<string, number>;
  tornWrites: number;
  inflight: Record<string, number>;
  acknowledged: number;
  keyChecks: number;
  checks: number;
  fixes: number;
  /** Chain links (version-4 bases) and whole bases seen on disk at the checks, each file counted once. */
  links: number;
  wholeBases: number;
  /** Checks that opened a store with a chain link on disk, and the longest chain seen (bases, the link included). */
  chainOpens: number;
  longestChain: number;
}

class Arena {
  readonly dir: string;
  readonly journals: string;
  /** SHARDS for the FanoutCache; 0 for the Cache (keys are then not placed by shard). */
  readonly shards: number;
  readonly procs: (Proc | null)[];
  readonly shared: SharedModel;
  readonly models: SlotModel[];
  /** Bases already counted in the tally (shard directory / id). */
  readonly #seenBases = new Set<string>();

  constructor(readonly kind: 'cache' | 'fanout', root: string, readonly writers: number, readonly rng: Rng, readonly tally: Tally) {
    this.dir = path.join(root, kind);
    this.journals = path.join(root, `${kind}-journals`);
    fs.mkdirSync(this.journals);
    this.shards = kind === 'fanout' ? SHARDS : 0;
    this.shared = new SharedModel(this.shards);
    this.models = Array.from({ length: writers }, (_, slot) => new SlotModel(slot, this.shards, this.shared));
    this.procs = Array.from({ length: writers }, () => null);
    const h = this.open();
    for (const k of this.shared.accounts) h.set(k, ACCOUNT_START);
    h.close();
  }

  open(): Cache | FanoutCache {
    const options = { timeout: 30, segmentBytes: SEGMENT_BYTES, compactMinBytes: COMPACT_MIN_BYTES };
    return this.kind === 'fanout' ? new FanoutCache(this.dir, { ...options, shards: SHARDS }) : new Cache(this.dir, options);
  }

  #plan(): CrashPlan | null {
    const r = this.rng;
    if (!r.chance(0.4) || process.env.LOGCACHE_TORTURE_PLAN === 'none') return null;
    // LOGCACHE_TORTURE_PLAN=compaction|seal|rollover|torn|group|none narrows the crash points (to find what a failure needs).
    const only = process.env.LOGCACHE_TORTURE_PLAN as CrashPlan['at'] | undefined;
    // 'group' (FanoutCache only): killed at or just after the commit point of a transaction across shards.
    const at = only ?? r.weighted({ compaction: 4, seal: 3, rollover: 1, torn: 2, group: this.kind === 'fanout' ? 2 : 0, switch: 2 });
    if (at === 'torn') return { at, skip: r.range(5, 3000), when: 'before', tear: r.next() };
    const skip = at === 'compaction' ? r.int(14) : at === 'switch' ? 1 + r.int(6) : r.int(5);
    return { at, skip, when: r.chance(0.5) ? 'before' : 'after', tear: r.chance(0.3) ? r.next() : undefined };
  }

  spawn(slot: number): void {
    const gen = (this.procs[slot]?.cfg.gen ?? 0) + 1;
    const cfg: WriterConfig = {
      dir: this.dir, kind: this.kind, slot, gen, journal: path.join(this.journals, `s${slot}-g${gen}.jsonl`),
      seed: (BASE_SEED * 1000 + slot * 100_003 + gen) >>> 0, segmentBytes: SEGMENT_BYTES,
      compactMinBytes: COMPACT_MIN_BYTES, shards: this.shards, crash: this.#plan(),
    };
    // Half the writers with a crash plan also run a compactor's copies of the shards, so crashes land in links too.
    cfg.copies = cfg.crash !== null && this.rng.chance(0.5);
    const child = spawn(process.execPath, [WRITER, JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const proc: Proc = { child, cfg, exited: false, stderr: '', exit: null as never };
    child.stdout!.resume();
    child.stderr!.on('data', (d) => (proc.stderr += d));
    proc.exit = new Promise((resolve) => child.once('exit', (code, signal) => {
      proc.exited = true;
      resolve({ code, signal });
    }));
    this.procs[slot] = proc;
  }

  /** One round: kill one writer (or all), check, restart them. */
  async round(round: number): Promise<void> {
    const r = this.rng;
    const all = r.chance(0.3);
    const targets = all ? this.procs.map((_, i) => i) : [r.int(this.writers)];
    await sleep(r.range(5, 250));
    // Sometimes the writers' background compactors first (mid-compaction, most often): nothing may be lost.
    if (r.chance(0.3)) {
      const pids = compactorsOf(this.procs.filter((p) => p && !p.exited).map((p) => p!.child.pid!));
      for (const pid of pids) try { process.kill(pid, 'SIGKILL'); this.tally.compactorKills++; } catch { /* exited */ }
    }
    await Promise.all(targets.map(async (slot) => {
      const p = this.procs[slot]!;
      // A writer with a crash plan gets a moment to reach its crash point; then (or without one) SIGKILL.
      if (p.cfg.crash && !p.exited) await Promise.race([p.exit, sleep(1500)]);
      if (!p.exited) p.child.kill('SIGKILL');
      await p.exit;
    }));
    // Every writer that is dead now is a victim of this round: the targets, and any whose crash plan fired.
    const victims = new Set<number>();
    for (const [slot, p] of this.procs.entries()) {
      if (!p!.exited) continue;
      const { code, signal } = await p!.exit;
      assert.equal(signal, 'SIGKILL', `${this.kind} writer ${slot} ended by itself (exit ${code}): ${p!.stderr}`);
      victims.add(slot);
    }
    // Quiet: no writer is running, so everything (the shared counter, check()) can be checked.
    const quiet = victims.size === this.writers;
    this.tally.kills += victims.size;
    this.tally[quiet ? 'killAllRounds' : 'killOneRounds']++;
    this.#countBases();
    const h = this.open();
    try {
      const stored = storedKeys(h);
      for (const slot of victims) {
        const p = this.procs[slot]!;
        const where = `${this.kind} round ${round} slot ${slot} gen ${p.cfg.gen}`;
        const { crash, outcome } = this.#settle(slot, h, where, stored);
        const cause = crash ? `${crash.crash}${crash.link ? '-link' : ''}` : 'timer';
        this.tally.byCause[cause] = (this.tally.byCause[cause] ?? 0) + 1;
        if (crash && p.cfg.crash?.tear !== undefined && crash.call.startsWith('write')) this.tally.tornWrites++;
        if (outcome) this.tally.inflight[outcome] = (this.tally.inflight[outcome] ?? 0) + 1;
        this.tally.keyChecks += this.models[slot].verify(h, where, stored);
        if (!process.env.LOGCACHE_TORTURE_KEEP) fs.rmSync(p.cfg.journal, { force: true });
      }
      this.tally.keyChecks += this.shared.verify(h, quiet, `${this.kind} round ${round}`);
      if (quiet) {
        this.tally.checks++;
        // Nothing is repaired before finish(): a frame torn by any crash so far may still be there.
        for (const w of h.check()) assert.ok(allowedAfterCrash(w, this.tally.tornWrites > 0), `${this.kind} round ${round}: check() after the kills: ${w.category}: ${w.message}`);
      }
    } finally {
      h.close();
    }
    for (const slot of victims) this.spawn(slot);
  }

  /** Tallies the bases on disk now: links and whole bases (each file once), and whether a chain is there to load. */
  #countBases(): void {
    const dirs = this.shards === 0 ? [this.dir] : Array.from({ length: this.shards }, (_, i) => path.join(this.dir, String(i).padStart(3, '0')));
    let chain = false;
    for (const d of dirs) {
      let names: string[];
      try { names = fs.readdirSync(d); } catch { continue; }
      for (const n of names) {
        const m = /^(\d+)\.base$/.exec(n);
        if (!m) continue;
        const c = chainOf(fs, d, Number(m[1]));
        if (c === 'gone' || 'bad' in c) continue;
        if (c.link) {
          chain = true;
          this.tally.longestChain = Math.max(this.tally.longestChain, c.ids.length + 1);
        }
        const key = `${d}/${m[1]}`;
        if (this.#seenBases.has(key)) continue;
        this.#seenBases.add(key);
        this.tally[c.link ? 'links' : 'wholeBases']++;
      }
    }
    if (chain) this.tally.chainOpens++;
  }

  /** Replays the journal of the slot's last writer against its model (acknowledged operations checked and applied),
   * then decides the operation in flight at its kill. Returns the crash point the writer hit and the in-flight
   * operation's outcome, or null for either. `stored`: storedKeys(h). */
  #settle(slot: number, h: Cache | FanoutCache, where: string, stored: readonly string[]) {
    const model = this.models[slot];
    const before = model.acknowledged;
    const { inflight, crash } = model.replay(readJournal(this.procs[slot]!.cfg.journal), where);
    this.tally.acknowledged += model.acknowledged - before;
    return { crash, outcome: inflight ? model.resolve(inflight, h, where, stored) : null };
  }

  /** Kills every writer, checks everything, repairs, and checks that the repair lost nothing and left nothing. */
  async finish(): Promise<void> {
    await Promise.all(this.procs.map(async (p) => {
      if (!p!.exited) p!.child.kill('SIGKILL');
      await p!.exit;
    }));
    const h = this.open();
    try {
      const stored = storedKeys(h);
      for (const slot of this.models.keys()) this.#settle(slot, h, `${this.kind} final slot ${slot}`, stored);
      this.shared.verify(h, true, `${this.kind} final`);
      h.check({ fix: true });
      this.tally.fixes++;
      assert.deepEqual(h.check().map((w) => `${w.category}: ${w.message}`), [], `${this.kind}: check() after check({ fix: true })`);
      const repaired = storedKeys(h);
      for (const [slot, model] of this.models.entries()) this.tally.keyChecks += model.verify(h, `${this.kind} after the repair, slot ${slot}`, repaired);
      this.shared.verify(h, true, `${this.kind} after the repair`);
    } finally {
      h.close();
    }
    // And once more from a handle that opens the repaired directory cold.
    const again = this.open();
    try {
      const stored = storedKeys(again);
      for (const [slot, model] of this.models.entries()) this.tally.keyChecks += model.verify(again, `${this.kind} reopened after the repair, slot ${slot}`, stored);
      assert.deepEqual(again.check(), []);
    } finally {
      again.close();
    }
  }
}

/** What a kill may leave for check() to report: a torn tail, a value file whose record never made it, the empty
 * directory of a value file removed just before the kill, a temporary file of a dead process, and (after a torn
 * write) the torn frame. */
function allowedAfterCrash(w: { category: string; message: string }, tornWrites: boolean): boolean {
  if (w.category === 'UserWarning' && w.message.startsWith('torn tail')) return true;
  if (w.category === 'EmptyDirWarning') return true;
  if (w.category === 'UnknownFileWarning' && (w.message.endsWith('.val') || w.message.startsWith('leftover of a dead process'))) return true;
  return tornWrites && w.category === 'CorruptionWarning' && w.message.startsWith('corrupt frame');
}

function newTally(): Tally {
  return { kills: 0, compactorKills: 0, killOneRounds: 0, killAllRounds: 0, byCause: {}, tornWrites: 0, inflight: {}, acknowledged: 0, keyChecks: 0, checks: 0, fixes: 0, links: 0, wholeBases: 0, chainOpens: 0, longestChain: 0 };
}

for (const [kind, writers, share] of [['cache', 3, 0.6], ['fanout', 2, 0.4]] as const) {
  const kills = Math.max(1, Math.round(KILLS * share));
  test(`kill -9 loop, ${kind === 'cache' ? 'Cache' : 'FanoutCache'}: ${writers} writers, ${kills} kills, no acknowledged operation lost, nothing half-visible`, async (t) => {
    const root = tmpdir(t, `kill-${kind}`);
    const tally = newTally();
    const arena = new Arena(kind, root, writers, new Rng(BASE_SEED + (kind === 'cache' ? 1 : 2)), tally);
    t.after(() => arena.procs.forEach((p) => p && !p.exited && p.child.kill('SIGKILL')));
    for (let slot = 0; slot < writers; slot++) arena.spawn(slot);
    for (let round = 0; tally.kills < kills; round++) await arena.round(round);
    await arena.finish();
    assert.ok(tally.acknowledged > tally.kills, 'the writers acknowledged operations between kills');
    const causes = Object.entries(tally.byCause).map(([k, v]) => `${k}:${v}`).join(',');
    const inflight = Object.entries(tally.inflight).map(([k, v]) => `${k}:${v}`).join(',');
    t.diagnostic(figures(`kill-${kind}`, {
      kills: tally.kills, compactorKills: tally.compactorKills, killOneRounds: tally.killOneRounds, killAllRounds: tally.killAllRounds, causes,
      tornWrites: tally.tornWrites, acknowledgedVerified: tally.acknowledged, inflightResolved: inflight,
      keyChecks: tally.keyChecks, checks: tally.checks, links: tally.links, wholeBases: tally.wholeBases,
      chainOpens: tally.chainOpens, longestChain: tally.longestChain, lost: 0,
    }));
  });
}
