// Moving-average + trend baseline: the mean of the last k points plus a robust
// (Theil-Sen style) slope, the median of the slopes between points k/2 apart
// in that window. A yardstick for the smoothing models and a fallback for
// short series.

import { ERR_INSUFFICIENT_DATA, ERR_INVALID_ARGUMENT, ERR_NOT_FINITE } from "../util/status";
import { MAX_ABS_VALUE } from "./holt-winters";
import { ForecastModel, KIND_BASELINE, models } from "./model";
import { median, smallWork } from "./scratch";

/** Smallest window: a slope needs at least two pairs. */
export const BASELINE_MIN_WINDOW: i32 = 4;

/**
 * Fits the baseline to the last k of the n values at ptr and returns its
 * handle or a negative status. Forecast: mean + slope ((k-1)/2 + h); the
 * interval is a least-squares line's prediction interval with the residual
 * variance about the robust line. Called once per series per forecast run.
 */
export function forecast_fit_baseline(ptr: usize, n: i32, k: i32): i32 {
  const md = fitBaseline(ptr, n, k);
  return md === null ? baselineStatus : models.add(md);
}

/** Status of the last fitBaseline call that returned null. */
export let baselineStatus: i32 = 0;

/** Fits the baseline (see forecast_fit_baseline); null with baselineStatus set on failure. */
export function fitBaseline(ptr: usize, n: i32, k: i32): ForecastModel | null {
  baselineStatus = ERR_INVALID_ARGUMENT;
  if (k < BASELINE_MIN_WINDOW || n < 0) return null;
  baselineStatus = ERR_INSUFFICIENT_DATA;
  if (n < k) return null;
  baselineStatus = ERR_INVALID_ARGUMENT;
  const start = ptr + (<usize>(n - k) << 3);
  let sum: f64 = 0;
  for (let i = 0; i < k; i++) {
    const y = load<f64>(start + (<usize>i << 3));
    if (!isFinite(y)) {
      baselineStatus = ERR_NOT_FINITE;
      return null;
    }
    if (Math.abs(y) > MAX_ABS_VALUE) return null;
    sum += y;
  }
  baselineStatus = ERR_INVALID_ARGUMENT;
  const mean = sum / <f64>k;
  const gap = k >> 1;
  const pairs = k - gap;
  const slopes = smallWork(pairs);
  for (let i = 0; i < pairs; i++) {
    const a = load<f64>(start + (<usize>i << 3));
    const b = load<f64>(start + (<usize>(i + gap) << 3));
    unchecked((slopes[i] = (b - a) / <f64>gap));
  }
  const slope = median(slopes, pairs);
  const half = (<f64>k - 1) * 0.5;
  let ss: f64 = 0;
  for (let i = 0; i < k; i++) {
    const r = load<f64>(start + (<usize>i << 3)) - (mean + slope * (<f64>i - half));
    ss += r * r;
  }
  const md = new ForecastModel();
  md.kind = KIND_BASELINE;
  md.n = n;
  md.window = k;
  md.level = mean;
  md.trend = slope;
  md.sxx = (<f64>k * (<f64>k * <f64>k - 1)) / 12;
  md.sigma2 = ss / <f64>(k - 2);
  md.sse = ss;
  md.params = 2;
  md.aic = <f64>k * Math.log(max(ss, 1e-300) / <f64>k) + 4;
  md.phi = 1;
  return md;
}
