/**
 * A latency histogram for loops too long to keep every call (a reader doing gets for a minute makes tens of
 * millions): 100 ns buckets up to 10 ms, every slower call kept exactly. Percentiles are read as the upper edge of
 * their bucket (never better than the truth); the worst call and the counts over 1 ms and 5 ms are exact.
 */
const BUCKET_NS = 100;
const LIMIT_NS = 10_000_000;
const BUCKETS = LIMIT_NS / BUCKET_NS;

export interface LatencySummary {
  count: number;
  median_us: number | null;
  p99_us: number | null;
  p999_us: number | null;
  max_us: number | null;
  over_1ms: number;
  over_5ms: number;
  /** Sum of every timed call, seconds. */
  busy_s: number;
}

export class Latency {
  readonly #buckets = new Uint32Array(BUCKETS);
  readonly #slow: number[] = [];
  count = 0;
  #sum = 0;
  #max = 0;
  #over1 = 0;
  #over5 = 0;

  add(ns: number): void {
    this.count++;
    this.#sum += ns;
    if (ns > this.#max) this.#max = ns;
    if (ns > 1_000_000) {
      this.#over1++;
      if (ns > 5_000_000) this.#over5++;
    }
    if (ns >= LIMIT_NS) this.#slow.push(ns);
    else this.#buckets[Math.floor(ns / BUCKET_NS)]!++;
  }

  /** The latency at fraction p (0..1) of the calls, in µs (the harness's rank: floor(n × p)). */
  #pct(p: number): number | null {
    if (this.count === 0) return null;
    let rank = Math.min(this.count - 1, Math.floor(this.count * p));
    for (let b = 0; b < BUCKETS; b++) {
      const n = this.#buckets[b]!;
      if (rank < n) return ((b + 1) * BUCKET_NS) / 1000;
      rank -= n;
    }
    const slow = [...this.#slow].sort((x, y) => x - y);
    return slow[Math.min(slow.length - 1, rank)]! / 1000;
  }

  summary(): LatencySummary {
    const r = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
    return {
      count: this.count, median_us: r(this.#pct(0.5)), p99_us: r(this.#pct(0.99)), p999_us: r(this.#pct(0.999)),
      max_us: this.count ? r(this.#max / 1000) : null, over_1ms: this.#over1, over_5ms: this.#over5,
      busy_s: Math.round(this.#sum / 1e6) / 1000,
    };
  }
}
