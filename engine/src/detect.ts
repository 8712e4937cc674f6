// Anomaly detection facade: the streaming univariate detector (robust,
// seasonal, level-shift aware, a calibrated score in [0,1] with an expected
// range, and an alarm score for deciding anomalies) and the combined score of
// a window's features with the features that drove it. The algorithms live in
// engine/assembly/detect; this file validates input, moves columns in and
// out, and names the results.
//
// Two scores per point, on purpose: `scores` is calibrated (P(score >= u) =
// 10^(-8u) under the model) and drives severities, expected ranges and the
// drivers of a combined score; `alarms` is a ranking that is high once, at the
// onset of what is news for this series (routine bursts and daily jobs do not
// alarm, a persisting anomaly alarms at its start), and decides anomalies. On
// NAB the alarm scores about twice the calibrated score (README, Accuracy).

import { check, EngineError, invalid } from "./errors";
import type { Region, Runtime } from "./runtime";

/** Options of a streaming detector. */
export interface DetectorOptions {
  /**
   * Learn time-of-day (15-minute) and hour-of-week profiles (default true). They are used
   * only when the series' step is at most an hour; otherwise the detector is
   * non-seasonal whatever this says.
   */
  seasonal?: boolean;
  /**
   * Alarm at and above which a point is an alert (default ALARM_THRESHOLD; in (0, 1]). An alert
   * within four hours of the previous one is the same incident: its alarm reports 0 and the hold
   * extends. Set it to the threshold anomalies are decided at. A setting, not state: give it again
   * to `restore` (the default otherwise).
   */
  alertLevel?: number;
}

/** Options of a restored detector: the settings, which are not part of its state. */
export type RestoreOptions = Pick<DetectorOptions, "alertLevel">;

/**
 * Alarm score at and above which a point (or a window, for a combined score) is an anomaly.
 * The alarm is c / (c + 0.53) for the detector's alarm value c, and 0.7 is where NAB's standard
 * profile puts its threshold on nab-dev (c about 1.24; it picks 0.7018 today, the alarm of one
 * window's detection). Also the default alert level of the detector's four-hour alert hold.
 */
export const ALARM_THRESHOLD = 0.7;

/** Scores of a batch, one entry per point. */
export interface DetectionBatch {
  /**
   * Anomaly score in [0,1]: -log10(p) / 8 for the tail probability p of the
   * point under the detector's robust baseline and scale (Gaussian, with the
   * tail widened when the series' own residuals are heavier; so 0.5 means
   * p = 1e-4, 0.9 means p = 10^-7.2). Past 0.9 it rises towards 1 as
   * 0.9 + 0.1 (1 - exp(0.9 - s/8)) for surprise s = -log10 p, so the most extreme
   * points still rank above merely extreme ones. 0 during the first 16 points,
   * then scaled by a weight ramping to 1 at point 64.
   */
  scores: Float64Array;
  /** Baseline - 3 robust scales (of this time of day): the low end of the expected range. */
  expectedLow: Float64Array;
  /** Baseline + 3 robust scales. */
  expectedHigh: Float64Array;
  /**
   * Alarm score in [0,1): how much this point is news for the series (its surprise among the
   * series' recent surprises, weighted by the surprise, less the largest recent alarm and the
   * largest at this time of day on earlier days; or, when larger, the contextual member's evidence
   * that the value never followed the one before it, corrected for its 64 pairs, less its own
   * recent peak). A ranking for
   * deciding anomalies (>= ALARM_THRESHOLD), not a probability. 0 during the first 16 points, and
   * 0 for an alert (at or above the detector's alert level) within four hours of the previous one.
   */
  alarms: Float64Array;
}

/** Severity of a combined score. */
export type Severity = "low" | "medium" | "high" | "critical";

/**
 * Severity thresholds on the combined score (tail probability in brackets):
 * low < 0.5 (p > 1e-4) <= medium < 0.7 (p > 10^-5.6) <= high < 0.9 (p > 10^-7.2) <= critical.
 */
export const SEVERITY_THRESHOLDS = { medium: 0.5, high: 0.7, critical: 0.9 } as const;

/** One feature's input to `combine`. */
export interface FeatureScore {
  /** Feature name, e.g. "latency_p99". */
  feature: string;
  /** The observed value. */
  value: number;
  /** The feature's detector score in [0,1]. */
  score: number;
  expectedLow: number;
  expectedHigh: number;
  /** Surprise in decades (-log10 p), unclamped; default score * 8. */
  surprise?: number;
  /** The feature's alarm score in [0,1) (default 0). */
  alarm?: number;
}

