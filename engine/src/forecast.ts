// Forecasting facade: Holt-Winters (additive, multiplicative, damped trend),
// Holt's linear method, a moving-average + trend baseline, season detection,
// p10/p50/p90 intervals, accuracy metrics and rolling-origin backtests. The
// algorithms live in engine/assembly/forecast; this file moves data in and
// out and validates it.

import { check, EngineError, invalid } from "./errors";
import type { Region, Runtime } from "./runtime";

/**
 * How to model a series. "auto" picks among Holt (damped trend or level only)
 * and the seasonal kinds (on a held-out season, or by AIC for short series).
 */
export type ForecastMethod = "auto" | "holt" | "additive" | "multiplicative" | "baseline";

/** Smoothing parameters, for reading a fit or pinning one. */
export interface SmoothingParams {
  /** Level smoothing, 0..1. */
  alpha: number;
  /** Trend smoothing, 0..1 (component form: b_t = beta (l_t - l_{t-1}) + (1 - beta) phi b_{t-1}). */
  beta: number;
  /** Seasonal smoothing, 0..1 (0 for non-seasonal models). */
  gamma: number;
  /** Trend damping, 0..1 (1: undamped). */
  phi: number;
  /**
   * AR coefficients of the one-step error correction (ar[i] multiplies
   * e_{t-1-i}; at most 5). Pinned fits have none unless given; a fit's info
   * carries its own, so `info` can be pinned back as it is.
   */
  ar?: number[];
}

/** Options for `fit`, `predict` and `backtest`. */
export interface FitOptions {
  /** Sampling step in ms; used to propose daily and weekly season lengths. */
  stepMs?: number;
  /** Timestamps in ms (strictly increasing, evenly spaced); give these or `stepMs`. */
  timestamps?: ArrayLike<number>;
  /**
   * Season length in steps: a number (0 or 1: none) or "auto" (default), which
   * tests a day and a week at the series' step (or `candidates`) by
   * autocorrelation and uses none when neither is significant.
   */
  season?: "auto" | number;
  /** Season lengths "auto" may choose among; default a day and a week at `stepMs`. */
  candidates?: number[];
  /** Model kind; default "auto". */
  method?: ForecastMethod;
  /** Damped trend (phi fitted in [0.8, 0.999]); default true. */
  damped?: boolean;
  /** Baseline window (points averaged); default max(season, 12), at most n. */
  window?: number;
  /**
   * AR(p) correction of the smoothing model's one-step errors, p <= 5 chosen
   * by AICc (0 when it does not pay); default true. Needs >= 100 errors after
   * the initialisation points; pinned params never get one.
   */
  ar?: boolean;
  /** Pinned parameters (no optimisation); needs a method other than "auto"/"baseline". */
  params?: SmoothingParams;
}

/** What a fitted model is. */
export interface ForecastModelInfo extends SmoothingParams {
  method: Exclude<ForecastMethod, "auto">;
  /** Season length in steps (0: none). */
  season: number;
  /** Points fitted. */
  n: number;
  /**
   * One-step in-sample error variance (relative, i.e. of e/yhat, for
   * multiplicative); of the AR innovations when there is an AR correction.
   */
  sigma2: number;
  /** One-step in-sample sum of squared errors of the smoothing model (before the AR correction). */
  sse: number;
  /** Akaike information criterion 2n ln(SAE/n) + 2k (Laplace: parameters minimise absolute error). */
  aic: number;
  /** Final level and trend (baseline: window mean and robust slope). */
  level: number;
  trend: number;
  /**
   * How p10/p90 are made: "empirical" (10%/90% quantiles of >= 100 in-sample
   * one-step errors, grown with the horizon by the ETS variance factor) or
   * "analytic" (+/- 1.2816 sigma; short series and the baseline).
   */
  intervals: "empirical" | "analytic";
  /**
   * kappa in var_h = var_1 (1 + kappa sum_{j<h} c_j^2): the ETS variance growth
   * with the horizon, rescaled to the model's in-sample h-step errors
   * (1 when the series is too short to tell).
   */
  growth: number;
  /** AR coefficients of the one-step error correction, p <= 5 chosen by AICc (empty: none). */
  ar: number[];
  /** False for a level-only model (auto drops the trend when it does not pay by AIC). */
  trended: boolean;
}

