// `npm run eval:model -- [DATA_DIR] [--json FILE]`: does window-gbdt earn its
// place? Scores the streaming detector alone, the committed model alone and
// the two combined by noisy-OR of calibrated probabilities, on the held-back
// generated services and (when DATA_DIR holds nab-dev) on NAB dev: precision,
// recall, F1, ROC-AUC and the NAB standard score.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readSeriesCsv } from "../../../engine/cli/csv";
import { listCorpus, readWindows } from "../../../engine/cli/nab/corpus";
import { NAB_PROFILES, probationRows, scoreCorpus, type ScoredFile, windowsToRows } from "../../../engine/cli/nab/score";
import { loadEngine } from "../../../engine/src/node";
import { modelCardSchema, type WindowSummary } from "../../contract";
import { countDetectorScores, detectorScores, featureMatrix, type LabelledSeries } from "./dataset";
import { applyPlatt, confusion, noisyOr, type Platt, rocAuc } from "./metrics";
import { onnxScores } from "./ort";
import { HELD_BACK_DATA, MODEL_VERSION, WARM_UP_WINDOWS } from "./recipe";
import { generateTelemetry, type ServiceTelemetry } from "./telemetry";

const usage = "usage: npm run eval:model -- [DATA_DIR (holding nab-dev/, or nab-dev itself)] [--json FILE] [--model DIR]";
const { values, positionals } = parseArgs({ allowPositionals: true, options: { json: { type: "string" }, model: { type: "string" }, help: { type: "boolean" } } });
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const modelDir = values.model ?? fileURLToPath(new URL(`../${MODEL_VERSION}/`, import.meta.url));
const card = modelCardSchema.parse(JSON.parse(readFileSync(join(modelDir, "card.json"), "utf8")));
const bytes = new Uint8Array(readFileSync(join(modelDir, "model.onnx")));
const calibration = (card.training as { detector_calibration?: { multi: Platt; single_count: Platt } } | undefined)?.detector_calibration;
if (!calibration) throw new Error(`${modelDir}/card.json has no training.detector_calibration`);
const engine = await loadEngine();

type Method = "detector" | "model" | "combined";
const METHODS: Method[] = ["detector", "model", "combined"];
interface Scored {
  name: string;
  labels: Uint8Array;
  /** Calibrated P(anomalous) per method. */
  p: Record<Method, Float64Array>;
  /** Labelled windows as inclusive row ranges (NAB scoring). */
  windows: [number, number][];
}

async function modelProbabilities(s: LabelledSeries): Promise<Float64Array> {
  const { x } = featureMatrix(engine, [s], card.inputs);
  return Float64Array.from(await onnxScores(bytes, x, card.inputs.length, card.input_name, card.output_name, card.output_column));
}

function runsOf(labels: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] && (i === 0 || !labels[i - 1])) out.push([i, i]);
    if (labels[i]) out[out.length - 1]![1] = i;
  }
  return out;
}

async function score(s: LabelledSeries, detector: Float64Array, platt: Platt, windows: [number, number][]): Promise<Scored> {
  const det = detector.map((v) => applyPlatt(platt, v));
  const model = await modelProbabilities(s);
  const combined = det.map((v, i) => noisyOr(v, model[i]!));
  return { name: s.name, labels: s.labels, p: { detector: det, model, combined }, windows };
}

