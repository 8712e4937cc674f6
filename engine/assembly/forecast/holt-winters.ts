// Holt-Winters exponential smoothing (additive and multiplicative seasons,
// damped trend) and Holt's linear method for series without a season.
// Parameters are fitted by minimising the one-step in-sample absolute error
// (least absolute deviations: the Laplace likelihood; a few spikes in a bursty
// series do not set the parameters as they do under least squares) with
// Nelder-Mead over a logistic transform; the model kind on a held-out season
// (or by AIC for short series). Without a season, auto also fits a level-only
// model (no trend) and keeps the trend only when it wins both by AIC and by
// in-sample multi-step error. Then an AR(p) on the one-step errors (residual-ar.ts) adds the short
// memory smoothing lacks.
//
// Component form, with y_t the value and m the season length:
//   additive:       l_t = a (y_t - s_{t-m}) + (1-a)(l_{t-1} + p b_{t-1})
//                   b_t = b (l_t - l_{t-1}) + (1-b) p b_{t-1}
//                   s_t = g (y_t - l_{t-1} - p b_{t-1}) + (1-g) s_{t-m}
//                   yhat_t = l_{t-1} + p b_{t-1} + s_{t-m}
//   multiplicative: divide instead of subtract, multiply instead of add.
//   Holt:           the same without s.
// (a = alpha, b = beta, g = gamma, p = phi.) Forecast h steps ahead:
// l_n + (p + .. + p^h) b_n (+ or *) s_{n+h-m}.
//
// Initial states (the state "before t = 0"), from the first two seasons with
// means M1, M2: b0 = (M2 - M1) / m, l0 = M1 - b0 (m + 1) / 2, and s_i the
// average over both seasons of y minus (or divided by) the trend line at i,
// normalised to sum 0 (additive) or mean 1 (multiplicative). Holt: the
// least-squares line through the first min(n, 10) points. Level-only: b0 = 0,
// l0 = (M1 + M2) / 2 (Holt: the mean of those points).

import { ERR_INSUFFICIENT_DATA, ERR_INVALID_ARGUMENT, ERR_NEGATIVE, ERR_NOT_FINITE } from "../util/status";
import { arPath, ForecastModel, KIND_ADDITIVE, KIND_HOLT, KIND_MULTIPLICATIVE, models, predictInto } from "./model";
import { MAX_DIM, nelderMead } from "./optimize";
import { AR_MAX_ORDER, fitResidualAr } from "./residual-ar";
import { calibrationPathWork, calibrationWork, pathHistWork, pathSeasonWork, quantile, residualWork, seasonInit, seasonWork, smallWork } from "./scratch";

/** Smoothing parameters stay inside [PARAM_MIN, PARAM_MAX]. */
const PARAM_MIN: f64 = 1e-4;
const PARAM_MAX: f64 = 0.9999;
/** Damping phi ranges over [PHI_MIN, PHI_MAX]. */
const PHI_MIN: f64 = 0.8;
const PHI_MAX: f64 = 0.999;
/** Points the Holt initial line is fitted to. */
const HOLT_INIT_POINTS: i32 = 10;
/** Nelder-Mead budget: evaluations per parameter, tolerance, initial step (logit units). */
const NM_EVALS_PER_DIM: i32 = 30;
const NM_TOL: f64 = 1e-7;
const NM_STEP: f64 = 1.2;
/** Starting values: alpha, beta, gamma as a share of 1 - alpha, phi. */
const START_ALPHA: f64 = 0.3;
const START_BETA: f64 = 0.05;
const START_GAMMA_SHARE: f64 = 0.1;
const START_PHI: f64 = 0.95;
/** Residuals needed (after the initialisation seasons) before intervals use empirical quantiles. */
export const EMPIRICAL_MIN_RESIDUALS: i32 = 100;
/**
 * Calibration horizon for non-seasonal models (seasonal: one season), also the
 * span the trend-or-level choice is judged on. A day at 5-minute steps, like
 * the season of such a series: fitted over 48 steps only, the growth scale
 * over-widened a day ahead (cov@288 0.85 on the AWS CloudWatch files, 0.82 now).
 */
