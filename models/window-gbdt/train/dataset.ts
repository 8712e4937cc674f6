// Labelled series -> what the trainer and the evaluation read: the model's
// feature matrix (computed exactly as hosts compute it) and the streaming
// detector's scores, run the way the Worker and `helios eval detect` run it.
import type { Engine } from "../../../engine/src/index";
import { computeModelFeatures, type WindowSummary } from "../../contract";

/** A series of windows with a 0/1 label each. */
export interface LabelledSeries {
  name: string;
  windows: WindowSummary[];
  labels: Uint8Array;
  hasLatency: boolean;
}

/** The features the Worker's multi-feature detector scores for a service (worker/src/cron/score-windows.ts). */
export const DETECTOR_TRAFFIC = ["count", "error_rate", "distinct_endpoints"] as const;
export const DETECTOR_LATENCY = ["latency_mean", "latency_p95", "latency_p99"] as const;

/** The row-major feature matrix of every window of every series, series after series, with the labels and each series' first row. */
export function featureMatrix(engine: Engine, series: readonly LabelledSeries[], names: readonly string[]): { x: Float32Array; y: Uint8Array; offsets: number[] } {
  const total = series.reduce((s, x) => s + x.windows.length, 0);
  const x = new Float32Array(total * names.length);
  const y = new Uint8Array(total);
  const offsets: number[] = [];
  let row = 0;
  for (const s of series) {
    offsets.push(row);
    x.set(computeModelFeatures(engine, s.windows, names), row * names.length);
    y.set(s.labels, row);
    row += s.windows.length;
  }
  offsets.push(row);
  return { x, y, offsets };
}

function windowValues(w: WindowSummary): Record<string, number> {
  return {
    count: w.count,
    error_rate: w.count > 0 ? w.errors / w.count : 0,
    distinct_endpoints: w.distinctEndpoints,
    latency_mean: w.latencyMean,
    latency_p95: w.latencyP95,
    latency_p99: w.latencyP99,
  };
}

/**
 * The Worker's combined detector score of each window: one multi-feature
 * detector over count, error rate and distinct endpoints (and latency when
 * the series has it), a window without latency carrying the last one seen.
 * A window that cannot be scored yet (no latency seen) scores 0.
 */
export function detectorScores(engine: Engine, s: LabelledSeries): Float64Array {
  const features = [...DETECTOR_TRAFFIC, ...(s.hasLatency ? DETECTOR_LATENCY : [])];
  const detector = engine.detect.multi(features);
  const out = new Float64Array(s.windows.length);
  const carry: Record<string, number> = {};
  try {
    s.windows.forEach((w, i) => {
      const raw = windowValues(w);
      const values: Record<string, number> = {};
      let usable = true;
      for (const f of features) {
        let v = raw[f]!;
        if (Number.isNaN(v)) v = carry[f] ?? Number.NaN;
        else carry[f] = v;
        if (Number.isNaN(v)) usable = false;
        values[f] = v;
      }
      if (usable) out[i] = detector.score(w.start, values).score;
    });
  } finally {
    detector.dispose();
  }
  return out;
}

/** The single streaming detector over one value per window (here the count), as `helios eval detect` runs it on NAB files. */
export function countDetectorScores(engine: Engine, s: LabelledSeries): Float64Array {
  const detector = engine.detect.streaming();
  try {
    return detector.push(
      s.windows.map((w) => w.start),
      s.windows.map((w) => w.count),
    ).scores;
  } finally {
    detector.dispose();
  }
}
