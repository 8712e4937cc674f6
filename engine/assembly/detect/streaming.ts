// Streaming univariate anomaly detector. Every point gets a score in [0,1]
// computed from past and present data only, then updates a fixed-size state
// (about 3.8 KiB, under the 4 KiB budget; see detector_state_bytes) in O(1).
//
// Model: baseline(t) = L + S(t) + G + phi B
//   L     slow level (time constant about a day, at most FAST_RATE per point);
//   S(t)  seasonal offset: a time-of-day profile (96 buckets of 15 minutes)
//         plus an hour-of-week correction (168 buckets), piecewise constant
//         (sharp daily edges, such as business hours starting, stay sharp: a
//         smeared edge would look like a few points of level shift), learned
//         only when the step is at most an hour (otherwise the detector is
//         non-seasonal). The day profile is used once a full day has been seen
//         (G absorbs the switch, so the baseline does not jump); the week
//         correction is learned from then on and shrunk toward 0 by
//         c / (c + 2 K) for a bucket seen c times with K visits a week (a noisy
//         one-week estimate counts a third). Unvisited buckets are 0. Each
//         time-of-day bucket also learns a scale multiplier q (its mean clipped
//         |profile residual| over the global one, in [Q_MIN, Q_MAX], shrunk
//         toward 1 while it has few visits): where the pattern itself is
//         uncertain (around a daily edge whose timing jitters) a point's scale
//         is wider;
//   G, B  fast local deviation (rate FAST_RATE) with a damped local trend
//         (Holt's method on the fast part, so ramps do not lag 1/FAST_RATE points).
// All updates are Huber-clipped at a few robust scales, so one spike moves the
// level by at most FAST_RATE * LEVEL_CLIP scales and the scale by about 3%.
// The scale s is an EW estimate of sigma from clipped absolute residuals,
// divided by E[min(|Z|, c)] so it is unbiased for Gaussian noise.
//
// Score: z = (x - baseline) / (s q). Two time scales: the point's own z, and
// an EW mean of clipped z (rate LONG_RATE), which picks up small sustained
// deviations, normalised by its own robust EW scale (never below the iid value
// sqrt(r / (2 - r))): residuals of real series are autocorrelated, and the iid
// normalisation would call every slow wobble significant. The short scale's
// two-sided Gaussian tail is adapted to the series' own tail (exceedance rate
// and mean excess over |z| = 3, see surpriseOf; exactly Gaussian for Gaussian
// residuals); the long scale's is Gaussian. The smaller p is Sidak-corrected
// for the two looks: p = 1 - (1 - p_min)^2. The score is the surprise
// -log10(p) over SURPRISE_DECADES, so under the model P(score >= u) = 10^(-8u)
// up to the knee at 0.9 (p = 10^-7.2): a score of 0.5 happens once in 10^4
// normal points. Past the knee the score keeps rising towards 1 without
// reaching it (scoreOf), so extreme points still rank among themselves.
// Warm-up: scores are 0 for the first INIT_POINTS points, then are scaled by a
// weight ramping linearly to 1 at WARMUP_POINTS.
//
// Level shifts: a two-sided CUSUM on clipped z (slack CUSUM_K, threshold
// CUSUM_H). When it fires, the level re-anchors to the median of the
// deseasonalised values since the run began (at most INIT_POINTS), G, B and
// the long-scale evidence reset: a sustained shift stops alarming after a few
// points (4 for a large shift) instead of alarming for a day.
//
// The re-anchoring point also scores the shift itself, for the alarm: the
// median of the run moved d scales from the baseline, so the run's mean is a z
// of d sqrt(m) (m points, deflated by the long scale's excess over iid for
// autocorrelated series). A level shift that the single points under-state
// (their tail is compressed in a bursty series) then alarms as it should.
//
// Drift view, also for the alarm only (see driftSurprise): the fast part
// follows a slow drift, or a shift too small for the CUSUM, within about
// 1 / FAST_RATE points, so no single point is surprising. Against the slow
// baseline L + S (time constant a day) such a change persists: an EW mean
// (memory about 50 points) of clipped z against it, in units of its own robust
// scale, is a second look at the point.
//
// Variance view, a third look for the alarm: the EW mean (memory about 4 points)
// of min(|z|, SCALE_CLIP), whose expectation is SCALE_CLIP_MEAN for any noise
// shape (the scale is defined by it), above that in units of its own robust
// scale, one-sided. A run of moderately large points of either sign (a burst of
// variance, a pattern breaking up) is surprising where no single point, mean or
// drift is; a noise-free series sits at the scale floor and below E, so it is silent.
// The largest of the three surprises, the drift's and the variance's
// Sidak-corrected for three looks, goes into the alarm.
//
// Alarm score (see alarmOf): a second output for deciding anomalies. The
// calibrated surprise says how unlikely a point is under the model; the alarm
// says whether it is news for this series. It is the conformal surprise of the
// point among the series' own recent surprises (an exponentially forgetting
// histogram, memory ALARM_MEMORY points), so a series whose bursts are routine
// stops alarming on them, at most the model surprise beyond what the largest
// of ALARM_MEMORY ordinary points reaches, weighted by the model's surprise; less a refractory
// term (the largest recent alarm, decaying over REFRACT_MS while the series stays
// surprising and over QUIET_REFRACT_MS once it is ordinary again, and the largest
// alarm within two hours of this time of day, kept per 15-minute bucket and
// decaying over a week: earlier days' and today's), so an anomaly alarms once at
// its onset, a daily job whose start jitters does not alarm daily, and an anomaly
// that has ended does not mask the next. A drift or variance view's value joins the
// refractory peaks only once its EW mean stops growing: its evidence accumulates over its memory,
// and fed point by point a steadily growing drift would only ever alarm by its last increment.
// A second member, contextual.ts, asks whether the value has ever followed
// the one before it (CAD OSE's question, on 3-bit symbols of a forgetting
// range); its value (evidence of a novel transition, Bonferroni-corrected
// over the 64 pairs and Sidak-corrected for the second member, less its own
// refractory peak) competes with this one, and
// the larger is the alarm. The alarm is a ranking, mapped to [0,1) as c / (c + ALARM_HALF).
// Alert hold (see report): an alarm at or above the alert level (the threshold anomalies are
// decided at, 0.7 by default) is an alert, and a further alert within HOLD_MS (four hours,
// sliding) of the last is the same incident and reports 0, whichever member raised it: the
// refractory peaks compare values, so a rising incident, or the other member, would alert again.

import { ERR_BAD_HANDLE, ERR_CORRUPT, ERR_INVALID_ARGUMENT, ERR_NOT_FINITE, ERR_OUT_OF_ORDER, OK } from "../util/status";
import { Registry } from "../util/registry";
import { OUT, setBadIndex } from "../util/bytes";
import { ContextualDetector, CTX_COUNTS, CTX_SCALARS, CTX_SYMBOLS } from "./contextual";

/** Points used for the robust initial estimate (median, MAD); also the ring size. */
export const INIT_POINTS: i32 = 16;
/** Points after which scores have full weight (linear ramp from INIT_POINTS). */
export const WARMUP_POINTS: i32 = 64;
/** Rate of the fast deviation G per point. */
export const FAST_RATE: f64 = 0.05;
/** Time constant of the slow level L, ms (one day). */
export const SLOW_LEVEL_MS: f64 = 86_400_000;
/** Trend smoothing (Holt's beta: the trend moves by FAST_RATE * TREND_RATE of a residual). */
export const TREND_RATE: f64 = 0.1;
/** Trend damping per point. */
export const TREND_DAMPING: f64 = 0.98;
/** Huber clip of level updates, in scales. */
export const LEVEL_CLIP: f64 = 3;
/** Rate of the scale estimate per point. */
export const SCALE_RATE: f64 = 0.02;
/** Clip of absolute residuals in the scale update, in scales. */
export const SCALE_CLIP: f64 = 2;
/**
 * E[min(|Z|, 2)] for a standard normal Z: 2 (phi(0) - phi(2)) + 2 * 2 (1 - Phi(2))
 * = 2 (0.3989422804 - 0.0539909665) + 4 * 0.0227501319 = 0.7809031556.
 */