const CAL_HOLT_HORIZON: i32 = 288;
/** Fewest and most forecast origins sampled when calibrating the interval growth. */
const CAL_MIN_ORIGINS: i32 = 20;
const CAL_MAX_ORIGINS: i32 = 256;
/** Upper bound on the fitted growth scale kappa. */
const CAL_MAX_GROWTH: f64 = 4;
/** Fit methods accepted by forecast_fit. */
export const METHOD_AUTO: i32 = 0;

// --- the fit's context (module globals: the objective cannot close over locals)
let cPtr: usize = 0;
let cN: i32 = 0;
let cM: i32 = 0;
let cKind: i32 = 0;
let cDamped: bool = true;
/** False: no trend component (b = 0, beta and phi unused): simple exponential smoothing (+ season). */
let cTrend: bool = true;
/** Pinned AR coefficients of forecast_fit_fixed (cFixedArP of them; 0: none). */
let cFixedArP: i32 = 0;
const fixedAr = new StaticArray<f64>(AR_MAX_ORDER);
let cL0: f64 = 0;
let cB0: f64 = 0;
/** Highest AR order of the error correction finish() may fit (0: none). */
let cMaxAr: i32 = 0;
const arRing = new StaticArray<f64>(8);
// Results of the last filter pass.
let rLevel: f64 = 0;
let rTrend: f64 = 0;
let rRel2: f64 = 0;
let rAbs: f64 = 0;
/** When non-zero, filter() stores each one-step error (relative for multiplicative) here. */
let rStore: usize = 0;
const xWork = new StaticArray<f64>(MAX_DIM);
const pWork = new StaticArray<f64>(MAX_DIM);
const bestParams = new StaticArray<f64>(MAX_DIM);

@inline function logistic(u: f64): f64 {
  return 1 / (1 + Math.exp(-u));
}
@inline function logit(p: f64): f64 {
  return Math.log(p / (1 - p));
}

/**
 * One filter pass over the series in the fit context with the given
 * parameters; returns the one-step SSE (Infinity when a multiplicative state
 * leaves the positive range). Leaves the final states in seasonWork, rLevel,
 * rTrend. Allocates nothing: this is the loop the optimiser calls ~150 times.
 */
function filter(alpha: f64, beta: f64, gamma: f64, phi: f64): f64 {
  const ptr = cPtr;
  const n = cN;
  const m = cM;
  let l = cL0;
  let b = cB0;
  let sse: f64 = 0;
  let rel: f64 = 0;
  let sae: f64 = 0;
  const ca = 1 - alpha;
  const cb = 1 - beta;
  const cg = 1 - gamma;
  if (cKind == KIND_HOLT) {
    for (let t = 0; t < n; t++) {
      const y = load<f64>(ptr + (<usize>t << 3));
      const base = l + phi * b;
      const e = y - base;
      sse += e * e;
      sae += Math.abs(e);
      if (rStore) store<f64>(rStore + (<usize>t << 3), e);
      const nl = alpha * y + ca * base;
      b = beta * (nl - l) + cb * phi * b;
      l = nl;
    }
  } else {
    const s = seasonWork(m);
    const s0 = seasonInit(m);
    for (let i = 0; i < m; i++) unchecked((s[i] = s0[i]));
    let j = 0;
    if (cKind == KIND_ADDITIVE) {
      for (let t = 0; t < n; t++) {
        const y = load<f64>(ptr + (<usize>t << 3));
        const base = l + phi * b;
        const st = unchecked(s[j]);
        const e = y - base - st;
        sse += e * e;
      sae += Math.abs(e);
        if (rStore) store<f64>(rStore + (<usize>t << 3), e);
        const nl = alpha * (y - st) + ca * base;
        b = beta * (nl - l) + cb * phi * b;
        unchecked((s[j] = gamma * (y - base) + cg * st));
        l = nl;
        if (++j == m) j = 0;
      }
    } else {
      for (let t = 0; t < n; t++) {
        const y = load<f64>(ptr + (<usize>t << 3));
        const base = l + phi * b;
        const st = unchecked(s[j]);
        if (!(base > 0 && st > 0)) return Infinity;
        const yhat = base * st;
        const e = y - yhat;
        sse += e * e;
      sae += Math.abs(e);
        rel += (e / yhat) * (e / yhat);
        if (rStore) store<f64>(rStore + (<usize>t << 3), e / yhat);
        const nl = alpha * (y / st) + ca * base;
        b = beta * (nl - l) + cb * phi * b;
        unchecked((s[j] = gamma * (y / base) + cg * st));
        l = nl;
        if (++j == m) j = 0;
      }
    }
  }
  rLevel = l;
  rTrend = b;
  rRel2 = rel;
  rAbs = sae;
  return sse;
}