/** A forecast path with 80% prediction intervals. */
export interface Forecast {
  p10: Float64Array;
  p50: Float64Array;
  p90: Float64Array;
  /** Timestamps of the forecast steps when the fit had timestamps. */
  timestamps?: Float64Array;
  /** The step between forecast points, ms, when the fit knew it. */
  stepMs?: number;
}

/** Point accuracy of a forecast (see engine/assembly/forecast/backtest.ts for exact definitions). */
export interface ForecastMetrics {
  mae: number;
  /** Percent, over actuals != 0 (NaN when all are 0). */
  mape: number;
  /** Percent, 0..200. */
  smape: number;
  /** MAE over the in-sample seasonal naive MAE of the training data. */
  mase: number;
  /** That seasonal naive MAE (the MASE denominator). */
  scale: number;
}

/** Result of a rolling-origin backtest. */
export interface BacktestResult extends Omit<ForecastMetrics, "scale"> {
  /** Share of actuals inside [p10, p90] (calibrated intervals give about 0.8). */
  coverage: number;
  origins: number;
  points: number;
  /** The season length used. */
  season: number;
}

/** Options for `backtest`. */
export interface BacktestOptions extends FitOptions {
  /** Forecast steps from each origin. */
  horizon: number;
  /** Training size at the first origin; default n - 3 * horizon (at least 2 seasons). */
  initial?: number;
  /** Steps between origins; default horizon. */
  stride?: number;
}

const METHOD_CODES: Record<Exclude<ForecastMethod, "baseline">, number> = {
  auto: 0,
  holt: 1,
  additive: 2,
  multiplicative: 3,
};
const KIND_NAMES = ["", "holt", "additive", "multiplicative", "baseline"] as const;
const INFO_LEN = 16;
/** Highest AR order of the error correction (engine: AR_MAX_ORDER). */
const AR_MAX_ORDER = 5;
const DAY_MS = 86_400_000;
/** Periods "auto" tries when no step is known: common daily/weekly/yearly cycles. */
const DEFAULT_CANDIDATES = [7, 12, 24, 52, 168, 288, 1440, 2016];

/** Frees engine models that were garbage-collected without dispose() (where the host supports it). */
const finalizer =
  typeof FinalizationRegistry === "undefined"
    ? undefined
    : new FinalizationRegistry<{ rt: Runtime; handle: number }>(({ rt, handle }) => rt.exports.forecast_free(handle));

/**
 * A fitted model held by the engine. Call `dispose()` when done (or let
 * `predict` manage it); models dropped without it are freed when collected.
 */
export class ForecastModel {
  /** What was fitted. */
  readonly info: ForecastModelInfo;
  private handle: number;
  constructor(
    private readonly rt: Runtime,
    private readonly out: Region,
    handle: number,
    private readonly lastTs: number | undefined,
    private readonly stepMs: number | undefined,
  ) {
    this.handle = handle;
    finalizer?.register(this, { rt, handle }, this);
    const ptr = out.ensure((INFO_LEN + AR_MAX_ORDER) * 8);
    check(rt.exports.forecast_info(handle, ptr), "forecast.info");
    const v = rt.f64(ptr, INFO_LEN + AR_MAX_ORDER);
    this.info = {
      method: KIND_NAMES[v[0] as number] as ForecastModelInfo["method"],
      season: v[1] as number,
      n: v[2] as number,
      alpha: v[3] as number,
      beta: v[4] as number,
      gamma: v[5] as number,
      phi: v[6] as number,
      sigma2: v[7] as number,
      sse: v[8] as number,
      aic: v[9] as number,
      level: v[10] as number,
      trend: v[11] as number,
      intervals: v[12] === 1 ? "empirical" : "analytic",
      growth: v[13] as number,
      trended: v[15] === 1,
      ar: Array.from(v.subarray(INFO_LEN, INFO_LEN + (v[14] as number))),
    };
  }

  /** Forecasts `h` steps after the last fitted point. */
  forecast(h: number): Forecast {
    if (this.handle < 0) invalid("forecast.forecast", "model was disposed");
    if (!Number.isInteger(h) || h < 1 || h > 1 << 20) invalid("forecast.forecast", "h must be an integer in 1..2^20", { h });
    const ptr = this.out.ensure(h * 24);
    check(this.rt.exports.forecast_predict(this.handle, h, ptr, ptr + h * 8, ptr + h * 16), "forecast.forecast");
    const all = this.rt.f64(ptr, 3 * h);
    const result: Forecast = { p10: all.slice(0, h), p50: all.slice(h, 2 * h), p90: all.slice(2 * h, 3 * h) };
    if (this.stepMs !== undefined) result.stepMs = this.stepMs;
    if (this.lastTs !== undefined && this.stepMs !== undefined) {
      const ts = new Float64Array(h);
      for (let j = 0; j < h; j++) ts[j] = this.lastTs + (j + 1) * this.stepMs;
      result.timestamps = ts;
    }
    return result;
  }

