/**
 * The core workload over every kind and process count (spec/benchmarks.md §1):
 * logcache's kinds through core.ts, python-diskcache's figures from its harness in
 * the same run, diskcache-style tables, a markdown summary, the targets. Returns
 * the section of the run's JSON (the shape bench/results/*-core.json had).
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCore, type Skipped } from './core.js';
import { KINDS } from './lib/contender.js';
import type { BenchEnv } from './lib/env.js';
import type { Floor } from './lib/floor.js';
import { mdTable, section } from './lib/markdown.js';
import { dur, int } from './lib/oploop.js';
import { probePeer, runPeer } from './lib/peer.js';
import { reason } from './lib/reason.js';
import { renderTable } from './lib/table.js';
import { checkTargets, renderTargets, type TargetCheck } from './lib/targets.js';
import type { CoreResult, ImplResults } from './lib/types.js';

const RANGE = 100;
export const WARMUP = 1000;

export interface CoreSuiteOptions {
  env: BenchEnv;
  floor: Floor;
  base: string;
  procsList: readonly number[];
  ops: number;
  kinds: readonly string[];
  /** Run python-diskcache's harness beside ours when it can (else a note says why); false (--no-peer): do not try. */
  peer: boolean;
  quick: boolean;
  timeoutMs: number;
}

export interface CoreSection {
  workload: 'core';
  env: BenchEnv;
  floor: Floor;
  params: Record<string, unknown>;
  impls: ImplResults[];
  skipped: Skipped[];
  notes: string[];
  /** Why python-diskcache did not run at all (also in `notes`); absent when it ran or was not asked for. */
  peer_skipped?: string;
  /** The process counts at which python-diskcache's harness failed, and why (also in `notes`). */
  peer_failed?: { procs: number; reason: string }[];
  targets: TargetCheck[];
}

const note = (s: string) => process.stderr.write(`${s}\n`);