/** Maps unbounded optimiser variables to (alpha, beta, gamma, phi) in pWork. */
function toParams(x: StaticArray<f64>): void {
  // x holds alpha, then beta (with a trend), gamma (seasonal), phi (damped trend).
  const alpha = PARAM_MIN + (PARAM_MAX - PARAM_MIN) * logistic(unchecked(x[0]));
  let k = 1;
  let beta: f64 = 0;
  if (cTrend) beta = PARAM_MIN + (PARAM_MAX - PARAM_MIN) * logistic(unchecked(x[k++]));
  let gamma: f64 = 0;
  if (cKind != KIND_HOLT) {
    // gamma < 1 - alpha keeps the seasonal update a proper average (Hyndman et al.).
    gamma = (1 - alpha) * (PARAM_MIN + (PARAM_MAX - PARAM_MIN) * logistic(unchecked(x[k++])));
  }
  const phi = cTrend && cDamped ? PHI_MIN + (PHI_MAX - PHI_MIN) * logistic(unchecked(x[k])) : 1.0;
  unchecked((pWork[0] = alpha));
  unchecked((pWork[1] = beta));
  unchecked((pWork[2] = gamma));
  unchecked((pWork[3] = phi));
}

function objective(x: StaticArray<f64>): f64 {
  toParams(x);
  const v = filter(unchecked(pWork[0]), unchecked(pWork[1]), unchecked(pWork[2]), unchecked(pWork[3]));
  return isFinite(v) ? rAbs : Infinity;
}

/** Computes the initial states for the context's kind; false when they are unusable. */
function initStates(): bool {
  const ptr = cPtr;
  const m = cM;
  if (cKind == KIND_HOLT) {
    const k = min(cN, HOLT_INIT_POINTS);
    let sy: f64 = 0;
    let sty: f64 = 0;
    for (let t = 0; t < k; t++) {
      const y = load<f64>(ptr + (<usize>t << 3));
      sy += y;
      sty += <f64>t * y;
    }
    const kf = <f64>k;
    const tm = (kf - 1) * 0.5;
    const sxx = (kf * (kf * kf - 1)) / 12;
    const slope = sxx > 0 && cTrend ? (sty - tm * sy) / sxx : 0;
    cB0 = slope;
    cL0 = sy / kf - slope * tm - slope; // the line at t = -1
    return true;
  }
  let m1: f64 = 0;
  let m2: f64 = 0;
  for (let i = 0; i < m; i++) {
    m1 += load<f64>(ptr + (<usize>i << 3));
    m2 += load<f64>(ptr + (<usize>(i + m) << 3));
  }
  const mf = <f64>m;
  m1 /= mf;
  m2 /= mf;
  const b0 = cTrend ? (m2 - m1) / mf : 0;
  const s0 = seasonInit(m);
  const centre = (mf - 1) * 0.5;
  let sum: f64 = 0;
  for (let i = 0; i < m; i++) {
    const d = b0 * (<f64>i - centre);
    const y1 = load<f64>(ptr + (<usize>i << 3));
    const y2 = load<f64>(ptr + (<usize>(i + m) << 3));
    let v: f64;
    if (cKind == KIND_ADDITIVE) {
      v = (y1 - (m1 + d) + (y2 - (m2 + d))) * 0.5;
    } else {
      const t1 = m1 + d;
      const t2 = m2 + d;
      if (!(t1 > 0 && t2 > 0)) return false;
      v = (y1 / t1 + y2 / t2) * 0.5;
    }
    unchecked((s0[i] = v));
    sum += v;
  }
  const mean = sum / mf;
  for (let i = 0; i < m; i++) {
    if (cKind == KIND_ADDITIVE) unchecked((s0[i] -= mean));
    else unchecked((s0[i] /= mean));
  }
  cB0 = b0;
  // Without a trend the level starts at the mean of both seasons (their y - level averaged above).
  cL0 = cTrend ? m1 - (b0 * (mf + 1)) * 0.5 : (m1 + m2) * 0.5;
  return true;
}