export const SCALE_CLIP_MEAN: f64 = 0.7809031556;
/** Normal consistency constant of the MAD: 1 / Phi^-1(3/4). */
export const MAD_TO_SIGMA: f64 = 1.482602218505602;
/** Scale floor relative to |baseline| (a constant series is not infinitely sensitive). */
export const SCALE_FLOOR_REL: f64 = 1e-2;
/** Absolute scale floor. */
export const SCALE_FLOOR_ABS: f64 = 1e-9;
/** Clip of z before the long-scale mean and the CUSUM. */
export const Z_CLIP: f64 = 4;
/** Rate of the long-scale EW mean of clipped z. */
export const LONG_RATE: f64 = 0.1;
/** Standard deviation of that EW mean for iid unit z: sqrt(r / (2 - r)). */
export const LONG_SD: f64 = 0.22941573387056177;
/** Rate of the robust scale of the long-scale mean. */
export const LONG_SCALE_RATE: f64 = 0.01;
/** Threshold of |z| for the tail statistics. */
export const TAIL_Z: f64 = 3;
/** P(|Z| > 3) for a standard normal: 2 Q(3). */
export const TAIL_P0: f64 = 0.0026997960632601913;
/** E[|Z| - 3 | |Z| > 3] for a standard normal: phi(3) / Q(3) - 3. */
export const TAIL_EXCESS0: f64 = 0.2830986549304342;
/** Rate of the EW exceedance rate (memory about 1000 points). */
export const TAIL_RATE: f64 = 0.001;
/** Rate of the EW mean excess, per exceedance (memory about 50 exceedances). */
export const TAIL_EXCESS_RATE: f64 = 0.02;
/** Clip of one excess, in mean excesses (one huge spike moves beta by at most 8%). */
export const TAIL_EXCESS_CLIP: f64 = 5;
/** Below this |z_long| its tail cannot be the smaller one (p > 0.3); skipped. */
const TAIL_LONG_MIN: f64 = 1;
/** CUSUM slack (detects shifts of about 2 scales and more). */
export const CUSUM_K: f64 = 1;
/** CUSUM threshold: 4 consecutive points at Z_CLIP (3 each) exceed it. */
export const CUSUM_H: f64 = 10;
/** Expected range half-width, in scales. */
export const RANGE_Z: f64 = 3;
/** Decades of surprise per unit of score (below the knee: p = 10^-8u scores u). */
export const SURPRISE_DECADES: f64 = 8;
/** Scores up to this are linear in the surprise; above it they keep rising towards 1 without reaching it. */
const SCORE_KNEE: f64 = 0.9;

/**
 * The score of a surprise (decades, -log10 p): surprise / SURPRISE_DECADES up to SCORE_KNEE, then
 * 0.9 + 0.1 (1 - exp(-(excess) / SURPRISE_DECADES)), so the most extreme points still rank above
 * merely extreme ones instead of all scoring 1.
 */
// @ts-ignore: decorator
@inline export function scoreOf(surprise: f64): f64 {
  const u = surprise / SURPRISE_DECADES;
  if (u <= SCORE_KNEE) return u;
  return SCORE_KNEE + (1 - SCORE_KNEE) * (1 - Math.exp(-(u - SCORE_KNEE)));
}
/** Memory of the alarm's histogram of surprises, points (the conformal sample, about 10 days of 5-minute data). */
export const ALARM_MEMORY: f64 = 3000;
/**
 * Decades of model surprise an alarm must exceed: log10(ALARM_MEMORY). The most extreme of the
 * last ALARM_MEMORY ordinary points is always rare in its own history; under the model it is
 * also expected about once in that many points, so only surprise beyond it is news (Bonferroni
 * over the sample the conformal surprise uses). Without it, Gaussian noise alarms about once in
 * 1000 points.
 */
export const ALARM_GATE: f64 = 3.4771212547196626;
/** Histogram bins per octave of 1 + surprise, and bins (the last one is open: surprise above 2^(64/6) - 1 = 1624). */
export const ALARM_BINS_PER_OCTAVE: f64 = 6;
export const ALARM_BINS: i32 = 64;
/** Time constant of the refractory peak, ms (two days): a persisting anomaly alarms once, not for days. */
export const REFRACT_MS: f64 = 172_800_000;
/**
 * Time constant of the refractory peak once the series is ordinary again (points below ALARM_GATE),
 * ms (four hours): an anomaly that has ended no longer masks the next one for two days.
 */
export const QUIET_REFRACT_MS: f64 = 14_400_000;
/** Half-width of the time-of-day refractory, in 15-minute buckets (two hours either side). */
export const DAY_REFRACT_BUCKETS: i32 = 8;
/** Time constant of the time-of-day refractory peaks, ms (a week, as the day profile's memory). */
export const DAY_REFRACT_MS: f64 = 604_800_000;
/**
 * Alarm value mapped to 0.7 = ALARM_HALF * 7/3: c / (c + ALARM_HALF). Chosen so that 0.7, the
 * Worker's anomaly threshold, sits at the alarm value NAB's standard profile picks on nab-dev
 * (about 1.24); the only constant set from those files, and it moves the threshold, not the ranking.
 */
export const ALARM_HALF: f64 = 0.53;
/** Default alert level of the alarm (the facade's ALARM_THRESHOLD): alarms at or above it are alerts. */
export const ALERT_LEVEL: f64 = 0.7;
/**
 * An alert within this long of the previous one (ms, four hours; sliding) is the same incident and
 * reports 0: Prometheus Alertmanager's default repeat_interval, and QUIET_REFRACT_MS, after which an
 * ended episode no longer masks the next.
 */
export const HOLD_MS: f64 = 14_400_000;
/** Rate of the drift view's EW mean of z against the slow baseline (memory about 50 points). */
export const DRIFT_RATE: f64 = 0.02;
/** Its standard deviation for iid unit z: sqrt(r / (2 - r)). */
export const DRIFT_SD: f64 = 0.1005037815259212;
/** Rate of the drift view's robust scale (memory about 500 points, ten times the mean's). */
export const DRIFT_SCALE_RATE: f64 = 0.002;
/** Rate of the variance view's EW mean of min(|z|, SCALE_CLIP) (memory about 4 points, as the CUSUM's run). */
export const VAR_RATE: f64 = 0.25;
/**
 * Its standard deviation for iid Gaussian z: sd(min(|Z|, 2)) sqrt(r / (2 - r)), with
 * E[min(|Z|, 2)^2] = P(|Z| < 2) - 4 phi(2) + 4 P(|Z| > 2) = 0.9544997 - 0.2159639 + 0.1820011 = 0.9205369,
 * sd = sqrt(0.9205369 - 0.7809032^2) = 0.5574291, times sqrt(0.25 / 1.75) = 0.3779645.
 */
