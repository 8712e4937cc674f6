// Season-length detection by autocorrelation of the linearly detrended series.
// A candidate period p (a day or a week at the series' step, chosen by the
// facade) is accepted when the autocorrelation at lag p is significant, large
// enough to be worth modelling, and above the autocorrelation at p/2 (so a
// smooth or trending series, whose autocorrelation decays from lag 1, does not
// pass for seasonal). The best accepted candidate wins; none means no season.

import { ERR_INSUFFICIENT_DATA, ERR_INVALID_ARGUMENT } from "../util/status";

/** Smallest autocorrelation at the season lag worth a seasonal model. */
export const SEASON_MIN_ACF: f64 = 0.3;
/** z for the white-noise significance bound z / sqrt(n) (two-sided 1%). */
export const SEASON_Z: f64 = 2.576;
/** Full cycles needed before a period can be judged (and Holt-Winters initialised). */
export const SEASON_MIN_CYCLES: i32 = 2;

/** Least-squares line through (t, y_t), t = 0..n-1: writes [intercept, slope] into out. */
function fitLine(ptr: usize, n: i32, out: StaticArray<f64>): void {
  let sy: f64 = 0;
  let sty: f64 = 0;
  for (let t = 0; t < n; t++) {
    const y = load<f64>(ptr + (<usize>t << 3));
    sy += y;
    sty += <f64>t * y;
  }
  const nf = <f64>n;
  const tm = (nf - 1) * 0.5;
  const sxx = (nf * (nf * nf - 1)) / 12;
  const slope = sxx > 0 ? (sty - tm * sy) / sxx : 0;
  unchecked((out[0] = sy / nf - slope * tm));
  unchecked((out[1] = slope));
}

const line = new StaticArray<f64>(2);

/** Autocorrelation at `lag` of y_t - (a + b t), given the residuals' sum of squares. */
function acfAt(ptr: usize, n: i32, lag: i32, a: f64, b: f64, ss: f64): f64 {
  let s: f64 = 0;
  for (let t = 0; t + lag < n; t++) {
    const r0 = load<f64>(ptr + (<usize>t << 3)) - (a + b * <f64>t);
    const r1 = load<f64>(ptr + (<usize>(t + lag) << 3)) - (a + b * <f64>(t + lag));
    s += r0 * r1;
  }
  return s / ss;
}

/**
 * Autocorrelation of the detrended series at `lag` (for tests and for
 * reporting). Returns NaN when the series is constant after detrending.
 */
export function forecast_acf(ptr: usize, n: i32, lag: i32): f64 {
  if (n < 3 || lag <= 0 || lag >= n) return NaN;
  fitLine(ptr, n, line);
  const a = unchecked(line[0]);
  const b = unchecked(line[1]);
  let ss: f64 = 0;
  for (let t = 0; t < n; t++) {
    const r = load<f64>(ptr + (<usize>t << 3)) - (a + b * <f64>t);
    ss += r * r;
  }
  return ss > 0 ? acfAt(ptr, n, lag, a, b, ss) : NaN;
}

/**
 * Picks a season length among `nCand` candidate periods (i32 at candPtr) for
 * the n values at ptr. Returns the period, 0 when none is significant, or a
 * negative status. Called once per fit with season "auto"; O(n * candidates).
 */
export function forecast_detect_season(ptr: usize, n: i32, candPtr: usize, nCand: i32): i32 {
  if (n < 0 || nCand < 0) return ERR_INVALID_ARGUMENT;
  if (n < 8) return ERR_INSUFFICIENT_DATA;
  fitLine(ptr, n, line);
  const a = unchecked(line[0]);
  const b = unchecked(line[1]);
  let ss: f64 = 0;
  for (let t = 0; t < n; t++) {
    const r = load<f64>(ptr + (<usize>t << 3)) - (a + b * <f64>t);
    ss += r * r;
  }
  if (!(ss > 0)) return 0;
  const bound = max(SEASON_MIN_ACF, SEASON_Z / Math.sqrt(<f64>n));
  let best = 0;
  let bestAcf: f64 = 0;
  for (let c = 0; c < nCand; c++) {
    const p = load<i32>(candPtr + (<usize>c << 2));
    if (p < 2 || p * SEASON_MIN_CYCLES > n) continue;
    const r = acfAt(ptr, n, p, a, b, ss);
    if (r < bound) continue;
    const half = acfAt(ptr, n, p >> 1, a, b, ss);
    if (r <= half) continue;
    if (r > bestAcf) {
      bestAcf = r;
      best = p;
    }
  }
  return best;
}
