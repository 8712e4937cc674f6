// `npm run eval:model -- [DATA_DIR] [--json FILE]`: does window-gbdt earn its
// place in the Worker? Compares exactly what the Worker decides
// (worker/src/cron/score-windows.ts): "detector" = the multi-feature
// detector's alarm >= ANOMALY_THRESHOLD, "detector + model" = that OR the
// active model's probability >= MODEL_THRESHOLD, on the held-back generated
// services and (when DATA_DIR holds nab-dev) on NAB dev: window precision,
// recall and F1, and the NAB score of those fixed decisions. Threshold-free
// figures rank windows instead: ROC-AUC and the NAB scores with the threshold
// swept, for the alarm, the model and two combined rankings.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readSeriesCsv } from "../../../engine/cli/csv";
import { listCorpus, readWindows } from "../../../engine/cli/nab/corpus";
import { type CostProfile, NAB_PROFILES, probationRows, scoreCorpus, scoreFile, windowsToRows } from "../../../engine/cli/nab/score";
import { ALARM_THRESHOLD } from "../../../engine/src/index";
import { loadEngine } from "../../../engine/src/node";
import { MODEL_THRESHOLD, modelCardSchema, type WindowSummary } from "../../contract";
import { featureMatrix, type LabelledSeries, runDetector } from "./dataset";
import { applyPlatt, confusion, noisyOr, type Platt, rocAuc } from "./metrics";
import { onnxScores } from "./ort";
import { HELD_BACK_DATA, MODEL_VERSION, WARM_UP_WINDOWS } from "./recipe";
import { generateTelemetry, type ServiceTelemetry } from "./telemetry";

const usage = "usage: npm run eval:model -- [DATA_DIR (holding nab-dev/, or nab-dev itself)] [--json FILE] [--model DIR] [--alarm-threshold 0.7] [--model-threshold 0.9]";
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { json: { type: "string" }, model: { type: "string" }, "alarm-threshold": { type: "string" }, "model-threshold": { type: "string" }, help: { type: "boolean" } },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
// The Worker's defaults (wrangler.toml ANOMALY_THRESHOLD and MODEL_THRESHOLD); flags evaluate other settings.
const alarmThreshold = Number(values["alarm-threshold"] ?? ALARM_THRESHOLD);
const modelThreshold = Number(values["model-threshold"] ?? MODEL_THRESHOLD);
const modelDir = values.model ?? fileURLToPath(new URL(`../${MODEL_VERSION}/`, import.meta.url));
const card = modelCardSchema.parse(JSON.parse(readFileSync(join(modelDir, "card.json"), "utf8")));
const bytes = new Uint8Array(readFileSync(join(modelDir, "model.onnx")));
const calibration = (card.training as { detector_calibration?: { alarm?: Platt } } | undefined)?.detector_calibration?.alarm;
if (!calibration) throw new Error(`${modelDir}/card.json has no training.detector_calibration.alarm (retrain with npm run train)`);
const engine = await loadEngine();

interface Scored {
  name: string;
  labels: Uint8Array;
  /** The Worker detector's alarm per window. */
  alarm: Float64Array;
  /** The model's P(anomalous) per window. */
  model: Float64Array;
  /** Labelled windows as inclusive row ranges (NAB scoring). */
  windows: [number, number][];
}

/** The Worker's decisions: which windows become anomalies. */
const DECISIONS = {
  detector: (f: Scored, i: number) => f.alarm[i]! >= alarmThreshold,
  "detector + model": (f: Scored, i: number) => f.alarm[i]! >= alarmThreshold || f.model[i]! >= modelThreshold,
  model: (f: Scored, i: number) => f.model[i]! >= modelThreshold,
} as const;
type Decision = keyof typeof DECISIONS;
const DECISION_NAMES = Object.keys(DECISIONS) as Decision[];

/**
 * Rankings for threshold-free figures. noisy-OR: the alarm calibrated to a
 * probability (the card's Platt fit on the training services), then
 * 1 - (1 - p_alarm)(1 - p_model). max ratio: each score over its Worker
 * threshold, so that cutting it at 1 is exactly the Worker's OR rule.
 */
const RANKINGS = {
  alarm: (f: Scored, i: number) => f.alarm[i]!,
  model: (f: Scored, i: number) => f.model[i]!,
  "noisy-OR": (f: Scored, i: number) => noisyOr(applyPlatt(calibration, f.alarm[i]!), f.model[i]!),
  "max ratio": (f: Scored, i: number) => Math.max(f.alarm[i]! / alarmThreshold, f.model[i]! / modelThreshold),
} as const;
type Ranking = keyof typeof RANKINGS;
const RANKING_NAMES = Object.keys(RANKINGS) as Ranking[];