  /** Releases the engine's state for this model. Further calls throw. */
  dispose(): void {
    if (this.handle >= 0) {
      this.rt.exports.forecast_free(this.handle);
      finalizer?.unregister(this);
    }
    this.handle = -1;
  }
}

/** The forecasting API on `engine.forecast`. */
export interface ForecastApi {
  /** Fits a model to evenly spaced values (oldest first). */
  fit(values: ArrayLike<number>, options?: FitOptions): ForecastModel;
  /** Fits, forecasts `h` steps and releases the model in one call. */
  predict(values: ArrayLike<number>, h: number, options?: FitOptions): Forecast & { model: ForecastModelInfo };
  /** The season length "auto" would choose (0: none). */
  detectSeason(values: ArrayLike<number>, options?: Pick<FitOptions, "stepMs" | "timestamps" | "candidates">): number;
  /**
   * The AR correction a fit would put on these one-step errors: order p <= maxOrder
   * (default 5) by AICc, Yule-Walker coefficients (empty: none pays, or < 100 errors).
   */
  residualAr(errors: ArrayLike<number>, maxOrder?: number): number[];
  /** Autocorrelation of the linearly detrended series at `lag` (what detectSeason tests). */
  acf(values: ArrayLike<number>, lag: number): number;
  /** MAE, MAPE, sMAPE and MASE of `predicted` against `actual`; `train` scales MASE. */
  metrics(actual: ArrayLike<number>, predicted: ArrayLike<number>, train: ArrayLike<number>, season?: number): ForecastMetrics;
  /** Rolling-origin backtest: refit at each origin, forecast `horizon`, pool the errors. */
  backtest(values: ArrayLike<number>, options: BacktestOptions): BacktestResult;
}

/** Largest |value| a series may hold (engine: MAX_ABS_VALUE); squared errors must stay finite. */
const MAX_ABS_VALUE = 1e100;

/** Checks a series: an array of finite numbers (within +/-1e100 unless `anyMagnitude`). */
function checkValues(ctx: string, values: ArrayLike<number>, name = "values", anyMagnitude = false): void {
  if (values === null || typeof values !== "object" || typeof values.length !== "number") {
    invalid(ctx, `${name} must be an array of numbers`);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new EngineError("not_finite", `${ctx}: ${name}[${i}] is not a finite number`, { index: i, value: v });
    }
    if (!anyMagnitude && Math.abs(v) > MAX_ABS_VALUE) invalid(ctx, `${name}[${i}] is beyond +/-1e100`, { index: i, value: v });
  }
}

/** Step and last timestamp from the options (validated). */
function timing(ctx: string, n: number, o: FitOptions): { stepMs?: number; lastTs?: number } {
  if (o.timestamps !== undefined) {
    const ts = o.timestamps;
    if (ts.length !== n) invalid(ctx, "timestamps and values differ in length", { timestamps: ts.length, values: n });
    checkValues(ctx, ts, "timestamps", true);
    for (let i = 1; i < n; i++) {
      if ((ts[i] as number) <= (ts[i - 1] as number)) {
        throw new EngineError("out_of_order", `${ctx}: timestamps must be strictly increasing`, { index: i });
      }
    }
    if (n < 2) return { lastTs: n ? (ts[0] as number) : undefined };
    const step = ((ts[n - 1] as number) - (ts[0] as number)) / (n - 1);
    return { stepMs: step, lastTs: ts[n - 1] as number };
  }
  if (o.stepMs !== undefined && !(Number.isFinite(o.stepMs) && o.stepMs > 0)) {
    invalid(ctx, "stepMs must be a positive finite number", { stepMs: o.stepMs });
  }
  return { stepMs: o.stepMs };
}