export const VAR_SD: f64 = 0.2106884;
/** Largest step (ms) for which time-of-day and hour-of-week profiles are learned. */
export const SEASON_MAX_STEP_MS: f64 = 3_600_000;
/** Age (ms) from which the day profile is used and the week correction learned. */
export const SEASON_START_MS: f64 = 86_400_000 + 3_600_000;
/** Week-correction shrinkage: a bucket counts c / (c + WEEK_SHRINK_WEEKS * visits a week). */
export const WEEK_SHRINK_WEEKS: f64 = 2;
/** Memory of the time-of-day profile, days; of the hour-of-week correction, weeks. */
export const DAY_PROFILE_MEMORY: f64 = 7;
export const WEEK_PROFILE_MEMORY: f64 = 3;
/** Bounds of a time-of-day bucket's scale multiplier. */
export const Q_MIN: f64 = 0.5;
export const Q_MAX: f64 = 10;
/** A bucket's scale multiplier counts c / (c + Q_SHRINK_DAYS * visits a day). */
export const Q_SHRINK_DAYS: f64 = 3;
/** Huber clip of profile updates, in profile scales. */
export const PROFILE_CLIP: f64 = 3;

const HOUR_MS: f64 = 3_600_000;
const DAY_MS: f64 = 86_400_000;
const WEEK_MS: f64 = 604_800_000;
const DAY_BUCKETS: i32 = 96;
/** Width of a time-of-day bucket, ms (15 minutes). */
const DAY_BUCKET_MS: f64 = 900_000;
const WEEK_BUCKETS: i32 = 168;
const LN10: f64 = 2.302585092994046;
const LN2: f64 = 0.6931471805599453;
const LOG10_3: f64 = 0.47712125471966244;
const INV_SQRT2: f64 = 0.7071067811865476;

/**
 * Serialised form: magic "HSD4", then the fixed-size state, then an FNV-1a checksum. "HSD4" added
 * the alert hold's time as the last scalar; an "HSD3" state (the same without it) is read as one
 * with no alert yet, so a deploy keeps every series' learned state. Older ones ("HSD2") are refused
 * and the Worker starts that series afresh.
 */
export const DETECTOR_MAGIC: u32 = 0x34445348;
/** Magic of the previous form, still read (see above). */
const DETECTOR_MAGIC_V3: u32 = 0x33445348;
const SCALARS: i32 = 29;
/** Scalars of an "HSD3" state (all but alertAt). */
const SCALARS_V3: i32 = 28;
/** Bytes of a serialised detector (fixed). */
export const SERIAL_BYTES: i32 =
  4 + SCALARS * 8 + INIT_POINTS * 8 + (2 * DAY_BUCKETS + WEEK_BUCKETS) * 4 + (DAY_BUCKETS + WEEK_BUCKETS) * 2 + (ALARM_BINS + 2 * DAY_BUCKETS) * 4 + CTX_SCALARS * 8 + CTX_COUNTS + 4;
const SERIAL_BYTES_V3: i32 = SERIAL_BYTES - (SCALARS - SCALARS_V3) * 8;


/**
 * t and the exponent of Numerical Recipes' erfcc: erfc(x) = t exp(-x^2 + P(t)),
 * t = 1 / (1 + x/2), fractional error below 1.2e-7 for x >= 0. Returns the
 * exponent -x^2 + P(t); t is left in ERFC_T.
 */
