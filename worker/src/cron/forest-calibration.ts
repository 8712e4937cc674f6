// Calibration of an Isolation Forest's scores into tail probabilities, so the
// forest's evidence joins the combined score on the same scale (decades of
// surprise, -log10 p) as the streaming detectors'. Fitted on the forest's own
// training windows: empirical below the top 5% of their scores, and above it
// an exponential tail fitted to the excesses (peaks over threshold with a
// shape of 0: Isolation Forest scores are bounded, so a heavier tail would
// overstate them).

/** What a forest's score distribution on its training windows looks like. */
export interface IsolationCalibration {
  /** Training windows scored. */
  n: number;
  /** Median training score: surprise 0 at and below it. */
  median: number;
  /** Tail threshold: the smallest of the top `k` training scores. */
  u: number;
  /** Training scores at or above `u`. */
  k: number;
  /** Mean excess over `u` of those scores (the exponential tail's scale), > 0. */
  beta: number;
}

/** Share of training scores above which the tail is modelled. */
const TAIL_SHARE = 0.05;
/** Fewest tail points the excess mean is estimated from. */
const MIN_TAIL = 10;
/** Floor of the tail scale: a tail of identical scores must not make every larger score infinitely surprising. */
const MIN_BETA = 1e-3;

/** Fits the calibration to the scores of the training windows (at least MIN_TAIL of them). */
export function fitIsolationCalibration(scores: ArrayLike<number>): IsolationCalibration {
  const sorted = Float64Array.from(scores).sort();
  const n = sorted.length;
  if (n < MIN_TAIL) throw new Error(`isolation calibration needs at least ${MIN_TAIL} scores, got ${n}`);
  const k = Math.min(n, Math.max(MIN_TAIL, Math.ceil(TAIL_SHARE * n)));
  const u = sorted[n - k]!;
  let excess = 0;
  for (let i = n - k; i < n; i++) excess += sorted[i]! - u;
  return { n, median: sorted[Math.floor((n - 1) / 2)]!, u, k, beta: Math.max(MIN_BETA, excess / k) };
}

/**
 * Surprise in decades (-log10 p) of a score under the calibration: p = 1/2 up to
 * the median, log-linear from the median (p = 1/2) to `u` (p = k / (n + 1)),
 * then the exponential tail p = k / (n + 1) * exp(-(s - u) / beta).
 */
export function isolationSurprise(c: IsolationCalibration, score: number): number {
  const sMedian = Math.log10(2);
  const sU = -Math.log10(c.k / (c.n + 1));
  if (score <= c.median) return sMedian;
  if (score <= c.u) return c.u > c.median ? sMedian + ((score - c.median) / (c.u - c.median)) * (sU - sMedian) : sU;
  return sU + ((score - c.u) / c.beta) * Math.LOG10E;
}
