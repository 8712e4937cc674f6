// The contract between window-scoring models and the hosts that run them (the
// Worker, the dashboard's Web Worker, the CLI and the training code). One
// place names the features a model may take, the tensor it receives and the
// card that describes it, so a model trained here and a model a user brings
// are checked and fed the same way.
import { z } from "zod";
import { FEATURE_NAMES, type FeatureName } from "../engine/src/index";

/** Summary features of one closed 1-minute window of a service's events, as stored in D1. */
export const WINDOW_FEATURES = [
  "count",
  "error_rate",
  "latency_mean",
  "latency_stddev",
  "latency_p50",
  "latency_p95",
  "latency_p99",
  "distinct_endpoints",
] as const;
export type WindowFeature = (typeof WINDOW_FEATURES)[number];

/** Window features whose recent history is summarised by the engine's rolling features. */
export const ROLLING_BASES = ["count", "error_rate", "latency_p99"] as const;
export type RollingBase = (typeof ROLLING_BASES)[number];

/** Calendar columns of the engine's features: the same for every base, so named once. */
export const CALENDAR_FEATURES = ["hour_sin", "hour_cos", "dow_sin", "dow_cos", "is_weekend"] as const satisfies readonly FeatureName[];

const CALENDAR = new Set<string>(CALENDAR_FEATURES);
/** Engine feature columns that depend on the base series (lags, rolling stats, percent changes). */
export const ROLLING_FEATURES = FEATURE_NAMES.filter((f) => !CALENDAR.has(f));

/**
 * Every feature name a model may take as input: the window summaries, then
 * `<base>.<rolling feature>` (e.g. "latency_p99.mean_12": the mean of the
 * last 12 windows' p99 latency, this one included), then the calendar columns.
 */
export const MODEL_FEATURES: readonly string[] = [
  ...WINDOW_FEATURES,
  ...ROLLING_BASES.flatMap((b) => ROLLING_FEATURES.map((f) => `${b}.${f}`)),
  ...CALENDAR_FEATURES,
];
const KNOWN = new Set(MODEL_FEATURES);

/** True when `name` is a feature hosts can compute for a window. */
export function isModelFeature(name: string): boolean {
  return KNOWN.has(name);
}

/**
 * Windows of history a host must hand to `computeModelFeatures` before the
 * windows it scores, so that every rolling feature is complete: the longest
 * look-back, lag_12 (a rolling window of 12 needs only 11, but lag_12 of a
 * row with 11 windows before it is NaN).
 */
export const ROLLING_HISTORY = 12;

/**
 * The tensor a model receives: one float32 input of shape [N, F], row i the
 * features of window i in the order of the card's `inputs`. Its output named
 * by the card is a float32 tensor of shape [N], [N, 1] (a score) or [N, C]
 * (class probabilities, the anomalous class at `output_column`); the score is
 * the probability in [0, 1] that the window is anomalous.
 */
export const MODEL_INPUT_RANK = 2;

/** ONNX operator sets a card names (domain "" is ai.onnx). */
const opsetSchema = z.object({ domain: z.string(), version: z.number().int().positive() });

/** A model card: what the model takes, gives, was trained on and scored. */
export const modelCardSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lower-case letters, digits and dashes"),
  version: z.string().regex(/^[0-9A-Za-z.+-]{1,32}$/),
  description: z.string().max(2000).optional(),
  /** Feature names in input column order; each must be a MODEL_FEATURES name. */
  inputs: z.array(z.string()).min(1).max(MODEL_FEATURES.length),
  /** Name of the graph input (one float32 [N, F] tensor). */
  input_name: z.string().min(1),
  /** Graph output that carries the score or the class probabilities. */
  output_name: z.string().min(1),
  /** Column of the anomalous class when the output is [N, C]; ignored for [N] and [N, 1]. */
  output_column: z.number().int().nonnegative().default(1),
  opsets: z.array(opsetSchema).min(1),
  training: z
    .object({
      data: z.string(),
      rows: z.number().int().nonnegative().optional(),
      seed: z.number().int().optional(),
      window: z.string().optional(),
    })
    .passthrough()
    .optional(),
  /** Metrics on held-back data, e.g. {precision, recall, f1, auc}. */
  metrics: z.record(z.string(), z.number()).optional(),
  /** Hex SHA-256 of model.onnx. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  created_at: z.string(),
});
export type ModelCard = z.infer<typeof modelCardSchema>;

/** One closed window's summary, as hosts read it (NaN where a window has no latency). */
export interface WindowSummary {
  /** Window start, epoch ms; windows of one series strictly increasing. */
  start: number;
  count: number;
  errors: number;
  latencyMean: number;
  latencyStddev: number;
  latencyP50: number;
  latencyP95: number;
  latencyP99: number;
  distinctEndpoints: number;
}

/** The engine part the feature computation needs (the full Engine satisfies it). */
export interface FeaturesEngine {
  features: { compute(timestamps: ArrayLike<number>, values: ArrayLike<number>): { rows: number; column(name: FeatureName): Float64Array } };
}

