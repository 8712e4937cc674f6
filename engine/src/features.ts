// Features facade: lags, rolling mean/std/min/max, percent changes and UTC
// calendar encodings for one series, in batch or streaming form. The
// algorithm lives in engine/assembly/features.ts; this file moves columns in
// and out and turns statuses into typed errors.

import { check, EngineError, invalid } from "./errors";
import type { Runtime } from "./runtime";

/**
 * Feature columns in output order. Definitions (x_i is the value at point i, oldest first):
 * - lag_k: x_{i-k}; NaN for the first k points.
 * - mean_w, std_w, min_w, max_w: over x_{i-w+1..i} (window includes the point);
 *   std is the sample standard deviation (divisor w - 1); NaN for the first w - 1 points.
 * - pct_change_k: (x_i - x_{i-k}) / x_{i-k}; NaN for the first k points and when x_{i-k} = 0.
 * - hour_sin/cos: sin/cos(2 pi h / 24), h the fractional UTC hour of day (ms since midnight / 3.6e6).
 * - dow_sin/cos: sin/cos(2 pi d / 7), d the UTC day of week, Monday = 0 .. Sunday = 6.
 * - is_weekend: 1 on UTC Saturday and Sunday, else 0.
 */
export const FEATURE_NAMES = [
  "lag_1",
  "lag_3",
  "lag_6",
  "lag_12",
  "mean_3",
  "std_3",
  "min_3",
  "max_3",
  "mean_6",
  "std_6",
  "min_6",
  "max_6",
  "mean_12",
  "std_12",
  "min_12",
  "max_12",
  "pct_change_1",
  "pct_change_3",
  "hour_sin",
  "hour_cos",
  "dow_sin",
  "dow_cos",
  "is_weekend",
] as const;

/** Name of one feature column. */
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** A feature matrix for `rows` points, column-major: feature c of point i is `data[c * rows + i]`. */
export interface FeatureMatrix {
  /** Number of points (rows). */
  rows: number;
  /** Column names, in `data` order (always FEATURE_NAMES). */
  columns: readonly FeatureName[];
  /** rows x columns.length values, column-major. */
  data: Float64Array;
  /** A view of one column (no copy). */
  column(name: FeatureName): Float64Array;
}

/** A streaming feature state for one series. Call `dispose()` when the series is evicted. */
export interface FeatureStream {
  /** Points pushed so far. */
  readonly count: number;
  /** Pushes a batch (timestamps strictly increasing, continuing the previous batch) and returns its feature rows. */
  push(timestamps: ArrayLike<number>, values: ArrayLike<number>): FeatureMatrix;
  /** The state as bytes, for storage; `features.restore(bytes)` continues exactly where this stream is. */
  serialize(): Uint8Array;
  /** Releases the engine's state. Further calls throw. */
  dispose(): void;
}

/** The feature API on `engine.features`. */
export interface FeaturesApi {
  /** Column names in output order. */
  readonly names: readonly FeatureName[];
  /** Features of a whole series (timestamps in ms, strictly increasing; values finite). */
  compute(timestamps: ArrayLike<number>, values: ArrayLike<number>): FeatureMatrix;
  /** A new empty streaming state; pushing all points in any batches gives exactly `compute`'s result. */
  stream(): FeatureStream;
  /** Restores a stream serialised by `FeatureStream.serialize`. */
  restore(bytes: Uint8Array): FeatureStream;
}

const COLS = FEATURE_NAMES.length;
/** Points per call: the output (23 f64 a point) must fit in linear memory; about 770 MB at this size. */
const MAX_POINTS = 1 << 22;
const INDEX = new Map<FeatureName, number>(FEATURE_NAMES.map((n, i) => [n, i]));

function matrix(rows: number, data: Float64Array): FeatureMatrix {
  return {
    rows,
    columns: FEATURE_NAMES,
    data,
    column(name: FeatureName): Float64Array {
      const c = INDEX.get(name);
      if (c === undefined) invalid("features.column", `unknown feature ${String(name)}`);
      return data.subarray(c * rows, (c + 1) * rows);
    },
  };
}

/** Checks shapes; the engine checks finiteness and order and reports the index. */
function checkColumns(ctx: string, ts: ArrayLike<number>, values: ArrayLike<number>): void {
  for (const [name, a] of [
    ["timestamps", ts],
    ["values", values],
  ] as const) {
    if (a === null || typeof a !== "object" || typeof a.length !== "number") invalid(ctx, `${name} must be an array of numbers`);
  }
  if (ts.length > MAX_POINTS) invalid(ctx, `at most ${MAX_POINTS} points per call; push longer series in batches`, { points: ts.length });
  if (ts.length !== values.length) {
    invalid(ctx, "timestamps and values differ in length", { timestamps: ts.length, values: values.length });
  }
}

/** Creates the feature API over a loaded runtime. */
export function createFeaturesApi(rt: Runtime): FeaturesApi {
  const ex = rt.exports;
  if (ex.features_columns() !== COLS) throw new EngineError("incompatible", "features: engine column count differs from the facade");
  const stateBytes: number = ex.features_state_bytes();
  const tsRegion = rt.region();
  const valRegion = rt.region();
  const outRegion = rt.region();

  /** Writes the batch, runs `call(tsPtr, valPtr, n, outPtr)`, and copies the matrix out. */
  function run(ctx: string, ts: ArrayLike<number>, values: ArrayLike<number>, call: (t: number, v: number, n: number, o: number) => number): FeatureMatrix {
    checkColumns(ctx, ts, values);
    const n = ts.length;
    const tp = rt.putF64(tsRegion, ts);
    const vp = rt.putF64(valRegion, values);
    const op = outRegion.ensure(n * COLS * 8);
    const status = call(tp, vp, n, op);
    if (status < 0) {
      const index: number = ex.features_error_index();
      const details = { index, timestamp: ts[index], value: values[index] };
      if (status === -2) throw new EngineError("not_finite", `${ctx}: point ${index} has a non-finite timestamp or value`, details);
      if (status === -4) throw new EngineError("out_of_order", `${ctx}: timestamp at point ${index} is not after the previous one`, details);
      check(status, ctx);
    }
    return matrix(n, rt.f64(op, n * COLS).slice());
  }

  function wrap(handle: number): FeatureStream {
    let h = handle;
    const live = (ctx: string): number => {
      if (h < 0) invalid(ctx, "stream was disposed");
      return h;
    };
    return {
      get count(): number {
        return check(ex.features_count(live("features.count")), "features.count");
      },
      push(timestamps, values) {
        const hh = live("features.push");
        return run("features.push", timestamps, values, (t, v, n, o) => ex.features_push(hh, t, v, n, o));
      },
      serialize() {
        const hh = live("features.serialize");
        const ptr = outRegion.ensure(stateBytes);
        check(ex.features_serialize(hh, ptr), "features.serialize");
        return rt.u8(ptr, stateBytes).slice();
      },
      dispose() {
        if (h >= 0) ex.features_free(h);
        h = -1;
      },
    };
  }

  return {
    names: FEATURE_NAMES,
    compute(timestamps, values) {
      return run("features.compute", timestamps, values, (t, v, n, o) => ex.features_compute(t, v, n, o));
    },
    stream() {
      return wrap(check(ex.features_create(), "features.stream"));
    },
    restore(bytes) {
      if (!(bytes instanceof Uint8Array)) invalid("features.restore", "bytes must be a Uint8Array");
      const ptr = rt.putU8(tsRegion, bytes);
      return wrap(check(ex.features_deserialize(ptr, bytes.length), "features.restore", { bytes: bytes.length }));
    },
  };
}
