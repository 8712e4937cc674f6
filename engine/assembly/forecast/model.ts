// A fitted forecasting model: the smoothing state at the end of the series and
// what is needed for prediction intervals. The host holds it by handle.

import { Registry } from "../util/registry";
import { AR_MAX_ORDER } from "./residual-ar";
import { pathHistWork, pathSeasonWork } from "./scratch";

/** Model kinds (the facade mirrors these numbers). */
export const KIND_HOLT: i32 = 1;
export const KIND_ADDITIVE: i32 = 2;
export const KIND_MULTIPLICATIVE: i32 = 3;
export const KIND_BASELINE: i32 = 4;

/** z such that P(Z < z) = 0.9 for a standard normal: p10/p90 = p50 -/+ z sigma. */
export const Z_P90: f64 = 1.2815515655446004;

/** Number of f64 values forecast_info writes. */
export const INFO_LEN: i32 = 16;

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
  /** False for a level-only model (no trend component: beta = 0, phi = 1, trend = 0). */
  trended: bool = true;
  /** Seasonal states indexed by t mod m. */
  season: StaticArray<f64> = new StaticArray<f64>(0);
  /** One-step in-sample error variance (absolute; relative for multiplicative; of the AR innovations with a correction). */
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
  /**
   * AR order p of the one-step error correction (0: none; see residual-ar.ts),
   * its coefficients (arCoef[i] multiplies e_{t-1-i}) and the last p errors,
   * most recent first.
   */
  arP: i32 = 0;
  arCoef: StaticArray<f64> = new StaticArray<f64>(AR_MAX_ORDER);
  arHist: StaticArray<f64> = new StaticArray<f64>(AR_MAX_ORDER);
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
  if (md.arP > 0) {
    // The path with the AR-predicted errors fed back through the smoothing
    // updates (the conditional mean of the combined model).
    const m0 = md.m;
    const s = pathSeasonWork(max(m0, 1));
    for (let i = 0; i < m0; i++) unchecked((s[i] = md.season[i]));
    const hist = pathHistWork();
    for (let i = 0; i < md.arP; i++) unchecked((hist[i] = md.arHist[i]));
    arPath(kind, m0, md.alpha, md.beta, md.gamma, md.phi, md.level, md.trend, s, m0 > 0 ? md.n % m0 : 0, md.arP, md.arCoef, hist, h, p50);
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
    const o = <usize>(j - 1) << 3;
    if (md.arP > 0) mid = load<f64>(p50 + o);
    const grow = Math.sqrt(1 + md.growth * sumC2);
    const scale = kind == KIND_MULTIPLICATIVE ? Math.abs(mid) * grow : grow;
    const lo = md.empirical ? md.q10 : -Z_P90 * Math.sqrt(md.sigma2);
    const hi = md.empirical ? md.q90 : Z_P90 * Math.sqrt(md.sigma2);
    store<f64>(p50 + o, mid);
    store<f64>(p10 + o, mid + lo * scale);
    store<f64>(p90 + o, mid + hi * scale);
    // c_j for the next step's variance.
    let c = md.alpha * (1 + md.beta * damp);
    if (m > 0 && j % m == 0) c += md.gamma;
    sumC2 += c * c;
  }
}

/**
 * Point forecasts of a smoothing model with an AR(p) error correction, h steps
 * into out: at each step the expected error r = sum coef[i] hist[i] is added
 * to the model's one-step forecast (a factor 1 + r for multiplicative), and
 * that value updates the states as an observation would. s (season states,
 * j the index of the next step) and hist (last p errors, most recent first)
 * are scratch copies and are overwritten. Called by predictInto and by the
 * interval calibration; allocates nothing.
 */
export function arPath(
  kind: i32, m: i32, alpha: f64, beta: f64, gamma: f64, phi: f64, level: f64, trend: f64,
  s: StaticArray<f64>, j: i32, p: i32, coef: StaticArray<f64>, hist: StaticArray<f64>, h: i32, out: usize,
): void {
  let l = level;
  let b = trend;
  for (let step = 0; step < h; step++) {
    const base = l + phi * b;
    const st = m > 0 ? unchecked(s[j]) : 0;
    let r: f64 = 0;
    for (let i = 0; i < p; i++) r += unchecked(coef[i]) * unchecked(hist[i]);
    let y: f64;
    let nl: f64;
    if (kind == KIND_ADDITIVE) {
      y = base + st + r;
      nl = alpha * (y - st) + (1 - alpha) * base;
      unchecked((s[j] = gamma * (y - base) + (1 - gamma) * st));
    } else if (kind == KIND_MULTIPLICATIVE) {
      y = base * st * (1 + r);
      if (base > 0 && st > 0) {
        nl = alpha * (y / st) + (1 - alpha) * base;
        unchecked((s[j] = gamma * (y / base) + (1 - gamma) * st));
      } else {
        nl = base;
      }
    } else {
      y = base + r;
      nl = alpha * y + (1 - alpha) * base;
    }
    store<f64>(out + (<usize>step << 3), y);
    b = beta * (nl - l) + (1 - beta) * phi * b;
    l = nl;
    for (let i = p - 1; i > 0; i--) unchecked((hist[i] = hist[i - 1]));
    if (p > 0) unchecked((hist[0] = r));
    if (m > 0 && ++j == m) j = 0;
  }
}