/** Season lengths to test: explicit candidates, else a day and a week at the step, else defaults. */
function candidatesFor(ctx: string, stepMs: number | undefined, given?: number[]): number[] {
  if (given !== undefined) {
    if (!Array.isArray(given) || given.some((p) => !Number.isInteger(p) || p < 2)) {
      invalid(ctx, "candidates must be integers >= 2", { candidates: given });
    }
    return given;
  }
  if (stepMs === undefined) return DEFAULT_CANDIDATES;
  const out: number[] = [];
  for (const period of [DAY_MS, 7 * DAY_MS]) {
    const p = period / stepMs;
    const r = Math.round(p);
    if (r >= 2 && Math.abs(p - r) < 1e-6 * p) out.push(r);
  }
  return out;
}

/** Highest AR order of the error correction (engine: AR_MAX_ORDER), or 0 when turned off. */
function arOrder(o: FitOptions): number {
  return o.ar === false ? 0 : AR_MAX_ORDER;
}

/** Creates the forecasting API over a loaded runtime. */
export function createForecastApi(rt: Runtime): ForecastApi {
  const input = rt.region();
  const aux = rt.region();
  const out = rt.region();
  const ex = rt.exports;

  function detect(ctx: string, ptr: number, n: number, stepMs: number | undefined, given?: number[]): number {
    const cands = candidatesFor(ctx, stepMs, given);
    if (cands.length === 0) return 0;
    const cptr = rt.putI32(aux, cands);
    return check(ex.forecast_detect_season(ptr, n, cptr, cands.length), ctx);
  }

  /** Validates options, writes the series and resolves the season; returns what the fit needs. */
  function prepare(ctx: string, values: ArrayLike<number>, o: FitOptions) {
    checkValues(ctx, values);
    const n = values.length;
    const t = timing(ctx, n, o);
    const method = o.method ?? "auto";
    if (!(method in METHOD_CODES) && method !== "baseline") invalid(ctx, "unknown method", { method });
    const ptr = rt.putF64(input, values);
    let season: number;
    const s = o.season ?? "auto";
    if (s === "auto") {
      season = n >= 8 ? detect(ctx, ptr, n, t.stepMs, o.candidates) : 0;
    } else {
      if (!Number.isInteger(s) || s < 0) invalid(ctx, "season must be 'auto' or an integer >= 0", { season: s });
      season = s <= 1 ? 0 : s;
    }
    if ((method === "additive" || method === "multiplicative") && season === 0) {
      invalid(ctx, `method "${method}" needs a season (none given or detected)`);
    }
    return { n, ptr, season, method, t };
  }

  function fitAt(ctx: string, ptr: number, n: number, season: number, method: ForecastMethod, o: FitOptions): number {
    if (method === "baseline") {
      const k = o.window ?? Math.min(n, Math.max(season, 12));
      if (!Number.isInteger(k) || k < 4) invalid(ctx, "window must be an integer >= 4", { window: k });
      return check(ex.forecast_fit_baseline(ptr, n, k), ctx, { n, window: k });
    }
    if (o.params !== undefined) {
      if (method === "auto") invalid(ctx, "pinned params need an explicit method");
      const { alpha, beta, gamma = 0, phi = 1, ar = [] } = o.params;
      for (const [k, v] of Object.entries({ alpha, beta, gamma, phi })) {
        if (typeof v !== "number" || !(v >= 0 && v <= 1)) invalid(ctx, `params.${k} must be in [0, 1]`, { [k]: v });
      }
      if (!(phi > 0)) invalid(ctx, "params.phi must be > 0");
      if (!Array.isArray(ar) || ar.length > AR_MAX_ORDER || ar.some((c) => typeof c !== "number" || !Number.isFinite(c))) {
        invalid(ctx, `params.ar must be at most ${AR_MAX_ORDER} finite numbers`, { ar });
      }
      const arPtr = rt.putF64(aux, ar.length ? ar : [0]);
      return check(ex.forecast_fit_fixed(ptr, n, season, METHOD_CODES[method], alpha, beta, gamma, phi, arPtr, ar.length), ctx, {
        n,
        season,
      });
    }
    return check(ex.forecast_fit(ptr, n, season, METHOD_CODES[method], o.damped === false ? 0 : 1, arOrder(o)), ctx, { n, season });
  }

  const api: ForecastApi = {
    fit(values, options = {}) {
      const ctx = "forecast.fit";
      const { n, ptr, season, method, t } = prepare(ctx, values, options);
      const handle = fitAt(ctx, ptr, n, season, method, options);
      return new ForecastModel(rt, out, handle, t.lastTs, t.stepMs);
    },
    predict(values, h, options = {}) {
      const model = api.fit(values, options);
      try {
        return { ...model.forecast(h), model: model.info };
      } finally {
        model.dispose();
      }
    },
    detectSeason(values, options = {}) {
      const ctx = "forecast.detectSeason";
      checkValues(ctx, values);
      const t = timing(ctx, values.length, options);
      const ptr = rt.putF64(input, values);
      return detect(ctx, ptr, values.length, t.stepMs, options.candidates);
    },
    residualAr(errors, maxOrder = AR_MAX_ORDER) {
      const ctx = "forecast.residualAr";
      checkValues(ctx, errors, "errors");
      if (!Number.isInteger(maxOrder) || maxOrder < 0 || maxOrder > AR_MAX_ORDER) {
        invalid(ctx, `maxOrder must be an integer in 0..${AR_MAX_ORDER}`, { maxOrder });
      }
      const ptr = rt.putF64(input, errors);
      const o = out.ensure(AR_MAX_ORDER * 8);
      const p = check(ex.forecast_residual_ar(ptr, errors.length, maxOrder, o), ctx);
      return Array.from(rt.f64(o, p));
    },
    acf(values, lag) {
      const ctx = "forecast.acf";
      checkValues(ctx, values);
      if (!Number.isInteger(lag) || lag < 1 || lag >= values.length) invalid(ctx, "lag must be an integer in 1..n-1", { lag });
      const ptr = rt.putF64(input, values);
      return ex.forecast_acf(ptr, values.length, lag);
    },
    metrics(actual, predicted, train, season = 0) {
      const ctx = "forecast.metrics";
      checkValues(ctx, actual, "actual");
      checkValues(ctx, predicted, "predicted");
      checkValues(ctx, train, "train");
      if (actual.length !== predicted.length || actual.length === 0) {
        invalid(ctx, "actual and predicted must be non-empty and of equal length");
      }
      if (!Number.isInteger(season) || season < 0) invalid(ctx, "season must be an integer >= 0", { season });
      const n = actual.length;
      const base = input.ensure((2 * n + train.length) * 8);
      rt.f64(base, n).set(actual);
      rt.f64(base + n * 8, n).set(predicted);
      rt.f64(base + 2 * n * 8, train.length).set(train);
      const o = out.ensure(5 * 8);
      check(ex.forecast_metrics(base, base + n * 8, n, base + 2 * n * 8, train.length, season, o), ctx);
      const v = rt.f64(o, 5);
      return { mae: v[0] as number, mape: v[1] as number, smape: v[2] as number, mase: v[3] as number, scale: v[4] as number };
    },
    backtest(values, options) {
      const ctx = "forecast.backtest";
      const { n, ptr, season, method } = prepare(ctx, values, options);
      const { horizon } = options;
      if (!Number.isInteger(horizon) || horizon < 1) invalid(ctx, "horizon must be an integer >= 1", { horizon });
      const initial = options.initial ?? Math.max(n - 3 * horizon, 2 * season, 4);
      const stride = options.stride ?? horizon;
      if (!Number.isInteger(initial) || initial < 2) invalid(ctx, "initial must be an integer >= 2", { initial });
      if (!Number.isInteger(stride) || stride < 1) invalid(ctx, "stride must be an integer >= 1", { stride });
      if (initial + horizon > n) {
        throw new EngineError("insufficient_data", `${ctx}: initial + horizon exceeds the series`, { initial, horizon, n });
      }
      if (options.params !== undefined) invalid(ctx, "backtests refit at each origin; pinned params are not supported");
      const k = options.window ?? Math.max(season, 12);
      const o = out.ensure(7 * 8);
      const code = method === "baseline" ? 4 : METHOD_CODES[method];
      check(ex.forecast_backtest(ptr, n, season, code, options.damped === false ? 0 : 1, k, initial, horizon, stride, o, arOrder(options)), ctx, {
        n,
        season,
        initial,
        horizon,
      });
      const v = rt.f64(o, 7);
      return {
        mae: v[0] as number,
        mape: v[1] as number,
        smape: v[2] as number,
        mase: v[3] as number,
        coverage: v[4] as number,
        origins: v[5] as number,
        points: v[6] as number,
        season,
      };
    },
  };
  return api;
}