let ERFC_T: f64 = 0;
@inline function erfcExponent(x: f64): f64 {
  const t = 1.0 / (1.0 + 0.5 * x);
  ERFC_T = t;
  return (
    -x * x -
    1.26551223 +
    t *
      (1.00002368 +
        t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
  );
}

/** Below this x = |z| / sqrt 2, erfc(x) is computed directly (erfc(26) ~ 1e-296, no underflow). */
const TAIL_DIRECT_MAX: f64 = 26;

/** erfc(x) = P(|Z| > x sqrt 2) for x >= 0, directly. */
@inline function ERFC_T_OF(x: f64): f64 {
  const e = erfcExponent(x);
  return ERFC_T * Math.exp(e);
}

/** ln P(|Z| > z) for a standard normal Z, z >= 0, without underflow. */
@inline function lnGaussTail(z: f64): f64 {
  const e = erfcExponent(z * INV_SQRT2);
  return Math.log(ERFC_T) + e;
}

/**
 * Surprise in decades, -log10 p, of the two-scale test.
 * Short scale: the two-sided Gaussian tail, adapted to the series' own tail:
 * with f the observed rate of |z| > TAIL_Z and beta the mean excess |z| - TAIL_Z
 * over it (Gaussian: F0 = 0.0027, B0 = 0.2831), the excess is compressed by
 * min(1, B0 / beta) and the tail scaled by max(1, f / F0):
 *   p_s = max(1, f / F0) P(|Z| > z'),  z' = z (z <= 3),  3 + (z - 3) min(1, B0 / beta) (z > 3),
 * which is exactly Gaussian for Gaussian residuals and less surprised by
 * series whose bursts are ordinary (peaks-over-threshold, as in SPOT).
 * Long scale: Gaussian (an average). The smaller p is Sidak-corrected for
 * the two looks: p = 1 - (1 - p_min)^2 = p_min (2 - p_min).
 */
export function surpriseOf(zShort: f64, zLong: f64, tailRate: f64, tailExcess: f64): f64 {
  let a = Math.abs(zShort);
  if (a > TAIL_Z && tailExcess > TAIL_EXCESS0) a = TAIL_Z + ((a - TAIL_Z) * TAIL_EXCESS0) / tailExcess;
  const factor = tailRate > TAIL_P0 ? tailRate / TAIL_P0 : 1.0;
  const b = Math.abs(zLong);
  const x = a * INV_SQRT2;
  if (x < TAIL_DIRECT_MAX) {
    // Probabilities directly: one exp per scale looked at, one log.
    let p = factor * ERFC_T_OF(x);
    if (b > TAIL_LONG_MIN) {
      const pl = ERFC_T_OF(b * INV_SQRT2);
      if (pl < p) p = pl;
    }
    if (p > 1) p = 1; // the approximation may exceed 1 by ~1e-7 at 0
    const s = -Math.log(p * (2.0 - p)) / LN10;
    return s > 0 ? s : 0;
  }
  // Far tail: in log space (p underflows).
  let lmin = lnGaussTail(a) + Math.log(factor);
  if (b > TAIL_LONG_MIN) {
    const ll = lnGaussTail(b);
    if (ll < lmin) lmin = ll;
  }
  if (lmin > 0) lmin = 0;
  const s = -(lmin + Math.log(2.0 - Math.exp(lmin))) / LN10;
  return s > 0 ? s : 0;
}

/**
 * A look's surprise s (decades) corrected for the alarm's three looks at the same point (Sidak):
 * -log10(1 - (1 - p)^3) with p = 10^-s, computed as -log10(p (3 - 3p + p^2)) so it stays exact
 * when p is tiny (and s - log10 3 when p underflows). The drift and variance views are the second
 * and third looks.
 */
@inline function sidak3(s: f64): f64 {
  if (s > 300) return s - LOG10_3;
  const p = Math.pow(10, -s);
  const r = s - Math.log10(3 - 3 * p + p * p);
  return r > 0 ? r : 0;
}

/** One series' detector state. Created once per series; push allocates nothing. */
export class StreamingDetector {
  // Scalars (serialised in this order).
  n: f64 = 0;
  lastT: f64 = 0;
  step: f64 = 0;
  level: f64 = 0;
  fast: f64 = 0;
  scale: f64 = 0;
  profileScale: f64 = 0;
  ewz: f64 = 0;
  /** Robust scale of ewz. */
  longScale: f64 = LONG_SD;
  /** Damped local trend of the fast part, per point. */
  trend: f64 = 0;
  /** EW rate of |z| > TAIL_Z, and EW mean of the excess |z| - TAIL_Z. */
  tailRate: f64 = TAIL_P0;
  tailExcess: f64 = TAIL_EXCESS0;
  cpos: f64 = 0;
  cneg: f64 = 0;
  runPos: f64 = 0;
  runNeg: f64 = 0;
  ringHead: f64 = 0;
  seasonal: f64 = 1;
  firstT: f64 = 0;
  /** 1 once the day profile is part of the baseline. */
  seasonActive: f64 = 0;
  lastSurprise: f64 = 0;
  /** Alarm histogram: total weight, and the weight of the next point (lazy forgetting, see alarmOf). */
  alarmTotal: f64 = 0;
  alarmInc: f64 = 1;
  /** Decaying peak of recent alarms (refractory suppression of a persisting anomaly). */
  alarmPeak: f64 = 0;
  /** Drift view: EW mean of clipped z against the slow baseline L + S, and its robust EW scale. */
  drift: f64 = 0;
  driftScale: f64 = DRIFT_SD;
  /** Variance view: EW mean of min(|z|, SCALE_CLIP) (rate VAR_RATE), and its robust EW scale. */
  varMean: f64 = SCALE_CLIP_MEAN;
  varScale: f64 = 0;
  /** Time of the last alert (see report). */
  alertAt: f64 = -Infinity;
  // Outputs of the last push and settings (not serialised: they follow the SCALARS).
  /** Alarm at and above which a point is an alert (a setting, given at creation and after restore). */
  alertLevel: f64 = ALERT_LEVEL;
  outScore: f64 = 0;
  outLow: f64 = 0;
  outHigh: f64 = 0;
  outAlarm: f64 = 0;
  /** Last INIT_POINTS deseasonalised values (for the initial estimate and re-anchoring). */
  ring: StaticArray<f64> = new StaticArray<f64>(INIT_POINTS);
  /** Time-of-day offsets from the level, and hour-of-week corrections to them. */
  day: StaticArray<f32> = new StaticArray<f32>(DAY_BUCKETS);
  week: StaticArray<f32> = new StaticArray<f32>(WEEK_BUCKETS);
  /** Visits per bucket (saturating), for a running-mean start. */
  dayCount: StaticArray<u16> = new StaticArray<u16>(DAY_BUCKETS);
  weekCount: StaticArray<u16> = new StaticArray<u16>(WEEK_BUCKETS);
  /** Scale multiplier per time-of-day bucket (1 until learned). */
  dayScale: StaticArray<f32> = new StaticArray<f32>(DAY_BUCKETS);
  /** Alarm histogram of surprises (weights scaled by alarmInc). */
  alarmHist: StaticArray<f32> = new StaticArray<f32>(ALARM_BINS);
  /** Largest alarm per time-of-day bucket and when (minutes since the first point). */
  dayPeak: StaticArray<f32> = new StaticArray<f32>(DAY_BUCKETS);
  dayPeakAt: StaticArray<f32> = new StaticArray<f32>(DAY_BUCKETS);
  /** The alarm's contextual member (has this value followed the one before it? see contextual.ts). */
  ctx: ContextualDetector = new ContextualDetector();

  constructor() {
    for (let i = 0; i < DAY_BUCKETS; i++) unchecked((this.dayScale[i] = 1));
  }

  /** Shrunk week correction at `tw` ms into the week. */
  @inline weekAt(tw: f64): f64 {
    const b = weekBucket(tw);
    const c = <f64>unchecked(this.weekCount[b]);
    const k = WEEK_SHRINK_WEEKS * Math.max(1.0, HOUR_MS / this.step);
    return (c / (c + k)) * <f64>unchecked(this.week[b]);
  }

  /** Scores one point and updates the state; the score and range are left in outScore, outLow, outHigh. */
  @inline push(t: f64, x: f64): void {
    const n = <i32>this.n;
    if (n > 0) {
      const dt = t - this.lastT;
      if (dt > 0) {
        if (this.step == 0) this.step = dt;
        else this.step += 0.05 * (Math.min(dt, 10 * this.step) - this.step);
      }
    }
    if (n == 0) this.firstT = t;
    this.lastT = t;
    this.n = <f64>(n + 1);
    const cx = this.ctx.push(x);
    if (n < INIT_POINTS) {
      this.initPoint(n, x);
      return;
    }
    const useSeason = this.seasonal != 0 && this.step > 0 && this.step <= SEASON_MAX_STEP_MS;
    let td: f64 = 0;
    let tw: f64 = 0;
    let dayAt: f64 = 0;
    let season: f64 = 0;
    let q: f64 = 1;
    if (useSeason) {
      td = t - Math.floor(t / DAY_MS) * DAY_MS;
      tw = t - Math.floor(t / WEEK_MS) * WEEK_MS;
      const bd = dayBucket(td);
      dayAt = <f64>unchecked(this.day[bd]);
      if (this.seasonActive == 0 && t - this.firstT >= SEASON_START_MS) {
        // Switch the day profile in without moving the baseline: G gives up what S now explains.
        this.seasonActive = 1;
        this.fast -= dayAt;
      }
      if (this.seasonActive != 0) {
        season = dayAt + this.weekAt(tw);
        // Shrunk toward 1 by c / (c + Q_SHRINK_DAYS * visits a day): a few visits are noisy.
        const c = <f64>unchecked(this.dayCount[bd]);
        const k = Q_SHRINK_DAYS * Math.max(1.0, DAY_BUCKET_MS / this.step);
        const qb = Math.min(Math.max(<f64>unchecked(this.dayScale[bd]), Q_MIN), Q_MAX);
        q = 1 + (qb - 1) * (c / (c + k));
      }
    }
    const level = this.level;
    const dtrend = TREND_DAMPING * this.trend;
    const baseline = level + season + this.fast + dtrend;
    let se = this.scale;
    const floor = Math.max(SCALE_FLOOR_REL * Math.abs(baseline), SCALE_FLOOR_ABS);
    if (se < floor) se = floor;
    const sp = se * q; // this point's scale
    const r = x - baseline;
    const z = r / sp;
    const zc = Math.min(Math.max(z, -Z_CLIP), Z_CLIP);
    const ewz = this.ewz + LONG_RATE * (zc - this.ewz);
    this.ewz = ewz;
    const ls = this.longScale > LONG_SD ? this.longScale : LONG_SD;
    this.longScale += LONG_SCALE_RATE * (Math.min(Math.abs(ewz), SCALE_CLIP * ls) / SCALE_CLIP_MEAN - this.longScale);
    let w = <f64>(n + 1 - INIT_POINTS) / <f64>(WARMUP_POINTS - INIT_POINTS);
    if (w > 1) w = 1;
    // Warm-up weights the clamped score, so an early point scores at most w;
    // the surprise handed to the combination stays unclamped once warmed up.
    let surprise = surpriseOf(z, ewz / ls, this.tailRate, this.tailExcess);
    if (w < 1) surprise = w * Math.min(surprise, SURPRISE_DECADES);
    this.lastSurprise = surprise;
    this.outScore = scoreOf(surprise);
    this.outLow = baseline - RANGE_Z * sp;
    this.outHigh = baseline + RANGE_Z * sp;

    // The series' own tail: exceedance rate and clipped mean excess.
    const az = Math.abs(z);
    const exceed = az > TAIL_Z;
    this.tailRate += TAIL_RATE * ((exceed ? 1.0 : 0.0) - this.tailRate);
    if (exceed) {
      const te = this.tailExcess;
      this.tailExcess = te + TAIL_EXCESS_RATE * (Math.min(az - TAIL_Z, TAIL_EXCESS_CLIP * te) - te);
    }

    // Deseasonalised value into the ring.
    const y = x - season;
    const head = <i32>this.ringHead;
    unchecked((this.ring[head] = y));
    this.ringHead = <f64>((head + 1) & (INIT_POINTS - 1));

    // CUSUM on clipped z; the run length is the points since it was last 0.
    const cp = Math.max(0, this.cpos + zc - CUSUM_K);
    const cn = Math.max(0, this.cneg - zc - CUSUM_K);
    this.runPos = cp > 0 ? this.runPos + 1 : 0;
    this.runNeg = cn > 0 ? this.runNeg + 1 : 0;
    if (cp > CUSUM_H || cn > CUSUM_H) {
      const run = <i32>(cp > CUSUM_H ? this.runPos : this.runNeg);
      const m = run < INIT_POINTS ? run : INIT_POINTS;
      const anchored = this.recentMedian(m);
      // The shift itself is evidence: the mean of m points moved by d scales (the level before
      // included the fast part), inflated for autocorrelation by the long scale's excess over iid.
      const before = level + this.fast + dtrend;
      const zs = (Math.abs(anchored - before) / se) * Math.sqrt(<f64>m) * (LONG_SD / ls);
      // Gaussian (the short-scale path, log space in the far tail); an input of the alarm only,
      // so the calibrated score stays that of the point.
      const ss = w < 1 ? surprise : surpriseOf(zs, 0, TAIL_P0, TAIL_EXCESS0);
      // Before the day profile is in use its buckets are offsets from the level: re-express the
      // ones learned so far from the re-anchored level, or a daily edge on the first day (a level
      // shift then) would leave the rest of that day's buckets learned from a different level.
      if (useSeason && this.seasonActive == 0) this.shiftDayProfile(anchored - level);
      this.level = anchored;
      this.fast = 0;
      this.trend = 0;
      this.ewz = 0;
      this.cpos = 0;
      this.cneg = 0;
      this.runPos = 0;
      this.runNeg = 0;
      this.outAlarm = this.alarmOfLooks(ss > surprise ? ss : surprise, x - level - season, se, z, w, t, useSeason, cx);
      this.drift = 0;
      return;
    }
    this.cpos = cp;
    this.cneg = cn;

    // Robust updates: scale, fast deviation, slow level.
    const ar = Math.abs(r) / q;
    this.scale += SCALE_RATE * (Math.min(ar, SCALE_CLIP * se) / SCALE_CLIP_MEAN - this.scale);
    const lim = LEVEL_CLIP * sp;
    const rc = Math.min(Math.max(r, -lim), lim);
    this.fast += dtrend + FAST_RATE * rc;
    this.trend = dtrend + FAST_RATE * TREND_RATE * rc;
    let slow = this.step > 0 ? this.step / SLOW_LEVEL_MS : FAST_RATE;
    if (slow > FAST_RATE) slow = FAST_RATE;
    this.level = level + slow * Math.min(Math.max(y - level, -lim), lim);

    if (useSeason) this.learnSeason(td, tw, dayAt, x - level, se);
    this.outAlarm = this.alarmOfLooks(surprise, x - level - season, se, z, w, t, useSeason, cx);
  }

  /**
   * Updates the drift and variance views (dev: the point's deviation from the slow baseline; z: its
   * robust z) and returns the alarm of the largest of the three looks: sp, the point's (or the
   * shift's) surprise, and the two views' Sidak-corrected for three looks. A view's EW mean that
   * grew at this point is its episode's evidence still accumulating (see alarmOf). Called by push.
   */
  @inline alarmOfLooks(sp: f64, dev: f64, se: f64, z: f64, w: f64, t: f64, useSeason: bool, cx: f64): f64 {
    const d0 = this.drift;
    const v0 = this.varMean;
    const sd = this.driftSurprise(dev, se, w);
    const sv = this.varianceSurprise(z, w);
    let sa = sp;
    let rising = false;
    if (sd > sa) {
      sa = sidak3(sd);
      rising = Math.abs(this.drift) > Math.abs(d0);
    }
    if (sv > sa) {
      sa = sidak3(sv);
      rising = this.varMean > v0;
    }
    return this.alarmOf(sa, t, useSeason, cx, rising);
  }

  /**
   * The alarm value of this point's surprise s (decades: lastSurprise, or the shift's when the
   * CUSUM re-anchors and that is larger) and of the contextual member's evidence cx (decades, from
   * ContextualDetector.push; the larger of the two members' values counts), mapped to [0,1) (see the
   * header). With H the forgetting histogram of earlier surprises (total weight N), the conformal
   * surprise is cf = -log10((H(>= bin of s) + 1) / (N + 1)), at most s - ALARM_GATE (a point the
   * model finds ordinary is not news however rare its bin); the alarm value is
   *   c = cf (1 + log10(1 + s)) - max(peak, dayPeak),
   * so among points equally rare for the series the more extreme rank first. peak is the largest
   * earlier c decaying over REFRACT_MS; dayPeak the largest c in this 15-minute time-of-day bucket,
   * decaying over DAY_REFRACT_MS (seasonal series only). The histogram forgets at rate
   * 1 / ALARM_MEMORY without touching every bin: each new point weighs 1 / (1 - rate) more than the
   * last, and all weights are rescaled when that grows past 1e6.
   * rising: s is the drift or the variance view's and that view's EW mean grew at this point. Such a
   * value does not join the refractory peaks: a smoothed view's evidence accumulates over its
   * memory, so feeding each point's value would leave only the increments to alarm and a steadily
   * growing drift would never alarm (each point suppressed by the one before); it is judged whole
   * against the peaks from before it, and joins them once it stops growing (the alert hold keeps
   * it to one alert). Called by push for every point.
   */
  alarmOf(s: f64, t: f64, useSeason: bool, cx: f64, rising: bool): f64 {
    let b = <i32>((ALARM_BINS_PER_OCTAVE / LN2) * Math.log(1 + s));
    if (b > ALARM_BINS - 1) b = ALARM_BINS - 1;
    const h = this.alarmHist;
    const total = this.alarmTotal;
    let above: f64 = 0;
    if (b < ALARM_BINS >> 1) {
      let below: f64 = 0;
      for (let j = 0; j < b; j++) below += <f64>unchecked(h[j]);
      above = total - below;
    } else {
      for (let j = b; j < ALARM_BINS; j++) above += <f64>unchecked(h[j]);
    }
    if (above < 0) above = 0; // f32 rounding of the bins against the f64 total
    const inc = this.alarmInc;
    let cf = -Math.log10((above + inc) / (total + inc));
    if (cf > s - ALARM_GATE) cf = s - ALARM_GATE;
    if (cf < 0) cf = 0;
    const c = cf * (1 + Math.log10(1 + s));

    // Forgetting: the next point weighs 1 / (1 - rate) times this one.
    unchecked((h[b] = <f32>(<f64>unchecked(h[b]) + inc)));
    this.alarmTotal = total + inc;
    const next = inc / (1 - 1 / ALARM_MEMORY);
    if (next > 1e6) {
      for (let j = 0; j < ALARM_BINS; j++) unchecked((h[j] = <f32>(<f64>unchecked(h[j]) / next)));
      this.alarmTotal /= next;
      this.alarmInc = 1;
    } else {
      this.alarmInc = next;
    }

    // The refractory peak fades over REFRACT_MS while the series stays surprising, and over
    // QUIET_REFRACT_MS once its points are ordinary again (the episode is over).
    const decay = Math.exp(-this.step / REFRACT_MS);
    const peak = this.alarmPeak * (s < ALARM_GATE ? Math.exp(-this.step / QUIET_REFRACT_MS) : decay);
    // The contextual member's value, on the same scale with its own refractory: the larger alarms.
    const ac = this.ctx.alarmValue(cx, decay);
    if (c <= 0) {
      this.alarmPeak = peak;
      return this.report(ac > 0 ? ac / (ac + ALARM_HALF) : 0, t); // nothing of this member's to suppress or remember
    }
    this.alarmPeak = c > peak && !rising ? c : peak;
    let sup = peak;
    if (useSeason) {
      // The largest earlier alarm within DAY_REFRACT_BUCKETS buckets of this time of day: a
      // daily job's start jitters, so "the same time" is a neighbourhood, not one bucket.
      const bd = dayBucket(t - Math.floor(t / DAY_MS) * DAY_MS);
      const now = (t - this.firstT) / 60_000;
      for (let j = -DAY_REFRACT_BUCKETS; j <= DAY_REFRACT_BUCKETS; j++) {
        const bj = (bd + j + DAY_BUCKETS) % DAY_BUCKETS;
        const pj = <f64>unchecked(this.dayPeak[bj]);
        if (pj <= sup) continue; // decay only lowers it
        const age = (now - <f64>unchecked(this.dayPeakAt[bj])) * 60_000;
        const dj = pj * Math.exp(-age / DAY_REFRACT_MS);
        if (dj > sup) sup = dj;
      }
      const own = <f64>unchecked(this.dayPeak[bd]) * Math.exp(-((now - <f64>unchecked(this.dayPeakAt[bd])) * 60_000) / DAY_REFRACT_MS);
      if (c > own && !rising) {
        unchecked((this.dayPeak[bd] = <f32>c));
        unchecked((this.dayPeakAt[bd] = <f32>now));
      }
    }
    let a = c - sup;
    if (ac > a) a = ac; // the contextual member's value, when larger

    return this.report(a > 0 ? a / (a + ALARM_HALF) : 0, t);
  }

  /**
   * The alarm as reported for alarm v at time t: an alert (v >= alertLevel) within HOLD_MS of the
   * previous alert is the same incident and reports 0, and extends the hold (an incident lasts
   * until four hours pass without an alert). Whichever member raised them, so two members, or one
   * member's rising values, do not alert several times for one incident. Called by alarmOf.
   */
  @inline report(v: f64, t: f64): f64 {
    if (v < this.alertLevel) return v;
    const held = t - this.alertAt <= HOLD_MS;
    this.alertAt = t;
    return held ? 0 : v;
  }

  /**
   * The drift view's surprise (decades), an input of the alarm only: the EW mean (rate DRIFT_RATE)
   * of clipped dev / se, dev the point's deviation from the slow baseline L + S (without the fast
   * part, which absorbs a drift or a moderate shift within about 1 / FAST_RATE points), in units of
   * its own robust EW scale (rate DRIFT_SCALE_RATE, floored at the iid value DRIFT_SD: real
   * residuals wander), as a two-sided Gaussian tail. 0 for the first INIT_POINTS + 1 / DRIFT_SCALE_RATE
   * points. Updates the state.
   */
  driftSurprise(dev: f64, se: f64, w: f64): f64 {
    const zc = Math.min(Math.max(dev / se, -Z_CLIP), Z_CLIP);
    const m = this.drift + DRIFT_RATE * (zc - this.drift);
    this.drift = m;
    const ms = this.driftScale > DRIFT_SD ? this.driftScale : DRIFT_SD;
    this.driftScale += DRIFT_SCALE_RATE * (Math.min(Math.abs(m), SCALE_CLIP * ms) / SCALE_CLIP_MEAN - this.driftScale);
    // Silent until its robust scale has had its memory (1 / DRIFT_SCALE_RATE points): before that
    // the scale is the iid floor and the slow level's start-up error alone would look like drift.
    if (w < 1 || this.n < <f64>INIT_POINTS + 1 / DRIFT_SCALE_RATE) return 0;
    const b = Math.abs(m) / ms;
    return b > TAIL_LONG_MIN ? -lnGaussTail(b) / LN10 : 0;
  }

  /**
   * The variance view's surprise (decades), an input of the alarm only: the EW mean of
   * min(|z|, SCALE_CLIP), whose expectation is SCALE_CLIP_MEAN whatever the noise's shape (the
   * scale is defined by it), above that expectation in units of its own robust EW scale (floored
   * at the iid value), one-sided. Updates the state.
   */
  varianceSurprise(z: f64, w: f64): f64 {
    const e = Math.min(Math.abs(z), SCALE_CLIP);
    const m = this.varMean + VAR_RATE * (e - this.varMean);
    this.varMean = m;
    const ms = this.varScale > VAR_SD ? this.varScale : VAR_SD;
    const dev = m - SCALE_CLIP_MEAN;
    this.varScale += DRIFT_SCALE_RATE * (Math.min(Math.abs(dev), SCALE_CLIP * ms) / SCALE_CLIP_MEAN - this.varScale);
    if (w < 1 || this.n < <f64>INIT_POINTS + 1 / DRIFT_SCALE_RATE) return 0;
    const b = dev / ms;
    return b > TAIL_LONG_MIN ? -(lnGaussTail(b) - LN2) / LN10 : 0;
  }

  /** Subtracts d from every visited time-of-day bucket (at most DAY_BUCKETS; only while the profile is not yet in use). */
  shiftDayProfile(d: f64): void {
    for (let i = 0; i < DAY_BUCKETS; i++) {
      if (unchecked(this.dayCount[i]) > 0) unchecked((this.day[i] = <f32>(<f64>unchecked(this.day[i]) - d)));
    }
  }

  /** The first INIT_POINTS points: collect, score 0, and estimate level and scale robustly at the end. */
  initPoint(n: i32, x: f64): void {
    unchecked((this.ring[n] = x));
    if (n == 0) this.level = x;
    else this.level += (x - this.level) / <f64>(n + 1);
    if (n == INIT_POINTS - 1) {
      this.level = this.recentMedian(INIT_POINTS);
      for (let i = 0; i < INIT_POINTS; i++) unchecked((SCRATCH[i] = Math.abs(this.ring[i] - this.level)));
      this.scale = MAD_TO_SIGMA * medianOf(INIT_POINTS);
      this.profileScale = this.scale;
      this.ringHead = 0;
    }
    const se = Math.max(this.scale, Math.max(SCALE_FLOOR_REL * Math.abs(this.level), SCALE_FLOOR_ABS));
    this.lastSurprise = 0;
    this.outScore = 0;
    this.outAlarm = 0;
    this.outLow = this.level - RANGE_Z * se;
    this.outHigh = this.level + RANGE_Z * se;
  }

  /** Updates the time-of-day bucket (td ms into the day) toward x - L and the hour-of-week bucket (tw) toward x - L - day(td). */
  learnSeason(td: f64, tw: f64, dayAt: f64, offset: f64, se: f64): void {
    const step = this.step;
    let ps = this.profileScale;
    if (ps < se) ps = se;
    const rp = offset - dayAt;
    const arp = Math.abs(rp);
    this.profileScale += SCALE_RATE * (Math.min(arp, SCALE_CLIP * ps) / SCALE_CLIP_MEAN - this.profileScale);

    const bd = dayBucket(td);
    const cd = <i32>unchecked(this.dayCount[bd]);
    // Rate per visit: 1 / (visits a day * memory), visits a day = max(1, bucket / step).
    let gd = Math.min(step, DAY_BUCKET_MS) / (DAY_BUCKET_MS * DAY_PROFILE_MEMORY);
    const rd = 1.0 / <f64>(cd + 1);
    if (gd < rd) gd = rd;
    // The bucket's scale multiplier: its clipped |residual| relative to the global profile scale.
    const qd = <f64>unchecked(this.dayScale[bd]);
    const qt = Math.min(arp / ps, SCALE_CLIP * Math.max(qd, Q_MIN)) / SCALE_CLIP_MEAN;
    unchecked((this.dayScale[bd] = <f32>(qd + gd * (qt - qd))));
    // A bucket's first day of visits is a plain running mean: clipping it at the profile
    // scale would stop a noise-free pattern (a square wave's edge) from being learned for days.
    const firstDay = <f64>cd < Math.max(1.0, DAY_BUCKET_MS / step);
    const lim = firstDay ? Infinity : PROFILE_CLIP * ps * Math.min(Math.max(qd, Q_MIN), Q_MAX);
    const od = <f64>unchecked(this.day[bd]);
    unchecked((this.day[bd] = <f32>(od + gd * Math.min(Math.max(offset - od, -lim), lim))));
    if (cd < 0xffff) unchecked((this.dayCount[bd] = <u16>(cd + 1)));
    if (this.seasonActive == 0) return;

    const bw = weekBucket(tw);
    const cw = <i32>unchecked(this.weekCount[bw]);
    let gw = Math.min(step, HOUR_MS) / (HOUR_MS * WEEK_PROFILE_MEMORY);
    const rw = 1.0 / <f64>(cw + 1);
    if (gw < rw) gw = rw;
    const ow = <f64>unchecked(this.week[bw]);
    unchecked((this.week[bw] = <f32>(ow + gw * Math.min(Math.max(offset - dayAt - ow, -lim), lim))));
    if (cw < 0xffff) unchecked((this.weekCount[bw] = <u16>(cw + 1)));
  }

  /** Median of the last `m` ring values (1 <= m <= INIT_POINTS). */
  recentMedian(m: i32): f64 {
    if (m < 1) m = 1;
    let p = <i32>this.ringHead;
    for (let i = 0; i < m; i++) {
      p = (p - 1) & (INIT_POINTS - 1);
      unchecked((SCRATCH[i] = this.ring[p]));
    }
    return medianOf(m);
  }
}

/** Scratch for medians (at most INIT_POINTS values); allocated once. */
const SCRATCH = new StaticArray<f64>(INIT_POINTS);

/** Median of SCRATCH[0..m) by insertion sort (m <= 16). */
function medianOf(m: i32): f64 {
  for (let i = 1; i < m; i++) {
    const v = unchecked(SCRATCH[i]);
    let j = i - 1;
    while (j >= 0 && unchecked(SCRATCH[j]) > v) {
      unchecked((SCRATCH[j + 1] = SCRATCH[j]));
      j--;
    }
    unchecked((SCRATCH[j + 1] = v));
  }
  const h = m >> 1;
  return (m & 1) != 0 ? unchecked(SCRATCH[h]) : 0.5 * (unchecked(SCRATCH[h - 1]) + unchecked(SCRATCH[h]));
}

/** Time-of-day bucket of `td` ms into the day (clamped against rounding at the end of the day). */
@inline function dayBucket(td: f64): i32 {
  const b = <i32>(td / DAY_BUCKET_MS);
  return b < DAY_BUCKETS ? b : DAY_BUCKETS - 1;
}

/** Hour-of-week bucket of `tw` ms into the week. */
@inline function weekBucket(tw: f64): i32 {
  const b = <i32>(tw / HOUR_MS);
  return b < WEEK_BUCKETS ? b : WEEK_BUCKETS - 1;
}

/** Live detectors by handle. */
export const detectors = new Registry<StreamingDetector>();

/**
 * Creates a detector. Flags: bit 0 (1) learns the daily/weekly profiles. alertLevel in (0, 1]: the
 * alarm at and above which a point is an alert (see report). Called once per series. Returns a handle.
 */
export function detector_create(seasonal: i32, alertLevel: f64): i32 {
  if (!(alertLevel > 0 && alertLevel <= 1)) return ERR_INVALID_ARGUMENT;
  assert(offsetof<StreamingDetector>("alertAt") == <usize>(SCALARS - 1) * 8, "scalar layout");
  assert(offsetof<ContextualDetector>("counts") == <usize>CTX_SCALARS * 8, "contextual scalar layout");
  const d = new StreamingDetector();
  d.seasonal = (seasonal & 1) != 0 ? 1 : 0;
  d.alertLevel = alertLevel;
  return detectors.add(d);
}

/** Sets a detector's alert level (in (0, 1]; a setting, not state: the facade sets it after a restore). */
export function detector_set_alert_level(h: i32, alertLevel: f64): i32 {
  const d = detectors.get(h);
  if (d === null) return ERR_BAD_HANDLE;
  if (!(alertLevel > 0 && alertLevel <= 1)) return ERR_INVALID_ARGUMENT;
  d.alertLevel = alertLevel;
  return OK;
}

/** Releases a detector. */
export function detector_free(h: i32): i32 {
  return detectors.remove(h) ? OK : ERR_BAD_HANDLE;
}

/**
 * Scores n points (timestamps ms at tsPtr, values at valPtr, non-decreasing
 * timestamps) and writes the columns scores, expected low and high (n f64
 * each at scorePtr, lowPtr, highPtr). When surprisePtr is non-zero, also the
 * surprise (decades, warm-up weighted) per point; when alarmPtr is non-zero,
 * the alarm score per point (see alarmOf).
 * The batch is validated first: on a bad value nothing is updated and the
 * index is in bad_index(). Called by the facade once per batch.
 */
export function detector_push(h: i32, tsPtr: usize, valPtr: usize, n: i32, scorePtr: usize, lowPtr: usize, highPtr: usize, surprisePtr: usize, alarmPtr: usize): i32 {
  const d = detectors.get(h);
  if (d === null) return ERR_BAD_HANDLE;
  if (n < 0) return ERR_INVALID_ARGUMENT;
  let prev = d.n > 0 ? d.lastT : -Infinity;
  for (let i = 0; i < n; i++) {
    const t = load<f64>(tsPtr + (<usize>i << 3));
    const x = load<f64>(valPtr + (<usize>i << 3));
    if (!isFinite(t) || !isFinite(x)) {
      setBadIndex(i);
      return ERR_NOT_FINITE;
    }
    if (t < prev) {
      setBadIndex(i);
      return ERR_OUT_OF_ORDER;
    }
    prev = t;
  }
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    d.push(load<f64>(tsPtr + o), load<f64>(valPtr + o));
    store<f64>(scorePtr + o, d.outScore);
    store<f64>(lowPtr + o, d.outLow);
    store<f64>(highPtr + o, d.outHigh);
    if (surprisePtr != 0) store<f64>(surprisePtr + o, d.lastSurprise);
    if (alarmPtr != 0) store<f64>(alarmPtr + o, d.outAlarm);
  }
  return OK;
}