/**
 * An Isolation Forest's evidence for one window: its raw score, or the score with a
 * calibrated surprise (decades, -log10 p under the forest's own training scores) and the
 * score expected at most of an ordinary window. A bare score is mapped linearly, 0.5 -> no
 * surprise to 1 -> SURPRISE_DECADES.
 */
export type IsolationEvidence = number | { score: number; surprise: number; expectedHigh: number };

/** A feature's part in a combined score. */
export interface Driver {
  feature: string;
  value: number;
  expectedLow: number;
  expectedHigh: number;
  /** Share of the combined evidence; the drivers' contributions sum to 1. */
  contribution: number;
}

/** The combined score of one window. */
export interface CombinedScore {
  /** Calibrated score in [0,1]: Sidak-corrected smallest tail probability over the inputs, as -log10(p) / 8 (compressed past 0.9 as for single scores). */
  score: number;
  /**
   * Alarm score in [0,1): the largest alarm among the features (any feature that is news makes
   * the window news; the Isolation Forest does not alarm). The window is an anomaly when it is at
   * least ALARM_THRESHOLD.
   */
  alarm: number;
  severity: Severity;
  /** Features (and "isolation_forest" when given) ranked by contribution, largest first. */
  drivers: Driver[];
}

/** Name of the Isolation Forest input among the drivers. */
export const ISOLATION_FOREST_FEATURE = "isolation_forest";

const SURPRISE_DECADES = 8;
const MAX_FEATURES = 64;

/** Severity of a combined score (see SEVERITY_THRESHOLDS). */
export function severityOf(score: number): Severity {
  if (score >= SEVERITY_THRESHOLDS.critical) return "critical";
  if (score >= SEVERITY_THRESHOLDS.high) return "high";
  if (score >= SEVERITY_THRESHOLDS.medium) return "medium";
  return "low";
}

/** Throws the typed error for a rejected batch, with the offending index. */
function fail(rt: Runtime, status: number, ctx: string, extra?: Record<string, unknown>): never {
  const index = rt.exports.bad_index() as number;
  check(status, ctx, { index, ...extra });
  throw new EngineError("invalid_argument", `${ctx}: unexpected status ${status}`);
}

/** A streaming detector for one series, held by the engine. Call `dispose()` when done. */
export class StreamingDetector {
  private handle: number;
  constructor(
    private readonly rt: Runtime,
    private readonly io: { ts: Region; val: Region; out: Region },
    handle: number,
  ) {
    this.handle = handle;
  }

  /** The engine handle (for the multi-feature detector). */
  get id(): number {
    if (this.handle < 0) invalid("detect", "detector was disposed");
    return this.handle;
  }

  /**
   * Scores a batch of points (timestamps in ms, non-decreasing and not before
   * the last pushed point) and updates the state. Each point is scored before
   * it updates the state. On bad input nothing is updated and an EngineError
   * ("not_finite" or "out_of_order") carries `details.index`.
   */
  push(timestamps: ArrayLike<number>, values: ArrayLike<number>): DetectionBatch {
    const ctx = "detect.push";
    const h = this.id;
    if (timestamps?.length === undefined || values?.length === undefined) invalid(ctx, "timestamps and values must be arrays");
    const n = values.length;
    if (timestamps.length !== n) invalid(ctx, "timestamps and values differ in length", { timestamps: timestamps.length, values: n });
    const tp = this.rt.putF64(this.io.ts, timestamps);
    const vp = this.rt.putF64(this.io.val, values);
    const op = this.io.out.ensure(n * 32);
    const st = this.rt.exports.detector_push(h, tp, vp, n, op, op + n * 8, op + n * 16, 0, op + n * 24) as number;
    if (st < 0) fail(this.rt, st, ctx);
    return {
      scores: this.rt.f64(op, n).slice(),
      expectedLow: this.rt.f64(op + n * 8, n).slice(),
      expectedHigh: this.rt.f64(op + n * 16, n).slice(),
      alarms: this.rt.f64(op + n * 24, n).slice(),
    };
  }

  /** The state as bytes (fixed size); `detect.restore` continues exactly where this left off. */
  serialize(): Uint8Array {
    const len = check(this.rt.exports.detector_serialize(this.id), "detect.serialize");
    return this.rt.u8(this.rt.exports.out_ptr(), len).slice();
  }

