// Labelled series -> what the trainer and the evaluation read: the model's
// feature matrix (the contract's scoringFeatures, the function the Worker
// scores with) and the streaming detector's alarm and score, run the way the
// Worker runs it (worker/src/cron/score-windows.ts).
import type { Engine } from "../../../engine/src/index";
import { LATENCY_FEATURES, TRAFFIC_FEATURES } from "../../../worker/src/cron/detector-features";
import { scoringFeatures, type WindowSummary } from "../../contract";

/** A series of windows with a 0/1 label each. */
export interface LabelledSeries {
  name: string;
  /** The stored windows, oldest first; a minute without one had no events. */
  windows: WindowSummary[];
  labels: Uint8Array;
  hasLatency: boolean;
}

/**
 * The row-major feature matrix of every window of every series, series after
 * series, with the labels and each series' first row. Every window is a row,
 * as in the Worker, which scores each stored window from the ROLLING_HISTORY
 * steps of `step` ms before it, a step without a window being empty.
 */
export function featureMatrix(engine: Engine, series: readonly LabelledSeries[], names: readonly string[], step?: number): { x: Float32Array; y: Uint8Array; offsets: number[] } {
  const total = series.reduce((s, x) => s + x.windows.length, 0);
  const x = new Float32Array(total * names.length);
  const y = new Uint8Array(total);
  const offsets: number[] = [];
  let row = 0;
  for (const s of series) {
    offsets.push(row);
    x.set(scoringFeatures(engine, s.windows, s.windows.map((w) => w.start), names, step), row * names.length);
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

/** The Worker's detector on one series: per window the alarm (which decides anomalies) and the calibrated combined score. */
export interface DetectorRun {
  alarm: Float64Array;
  score: Float64Array;
}

/**
 * The Worker's multi-feature detector over a series' windows
 * (worker/src/cron/score-windows.ts): count, error rate and distinct
 * endpoints, and latency when the series has it, a window without latency
 * carrying the last one seen. A window that cannot be scored yet (no latency
 * seen) gets 0 for both. The Worker's Isolation Forest is left out: it moves
 * the combined score, never the alarm.
 */
export function runDetector(engine: Engine, s: LabelledSeries): DetectorRun {
  const features = [...TRAFFIC_FEATURES, ...(s.hasLatency ? LATENCY_FEATURES : [])];
  const detector = engine.detect.multi(features);
  const alarm = new Float64Array(s.windows.length);
  const score = new Float64Array(s.windows.length);
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
      if (!usable) return;
      const r = detector.score(w.start, values);
      alarm[i] = r.alarm;
      score[i] = r.score;
    });
  } finally {
    detector.dispose();
  }
  return { alarm, score };
}
