// The engine facade: one typed API over the WebAssembly core, the same in
// Node, workerd and browsers. It moves data in and out and owns no algorithm.

import { createDetectApi, type DetectApi } from "./detect";
import { createFeaturesApi, type FeaturesApi } from "./features";
import { createForecastApi, type ForecastApi } from "./forecast";
import { createIsolationForestApi, type IsolationForestApi } from "./iforest";
import { createRecommendApi, type RecommendApi } from "./recommend";
import { type EngineSource, instantiate, type Runtime } from "./runtime";
import { createSketchApi, type SketchApi } from "./sketch";
import { createWindowsApi, type WindowsApi } from "./window";

export { EngineError, type EngineErrorCode } from "./errors";
export type { EngineSource } from "./runtime";
export type * from "./detect";
export { ALARM_THRESHOLD, SEVERITY_THRESHOLDS } from "./detect";
export { FEATURE_NAMES } from "./features";
export type * from "./features";
export type * from "./forecast";
export { IsolationForest } from "./iforest";
export type * from "./iforest";
export type * from "./recommend";
export type * from "./sketch";
export type * from "./window";

/** The loaded engine. Create one per isolate/worker with `createEngine` and reuse it. */
export interface Engine {
  /** Semantic version computed by the loaded module, e.g. "0.1.0". */
  readonly version: string;
  /** True when the debug build (assertions on) is loaded. */
  readonly debug: boolean;
  /** Anomaly detection: streaming robust seasonal detectors and combined scores with drivers. */
  readonly detect: DetectApi;
  /** Features on a series: lags, rolling statistics, percent changes, calendar encodings. */
  readonly features: FeaturesApi;
  /** Forecasting: Holt-Winters with detected seasons, intervals, backtests. */
  readonly forecast: ForecastApi;
  /** Isolation Forest over window feature vectors: seeded fit, scores in [0, 1], serialise. */
  readonly iforest: IsolationForestApi;
  /** Recommendations: replicas, CPU/memory requests, savings. */
  readonly recommend: RecommendApi;
  /** Low-level runtime; for tests and benchmarks only. */
  readonly runtime: Runtime;
  /** Quantile (DDSketch), distinct-count (HyperLogLog) and moments sketches. */
  readonly sketch: SketchApi;
  /** Per-(series, window) aggregation of events and metric samples; merges and rollups. */
  readonly windows: WindowsApi;
}

/**
 * Loads the engine. `source` is a compiled WebAssembly.Module (workerd, where
 * compiling from bytes is forbidden), the .wasm bytes (Node) or a fetch Response (browsers).
 */
export async function createEngine(source: EngineSource): Promise<Engine> {
  const rt = await instantiate(source);
  const v = rt.exports.version() >>> 0;
  return {
    version: `${v >>> 16}.${(v >>> 8) & 0xff}.${v & 0xff}`,
    debug: rt.exports.is_debug() === 1,
    runtime: rt,
    detect: createDetectApi(rt),
    features: createFeaturesApi(rt),
    forecast: createForecastApi(rt),
    iforest: createIsolationForestApi(rt),
    recommend: createRecommendApi(rt),
    sketch: createSketchApi(rt),
    windows: createWindowsApi(rt),
  };
}
