/**
 * The same-run targets (set in issue 5), judged on one run: the log engine against the SQLite shard
 * and python-diskcache on the core workload (medians at 1 process; ops/s and p99 set
 * at 2 and 8), and the log engine's own scale figures (reopen, index bytes per key,
 * disk ÷ live after the overwrite churn). Most are ratios within the same run, so the
 * machine's speed on the day cancels out and, unlike issue 2's (targets.ts), no floor
 * scaling applies. A target whose side did not run (workload not selected, kind
 * skipped, no python-diskcache) is n/a with the reason, never an error.
 */
import { KINDS } from './contender.js';
import { mdTable, section } from './markdown.js';
import { dur, int } from './oploop.js';
import { meanKeyBytes } from './payload.js';
import type { CoreResult, EngineSkipped, ImplResults } from './types.js';

type Verdict = 'PASS' | 'MISS' | 'n/a';
type Unit = 'µs' | 'ms' | 'ops/s' | 'B/key' | '× live';

/** One row of the verdict table, as stored under `targets.checks` in the run's JSON. */
export interface SameRunCheck {
  /** Stable, for docs to quote: `core.1.cache.get.sqlite`, `core.8.fanout8.ops.python`, `scale.reopen`. */
  id: string;
  target: string;
  /** Our figure, in `unit`. */
  measured: number | null;
  unit: Unit;
  /** The comparator's figure (same unit), or null for an absolute limit. */
  against: number | null;
  /** measured ÷ against. */
  ratio: number | null;
  op: '≤' | '≥';
  /** What `limit` bounds: the ratio to a comparator, or the measured figure itself (in `unit`). */
  limit_on: 'ratio' | 'measured';
  limit: number;
  verdict: Verdict;
  /** Why n/a, or how the figure was derived. */
  note?: string;
}

interface SameRunTargets {
  issue: 5;
  checks: SameRunCheck[];
  notes: string[];
}

/** The slices of the core and scale sections the targets read (both absent when the workload did not run). */
interface SameRunInput {
  core?: {
    impls: readonly ImplResults[];
    skipped: readonly { kind: string; procs: number; skipped: string }[];
    /** Why python-diskcache did not run at all. */
    peer_skipped?: string;
    /** Where its harness failed, by process count. */
    peer_failed?: readonly { procs: number; reason: string }[];
    params: { ops_per_proc?: unknown };
  };
  scale?: {
    params: { keys: number };
    results: readonly { engine: string; open_ms: number; first_get_us: number; heap_per_key: number; external_per_key: number; amplification: number }[];
    skipped: readonly EngineSkipped[];
  };
}

/** The issue's scale targets are for this many keys. */
const SCALE_TARGET_KEYS = 1_000_000;
const PEER = 'python-diskcache';
/** A kind's class as the targets name it (`Cache`, `FanoutCache(8)`), whatever its engine. */
const label = (kind: string): string | undefined => KINDS[kind]?.classLabel;

/** A figure, or why there is none. */
type Side = { value: number } | { why: string };

