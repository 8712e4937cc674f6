// Forecast accuracy: point metrics and a rolling-origin backtest.
//
// For actuals y_i, forecasts f_i (i = 1..H) and errors e_i = y_i - f_i:
//   MAE   = mean |e_i|
//   MAPE  = 100 * mean over y_i != 0 of |e_i| / |y_i|
//   sMAPE = 100 * mean of 2 |e_i| / (|y_i| + |f_i|)   (a term is 0 when y_i = f_i = 0)
//   MASE  = MAE / Q, Q = the in-sample MAE of the seasonal naive forecast on the
//           training data x_1..x_T: Q = 1/(T-m) * sum_{t=m+1..T} |x_t - x_{t-m}|,
//           with m the season length, or m = 1 (naive) when there is no season
//           or T <= m. MASE < 1 beats the seasonal naive forecast in-sample.
// The rolling-origin backtest refits at origins o = initial, initial + stride, ...
// while o + H <= n, forecasts H steps from each, and reports MAE, MAPE and sMAPE
// over all forecast points pooled, and MASE as the mean over origins of each
// origin's MASE (its own training prefix gives its Q).

import { ERR_INSUFFICIENT_DATA, ERR_INVALID_ARGUMENT, ERR_NOT_FINITE } from "../util/status";
import { fitBaseline, baselineStatus } from "./baseline";
import { fitModel, lastFitStatus } from "./holt-winters";
import { ForecastModel, KIND_BASELINE, predictInto } from "./model";
import { smallWork } from "./scratch";

/** Number of f64 values forecast_metrics writes: MAE, MAPE, sMAPE, MASE, Q. */
export const METRICS_LEN: i32 = 5;
/** Number of f64 values forecast_backtest writes: MAE, MAPE, sMAPE, MASE, p10-p90 coverage, origins, points. */
export const BACKTEST_LEN: i32 = 7;

/** Q above: in-sample seasonal naive MAE of the T values at ptr (NaN when T < 2). */
function naiveScale(ptr: usize, T: i32, m: i32): f64 {
  const lag = m >= 1 && T > m ? m : 1;
  if (T <= lag) return NaN;
  let s: f64 = 0;
  for (let t = lag; t < T; t++) {
    s += Math.abs(load<f64>(ptr + (<usize>t << 3)) - load<f64>(ptr + (<usize>(t - lag) << 3)));
  }
  return s / <f64>(T - lag);
}

/**
 * Writes MAE, MAPE, sMAPE, MASE and Q (see above) for n actuals and forecasts,
 * with the nTrain training values at trainPtr scaling MASE (m: season, 0 none).
 * Called by the facade and the benchmark once per evaluation.
 */
export function forecast_metrics(actual: usize, pred: usize, n: i32, train: usize, nTrain: i32, m: i32, out: usize): i32 {
  if (n < 1 || nTrain < 2 || m < 0) return n < 1 || m < 0 ? ERR_INVALID_ARGUMENT : ERR_INSUFFICIENT_DATA;
  let sAbs: f64 = 0;
  let sApe: f64 = 0;
  let nApe = 0;
  let sS: f64 = 0;
  for (let i = 0; i < n; i++) {
    const y = load<f64>(actual + (<usize>i << 3));
    const f = load<f64>(pred + (<usize>i << 3));
    if (!isFinite(y) || !isFinite(f)) return ERR_NOT_FINITE;
    const e = Math.abs(y - f);
    sAbs += e;
    if (y != 0) {
      sApe += e / Math.abs(y);
      nApe++;
    }
    const den = Math.abs(y) + Math.abs(f);
    if (den > 0) sS += (2 * e) / den;
  }
  for (let t = 0; t < nTrain; t++) if (!isFinite(load<f64>(train + (<usize>t << 3)))) return ERR_NOT_FINITE;
  const q = naiveScale(train, nTrain, m);
  const mae = sAbs / <f64>n;
  store<f64>(out, mae);
  store<f64>(out + 8, nApe > 0 ? (100 * sApe) / <f64>nApe : NaN);
  store<f64>(out + 16, (100 * sS) / <f64>n);
  store<f64>(out + 24, mae / q);
  store<f64>(out + 32, q);
  return METRICS_LEN;
}

/**
 * Rolling-origin backtest of one method on the n values at ptr: method 0-3 as
 * forecast_fit (season m, damped), 4 the baseline with window k. Writes
 * BACKTEST_LEN f64 into out (see above). Called on demand (API, CLI, tests);
 * one fit per origin.
 */
export function forecast_backtest(
  ptr: usize, n: i32, m: i32, method: i32, damped: i32, k: i32,
  initial: i32, horizon: i32, stride: i32, out: usize, maxAr: i32,
): i32 {
  if (initial < 2 || horizon < 1 || stride < 1 || method < 0 || method > KIND_BASELINE) return ERR_INVALID_ARGUMENT;
  if (initial + horizon > n) return ERR_INSUFFICIENT_DATA;
  const paths = smallWork(3 * horizon);
  const p10 = changetype<usize>(paths);
  const p50 = p10 + (<usize>horizon << 3);
  const p90 = p50 + (<usize>horizon << 3);
  let sAbs: f64 = 0;
  let sApe: f64 = 0;
  let nApe = 0;
  let sS: f64 = 0;
  let sMase: f64 = 0;
  let covered = 0;
  let origins = 0;
  let points = 0;
  for (let o = initial; o + horizon <= n; o += stride) {
    let md: ForecastModel | null;
    if (method == KIND_BASELINE) {
      md = fitBaseline(ptr, o, k);
      if (md === null) return baselineStatus;
    } else {
      md = fitModel(ptr, o, m, method, damped != 0, maxAr);
      if (md === null) return lastFitStatus;
    }
    predictInto(md, horizon, p10, p50, p90);
    let oAbs: f64 = 0;
    for (let i = 0; i < horizon; i++) {
      const y = load<f64>(ptr + (<usize>(o + i) << 3));
      const f = load<f64>(p50 + (<usize>i << 3));
      if (!isFinite(y)) return ERR_NOT_FINITE;
      const e = Math.abs(y - f);
      oAbs += e;
      if (y != 0) {
        sApe += e / Math.abs(y);
        nApe++;
      }
      const den = Math.abs(y) + Math.abs(f);
      if (den > 0) sS += (2 * e) / den;
      if (y >= load<f64>(p10 + (<usize>i << 3)) && y <= load<f64>(p90 + (<usize>i << 3))) covered++;
    }
    sAbs += oAbs;
    sMase += oAbs / <f64>horizon / naiveScale(ptr, o, m);
    origins++;
    points += horizon;
  }
  store<f64>(out, sAbs / <f64>points);
  store<f64>(out + 8, nApe > 0 ? (100 * sApe) / <f64>nApe : NaN);
  store<f64>(out + 16, (100 * sS) / <f64>points);
  store<f64>(out + 24, sMase / <f64>origins);
  store<f64>(out + 32, <f64>covered / <f64>points);
  store<f64>(out + 40, <f64>origins);
  store<f64>(out + 48, <f64>points);
  return BACKTEST_LEN;
}
