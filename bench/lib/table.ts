/**
 * Fixed-width rows in diskcache's columns (Action, Count, Miss, Median, P90, P99,
 * Max, Total; 9 characters each, times as `%7.3f` plus a 2-character unit, as in
 * diskcache's `tests/utils.py:secs`), plus ops/s and ×floor: the median divided by
 * the same run's floor (pread for get, write for set and delete).
 */
import type { Floor } from './floor.js';
import { ACTIONS, type Action, type CoreResult } from './types.js';

const W = 9;
const COLS = ['Action', 'Count', 'Miss', 'Median', 'P90', 'P99', 'Max', 'Total', 'ops/s', '×floor'] as const;

/** A time given in µs, as diskcache prints it: `174.023us`, `  2.027ms`, `  1.220s `. */
export function secs(us: number | null | undefined): string {
  if (us === null || us === undefined) return '-'.padStart(W);
  if (us === 0) return '  0.000ns';
  let v = us / 1e6;
  for (const unit of ['s ', 'ms', 'us', 'ns']) {
    if (v > 1 || unit === 'ns') return v.toFixed(3).padStart(7) + unit;
    v *= 1000;
  }
  return '-'.padStart(W); // unreachable
}

function cell(x: string | number): string {
  return String(x).padStart(W);
}

/** The median over the floor, `12.3×`; null without a median or a floor. */
export function timesFloor(medianUs: number | null, floorNs: number): string | null {
  return medianUs === null || !(floorNs > 0) ? null : `${((medianUs * 1000) / floorNs).toFixed(1)}×`;
}

function ratio(medianUs: number | null, floorNs: number): string {
  return cell(timesFloor(medianUs, floorNs) ?? '-');
}

/** The floor a given action is measured against. */
export function floorFor(action: Action, floor: Floor): number {
  return action === 'get' ? floor.pread_ns : floor.write_ns;
}

/** One labelled contender's rows: get, set, delete, Total. */
function rows(label: string, r: CoreResult, floor: Floor, labelW: number): string[] {
  const out: string[] = [];
  let count = 0;
  let total: number | null = 0;
  for (const a of ACTIONS) {
    const s = r[a];
    count += s.count;
    total = total === null || s.total_us === undefined || s.total_us === null ? null : total + s.total_us;
    out.push([
      (out.length === 0 ? label : '').padEnd(labelW), cell(a), cell(s.count), cell(s.miss),
      secs(s.median_us), secs(s.p90_us), secs(s.p99_us), secs(s.max_us), secs(s.total_us), cell(''),
      ratio(s.median_us, floorFor(a, floor)),
    ].join(' '));
  }
  out.push([''.padEnd(labelW), cell('Total'), cell(count), cell(''), cell(''), cell(''), cell(''), cell(''),
    secs(total), cell(r.ops_per_s.toLocaleString('en-US')), cell('')].join(' '));
  return out;
}

/** A table for one process count, one block per labelled contender. */
export function renderTable(title: string, entries: readonly { label: string; result: CoreResult }[], floor: Floor): string {
  const labelW = Math.max(W, ...entries.map((e) => e.label.length));
  const rule = (c: string) => [c.repeat(labelW), ...COLS.map(() => c.repeat(W))].join(' ');
  const lines = [rule('='), title, rule('-'), ['Contender'.padEnd(labelW), ...COLS.map(cell)].join(' '), rule('=')];
  entries.forEach((e, i) => {
    if (i > 0) lines.push(rule('-'));
    lines.push(...rows(e.label, e.result, floor, labelW));
  });
  lines.push(rule('='));
  return lines.join('\n');
}