function runsOf(labels: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] && (i === 0 || !labels[i - 1])) out.push([i, i]);
    if (labels[i]) out[out.length - 1]![1] = i;
  }
  return out;
}

async function score(s: LabelledSeries, windows: [number, number][], step?: number): Promise<Scored> {
  const { x } = featureMatrix(engine, [s], card.inputs, step);
  const model = Float64Array.from(await onnxScores(bytes, x, card.inputs.length, card.input_name, card.output_name, card.output_column));
  return { name: s.name, labels: s.labels, alarm: runDetector(engine, s).alarm, model, windows };
}

/** NAB's normalised score of a fixed decision (NAB's probation applies), and the labelled windows it detects. */
function nabAt(files: Scored[], decide: (f: Scored, i: number) => boolean, p: CostProfile): { normalised: number; tp: number; windows: number; fp: number } {
  let raw = 0;
  let tp = 0;
  let fp = 0;
  let n = 0;
  for (const f of files) {
    const o = scoreFile({ name: f.name, scores: Float64Array.from(f.labels, (_, i) => (decide(f, i) ? 1 : 0)), windows: f.windows }, 1, p);
    raw += o.raw;
    tp += o.tp;
    fp += o.fp;
    n += f.windows.length;
  }
  const sNull = -p.fnWeight * n;
  const sPerfect = p.tpWeight * n;
  return { normalised: (100 * (raw - sNull)) / (sPerfect - sNull), tp, windows: n, fp };
}

const f3 = (v: number, w: number) => (Number.isFinite(v) ? v.toFixed(3) : "n/a").padStart(w);
const f1d = (v: number, w: number) => v.toFixed(1).padStart(w);

/** Both tables for one data set; window metrics on rows from `from(f)` on. */
function report(title: string, files: Scored[], from: (f: Scored) => number): Record<string, Record<string, number>> {
  const result: Record<string, Record<string, number>> = {};
  console.log(`\n${title}`);
  console.log(`The Worker's decisions (alarm >= ${alarmThreshold}, model >= ${modelThreshold}):`);
  console.log(`${"decision".padEnd(18)} ${"precision".padStart(9)} ${"recall".padStart(7)} ${"F1".padStart(6)} ${"flagged".padStart(8)}  ${"NAB std".padStart(7)} ${"low FP".padStart(7)} ${"low FN".padStart(7)} ${"NAB win R".padStart(9)} ${"NAB FP".padStart(7)}`);
  for (const d of DECISION_NAMES) {
    const decide = DECISIONS[d];
    const hits: number[] = [];
    const ys: number[] = [];
    for (const f of files) for (let i = from(f); i < f.labels.length; i++) {
      hits.push(decide(f, i) ? 1 : 0);
      ys.push(f.labels[i]!);
    }
    const c = confusion(hits, ys, 1);
    const std = nabAt(files, decide, NAB_PROFILES.standard!);
    const lowFp = nabAt(files, decide, NAB_PROFILES.reward_low_FP_rate!);
    const lowFn = nabAt(files, decide, NAB_PROFILES.reward_low_FN_rate!);
    const row = { precision: c.precision, recall: c.recall, f1: c.f1, flagged: c.tp + c.fp, nab_standard: std.normalised, nab_low_fp: lowFp.normalised, nab_low_fn: lowFn.normalised, nab_window_recall: std.windows > 0 ? std.tp / std.windows : 0, nab_fp: std.fp };
    result[`decision: ${d}`] = row;
    console.log(
      `${d.padEnd(18)} ${f3(row.precision, 9)} ${f3(row.recall, 7)} ${f3(row.f1, 6)} ${String(row.flagged).padStart(8)}  ${f1d(row.nab_standard, 7)} ${f1d(row.nab_low_fp, 7)} ${f1d(row.nab_low_fn, 7)} ${f3(row.nab_window_recall, 9)} ${String(row.nab_fp).padStart(7)}`,
    );
  }
  console.log("Rankings (threshold-free: ROC-AUC; NAB with the threshold swept per ranking):");
  console.log(`${"ranking".padEnd(18)} ${"ROC-AUC".padStart(9)}  ${"NAB std".padStart(7)} ${"low FP".padStart(7)} ${"low FN".padStart(7)} ${"std threshold".padStart(13)}`);
  for (const r of RANKING_NAMES) {
    const rank = RANKINGS[r];
    const ps: number[] = [];
    const ys: number[] = [];
    for (const f of files) for (let i = from(f); i < f.labels.length; i++) {
      ps.push(rank(f, i));
      ys.push(f.labels[i]!);
    }
    const scored = files.map((f) => ({ name: f.name, scores: Float64Array.from(f.labels, (_, i) => rank(f, i)), windows: f.windows }));
    const nab = Object.fromEntries(Object.entries(NAB_PROFILES).map(([k, prof]) => [k, scoreCorpus(scored, prof)]));
    const row = { roc_auc: rocAuc(ps, ys), nab_standard: nab.standard!.normalised, nab_low_fp: nab.reward_low_FP_rate!.normalised, nab_low_fn: nab.reward_low_FN_rate!.normalised, nab_threshold: nab.standard!.threshold };
    result[`ranking: ${r}`] = row;
    console.log(`${r.padEnd(18)} ${f3(row.roc_auc, 9)}  ${f1d(row.nab_standard, 7)} ${f1d(row.nab_low_fp, 7)} ${f1d(row.nab_low_fn, 7)} ${f3(row.nab_threshold, 13)}`);
  }
  return result;
}