/** Run, print the tables, return the JSON section. */
export async function runCoreSuite(o: CoreSuiteOptions): Promise<CoreSection> {
  const { env, floor, ops, kinds, procsList } = o;
  console.log(`core workload: ${int(ops)} ops/process (first ${WARMUP} untimed), ${RANGE} keys, procs ${procsList.join(',')}, ` +
    `kinds ${kinds.join(',')}, PRNG mulberry32 seeded with the process number\n`);
  const notes: string[] = [];
  let peerImpl: string | null = null;
  let peerSkipped: string | undefined;
  const peerFailed: { procs: number; reason: string }[] = [];
  if (o.peer) {
    const probe = probePeer();
    if ('version' in probe) peerImpl = `python-diskcache ${probe.version}`;
    else {
      peerSkipped = probe.unavailable;
      notes.push(`python-diskcache skipped: ${peerSkipped}`);
    }
  }
  // The harness knows only its own kinds; the SQLite kinds have no separate peer (python-diskcache is SQLite).
  const peerKinds = [...new Set(kinds.map((k) => KINDS[k]?.peer).filter((k): k is string => k !== undefined))];
  if (peerKinds.length === 0) peerImpl = null;
  const peer = peerImpl !== null;

  const ours: CoreResult[] = [];
  const theirs: CoreResult[] = [];
  const skipped: Skipped[] = [];
  for (const procs of procsList) {
    for (const kind of kinds) {
      note(`[core] logcache ${kind} × ${procs} proc(s): ${int(ops)} ops each …`);
      const r = await runCore({ kind, procs, ops, range: RANGE, warmup: WARMUP, base: o.base, timeoutMs: o.timeoutMs });
      if ('skipped' in r) {
        skipped.push(r);
        note(`[core]   skipped: ${r.skipped}`);
      } else {
        ours.push(r);
        note(`[core]   ${int(r.ops_per_s)} ops/s, get median ${r.get.median_us} µs, set median ${r.set.median_us} µs`);
      }
    }
    if (peer) {
      note(`[core] ${peerImpl} ${peerKinds.join(',')} × ${procs} proc(s): ${int(ops)} ops each …`);
      try {
        const pdir = path.join(o.base, `peer-${procs}`);
        const res = runPeer(procs, ops, peerKinds, pdir, o.timeoutMs);
        fs.rmSync(pdir, { recursive: true, force: true });
        theirs.push(...res.results);
        for (const r of res.results) note(`[core]   ${r.kind}: ${int(r.ops_per_s)} ops/s`);
      } catch (err) {
        peerFailed.push({ procs, reason: reason(err) });
        notes.push(`python-diskcache × ${procs} failed: ${reason(err)}`);
        note(`[core]   failed: ${reason(err)}`);
      }
    }
  }

  const label = (r: CoreResult, impl: string | null) => `${impl ?? `logcache ${env.logcache}`} ${KINDS[r.kind]?.label ?? r.kind}`;
  for (const procs of procsList) {
    const entries = [
      ...ours.filter((r) => r.procs === procs).map((r) => ({ label: label(r, null), result: r })),
      ...theirs.filter((r) => r.procs === procs).map((r) => ({ label: label(r, peerImpl), result: r })),
    ];
    if (entries.length === 0) continue;
    const title = `Core workload, ${procs} process${procs > 1 ? 'es' : ''} × ${int(ops)} ops (${RANGE} keys; 90% get, 9% set, 1% delete)`;
    console.log(renderTable(title, entries, floor));
    console.log();
  }
  for (const s of skipped) notes.push(`logcache ${s.kind} × ${s.procs} skipped: ${s.skipped}`);
  for (const r of ours) if (r.note) notes.push(`logcache ${r.kind} × ${r.procs}: ${r.note}`);
  if (peer) notes.push('ops/s: python-diskcache\'s wall time counts process start-up and close(); logcache\'s runs from a start barrier to the last operation.');

  console.log(summary(ours, theirs, skipped, peerImpl, env.logcache, notes));
  // The targets are the log engine's (issue 2); the SQLite kinds are there for comparison.
  const targets = checkTargets(ours, kinds.filter((k) => KINDS[k]?.engine === 'log'), floor);
  console.log(`\n${renderTargets(targets, floor)}`);
  if (o.quick || ops < 100_000) console.log(`  (${int(ops)} ops per process: JIT warm-up weighs on these; judge targets on a full run)`);

  const impls: ImplResults[] = [{ impl: `logcache ${env.logcache}`, results: ours }];
  if (peerImpl) impls.push({ impl: peerImpl, results: theirs });
  const out: CoreSection = {
    workload: 'core', env, floor,
    params: { ops_per_proc: ops, range: RANGE, warmup: WARMUP, procs: procsList, kinds, quick: o.quick, prng: 'mulberry32(seed = process number)' },
    impls, skipped, notes, targets,
  };
  if (peerSkipped !== undefined) out.peer_skipped = peerSkipped;
  if (peerFailed.length) out.peer_failed = peerFailed;
  return out;
}

/** One markdown row per contender and process count: medians, p99 set, ops/s. */
function summary(ours: readonly CoreResult[], theirs: readonly CoreResult[], skipped: readonly Skipped[], peerImpl: string | null,
  version: string, notes: readonly string[]): string {
  const rows: string[][] = [];
  const procs = [...new Set([...ours, ...theirs, ...skipped].map((r) => r.procs))].sort((a, b) => a - b);
  for (const p of procs) {
    for (const r of ours.filter((x) => x.procs === p)) rows.push(row(`logcache ${version} ${KINDS[r.kind]?.label ?? r.kind}`, r));
    for (const s of skipped.filter((x) => x.procs === p)) rows.push([`logcache ${version} ${KINDS[s.kind]?.label ?? s.kind}`, String(p), 'skipped']);
    for (const r of theirs.filter((x) => x.procs === p)) rows.push(row(`${peerImpl} ${KINDS[r.kind]?.label ?? r.kind}`, r));
  }
  const head = ['Contender', 'procs', 'get median', 'get p99', 'set median', 'set p99', 'delete median', 'ops/s'];
  return section('Core workload summary', mdTable(head, rows), notes);
}

function row(label: string, r: CoreResult): string[] {
  return [label, String(r.procs), dur(r.get.median_us), dur(r.get.p99_us), dur(r.set.median_us), dur(r.set.p99_us),
    dur(r.delete.median_us), int(r.ops_per_s)];
}