/** Runs the final pass with the parameters in pWork and stores the result in a new model. */
function finish(): ForecastModel {
  const alpha = unchecked(pWork[0]);
  const beta = unchecked(pWork[1]);
  const gamma = unchecked(pWork[2]);
  const phi = unchecked(pWork[3]);
  const resid = residualWork(cN);
  rStore = changetype<usize>(resid);
  const sse = filter(alpha, beta, gamma, phi);
  rStore = 0;
  const md = new ForecastModel();
  md.kind = cKind;
  md.m = cKind == KIND_HOLT ? 0 : cM;
  md.n = cN;
  md.alpha = alpha;
  md.beta = beta;
  md.gamma = gamma;
  md.phi = phi;
  md.level = rLevel;
  md.trend = rTrend;
  md.trended = cTrend;
  if (md.m > 0) {
    const s = seasonWork(md.m);
    const keep = new StaticArray<f64>(md.m);
    for (let i = 0; i < md.m; i++) unchecked((keep[i] = s[i]));
    md.season = keep;
  }
  const nf = <f64>cN;
  md.sse = sse;
  md.sigma2 = cKind == KIND_MULTIPLICATIVE ? rRel2 / nf : sse / nf;
  md.params = smoothingParams(cKind) + (cTrend ? 2 : 1) + md.m;
  // Parameters minimise the one-step absolute error (see the header), so the
  // AIC is the Laplace one: -2 ln L = 2n ln(SAE/n) + const.
  md.aic = 2 * nf * Math.log(max(rAbs, 1e-300) / nf) + 2 * <f64>md.params;
  if (!isFinite(sse)) return md;
  // Errors of the points that initialised the states are optimistic: skip them.
  const skip = cKind == KIND_HOLT ? min(cN, HOLT_INIT_POINTS) : 2 * cM;
  const residPtr = changetype<usize>(resid);
  let p = 0;
  if (cFixedArP > 0) {
    p = min(cFixedArP, cN);
    for (let i = 0; i < p; i++) unchecked((md.arCoef[i] = fixedAr[i]));
  } else if (cN - skip >= EMPIRICAL_MIN_RESIDUALS) {
    p = fitResidualAr(residPtr + (<usize>skip << 3), cN - skip, cMaxAr, md.arCoef);
  }
  if (p > 0) {
    // Errors are then the AR innovations a_t = e_t - sum_i coef_i e_{t-1-i},
    // computed in place from the end, for sigma2 and the quantiles.
    md.arP = p;
    for (let i = 0; i < p; i++) unchecked((md.arHist[i] = resid[cN - 1 - i]));
    let ss: f64 = 0;
    for (let t = cN - 1; t >= p; t--) {
      let a = unchecked(resid[t]);
      for (let i = 0; i < p; i++) a -= unchecked(md.arCoef[i]) * unchecked(resid[t - 1 - i]);
      unchecked((resid[t] = a));
      ss += a * a;
    }
    if (cN > p) md.sigma2 = ss / <f64>(cN - p);
  }
  const from = max(skip, p);
  const count = cN - from;
  if (count >= EMPIRICAL_MIN_RESIDUALS) {
    for (let i = 0; i < count; i++) unchecked((resid[i] = resid[i + from]));
    md.q10 = quantile(resid, count, 0.1);
    md.q90 = quantile(resid, count, 0.9);
    md.empirical = true;
  }
  return md;
}

/** Mean absolute in-sample error over steps 1..H of the last calibrate() (NaN when it had too few origins). */
let calMultiStepMae: f64 = NaN;

