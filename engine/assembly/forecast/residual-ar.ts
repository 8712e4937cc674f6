// Short-memory correction of a smoothing model's one-step errors: an AR(p)
// on e_t = y_t - yhat_t (relative errors for multiplicative kinds), the order
// chosen by AICc. Exponential smoothing is ARIMA(0,1,1)-like; on bursty
// series its errors stay autocorrelated (a spike is followed by an error of
// the other sign as the level, dragged up by the spike, comes back down), and
// an ARIMA fits that short memory where the smoothing model cannot.
//
// Fit (Yule-Walker by Levinson-Durbin, the mean taken as 0 because the model's
// forecast is the mean): with g_k = (1/N) sum_t e_t e_{t-k}, the recursion gives
// for each order p the coefficients a_p1..a_pp and the innovation variance
//   v_0 = g_0,  k_p = (g_p - sum_{i<p} a_{p-1,i} g_{p-i}) / v_{p-1},
//   a_pp = k_p,  a_pi = a_{p-1,i} - k_p a_{p-1,p-i},  v_p = v_{p-1} (1 - k_p^2);
// the order with the smallest AICc = N ln v_p + 2p + 2p(p+1)/(N-p-1) wins
// (p = 0: no correction). Yule-Walker estimates are always stationary, so the
// correction dies away with the horizon.

import { ERR_INVALID_ARGUMENT, ERR_NOT_FINITE } from "../util/status";

/** Highest AR order tried. */
export const AR_MAX_ORDER: i32 = 5;
/** Errors needed before an AR correction is fitted at all. */
export const AR_MIN_ERRORS: i32 = 100;

const gamma = new StaticArray<f64>(AR_MAX_ORDER + 1);
const cur = new StaticArray<f64>(AR_MAX_ORDER + 1);
const prev = new StaticArray<f64>(AR_MAX_ORDER + 1);

/**
 * Fits AR(p), p <= maxOrder (<= AR_MAX_ORDER), to the count errors at ptr and
 * writes the chosen coefficients into coef[0..p) (coef[i] multiplies e_{t-1-i}).
 * Returns p (0 when no order beats white noise by AICc, the errors are
 * constant, or there are fewer than AR_MIN_ERRORS). Called once per fit; O(count * maxOrder).
 */
export function fitResidualAr(ptr: usize, count: i32, maxOrder: i32, coef: StaticArray<f64>): i32 {
  const P = min(maxOrder, AR_MAX_ORDER);
  if (P < 1 || count < AR_MIN_ERRORS) return 0;
  const nf = <f64>count;
  for (let k = 0; k <= P; k++) {
    let s: f64 = 0;
    for (let t = k; t < count; t++) s += load<f64>(ptr + (<usize>t << 3)) * load<f64>(ptr + (<usize>(t - k) << 3));
    unchecked((gamma[k] = s / nf));
  }
  const g0 = unchecked(gamma[0]);
  if (!(g0 > 0) || !isFinite(g0)) return 0;
  let v = g0;
  let bestP = 0;
  let bestAicc: f64 = nf * Math.log(g0);
  for (let p = 1; p <= P; p++) {
    let acc = unchecked(gamma[p]);
    for (let i = 1; i < p; i++) acc -= unchecked(prev[i]) * unchecked(gamma[p - i]);
    const k = acc / v;
    if (!(Math.abs(k) < 1)) break;
    for (let i = 1; i < p; i++) unchecked((cur[i] = prev[i] - k * prev[p - i]));
    unchecked((cur[p] = k));
    v *= 1 - k * k;
    for (let i = 1; i <= p; i++) unchecked((prev[i] = cur[i]));
    const pf = <f64>p;
    const aicc = nf * Math.log(v) + 2 * pf + (2 * pf * (pf + 1)) / (nf - pf - 1);
    if (aicc < bestAicc) {
      bestAicc = aicc;
      bestP = p;
      for (let i = 0; i < p; i++) unchecked((coef[i] = cur[i + 1]));
    }
  }
  return bestP;
}

const hostCoef = new StaticArray<f64>(AR_MAX_ORDER);

/**
 * Host entry point: fits the AR correction (fitResidualAr) to the n errors at
 * ptr and writes p coefficients to out; returns p or a negative status.
 * For inspection and tests: fits run it on their own errors.
 */
export function forecast_residual_ar(ptr: usize, n: i32, maxOrder: i32, out: usize): i32 {
  if (n < 0 || maxOrder < 0 || maxOrder > AR_MAX_ORDER) return ERR_INVALID_ARGUMENT;
  for (let t = 0; t < n; t++) if (!isFinite(load<f64>(ptr + (<usize>t << 3)))) return ERR_NOT_FINITE;
  const p = fitResidualAr(ptr, n, maxOrder, hostCoef);
  for (let i = 0; i < p; i++) store<f64>(out + (<usize>i << 3), unchecked(hostCoef[i]));
  return p;
}