/** Heap bytes of one managed block: 20-byte header (mmInfo, gcInfo, gcInfo2, rtId, rtSize) plus payload, rounded to 16. */
function blockBytes(payload: i32): i32 {
  return (20 + payload + 15) & ~15;
}

/**
 * Heap bytes of one detector: the object, its nine arrays and its contextual member (an object and an array), each with its
 * block header and allocator alignment. Called by tests and the Worker's budget check.
 */
export function detector_state_bytes(): i32 {
  return (
    blockBytes(<i32>offsetof<StreamingDetector>()) +
    blockBytes(INIT_POINTS * 8) +
    2 * blockBytes(DAY_BUCKETS * 4) +
    blockBytes(WEEK_BUCKETS * 4) +
    blockBytes(DAY_BUCKETS * 2) +
    blockBytes(WEEK_BUCKETS * 2) +
    blockBytes(ALARM_BINS * 4) +
    2 * blockBytes(DAY_BUCKETS * 4) +
    blockBytes(<i32>offsetof<ContextualDetector>()) +
    blockBytes(CTX_COUNTS)
  );
}

/** Bytes of a serialised detector (fixed). */
export function detector_serial_bytes(): i32 {
  return SERIAL_BYTES;
}

/** FNV-1a over [p, p + len). */
function fnv1a(p: usize, len: usize): u32 {
  let hsh: u32 = 0x811c9dc5;
  for (let i: usize = 0; i < len; i++) {
    hsh ^= <u32>load<u8>(p + i);
    hsh *= 0x01000193;
  }
  return hsh;
}