/**
 * Fits the growth scale kappa of md's intervals to its in-sample h-step errors.
 * The filter is replayed with md's parameters; from up to CAL_MAX_ORIGINS
 * origins after the initialisation points it forecasts H steps (H: one season,
 * or CAL_HOLT_HORIZON) and sums squared errors per h: v(h). With
 * r(h) = v(h) / v(1) and S(h) = sum_{j<h} c_j^2 (see model.ts), kappa is the
 * least-squares slope of r(h) - 1 on S(h), clamped to [0, CAL_MAX_GROWTH].
 * ETS variances assume the smoothed states are the truth; on series whose
 * level does not wander, that overstates how fast errors grow with h, and
 * the intervals over-cover. Runs once per fit: O(origins * H).
 */
function calibrate(md: ForecastModel): void {
  md.growth = 1;
  calMultiStepMae = NaN;
  const n = md.n;
  const m = md.m;
  const kind = md.kind;
  const H = m > 0 ? m : min(CAL_HOLT_HORIZON, n >> 2);
  const skip = kind == KIND_HOLT ? min(n, HOLT_INIT_POINTS) : 2 * m;
  const span = n - skip - H;
  if (H < 2 || span < CAL_MIN_ORIGINS) return;
  const stride = max(1, span / CAL_MAX_ORIGINS);
  cN = n;
  cM = m;
  cKind = kind;
  cTrend = md.trended;
  if (!initStates()) return;
  const sums = calibrationWork(H);
  for (let h = 0; h < H; h++) unchecked((sums[h] = 0));
  const ptr = cPtr;
  const alpha = md.alpha;
  const beta = md.beta;
  const gamma = md.gamma;
  const phi = md.phi;
  let l = cL0;
  let b = cB0;
  const s = seasonWork(max(m, 1));
  if (m > 0) {
    const s0 = seasonInit(m);
    for (let i = 0; i < m; i++) unchecked((s[i] = s0[i]));
  }
  let origins = 0;
  let absSum: f64 = 0;
  let j = 0; // t mod m
  const p = md.arP;
  for (let i = 0; i < p; i++) unchecked((arRing[i] = 0));
  const path = changetype<usize>(calibrationPathWork(H));
  for (let t = 0; t < n; t++) {
    if (p > 0 && t >= skip && t <= n - H && (t - skip) % stride == 0) {
      const ps = pathSeasonWork(max(m, 1));
      for (let i = 0; i < m; i++) unchecked((ps[i] = s[i]));
      const hist = pathHistWork();
      for (let i = 0; i < p; i++) unchecked((hist[i] = arRing[i]));
      arPath(kind, m, alpha, beta, gamma, phi, l, b, ps, j, p, md.arCoef, hist, H, path);
      for (let h = 0; h < H; h++) {
        const f = load<f64>(path + (<usize>h << 3));
        let e = load<f64>(ptr + (<usize>(t + h) << 3)) - f;
        absSum += Math.abs(e);
        if (kind == KIND_MULTIPLICATIVE) e = f > 0 ? e / f : 0;
        unchecked((sums[h] += e * e));
      }
      origins++;
    } else if (t >= skip && t <= n - H && (t - skip) % stride == 0) {
      let damp: f64 = 0;
      let phiPow: f64 = 1;
      let k = j;
      for (let h = 0; h < H; h++) {
        phiPow *= phi;
        damp += phiPow;
        const base = l + damp * b;
        let f = base;
        if (kind == KIND_ADDITIVE) f = base + unchecked(s[k]);
        else if (kind == KIND_MULTIPLICATIVE) f = base * unchecked(s[k]);
        let e = load<f64>(ptr + (<usize>(t + h) << 3)) - f;
        absSum += Math.abs(e);
        if (kind == KIND_MULTIPLICATIVE) e = f > 0 ? e / f : 0;
        unchecked((sums[h] += e * e));
        if (m > 0 && ++k == m) k = 0;
      }
      origins++;
    }
    const y = load<f64>(ptr + (<usize>t << 3));
    const base = l + phi * b;
    if (p > 0) {
      // The one-step error the AR correction sees next (as in filter()).
      let e = y - base;
      if (kind == KIND_ADDITIVE) e -= unchecked(s[j]);
      else if (kind == KIND_MULTIPLICATIVE) e = y / (base * unchecked(s[j])) - 1;
      for (let i = p - 1; i > 0; i--) unchecked((arRing[i] = arRing[i - 1]));
      unchecked((arRing[0] = e));
    }
    let nl: f64;
    if (kind == KIND_HOLT) {
      nl = alpha * y + (1 - alpha) * base;
    } else {
      const st = unchecked(s[j]);
      if (kind == KIND_ADDITIVE) {
        nl = alpha * (y - st) + (1 - alpha) * base;
        unchecked((s[j] = gamma * (y - base) + (1 - gamma) * st));
      } else {
        if (!(base > 0 && st > 0)) return;
        nl = alpha * (y / st) + (1 - alpha) * base;
        unchecked((s[j] = gamma * (y / base) + (1 - gamma) * st));
      }
      if (++j == m) j = 0;
    }
    b = beta * (nl - l) + (1 - beta) * phi * b;
    l = nl;
  }
  const v1 = unchecked(sums[0]);
  if (origins >= CAL_MIN_ORIGINS) calMultiStepMae = absSum / <f64>(origins * H);
  if (origins < CAL_MIN_ORIGINS || !(v1 > 0)) return;
  // Least squares of r(h) - 1 = kappa S(h) through the origin.
  let sxy: f64 = 0;
  let sxx: f64 = 0;
  let damp: f64 = 0;
  let phiPow: f64 = 1;
  let sumC2: f64 = 0;
  for (let h = 1; h < H; h++) {
    phiPow *= phi;
    damp += phiPow;
    let c = alpha * (1 + beta * damp);
    if (m > 0 && h % m == 0) c += gamma;
    sumC2 += c * c; // S(h + 1)
    const r = unchecked(sums[h]) / v1;
    sxy += sumC2 * (r - 1);
    sxx += sumC2 * sumC2;
  }
  if (sxx > 0) md.growth = min(max(sxy / sxx, 0), CAL_MAX_GROWTH);
}