function windowValue(w: WindowSummary, f: WindowFeature): number {
  switch (f) {
    case "count":
      return w.count;
    case "error_rate":
      return w.count > 0 ? w.errors / w.count : 0;
    case "latency_mean":
      return w.latencyMean;
    case "latency_stddev":
      return w.latencyStddev;
    case "latency_p50":
      return w.latencyP50;
    case "latency_p95":
      return w.latencyP95;
    case "latency_p99":
      return w.latencyP99;
    case "distinct_endpoints":
      return w.distinctEndpoints;
  }
}

/**
 * The [windows.length, names.length] float32 matrix (row-major) of `names`
 * for consecutive windows of one series, oldest first. Rolling features use
 * the windows before each row, so pass ROLLING_HISTORY windows of history
 * ahead of the ones to score and keep the last rows. A missing latency (NaN)
 * carries the previous window's value forward, as the streaming detector does;
 * one still missing stays NaN (the caller decides whether to score such a row).
 */
export function computeModelFeatures(engine: FeaturesEngine, windows: readonly WindowSummary[], names: readonly string[]): Float32Array {
  const n = windows.length;
  const out = new Float32Array(n * names.length);
  if (n === 0) return out;
  const base = new Map<WindowFeature, Float64Array>();
  const column = (f: WindowFeature): Float64Array => {
    let c = base.get(f);
    if (!c) {
      c = new Float64Array(n);
      let last = Number.NaN;
      for (let i = 0; i < n; i++) {
        const v = windowValue(windows[i]!, f);
        if (Number.isFinite(v)) last = v;
        c[i] = Number.isFinite(v) ? v : last;
      }
      base.set(f, c);
    }
    return c;
  };
  const timestamps = Float64Array.from(windows, (w) => w.start);
  const rolled = new Map<RollingBase, ReturnType<FeaturesEngine["features"]["compute"]>>();
  const rolling = (b: RollingBase) => {
    let m = rolled.get(b);
    if (!m) {
      // The engine refuses non-finite values: a leading gap (no latency yet) is computed as 0 and masked below.
      const values = column(b).map((v) => (Number.isFinite(v) ? v : 0));
      m = engine.features.compute(timestamps, values);
      rolled.set(b, m);
    }
    return m;
  };
  for (let j = 0; j < names.length; j++) {
    const name = names[j]!;
    let col: ArrayLike<number>;
    let mask: Float64Array | undefined;
    if ((WINDOW_FEATURES as readonly string[]).includes(name)) col = column(name as WindowFeature);
    else if ((CALENDAR_FEATURES as readonly string[]).includes(name)) col = rolling("count").column(name as FeatureName);
    else {
      const dot = name.indexOf(".");
      const b = name.slice(0, dot) as RollingBase;
      if (dot < 0 || !isModelFeature(name)) throw new Error(`unknown model feature ${name}`);
      col = rolling(b).column(name.slice(dot + 1) as FeatureName);
      mask = column(b);
    }
    for (let i = 0; i < n; i++) out[i * names.length + j] = mask && !Number.isFinite(mask[i]!) ? Number.NaN : col[i]!;
  }
  return out;
}

/**
 * Default probability at and above which a model alone makes a window an
 * anomaly in the Worker (MODEL_THRESHOLD in wrangler.toml overrides it); the
 * detector's own decision is its alarm >= ALARM_THRESHOLD.
 */
export const MODEL_THRESHOLD = 0.9;

/** Width of a scored window (the Worker's 1-minute resolution). */
export const WINDOW_MS = 60_000;

/** A window with no events: what a host's history holds for a minute in which nothing was stored. */
export function emptyWindow(start: number): WindowSummary {
  return { start, count: 0, errors: 0, latencyMean: Number.NaN, latencyStddev: Number.NaN, latencyP50: Number.NaN, latencyP95: Number.NaN, latencyP99: Number.NaN, distinctEndpoints: 0 };
}

/**
 * The [starts.length, names.length] float32 matrix (row-major) of `names` for
 * the windows of one series starting at `starts`: how every host that scores
 * stored windows (the Worker, the trainer, the evaluation) computes a
 * window's model input. Each row is computed from that window and exactly the
 * ROLLING_HISTORY steps before it, a step with no window in `windows` being an
 * empty one (no events, no latency), so a row never depends on how far back a
 * host happened to read or on how the windows were batched.
 */
export function scoringFeatures(engine: FeaturesEngine, windows: readonly WindowSummary[], starts: readonly number[], names: readonly string[], step = WINDOW_MS): Float32Array {
  const byStart = new Map(windows.map((w) => [w.start, w]));
  const f = names.length;
  const out = new Float32Array(starts.length * f);
  const local: WindowSummary[] = new Array<WindowSummary>(ROLLING_HISTORY + 1);
  starts.forEach((t, r) => {
    for (let k = 0; k <= ROLLING_HISTORY; k++) {
      const s = t - (ROLLING_HISTORY - k) * step;
      local[k] = byStart.get(s) ?? emptyWindow(s);
    }
    out.set(computeModelFeatures(engine, local, names).subarray(ROLLING_HISTORY * f), r * f);
  });
  return out;
}
