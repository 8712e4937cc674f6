// Shared timing helpers for the benchmarks. Machines here are shared and
// noisy, so every case measures Helios and its peer in the same run and
// reports the ratio, and each measurement is the best of several repeats.

/** One row of bench/results.json. `ratio` is how many times better Helios is than the peer. */
export interface BenchRow {
  case: string;
  unit: string;
  helios: number;
  peer: string;
  peer_value: number;
  ratio: number;
  /** Optional extra figures (accuracy, errors) shown beside the speed. */
  notes?: Record<string, number | string>;
}

/** Options for `rate`. */
export interface RateOptions {
  /** Repeats; the best is kept. */
  repeats?: number;
  /** Minimum wall time per repeat, ms; the body runs in a loop until it is reached. */
  minMs?: number;
}

/**
 * Items per second of `body`, which processes `items` items per call. The best
 * of `repeats` runs of at least `minMs` each is returned.
 */
export function rate(items: number, body: () => void, { repeats = 5, minMs = 200 }: RateOptions = {}): number {
  let best = 0;
  for (let r = 0; r < repeats; r++) {
    let calls = 0;
    const t0 = performance.now();
    let t: number;
    do {
      body();
      calls++;
      t = performance.now();
    } while (t - t0 < minMs);
    best = Math.max(best, (items * calls) / ((t - t0) / 1000));
  }
  return best;
}

/** Wall time of one call of `body` in ms: the best of `repeats`. For slow bodies (model fits). */
export async function timeMs(body: () => unknown, repeats = 3): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await body();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/**
 * Runs `body` a few times on a small odd-length input first. V8 can otherwise
 * keep re-entering a deoptimised version and make JavaScript peers look slower
 * than they are.
 */
export function warmUp(body: () => void, times = 50): void {
  for (let i = 0; i < times; i++) body();
}

/** A seeded PRNG (mulberry32) so every run benchmarks the same data. */
export { rng as seededRandom } from "../models/random";

/** Row builder: ratio for throughput (higher is better). */
export function higherIsBetter(c: string, unit: string, helios: number, peer: string, peerValue: number): BenchRow {
  return { case: c, unit, helios, peer, peer_value: peerValue, ratio: helios / peerValue };
}

/** Row builder: ratio for times (lower is better). */
export function lowerIsBetter(c: string, unit: string, helios: number, peer: string, peerValue: number): BenchRow {
  return { case: c, unit, helios, peer, peer_value: peerValue, ratio: peerValue / helios };
}