/** Serialises a detector into the shared output buffer; returns its length. Called when the Worker stores a series' state. */
export function detector_serialize(h: i32): i32 {
  const d = detectors.get(h);
  if (d === null) return ERR_BAD_HANDLE;
  OUT.reset();
  OUT.ensure(<usize>SERIAL_BYTES);
  const base = OUT.ptr;
  let p = base;
  store<u32>(p, DETECTOR_MAGIC);
  p += 4;
  const scalars = changetype<usize>(d); // the SCALARS f64 fields are laid out first, in order
  memory.copy(p, scalars, <usize>SCALARS * 8);
  p += <usize>SCALARS * 8;
  memory.copy(p, changetype<usize>(d.ring), <usize>INIT_POINTS * 8);
  p += <usize>INIT_POINTS * 8;
  memory.copy(p, changetype<usize>(d.day), <usize>DAY_BUCKETS * 4);
  p += <usize>DAY_BUCKETS * 4;
  memory.copy(p, changetype<usize>(d.week), <usize>WEEK_BUCKETS * 4);
  p += <usize>WEEK_BUCKETS * 4;
  memory.copy(p, changetype<usize>(d.dayCount), <usize>DAY_BUCKETS * 2);
  p += <usize>DAY_BUCKETS * 2;
  memory.copy(p, changetype<usize>(d.weekCount), <usize>WEEK_BUCKETS * 2);
  p += <usize>WEEK_BUCKETS * 2;
  memory.copy(p, changetype<usize>(d.dayScale), <usize>DAY_BUCKETS * 4);
  p += <usize>DAY_BUCKETS * 4;
  memory.copy(p, changetype<usize>(d.alarmHist), <usize>ALARM_BINS * 4);
  p += <usize>ALARM_BINS * 4;
  memory.copy(p, changetype<usize>(d.dayPeak), <usize>DAY_BUCKETS * 4);
  p += <usize>DAY_BUCKETS * 4;
  memory.copy(p, changetype<usize>(d.dayPeakAt), <usize>DAY_BUCKETS * 4);
  p += <usize>DAY_BUCKETS * 4;
  memory.copy(p, changetype<usize>(d.ctx), <usize>CTX_SCALARS * 8);
  p += <usize>CTX_SCALARS * 8;
  memory.copy(p, changetype<usize>(d.ctx.counts), <usize>CTX_COUNTS);
  p += <usize>CTX_COUNTS;
  store<u32>(p, fnv1a(base, p - base));
  OUT.len = <usize>SERIAL_BYTES;
  return SERIAL_BYTES;
}

