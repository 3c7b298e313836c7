/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): one 32-bit state, period 2^32,
 * passes gjrand/PractRand to the sizes a 100k-op run draws. Deterministic for a
 * seed, so process N replays the same stream on every run. It is not Python's
 * Mersenne Twister: the key/value/action streams differ from the peer's, only
 * their distributions match.
 */
export type Rng = () => number;

/** A generator of uniform floats in [0, 1) seeded with `seed` (the process number). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Python's `randrange(lo, hi)`: uniform integer in [lo, hi). */
export function randrange(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo));
}