  /** Releases the engine's state. Further calls throw. */
  dispose(): void {
    if (this.handle >= 0) this.rt.exports.detector_free(this.handle);
    this.handle = -1;
  }
}

/**
 * Detectors for several named features of one series (e.g. a service's
 * count, error_rate, latency_p99), scored together once per window into a
 * combined score with drivers.
 */
export class MultiDetector {
  constructor(
    private readonly api: DetectApi,
    private readonly rt: Runtime,
    private readonly io: { handles: Region; val: Region; out: Region; surprise: Region; comb: Region },
    /** Feature names, in the order of the detectors. */
    readonly features: readonly string[],
    private readonly detectors: StreamingDetector[],
  ) {}

  /**
   * Scores one window at `timestamp` (ms): `values` must hold every feature.
   * `isolation` (an Isolation Forest's evidence) joins the combination when given.
   */
  score(timestamp: number, values: Record<string, number>, isolation?: IsolationEvidence): CombinedScore {
    const ctx = "detect.multi.score";
    const k = this.features.length;
    const vals = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      const f = this.features[i] as string;
      const v = values[f];
      if (typeof v !== "number") invalid(ctx, `missing value for feature "${f}"`, { feature: f });
      vals[i] = v;
    }
    const hp = this.rt.putI32(this.io.handles, this.detectors.map((d) => d.id));
    const vp = this.rt.putF64(this.io.val, vals);
    const op = this.io.out.ensure(k * 24);
    const sp = this.io.surprise.ensure(k * 16);
    const st = this.rt.exports.detect_group_push(hp, k, timestamp, vp, op, sp, sp + k * 8) as number;
    if (st < 0) {
      const index = this.rt.exports.bad_index() as number;
      fail(this.rt, st, ctx, { feature: st === -2 && Number.isFinite(timestamp) ? this.features[index] : undefined });
    }
    const out = this.rt.f64(op, 3 * k);
    const sur = this.rt.f64(sp, k);
    const alarms = this.rt.f64(sp + k * 8, k);
    const inputs: FeatureScore[] = [];
    for (let i = 0; i < k; i++) {
      inputs.push({
        feature: this.features[i] as string,
        value: vals[i] as number,
        score: out[3 * i] as number,
        expectedLow: out[3 * i + 1] as number,
        expectedHigh: out[3 * i + 2] as number,
        surprise: sur[i] as number,
        alarm: alarms[i] as number,
      });
    }
    return this.api.combine(inputs, isolation);
  }

  /** All features' states as one blob (for one D1 row); `detect.restoreMulti` continues exactly. */
  serialize(): Uint8Array {
    const enc = new TextEncoder();
    const parts = this.detectors.map((d, i) => ({ name: enc.encode(this.features[i] as string), bytes: d.serialize() }));
    const size = 2 + parts.reduce((a, p) => a + 1 + p.name.length + 4 + p.bytes.length, 0);
    const out = new Uint8Array(size);
    const dv = new DataView(out.buffer);
    dv.setUint16(0, parts.length, true);
    let o = 2;
    for (const p of parts) {
      out[o++] = p.name.length;
      out.set(p.name, o);
      o += p.name.length;
      dv.setUint32(o, p.bytes.length, true);
      o += 4;
      out.set(p.bytes, o);
      o += p.bytes.length;
    }
    return out;
  }

  /** Releases every feature's detector. */
  dispose(): void {
    for (const d of this.detectors) d.dispose();
  }
}

/** The detection API on `engine.detect`. */
export interface DetectApi {
  /** A new streaming detector for one series. */
  streaming(options?: DetectorOptions): StreamingDetector;
  /** A detector continuing from `serialize()` bytes; throws "corrupt" on bad bytes. */
  restore(bytes: Uint8Array, options?: RestoreOptions): StreamingDetector;
  /** In-memory bytes of one detector's state (at most 4096). */
  readonly stateBytes: number;
  /** Bytes of a serialised detector. */
  readonly serializedBytes: number;
  /** Detectors for named features (1..64 distinct names, each at most 255 UTF-8 bytes) of one series. */
  multi(features: readonly string[], options?: DetectorOptions): MultiDetector;
  /** A multi-feature detector continuing from `MultiDetector.serialize()` bytes. */
  restoreMulti(bytes: Uint8Array, options?: RestoreOptions): MultiDetector;
  /**
   * Combines per-feature scores (and optionally an Isolation Forest score in
   * [0,1]) into one calibrated score with ranked drivers whose contributions sum to 1,
   * and the features' largest alarm.
   */
  combine(features: readonly FeatureScore[], isolation?: IsolationEvidence): CombinedScore;
  /**
   * Surprise in decades (-log10 p) of a short-scale and a long-scale robust z,
   * as the detector computes it; `tail` is the series' rate of |z| > 3 and mean
   * excess over 3 (default: the Gaussian 0.0027 and 0.2831).
   */
  surprise(zShort: number, zLong?: number, tail?: { rate: number; excess: number }): number;
  /**
   * Evidence in decades of the alarm's contextual member for each value of a fresh series, as
   * the detector computes it: E / ln 10 at a novel transition between two 3-bit symbols of the
   * forgetting range (E the times it was expected had symbol and context been independent), else 0.
   */
  contextEvidence(values: ArrayLike<number>): Float64Array;
}