/** Restores a detector from serialised bytes; returns a new handle or ERR_CORRUPT. Called when the Worker loads a series' state. */
export function detector_deserialize(ptr: usize, len: usize): i32 {
  const magic = len >= 4 ? load<u32>(ptr) : 0;
  let scalars: i32;
  if (magic == DETECTOR_MAGIC && len == <usize>SERIAL_BYTES) scalars = SCALARS;
  else if (magic == DETECTOR_MAGIC_V3 && len == <usize>SERIAL_BYTES_V3) scalars = SCALARS_V3;
  else return ERR_CORRUPT;
  if (load<u32>(ptr + len - 4) != fnv1a(ptr, len - 4)) return ERR_CORRUPT;
  const d = new StreamingDetector();
  let p = ptr + 4;
  memory.copy(changetype<usize>(d), p, <usize>scalars * 8); // an HSD3 state leaves alertAt at -Infinity
  p += <usize>scalars * 8;
  memory.copy(changetype<usize>(d.ring), p, <usize>INIT_POINTS * 8);
  p += <usize>INIT_POINTS * 8;
  memory.copy(changetype<usize>(d.day), p, <usize>DAY_BUCKETS * 4);
  p += <usize>DAY_BUCKETS * 4;
  memory.copy(changetype<usize>(d.week), p, <usize>WEEK_BUCKETS * 4);
  p += <usize>WEEK_BUCKETS * 4;
  memory.copy(changetype<usize>(d.dayCount), p, <usize>DAY_BUCKETS * 2);
  p += <usize>DAY_BUCKETS * 2;
  memory.copy(changetype<usize>(d.weekCount), p, <usize>WEEK_BUCKETS * 2);
  p += <usize>WEEK_BUCKETS * 2;
  memory.copy(changetype<usize>(d.dayScale), p, <usize>DAY_BUCKETS * 4);
  p += <usize>DAY_BUCKETS * 4;
  memory.copy(changetype<usize>(d.alarmHist), p, <usize>ALARM_BINS * 4);
  p += <usize>ALARM_BINS * 4;
  memory.copy(changetype<usize>(d.dayPeak), p, <usize>DAY_BUCKETS * 4);
  p += <usize>DAY_BUCKETS * 4;
  memory.copy(changetype<usize>(d.dayPeakAt), p, <usize>DAY_BUCKETS * 4);
  p += <usize>DAY_BUCKETS * 4;
  memory.copy(changetype<usize>(d.ctx), p, <usize>CTX_SCALARS * 8);
  p += <usize>CTX_SCALARS * 8;
  memory.copy(changetype<usize>(d.ctx.counts), p, <usize>CTX_COUNTS);
  const cs = d.ctx;
  // A checksum match on a state we did not write is possible only by design; still refuse nonsense.
  if (!(d.n >= 0) || !isFinite(d.level) || !isFinite(d.scale) || d.ringHead < 0 || d.ringHead >= <f64>INIT_POINTS || !(d.alarmInc >= 1) || isNaN(d.alertAt)) {
    return ERR_CORRUPT;
  }
  if (!(cs.n >= 0) || !(isFinite(cs.lo) && isFinite(cs.hi) && cs.lo <= cs.hi) || !(cs.prev >= 0 && cs.prev < <f64>CTX_SYMBOLS) || !(isFinite(cs.peak) && cs.peak >= 0)) {
    return ERR_CORRUPT;
  }
  return detectors.add(d);
}

/**
 * Surprise (decades) of a short-scale z and a long-scale z given the tail
 * statistics (exceedance rate, mean excess; pass 0, 0 for the Gaussian prior),
 * as push computes it. For tests and documentation.
 */
export function detector_surprise(zShort: f64, zLong: f64, tailRate: f64, tailExcess: f64): f64 {
  return surpriseOf(zShort, zLong, tailRate > 0 ? tailRate : TAIL_P0, tailExcess > 0 ? tailExcess : TAIL_EXCESS0);
}