/** Judge every issue-5 target; every row is present whatever ran. */
export function checkSameRunTargets(input: SameRunInput): SameRunTargets {
  const { core, scale } = input;
  const ours = core?.impls.find((i) => i.impl.startsWith('logcache'))?.results ?? [];
  const theirs = core?.impls.find((i) => i.impl.startsWith(PEER))?.results ?? [];
  const mine = (kind: string, procs: number, f: (r: CoreResult) => number | null): Side => {
    const r = ours.find((x) => x.kind === kind && x.procs === procs);
    if (r) return have(f(r), `logcache ${kind} × ${procs}: no samples`);
    if (!core) return { why: 'core workload not run' };
    const s = core.skipped.find((x) => x.kind === kind && x.procs === procs);
    return { why: s ? `logcache ${kind} × ${procs} skipped: ${s.skipped}` : `logcache ${kind} × ${procs} not run` };
  };
  const peer = (kind: string, procs: number, f: (r: CoreResult) => number | null): Side => {
    const r = theirs.find((x) => x.kind === kind && x.procs === procs);
    if (r) return have(f(r), `${PEER} ${kind} × ${procs}: no samples`);
    if (!core) return { why: 'core workload not run' };
    if (core.peer_skipped !== undefined) return { why: `${PEER} skipped: ${core.peer_skipped}` };
    const failed = core.peer_failed?.find((x) => x.procs === procs);
    return { why: failed ? `${PEER} × ${procs} failed: ${failed.reason}` : `${PEER} ${label(kind)} × ${procs} not run` };
  };

  const checks: SameRunCheck[] = [];
  for (const a of ['get', 'set', 'delete'] as const) {
    const f = (r: CoreResult) => r[a].median_us;
    const [sql, py] = a === 'get' ? [1.0, 0.4] : [0.3, 0.15];
    checks.push(
      relative(`core.1.cache.${a}.sqlite`, `1 proc: Cache ${a} median vs SQLite shard's Cache`, mine('cache', 1, f), asComparator(mine('sqlite', 1, f)), '≤', sql, 'µs'),
      relative(`core.1.cache.${a}.python`, `1 proc: Cache ${a} median vs ${PEER} Cache`, mine('cache', 1, f), peer('cache', 1, f), '≤', py, 'µs'),
    );
  }
  const ops = (r: CoreResult) => r.ops_per_s;
  for (const procs of [2, 8]) {
    for (const kind of ['cache', 'fanout8']) {
      const sqlKind = KINDS[kind]!.sqlite!;
      const at = `${procs} procs: ${label(kind)}`;
      checks.push(
        relative(`core.${procs}.${kind}.ops.python`, `${at} ops/s vs ${PEER} FanoutCache(8)`, mine(kind, procs, ops), peer('fanout8', procs, ops), '≥', 3, 'ops/s'),
        relative(`core.${procs}.${kind}.ops.sqlite`, `${at} ops/s vs SQLite shard's ${label(sqlKind)}`, mine(kind, procs, ops), asComparator(mine(sqlKind, procs, ops)), '≥', 2, 'ops/s'),
        absolute(`core.${procs}.${kind}.p99set`, `${at} p99 set`, mine(kind, procs, (r) => r.set.p99_us), '≤', 1000, 'µs'),
      );
    }
  }

  const log = scale?.results.find((r) => r.engine === 'log');
  const logSkipped = scale?.skipped.find((s) => s.engine === 'log');
  const why = !scale ? 'scale workload not run' : logSkipped ? `log engine skipped in scale: ${logSkipped.skipped}` : 'log engine not run in scale';
  const keys = scale?.params.keys ?? SCALE_TARGET_KEYS;
  const fig = (f: (r: NonNullable<typeof log>) => number): Side => (log ? { value: f(log) } : { why });
  const meanKey = meanKeyBytes(keys);
  const memory = absolute('scale.index_memory', 'scale: index memory beyond the key\'s own bytes',
    fig((r) => r.heap_per_key + r.external_per_key - meanKey), '≤', 120, 'B/key');
  if (log) memory.note = `heap ${log.heap_per_key} + external ${log.external_per_key} − mean key ${meanKey.toFixed(2)} B`;
  checks.push(
    absolute('scale.reopen', `scale: reopen of ${int(keys)} keys (constructor + first get)`, fig((r) => r.open_ms + r.first_get_us / 1000), '≤', 1500, 'ms'),
    memory,
    absolute('scale.amplification', 'scale: disk ÷ live bytes after the overwrite churn', fig((r) => r.amplification), '≤', 2, '× live'),
  );

  const notes: string[] = [];
  const opsPerProc = core?.params.ops_per_proc;
  if (typeof opsPerProc === 'number' && opsPerProc < 100_000) notes.push(`core ran ${int(opsPerProc)} ops per process (the workload's is 100,000): JIT warm-up weighs on these`);
  if (scale && keys !== SCALE_TARGET_KEYS) notes.push(`scale ran ${int(keys)} keys; issue 5's scale targets are for ${int(SCALE_TARGET_KEYS)}`);
  if (theirs.length) notes.push(`${PEER} ops/s counts its processes' start-up and close(); logcache's runs from a start barrier to the last operation`);
  return { issue: 5, checks, notes };
}

