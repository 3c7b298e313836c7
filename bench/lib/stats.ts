/**
 * Percentiles exactly as python-diskcache's harness computes them (`pct` in
 * `shared/bench-peers/diskcache_core.py`): `sorted[min(n - 1, floor(n * p))]`,
 * no interpolation, so our figures and the peer's are read off the same way.
 */

/** Per-action summary, in the peer harness's JSON shape (µs), plus `total_us`. */
export interface ActionStats {
  count: number;
  miss: number;
  median_us: number | null;
  p90_us: number | null;
  p99_us: number | null;
  max_us: number | null;
  /** Sum of every timed call, µs (diskcache's "Total" column); absent in the peer's JSON. */
  total_us?: number | null;
}

/** Value at fraction `p` of an ascending array of nanoseconds, in µs; null when empty. */
export function pct(sortedNs: Float64Array, p: number): number | null {
  const n = sortedNs.length;
  if (n === 0) return null; // the python harness raises IndexError here; we report a gap
  return sortedNs[Math.min(n - 1, Math.floor(n * p))]! / 1000;
}

/** Round to 3 decimals as the harness does (`round(x, 3)`); null passes through. */
export function round3(x: number | null): number | null {
  return x === null ? null : Math.round(x * 1000) / 1000;
}

/** Concatenate per-process samples (ns) and sort ascending (typed-array sort is numeric). */
export function mergeSorted(parts: readonly Float64Array[]): Float64Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const all = new Float64Array(n);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all.sort();
}

/** Summarise one action's merged samples. */
export function summarise(sortedNs: Float64Array, miss: number): ActionStats {
  let total = 0;
  for (let i = 0; i < sortedNs.length; i++) total += sortedNs[i]!;
  return {
    count: sortedNs.length,
    miss,
    median_us: round3(pct(sortedNs, 0.5)),
    p90_us: round3(pct(sortedNs, 0.9)),
    p99_us: round3(pct(sortedNs, 0.99)),
    max_us: round3(sortedNs.length ? sortedNs[sortedNs.length - 1]! / 1000 : null),
    total_us: round3(total / 1000),
  };
}

/** Median of a plain number array (for the floor); NaN when empty. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * 0.5))]! : Number.NaN;
}