/** Smoothing parameters the context's model has: alpha, beta (trend), gamma (season), phi (damped trend). */
function smoothingParams(kind: i32): i32 {
  return 1 + (cTrend ? 1 : 0) + (kind != KIND_HOLT ? 1 : 0) + (cTrend && cDamped ? 1 : 0);
}

/** Fits one kind with optimised parameters; null when the kind cannot be fitted (e.g. non-positive data for multiplicative). */
function fitKind(kind: i32): ForecastModel | null {
  cKind = kind;
  if (!initStates()) return null;
  const d = smoothingParams(kind);
  let k = 0;
  unchecked((xWork[k++] = logit(START_ALPHA)));
  if (cTrend) unchecked((xWork[k++] = logit(START_BETA)));
  if (kind != KIND_HOLT) unchecked((xWork[k++] = logit(START_GAMMA_SHARE)));
  if (cTrend && cDamped) unchecked((xWork[k] = logit((START_PHI - PHI_MIN) / (PHI_MAX - PHI_MIN))));
  const best = nelderMead(objective, xWork, d, NM_STEP, NM_EVALS_PER_DIM * d, NM_TOL);
  if (!isFinite(best)) return null;
  toParams(xWork);
  return finish();
}

/** Largest |value| accepted: squared errors summed over a series must stay finite. */
export const MAX_ABS_VALUE: f64 = 1e100;

/** Checks the series: finite and within MAX_ABS_VALUE. Returns a status, else 1 when all values are > 0, 0 otherwise. */
function scan(ptr: usize, n: i32): i32 {
  let allPositive = 1;
  for (let t = 0; t < n; t++) {
    const y = load<f64>(ptr + (<usize>t << 3));
    if (!isFinite(y)) return ERR_NOT_FINITE;
    if (Math.abs(y) > MAX_ABS_VALUE) return ERR_INVALID_ARGUMENT;
    if (!(y > 0)) allPositive = 0;
  }
  return allPositive;
}

/** Status of the last fitModel call when it returned null. */
export let lastFitStatus: i32 = 0;