const have = (v: number | null, why: string): Side => (v === null || !Number.isFinite(v) ? { why } : { value: v });

/** Our own SQLite kind as the comparator: its n/a reason names it as such ("SQLite shard sqlite × 8 skipped: …"). */
function asComparator(s: Side): Side {
  return 'why' in s ? { why: s.why.replace(/^logcache /, 'SQLite shard ') } : s;
}

function relative(id: string, target: string, m: Side, c: Side, op: '≤' | '≥', limit: number, unit: Unit): SameRunCheck {
  const measured = 'value' in m ? m.value : null;
  const against = 'value' in c ? c.value : null;
  const ratio = measured !== null && against !== null && against > 0 ? measured / against : null;
  const row: SameRunCheck = { id, target, measured, unit, against, ratio, op, limit_on: 'ratio', limit, verdict: judge(ratio, op, limit) };
  const why = 'why' in m ? m.why : 'why' in c ? c.why : ratio === null ? 'comparator is 0' : undefined;
  if (why) row.note = why;
  return row;
}

function absolute(id: string, target: string, m: Side, op: '≤' | '≥', limit: number, unit: Unit): SameRunCheck {
  const measured = 'value' in m ? m.value : null;
  const row: SameRunCheck = {
    id, target, measured, unit, against: null, ratio: null, op, limit_on: 'measured', limit, verdict: judge(measured, op, limit),
  };
  if ('why' in m) row.note = m.why;
  return row;
}

const judge = (x: number | null, op: '≤' | '≥', limit: number): Verdict =>
  x === null ? 'n/a' : (op === '≤' ? x <= limit : x >= limit) ? 'PASS' : 'MISS';

function fmt(x: number | null, unit: Unit): string {
  if (x === null) return '—';
  switch (unit) {
    case 'µs': return dur(x);
    case 'ms': return dur(x * 1000);
    case 'ops/s': return `${int(x)} ops/s`;
    case 'B/key': return `${x.toFixed(1)} B/key`;
    case '× live': return `${x.toFixed(2)}× live`;
  }
}

const times = (x: number) => `${x < 0.1 ? x.toFixed(3) : x.toFixed(2)}×`;

/** A limit as the issue writes it: `0.15×`, `1 ms`, `1.5 s`, `120 B/key`. */
function limitText(c: SameRunCheck): string {
  if (c.limit_on === 'ratio') return `${c.op} ${c.limit}×`;
  const big = c.limit >= 1000;
  switch (c.unit) {
    case 'µs': return `${c.op} ${big ? `${c.limit / 1000} ms` : `${c.limit} µs`}`;
    case 'ms': return `${c.op} ${big ? `${c.limit / 1000} s` : `${c.limit} ms`}`;
    case '× live': return `${c.op} ${c.limit}× live`;
    default: return `${c.op} ${c.limit} ${c.unit}`;
  }
}

/** The verdict table (markdown, fixed widths: reads in a terminal, pastes into docs), a tally, the notes. */
export function renderSameRunTargets(t: SameRunTargets): string {
  const rows = t.checks.map((c) => [
    c.target, fmt(c.measured, c.unit), fmt(c.against, c.unit), c.ratio === null ? '—' : times(c.ratio),
    limitText(c), c.verdict,
  ]);
  const tally = (['PASS', 'MISS', 'n/a'] as const).map((v) => `${v} ${t.checks.filter((c) => c.verdict === v).length}`).join(' · ');
  // One note per distinct reason: a quick run without 8 processes would otherwise repeat one line six times.
  const why = [...new Set(t.checks.filter((c) => c.note).map((c) => `${c.verdict === 'n/a' ? 'n/a' : c.id}: ${c.note}`))];
  const table = mdTable(['Target (issue 5; same run)', 'Measured', 'Comparator', 'Ratio', 'Limit', 'Verdict'], rows);
  return section(`Issue 5 targets: ${tally}`, table, [...why, ...t.notes]);
}
