// A fitted forecasting model: the smoothing state at the end of the series and
// what is needed for prediction intervals. The host holds it by handle.

import { Registry } from "../util/registry";

/** Model kinds (the facade mirrors these numbers). */
export const KIND_HOLT: i32 = 1;
export const KIND_ADDITIVE: i32 = 2;
export const KIND_MULTIPLICATIVE: i32 = 3;
export const KIND_BASELINE: i32 = 4;

/** z such that P(Z < z) = 0.9 for a standard normal: p10/p90 = p50 -/+ z sigma. */
export const Z_P90: f64 = 1.2815515655446004;

/** Number of f64 values forecast_info writes. */
export const INFO_LEN: i32 = 14;

/** State of one fitted model. Allocated once per fit; forecasting allocates nothing. */
export class ForecastModel {
  kind: i32 = 0;
  /** Season length (0: none). */
  m: i32 = 0;
  /** Points fitted. */
  n: i32 = 0;
  alpha: f64 = 0;
  beta: f64 = 0;
  gamma: f64 = 0;
  phi: f64 = 1;
  level: f64 = 0;
  trend: f64 = 0;
  /** Seasonal states indexed by t mod m. */
  season: StaticArray<f64> = new StaticArray<f64>(0);
  /** One-step in-sample error variance (absolute; relative for multiplicative). */
  sigma2: f64 = 0;
  /** One-step in-sample sum of squared errors and the AIC computed from it. */
  sse: f64 = 0;
  aic: f64 = 0;
  /** Free parameters (smoothing + initial states) counted in the AIC. */
  params: i32 = 0;
  /**
   * Empirical 10% and 90% quantiles of the one-step errors after the
   * initialisation seasons (relative errors for multiplicative). When set
   * (enough points), intervals use them instead of +/- z sigma, which keeps
   * coverage near 80% when errors are skewed or heavy-tailed.
   */
  empirical: bool = false;
  /**
   * Scale kappa of the analytic variance growth, var_h = var_1 (1 + kappa sum c^2),
   * fitted to in-sample h-step errors (1: the model's own ETS variance).
   */
  growth: f64 = 1;
  q10: f64 = 0;
  q90: f64 = 0;
  /** Baseline: window length and the sum of squares of its centred time index. */
  window: i32 = 0;
  sxx: f64 = 0;
}

/** Live models by handle. */
export const models = new Registry<ForecastModel>();

/**
 * Writes the h-step forecast and its p10/p90 bounds into three f64 regions.
 * Point forecasts and intervals follow the model's own equations.
 */
export function predictInto(md: ForecastModel, h: i32, p10: usize, p50: usize, p90: usize): void {
  const kind = md.kind;
  if (kind == KIND_BASELINE) {
    // Line through the last `window` points: p50 = level + slope * ((k-1)/2 + j),
    // variance of a new observation from a least-squares line.
    const k = <f64>md.window;
    const half = (k - 1) * 0.5;
    for (let j = 1; j <= h; j++) {
      const x = half + <f64>j;
      const mid = md.level + md.trend * x;
      const sd = Math.sqrt(md.sigma2 * (1 + 1 / k + (x * x) / md.sxx));
      const o = <usize>(j - 1) << 3;
      store<f64>(p50 + o, mid);
      store<f64>(p10 + o, mid - Z_P90 * sd);
      store<f64>(p90 + o, mid + Z_P90 * sd);
    }
    return;
  }
  // ETS(A/M, Ad, N/A/M): error variance at step j is
  // sigma2 * (1 + sum_{i<j} c_i^2), c_i = alpha (1 + beta (phi + .. + phi^i)) + gamma [i mod m == 0]
  // (Hyndman et al., Forecasting with Exponential Smoothing, class 1 models; for
  // multiplicative kinds the same on relative errors, an approximation).
  const m = md.m;
  const phi = md.phi;
  let damp: f64 = 0; // phi + phi^2 + ... + phi^j
  let phiPow: f64 = 1;
  let sumC2: f64 = 0;
  for (let j = 1; j <= h; j++) {
    phiPow *= phi;
    damp += phiPow;
    const base = md.level + damp * md.trend;
    let mid = base;
    if (kind == KIND_ADDITIVE) mid = base + unchecked(md.season[(md.n - 1 + j) % m]);
    else if (kind == KIND_MULTIPLICATIVE) mid = base * unchecked(md.season[(md.n - 1 + j) % m]);
    // The h-step error is the one-step error scaled by sqrt(1 + kappa sum c^2).
    const grow = Math.sqrt(1 + md.growth * sumC2);
    const scale = kind == KIND_MULTIPLICATIVE ? Math.abs(mid) * grow : grow;
    const lo = md.empirical ? md.q10 : -Z_P90 * Math.sqrt(md.sigma2);
    const hi = md.empirical ? md.q90 : Z_P90 * Math.sqrt(md.sigma2);
    const o = <usize>(j - 1) << 3;
    store<f64>(p50 + o, mid);
    store<f64>(p10 + o, mid + lo * scale);
    store<f64>(p90 + o, mid + hi * scale);
    // c_j for the next step's variance.
    let c = md.alpha * (1 + md.beta * damp);
    if (m > 0 && j % m == 0) c += md.gamma;
    sumC2 += c * c;
  }
}