/**
 * Fits a model to the n values at ptr. method: 0 auto (the kind with the
 * smallest error on a held-out last season when there are >= 3 seasons, else
 * the smallest AIC), 1 Holt, 2 additive, 3 multiplicative. m: season length (0 none).
 * Returns null and sets lastFitStatus on failure. Used by forecast_fit and the backtest.
 */
export function fitModel(ptr: usize, n: i32, m: i32, method: i32, damped: bool, maxAr: i32): ForecastModel | null {
  cMaxAr = max(0, maxAr);
  cFixedArP = 0;
  const md = fitUncalibrated(ptr, n, m, method, damped);
  // fitTrendOrNot calibrates both of its candidates already.
  if (md !== null && md !== calibratedA && md !== calibratedB) calibrate(md);
  calibratedA = null;
  calibratedB = null;
  return md;
}

function fitUncalibrated(ptr: usize, n: i32, m: i32, method: i32, damped: bool): ForecastModel | null {
  lastFitStatus = ERR_INVALID_ARGUMENT;
  if (n < 0 || m < 0 || m == 1 || method < 0 || method > KIND_MULTIPLICATIVE) return null;
  if (method >= KIND_ADDITIVE && m == 0) return null;
  const positive = scan(ptr, n);
  if (positive < 0) {
    lastFitStatus = positive;
    return null;
  }
  lastFitStatus = ERR_INSUFFICIENT_DATA;
  if (n < 4) return null;
  if (m > 0 && n < 2 * m) return null;
  if (method == KIND_MULTIPLICATIVE && positive == 0) {
    lastFitStatus = ERR_NEGATIVE;
    return null;
  }
  cPtr = ptr;
  cN = n;
  cM = m;
  cDamped = damped;
  cTrend = true;
  if (method != METHOD_AUTO) {
    const md = fitKind(method);
    if (md === null) lastFitStatus = ERR_INVALID_ARGUMENT;
    return md;
  }
  if (m > 0 && n >= HOLDOUT_SEASONS * m) return selectByHoldout(ptr, n, m, positive == 1);
  let best = fitTrendOrNot(KIND_HOLT);
  if (m > 0) {
    const add = fitKind(KIND_ADDITIVE);
    if (add !== null && (best === null || add.aic < best.aic)) best = add;
    if (positive == 1) {
      const mul = fitKind(KIND_MULTIPLICATIVE);
      if (mul !== null && (best === null || mul.aic < best.aic)) best = mul;
    }
  }
  return best;
}

/**
 * Fits kind with a (damped) trend and without one; the trend is kept only
 * when it has both the smaller AIC and the smaller in-sample multi-step error
 * (calibrate(): mean |error| over steps 1..H from up to 256 origins). A trend
 * fitted to bursty data where there is none extrapolates noise.
 */
let calibratedA: ForecastModel | null = null;
let calibratedB: ForecastModel | null = null;

function fitTrendOrNot(kind: i32): ForecastModel | null {
  cTrend = true;
  const withTrend = fitKind(kind);
  cTrend = false;
  const level = fitKind(kind);
  cTrend = true;
  if (level === null) return withTrend;
  if (withTrend === null) return level;
  const n = cN;
  const m = cM;
  calibrate(withTrend);
  const eTrend = calMultiStepMae;
  calibrate(level);
  const eLevel = calMultiStepMae;
  calibratedA = withTrend;
  calibratedB = level;
  cN = n;
  cM = m;
  cKind = kind;
  cTrend = true; // calibrate() set it to the last model's
  // The trend must pay for itself both in-sample (AIC) and ahead (multi-step
  // error, where there are enough origins); otherwise the simpler model stays.
  if (level.aic <= withTrend.aic) return level;
  return isFinite(eTrend) && isFinite(eLevel) && eLevel <= eTrend ? level : withTrend;
}

/** Series of at least this many seasons choose their kind on a held-out last season; shorter ones by AIC. */
export const HOLDOUT_SEASONS: i32 = 3;

/**
 * Fits each kind on all but the last season, forecasts that season, and keeps
 * the kind with the smallest mean absolute error; its parameters are then run
 * over the whole series (one more filter pass, no second optimisation). One-step
 * AIC cannot choose here: on finely sampled series the one-step errors are
 * mostly noise whatever the kind, while the m-step errors are not.
 */
