// Combined anomaly score of one window over several features (count,
// error_rate, latency_p99, ...) and optionally an Isolation Forest score.
//
// Each input is a surprise in decades, s_i = -log10 p_i, where p_i is a tail
// probability (the streaming detector's, warm-up weighted). The combination is
// Sidak's correction of the smallest p over the m inputs,
//   p = 1 - (1 - p_min)^m,
// which is exact for independent features and conservative (never above
// Bonferroni's m p_min) for dependent ones such as p95 and p99 latency, so
// adding features does not inflate the score. Score = min(1, -log10 p / 8),
// the same scale as a single detector's. Each input's contribution is its
// share of the total surprise, s_i / sum s (equal shares when all are 0), so
// contributions sum to 1 and rank the features that drove the score.
//
// An Isolation Forest score f (0.5 is typical, 1 is isolated at once) enters
// as surprise 8 * clamp((f - 0.5) / 0.5, 0, 1): a first, documented
// calibration that a later issue may fit.

import { ERR_BAD_HANDLE, ERR_INVALID_ARGUMENT, ERR_NEGATIVE, ERR_NOT_FINITE, ERR_OUT_OF_ORDER, OK } from "../util/status";
import { setBadIndex } from "../util/bytes";
import { detectors, scoreOf, StreamingDetector, SURPRISE_DECADES } from "./streaming";

/** Most inputs one combination takes. */
export const MAX_COMBINED_INPUTS: i32 = 64;
/** Isolation Forest score of an ordinary point (surprise 0 at and below it). */
export const IFOREST_BASELINE: f64 = 0.5;
/** Below this p_min, 1 - (1 - p)^m is m p to double precision. */
const SMALL_P: f64 = 1e-12;

/** Surprise (decades) of an Isolation Forest score. */
export function isolationSurprise(f: f64): f64 {
  let u = (f - IFOREST_BASELINE) / (1 - IFOREST_BASELINE);
  if (u < 0) u = 0;
  if (u > 1) u = 1;
  return SURPRISE_DECADES * u;
}

/**
 * Combines k surprises (f64 at ptr) and an Isolation Forest score (< 0: none).
 * Writes out[0] = score, out[1] = combined surprise (decades), out[2 + i] =
 * contribution of input i (the Isolation Forest last, when given).
 * Called by the facade once per scored window.
 */
export function detect_combine(ptr: usize, k: i32, ifScore: f64, out: usize): i32 {
  if (k < 0 || k > MAX_COMBINED_INPUTS) return ERR_INVALID_ARGUMENT;
  if (!isFinite(ifScore)) {
    setBadIndex(k);
    return ERR_NOT_FINITE;
  }
  const hasIf = ifScore >= 0;
  const m = k + (hasIf ? 1 : 0);
  if (m == 0) return ERR_INVALID_ARGUMENT;
  let smax: f64 = 0;
  let total: f64 = 0;
  for (let i = 0; i < k; i++) {
    const s = load<f64>(ptr + (<usize>i << 3));
    if (!isFinite(s)) {
      setBadIndex(i);
      return ERR_NOT_FINITE;
    }
    if (s < 0) {
      setBadIndex(i);
      return ERR_NEGATIVE;
    }
    if (s > smax) smax = s;
    total += s;
  }
  const sIf = hasIf ? isolationSurprise(ifScore) : 0.0;
  if (sIf > smax) smax = sIf;
  total += sIf;

  const pmin = Math.pow(10, -smax);
  let combined: f64;
  if (pmin < SMALL_P) combined = smax - Math.log10(<f64>m);
  else combined = -Math.log10(-Math.expm1(<f64>m * Math.log1p(-pmin)));
  if (!(combined > 0)) combined = 0; // also -0 from -log10(1)
  store<f64>(out, scoreOf(combined));
  store<f64>(out, combined, 8);
  for (let i = 0; i < k; i++) {
    const s = load<f64>(ptr + (<usize>i << 3));
    store<f64>(out + 16 + (<usize>i << 3), total > 0 ? s / total : 1.0 / <f64>m);
  }
  if (hasIf) store<f64>(out + 16 + (<usize>k << 3), total > 0 ? sIf / total : 1.0 / <f64>m);
  return OK;
}

/**
 * Scores one window's k features at time t with k detectors (i32 handles at
 * handlesPtr, values at valPtr). Writes score, low, high per feature at
 * out + 24 i, the surprise per feature at surprisePtr + 8 i and the alarm
 * score per feature at alarmPtr + 8 i. Everything is
 * validated before any detector changes. Called by the facade once per
 * closed window of a service.
 */
export function detect_group_push(handlesPtr: usize, k: i32, t: f64, valPtr: usize, out: usize, surprisePtr: usize, alarmPtr: usize): i32 {
  if (k < 1 || k > MAX_COMBINED_INPUTS) return ERR_INVALID_ARGUMENT;
  if (!isFinite(t)) {
    setBadIndex(0);
    return ERR_NOT_FINITE;
  }
  for (let i = 0; i < k; i++) {
    const d = detectors.get(load<i32>(handlesPtr + (<usize>i << 2)));
    if (d === null) return ERR_BAD_HANDLE;
    if (!isFinite(load<f64>(valPtr + (<usize>i << 3)))) {
      setBadIndex(i);
      return ERR_NOT_FINITE;
    }
    if (d.n > 0 && t < d.lastT) {
      setBadIndex(0);
      return ERR_OUT_OF_ORDER;
    }
  }
  for (let i = 0; i < k; i++) {
    const d = changetype<StreamingDetector>(detectors.get(load<i32>(handlesPtr + (<usize>i << 2))));
    d.push(t, load<f64>(valPtr + (<usize>i << 3)));
    const o = out + <usize>i * 24;
    store<f64>(o, d.outScore);
    store<f64>(o, d.outLow, 8);
    store<f64>(o, d.outHigh, 16);
    store<f64>(surprisePtr + (<usize>i << 3), d.lastSurprise);
    store<f64>(alarmPtr + (<usize>i << 3), d.outAlarm);
  }
  return OK;
}