/** Creates the detection API over a loaded runtime. */
export function createDetectApi(rt: Runtime): DetectApi {
  const ex = rt.exports;
  const io = { ts: rt.region(), val: rt.region(), out: rt.region() };
  const mio = { handles: rt.region(), val: rt.region(), out: rt.region(), surprise: rt.region(), comb: rt.region() };
  const bytesIn = rt.region();

  function alertLevelOf(ctx: string, options: RestoreOptions): number {
    const level = options.alertLevel ?? ALARM_THRESHOLD;
    if (typeof level !== "number" || !(level > 0 && level <= 1)) invalid(ctx, "alertLevel must be a number in (0, 1]", { alertLevel: level });
    return level;
  }

  function restoreOne(bytes: Uint8Array, options: RestoreOptions = {}): StreamingDetector {
    if (!(bytes instanceof Uint8Array)) invalid("detect.restore", "bytes must be a Uint8Array");
    const level = alertLevelOf("detect.restore", options);
    const ptr = rt.putU8(bytesIn, bytes);
    const h = check(ex.detector_deserialize(ptr, bytes.length), "detect.restore");
    check(ex.detector_set_alert_level(h, level), "detect.restore");
    return new StreamingDetector(rt, io, h);
  }

  function checkFeatures(ctx: string, features: readonly string[]): void {
    if (!Array.isArray(features) || features.length < 1 || features.length > MAX_FEATURES) {
      invalid(ctx, `features must be 1..${MAX_FEATURES} names`);
    }
    const enc = new TextEncoder();
    for (const f of features) {
      if (typeof f !== "string" || f.length === 0 || enc.encode(f).length > 255) invalid(ctx, "feature names must be 1..255 bytes", { feature: f });
    }
    if (new Set(features).size !== features.length) invalid(ctx, "feature names must be distinct");
  }

  const api: DetectApi = {
    stateBytes: ex.detector_state_bytes() as number,
    serializedBytes: ex.detector_serial_bytes() as number,
    streaming(options = {}) {
      const level = alertLevelOf("detect.streaming", options);
      return new StreamingDetector(rt, io, check(ex.detector_create(options.seasonal === false ? 0 : 1, level), "detect.streaming"));
    },
    restore: restoreOne,
    multi(features, options = {}) {
      checkFeatures("detect.multi", features);
      return new MultiDetector(api, rt, mio, [...features], features.map(() => api.streaming(options)));
    },
    restoreMulti(bytes, options = {}) {
      const ctx = "detect.restoreMulti";
      if (!(bytes instanceof Uint8Array)) invalid(ctx, "bytes must be a Uint8Array");
      alertLevelOf(ctx, options);
      const corrupt = () => new EngineError("corrupt", `${ctx}: corrupt`);
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (bytes.length < 2) throw corrupt();
      const k = dv.getUint16(0, true);
      const dec = new TextDecoder();
      const names: string[] = [];
      const dets: StreamingDetector[] = [];
      let o = 2;
      try {
        for (let i = 0; i < k; i++) {
          if (o + 1 > bytes.length) throw corrupt();
          const nl = bytes[o++] as number;
          if (o + nl + 4 > bytes.length) throw corrupt();
          names.push(dec.decode(bytes.subarray(o, o + nl)));
          o += nl;
          const len = dv.getUint32(o, true);
          o += 4;
          if (o + len > bytes.length) throw corrupt();
          dets.push(restoreOne(bytes.subarray(o, o + len), options));
          o += len;
        }
        if (o !== bytes.length) throw corrupt();
        checkFeatures(ctx, names);
      } catch (err) {
        for (const d of dets) d.dispose();
        throw err;
      }
      return new MultiDetector(api, rt, mio, names, dets);
    },
    combine(features, isolation) {
      const ctx = "detect.combine";
      const isolationScore = typeof isolation === "object" ? isolation.score : isolation;
      if (!Array.isArray(features) || features.length > MAX_FEATURES) invalid(ctx, `features must be an array of at most ${MAX_FEATURES}`);
      const k = features.length;
      const hasIf = isolationScore !== undefined;
      if (k === 0 && !hasIf) invalid(ctx, "nothing to combine");
      if (hasIf && !(Number.isFinite(isolationScore) && isolationScore >= 0 && isolationScore <= 1)) {
        throw new EngineError("invalid_argument", `${ctx}: isolationScore must be in [0, 1]`, { isolationScore });
      }
      if (typeof isolation === "object" && !(isolation.surprise >= 0 && Number.isFinite(isolation.surprise) && isolation.expectedHigh >= 0 && isolation.expectedHigh <= 1)) {
        throw new EngineError("invalid_argument", `${ctx}: isolation surprise must be finite and >= 0, expectedHigh in [0, 1]`, { ...isolation });
      }
      // The engine reads a forest score linearly (0.5 -> 0 decades, 1 -> SURPRISE_DECADES): a calibrated
      // surprise is handed over as the score that maps to it, capped where the scale ends.
      const engineScore = typeof isolation === "object" ? 0.5 + (0.5 * Math.min(isolation.surprise, SURPRISE_DECADES)) / SURPRISE_DECADES : isolationScore;
      const sur = new Float64Array(k);
      let alarm = 0;
      for (let i = 0; i < k; i++) {
        const f = features[i] as FeatureScore;
        if (!(f.score >= 0 && f.score <= 1)) throw new EngineError("invalid_argument", `${ctx}: score must be in [0, 1]`, { index: i, feature: f.feature });
        if (f.alarm !== undefined && !(f.alarm >= 0 && f.alarm <= 1)) throw new EngineError("invalid_argument", `${ctx}: alarm must be in [0, 1]`, { index: i, feature: f.feature });
        sur[i] = f.surprise ?? f.score * SURPRISE_DECADES;
        alarm = Math.max(alarm, f.alarm ?? 0);
      }
      const sp = rt.putF64(mio.surprise, sur);
      const op = mio.comb.ensure((k + 3) * 8);
      const st = ex.detect_combine(sp, k, hasIf ? engineScore : -1, op) as number;
      if (st < 0) {
        const index = ex.bad_index() as number;
        check(st, ctx, { index, feature: features[index]?.feature });
      }
      const v = rt.f64(op, k + 3);
      const score = v[0] as number;
      const drivers: Driver[] = features.map((f, i) => ({
        feature: f.feature,
        value: f.value,
        expectedLow: f.expectedLow,
        expectedHigh: f.expectedHigh,
        contribution: v[2 + i] as number,
      }));
      if (hasIf) {
        drivers.push({
          feature: ISOLATION_FOREST_FEATURE,
          value: isolationScore as number,
          expectedLow: 0,
          expectedHigh: typeof isolation === "object" ? isolation.expectedHigh : 0.5,
          contribution: v[2 + k] as number,
        });
      }
      drivers.sort((a, b) => b.contribution - a.contribution);
      return { score, alarm, severity: severityOf(score), drivers };
    },
    surprise(zShort, zLong = 0, tail) {
      if (!Number.isFinite(zShort) || !Number.isFinite(zLong)) {
        throw new EngineError("not_finite", "detect.surprise: z must be finite", { zShort, zLong });
      }
      if (tail !== undefined && !(tail.rate > 0 && tail.rate <= 1 && tail.excess > 0 && Number.isFinite(tail.excess))) {
        invalid("detect.surprise", "tail.rate must be in (0, 1] and tail.excess > 0", tail);
      }
      return ex.detector_surprise(zShort, zLong, tail?.rate ?? 0, tail?.excess ?? 0) as number;
    },
    contextEvidence(values) {
      const ctx = "detect.contextEvidence";
      if (values?.length === undefined) invalid(ctx, "values must be an array");
      const n = values.length;
      const vp = rt.putF64(io.val, values);
      const op = io.out.ensure(n * 8);
      const st = ex.detector_context_evidence(vp, n, op) as number;
      if (st < 0) fail(rt, st, ctx);
      return rt.f64(op, n).slice();
    },
  };
  return api;
}