/** Per incident kind (after the warm-up day): the share of incidents with at least one window flagged, per Worker decision. */
function incidentRecall(series: ServiceTelemetry[], scored: Scored[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  series.forEach((s, k) => {
    const t0 = HELD_BACK_DATA.start!;
    const rowOf = new Map(s.windows.map((w, i) => [(w.start - t0) / 60_000, i]));
    for (const inc of s.incidents) {
      if (inc.start < WARM_UP_WINDOWS) continue;
      const rows: number[] = [];
      for (let m = inc.start; m < inc.end; m++) if (rowOf.has(m)) rows.push(rowOf.get(m)!);
      if (rows.length === 0) continue;
      const r = (out[inc.kind] ??= { incidents: 0, ...Object.fromEntries(DECISION_NAMES.map((d) => [d, 0])) });
      r.incidents!++;
      for (const d of DECISION_NAMES) if (rows.some((i) => DECISIONS[d](scored[k]!, i))) r[d]!++;
    }
  });
  console.log(`\nheld-back incidents with at least one window flagged, after the first ${WARM_UP_WINDOWS} windows`);
  console.log(`${"kind".padEnd(16)} ${"n".padStart(4)} ${DECISION_NAMES.map((d) => d.padStart(17)).join(" ")}`);
  for (const [kind, r] of Object.entries(out).sort()) {
    for (const d of DECISION_NAMES) r[d]! /= r.incidents!;
    console.log(`${kind.padEnd(16)} ${String(r.incidents).padStart(4)} ${DECISION_NAMES.map((d) => r[d]!.toFixed(2).padStart(17)).join(" ")}`);
  }
  return out;
}

const results: Record<string, unknown> = { model: `${card.name}/${card.version}`, sha256: card.sha256, alarm_threshold: alarmThreshold, model_threshold: modelThreshold, alarm_calibration: calibration };

// 1. Held-back generated services.
const held = generateTelemetry(engine, HELD_BACK_DATA);
const heldScored: Scored[] = [];
for (const s of held) heldScored.push(await score(s, runsOf(s.labels)));
results.held_back_incidents = incidentRecall(held, heldScored);
results.held_back = report(`held-back generated telemetry: ${held.length} services x ${HELD_BACK_DATA.days} days (seed ${HELD_BACK_DATA.seed}); window P/R/F1/AUC after the first ${WARM_UP_WINDOWS} windows`, heldScored, () => WARM_UP_WINDOWS);

/** The most common gap between consecutive timestamps: the file's step. */
function modalStep(ts: ArrayLike<number>): number {
  const n = new Map<number, number>();
  for (let i = 1; i < ts.length; i++) n.set(ts[i]! - ts[i - 1]!, (n.get(ts[i]! - ts[i - 1]!) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
}

// 2. NAB dev: each file's value is a service's count (no errors, no latency, one endpoint), scored as the Worker scores a
// service without latency; the model's history steps are the file's own step (a missing step is an empty window).
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
    nabScored.push(await score({ name: file.name, windows, labels, hasLatency: false }, rows, modalStep(csv.timestamps)));
  }
  results.nab_dev = report(`NAB dev: ${nabScored.length} files (value -> count); window P/R/F1/AUC after NAB's probation`, nabScored, (f) => probationRows(f.labels.length));
} else console.log(`\n(no DATA_DIR: NAB dev not scored)\n${usage}`);

console.log(
  "\nflagged: windows the decision makes anomalies (after the warm-up/probation). NAB win R: share of labelled NAB windows with a detection;" +
    " NAB FP: detections outside every window (after probation).",
);
if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