/** Per method: window precision/recall/F1 at p >= 0.5 and ROC-AUC on rows from `from` on; NAB scores (NAB's own probation) with the threshold swept. */
function report(title: string, files: Scored[], from: (f: Scored) => number, workerCut?: number): Record<string, Record<string, number>> {
  console.log(`\n${title}`);
  console.log(`${"method".padEnd(10)} ${"precision".padStart(9)} ${"recall".padStart(7)} ${"F1".padStart(6)} ${"ROC-AUC".padStart(7)}  ${"NAB std".padStart(7)} ${"low FP".padStart(7)} ${"low FN".padStart(7)}  ${"win P".padStart(6)} ${"win R".padStart(6)}`);
  const result: Record<string, Record<string, number>> = {};
  for (const m of METHODS) {
    const ps: number[] = [];
    const ys: number[] = [];
    for (const f of files) for (let i = from(f); i < f.labels.length; i++) {
      ps.push(f.p[m][i]!);
      ys.push(f.labels[i]!);
    }
    const c = confusion(ps, ys, 0.5);
    const auc = rocAuc(ps, ys);
    const scored: ScoredFile[] = files.map((f) => ({ name: f.name, scores: f.p[m], windows: f.windows }));
    const nab = Object.fromEntries(Object.entries(NAB_PROFILES).map(([k, prof]) => [k, scoreCorpus(scored, prof)]));
    const std = nab.standard!;
    // At the standard profile's threshold: share of labelled windows detected, and of detections (after probation) inside a window.
    let inside = 0;
    let detections = 0;
    for (const f of files) {
      const inWindow = new Uint8Array(f.labels.length);
      for (const [a, b] of f.windows) inWindow.fill(1, a, b + 1);
      for (let i = probationRows(f.labels.length); i < f.labels.length; i++) if (f.p[m][i]! >= std.threshold) {
        detections++;
        inside += inWindow[i]!;
      }
    }
    const tp = std.perFile.reduce((s, f) => s + f.tp, 0);
    const fn = std.perFile.reduce((s, f) => s + f.fn, 0);
    const row = {
      precision: c.precision,
      recall: c.recall,
      f1: c.f1,
      roc_auc: auc,
      nab_standard: std.normalised,
      nab_low_fp: nab.reward_low_FP_rate!.normalised,
      nab_low_fn: nab.reward_low_FN_rate!.normalised,
      nab_window_recall: tp + fn > 0 ? tp / (tp + fn) : 0,
      nab_detection_precision: detections > 0 ? inside / detections : 0,
      nab_threshold: std.threshold,
    };
    result[m] = row;
    const f3 = (v: number, w: number) => (Number.isFinite(v) ? v.toFixed(3) : "n/a").padStart(w);
    if (m === "detector" && workerCut !== undefined) {
      const w = confusion(ps, ys, workerCut);
      console.log(`${"det@0.7".padEnd(10)} ${f3(w.precision, 9)} ${f3(w.recall, 7)} ${f3(w.f1, 6)}   (the Worker's alert threshold on the raw score)`);
      result.detector_worker_threshold = { precision: w.precision, recall: w.recall, f1: w.f1 };
    }
    console.log(
      `${m.padEnd(10)} ${f3(row.precision, 9)} ${f3(row.recall, 7)} ${f3(row.f1, 6)} ${f3(row.roc_auc, 7)}  ${row.nab_standard.toFixed(1).padStart(7)} ${row.nab_low_fp.toFixed(1).padStart(7)} ${row.nab_low_fn.toFixed(1).padStart(7)}  ${f3(row.nab_detection_precision, 6)} ${f3(row.nab_window_recall, 6)}`,
    );
  }
  return result;
}

/** Per incident kind (after the warm-up day): the share of incidents with at least one window at p >= 0.5, per method. */
function incidentRecall(series: ServiceTelemetry[], scored: Scored[]): Record<string, Record<Method, number> & { incidents: number; worker_detector: number }> {
  const out: Record<string, Record<Method, number> & { incidents: number; worker_detector: number }> = {};
  series.forEach((s, k) => {
    const t0 = HELD_BACK_DATA.start!;
    const rowOf = new Map(s.windows.map((w, i) => [(w.start - t0) / 60_000, i]));
    for (const inc of s.incidents) {
      if (inc.start < WARM_UP_WINDOWS) continue;
      const rows: number[] = [];
      for (let m = inc.start; m < inc.end; m++) if (rowOf.has(m)) rows.push(rowOf.get(m)!);
      if (rows.length === 0) continue;
      const r = (out[inc.kind] ??= { incidents: 0, detector: 0, model: 0, combined: 0, worker_detector: 0 });
      r.incidents++;
      for (const m of METHODS) if (rows.some((i) => scored[k]!.p[m][i]! >= 0.5)) r[m]++;
      if (rows.some((i) => scored[k]!.p.detector[i]! >= workerThreshold)) r.worker_detector++;
    }
  });
  console.log(`\nheld-back incidents detected (a window at p >= 0.5), after the first ${WARM_UP_WINDOWS} windows`);
  console.log(`${"kind".padEnd(16)} ${"n".padStart(4)} ${METHODS.map((m) => m.padStart(9)).join(" ")} ${"detector at the Worker's 0.7".padStart(29)}`);
  for (const [kind, r] of Object.entries(out).sort()) {
    for (const m of METHODS) r[m] /= r.incidents;
    r.worker_detector /= r.incidents;
    console.log(`${kind.padEnd(16)} ${String(r.incidents).padStart(4)} ${METHODS.map((m) => r[m].toFixed(2).padStart(9)).join(" ")} ${r.worker_detector.toFixed(2).padStart(29)}`);
  }
  return out;
}