function selectByHoldout(ptr: usize, n: i32, m: i32, positive: bool): ForecastModel | null {
  cN = n - m;
  const paths = smallWork(3 * m);
  const p10 = changetype<usize>(paths);
  const p50 = p10 + (<usize>m << 3);
  const p90 = p50 + (<usize>m << 3);
  let bestKind = 0;
  let bestErr: f64 = Infinity;
  for (let kind = KIND_HOLT; kind <= KIND_MULTIPLICATIVE; kind++) {
    if (kind == KIND_MULTIPLICATIVE && !positive) continue;
    const md = fitKind(kind);
    if (md === null) continue;
    predictInto(md, m, p10, p50, p90);
    let err: f64 = 0;
    for (let i = 0; i < m; i++) {
      err += Math.abs(load<f64>(ptr + (<usize>(n - m + i) << 3)) - load<f64>(p50 + (<usize>i << 3)));
    }
    if (err < bestErr) {
      bestErr = err;
      bestKind = kind;
      unchecked((bestParams[0] = md.alpha));
      unchecked((bestParams[1] = md.beta));
      unchecked((bestParams[2] = md.gamma));
      unchecked((bestParams[3] = md.phi));
    }
  }
  if (bestKind == 0) return null;
  cN = n;
  cKind = bestKind;
  if (!initStates()) return null;
  for (let i = 0; i < MAX_DIM; i++) unchecked((pWork[i] = bestParams[i]));
  return finish();
}

/**
 * Fits a model (see fitModel) and returns its handle, or a negative status.
 * Called by the facade once per series per forecast run (the 15-minute cron).
 */
export function forecast_fit(ptr: usize, n: i32, m: i32, method: i32, damped: i32, maxAr: i32): i32 {
  const md = fitModel(ptr, n, m, method, damped != 0, maxAr);
  if (md === null) return lastFitStatus;
  return models.add(md);
}

/**
 * Runs the filter with fixed parameters (no optimisation) and returns the
 * model's handle or a negative status. kind: 1 Holt, 2 additive, 3 multiplicative.
 * For users who pin parameters, and for hand-checked tests.
 */
export function forecast_fit_fixed(
  ptr: usize, n: i32, m: i32, kind: i32, alpha: f64, beta: f64, gamma: f64, phi: f64, arPtr: usize, arP: i32,
): i32 {
  if (kind < KIND_HOLT || kind > KIND_MULTIPLICATIVE) return ERR_INVALID_ARGUMENT;
  if (arP < 0 || arP > AR_MAX_ORDER) return ERR_INVALID_ARGUMENT;
  for (let i = 0; i < arP; i++) {
    const c = load<f64>(arPtr + (<usize>i << 3));
    if (!isFinite(c)) return ERR_NOT_FINITE;
    unchecked((fixedAr[i] = c));
  }
  if (!(alpha >= 0 && alpha <= 1 && beta >= 0 && beta <= 1 && gamma >= 0 && gamma <= 1 && phi > 0 && phi <= 1)) {
    return ERR_INVALID_ARGUMENT;
  }
  const md0 = kind == KIND_HOLT ? 0 : m;
  if (kind != KIND_HOLT && m < 2) return ERR_INVALID_ARGUMENT;
  const positive = scan(ptr, n);
  if (positive < 0) return positive;
  if (n < 4 || (md0 > 0 && n < 2 * md0)) return ERR_INSUFFICIENT_DATA;
  if (kind == KIND_MULTIPLICATIVE && positive == 0) return ERR_NEGATIVE;
  cPtr = ptr;
  cN = n;
  cM = md0;
  cKind = kind;
  cDamped = phi < 1;
  cTrend = true;
  cMaxAr = 0;
  cFixedArP = arP;
  if (!initStates()) return ERR_INVALID_ARGUMENT;
  unchecked((pWork[0] = alpha));
  unchecked((pWork[1] = beta));
  unchecked((pWork[2] = gamma));
  unchecked((pWork[3] = phi));
  const md = finish();
  cFixedArP = 0;
  if (!isFinite(md.sse)) return ERR_INVALID_ARGUMENT;
  calibrate(md);
  return models.add(md);
}