// The Worker alerts at a raw detector score of 0.7 (ANOMALY_THRESHOLD): the same cut on the calibrated scale.
const workerThreshold = applyPlatt(calibration.multi, 0.7);

const results: Record<string, unknown> = { model: `${card.name}/${card.version}`, sha256: card.sha256 };

// 1. Held-back generated services: the Worker's multi-feature detector, calibrated on the training services.
const held = generateTelemetry(engine, HELD_BACK_DATA);
const heldScored: Scored[] = [];
for (const s of held) heldScored.push(await score(s, detectorScores(engine, s), calibration.multi, runsOf(s.labels)));
results.held_back_incidents = incidentRecall(held, heldScored);
results.held_back = report(
  `held-back generated telemetry: ${held.length} services x ${HELD_BACK_DATA.days} days (seed ${HELD_BACK_DATA.seed}); P/R/F1/AUC on windows after the first ${WARM_UP_WINDOWS}`,
  heldScored,
  () => WARM_UP_WINDOWS,
  workerThreshold,
);

// 2. NAB dev: each file's value is a service's count (no errors, no latency, one endpoint); the detector is the single streaming one, as `helios eval detect` runs it.
const dataDir = positionals[0];
if (dataDir) {
  const nabDir = existsSync(join(dataDir, "nab-dev")) ? join(dataDir, "nab-dev") : dataDir;
  const labelled = readWindows(join(nabDir, "windows.json"));
  const nabScored: Scored[] = [];
  for (const file of listCorpus(nabDir).files) {
    const csv = await readSeriesCsv(file.path, {});
    const v = csv.values[0]!;
    // A few NAB files repeat a timestamp (a clock change); windows must strictly increase, so a repeat moves 1 ms on.
    let last = Number.NEGATIVE_INFINITY;
    const windows: WindowSummary[] = Array.from(csv.timestamps, (t, i) => ({
      start: (last = Math.max(t, last + 1)),
      count: v[i]!,
      errors: 0,
      latencyMean: Number.NaN,
      latencyStddev: Number.NaN,
      latencyP50: Number.NaN,
      latencyP95: Number.NaN,
      latencyP99: Number.NaN,
      distinctEndpoints: 1,
    }));
    const rows = windowsToRows(csv.timestamps, labelled[file.name] ?? []);
    const labels = new Uint8Array(windows.length);
    for (const [a, b] of rows) labels.fill(1, a, b + 1);
    const series: LabelledSeries = { name: file.name, windows, labels, hasLatency: false };
    nabScored.push(await score(series, countDetectorScores(engine, series), calibration.single_count, rows));
  }
  results.nab_dev = report(`NAB dev: ${nabScored.length} files (value -> count); P/R/F1/AUC on rows after NAB's probation`, nabScored, (f) => probationRows(f.labels.length));
} else console.log(`\n(no DATA_DIR: NAB dev not scored)\n${usage}`);

console.log(
  "\nP/R/F1: windows with calibrated P(anomalous) >= 0.5 against the labels. NAB: normalised score with one threshold swept per method;" +
    " win P = share of detections (at the standard threshold, after probation) inside a labelled window, win R = share of labelled windows detected.",
);
if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
