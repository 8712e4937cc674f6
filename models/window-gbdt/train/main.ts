// `npm run train`: generates the labelled telemetry, trains window-gbdt with
// its fixed seed, checks the ONNX file against the trainer in onnxruntime-web,
// scores it on the held-back services and writes model.onnx and card.json.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadEngine } from "../../../engine/src/node";
import { MODEL_THRESHOLD, type ModelCard, modelCardSchema, ROLLING_HISTORY } from "../../contract";
import { featureMatrix, runDetector } from "./dataset";
import { DEFAULT_PARAMS, predictProba } from "./gbdt";
import { confusion, fitPlatt, rocAuc } from "./metrics";
import { EXPORT_OPSETS } from "./onnx-export";
import { onnxScores } from "./ort";
import { FEATURES, HELD_BACK_DATA, INPUT_NAME, LABEL_NAME, MODEL_NAME, MODEL_VERSION, PARAMS, PROBABILITIES_NAME, TRAIN_DATA, trainWindowModel, WARM_UP_WINDOWS } from "./recipe";
import { generateTelemetry, INCIDENT_KINDS } from "./telemetry";

const { values } = parseArgs({ options: { out: { type: "string" } } });
const out = values.out ?? fileURLToPath(new URL(`../${MODEL_VERSION}/`, import.meta.url));
const engine = await loadEngine();
const t0 = performance.now();
const seconds = () => ((performance.now() - t0) / 1000).toFixed(1);

const trainSeries = generateTelemetry(engine, TRAIN_DATA);
const heldSeries = generateTelemetry(engine, HELD_BACK_DATA);
console.log(`generated ${trainSeries.length} + ${heldSeries.length} services in ${seconds()} s`);

const t1 = performance.now();
const { model, bytes, rows } = trainWindowModel(engine, trainSeries);
console.log(`features and ${model.trees.length} trees on ${rows} windows x ${FEATURES.length} features in ${((performance.now() - t1) / 1000).toFixed(1)} s; model.onnx ${bytes.length} bytes`);

// Held-back rows after the warm-up day: the model's probabilities from the trainer and from onnxruntime-web must agree.
const held = featureMatrix(engine, heldSeries, FEATURES);
const keep: number[] = [];
heldSeries.forEach((s, k) => {
  for (let i = WARM_UP_WINDOWS; i < s.windows.length; i++) keep.push(held.offsets[k]! + i);
});
const f = FEATURES.length;
const x = new Float32Array(keep.length * f);
keep.forEach((r, i) => x.set(held.x.subarray(r * f, (r + 1) * f), i * f));
const y = Uint8Array.from(keep, (r) => held.y[r]!);
const ts = predictProba(model, x);
const ox = await onnxScores(bytes, x, f, INPUT_NAME, PROBABILITIES_NAME);
let maxDiff = 0;
for (let i = 0; i < ts.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ts[i]! - ox[i]!));
if (!(maxDiff <= 1e-6)) throw new Error(`onnxruntime-web and the trainer differ by ${maxDiff} on held-back rows`);
console.log(`onnxruntime-web matches the trainer on ${ts.length} held-back windows: max |diff| ${maxDiff.toExponential(2)}`);

const at = confusion(ts, y, 0.5);
const atWorker = confusion(ts, y, MODEL_THRESHOLD);
const metrics = {
  precision: at.precision,
  recall: at.recall,
  f1: at.f1,
  roc_auc: rocAuc(ts, y),
  threshold: 0.5,
  // At the Worker's MODEL_THRESHOLD, where the model alone makes a window an anomaly.
  model_threshold: MODEL_THRESHOLD,
  precision_at_model_threshold: atWorker.precision,
  recall_at_model_threshold: atWorker.recall,
  f1_at_model_threshold: atWorker.f1,
  windows: y.length,
  anomalous_windows: at.tp + at.fn,
};
console.log(`held back: precision ${metrics.precision.toFixed(3)} recall ${metrics.recall.toFixed(3)} F1 ${metrics.f1.toFixed(3)} ROC-AUC ${metrics.roc_auc.toFixed(3)}`);

// Calibration of the Worker detector's alarm (what decides anomalies) on the training series after the warm-up day,
// so a ranking can combine it with the model's probability by noisy-OR.
const trainLabels = trainSeries.flatMap((s) => Array.from(s.labels.subarray(WARM_UP_WINDOWS)));
const alarm = fitPlatt(trainSeries.flatMap((s) => Array.from(runDetector(engine, s).alarm.subarray(WARM_UP_WINDOWS))), trainLabels);
console.log(`detector alarm calibration: a ${alarm.a.toFixed(4)} b ${alarm.b.toFixed(4)}`);

const sha256 = createHash("sha256").update(bytes).digest("hex");
const card: ModelCard & { input: object; outputs: object[] } = {
  name: MODEL_NAME,
  version: MODEL_VERSION,
  description:
    "Gradient-boosted trees (logistic loss) over a service's 1-minute window features: P(window is anomalous). Trained by Helios's own TypeScript code (models/window-gbdt/train). Read `probabilities` column 1; `label` is 1 when the margin is positive.",
  inputs: [...FEATURES],
  input_name: INPUT_NAME,
  input: { type: "float32", shape: ["N", FEATURES.length] },
  output_name: PROBABILITIES_NAME,
  output_column: 1,
  outputs: [
    { name: LABEL_NAME, type: "int64", shape: ["N"], meaning: "1 when the margin is positive" },
    { name: PROBABILITIES_NAME, type: "float32", shape: ["N", 2], meaning: "[P(normal), P(anomalous)]" },
  ],
  opsets: EXPORT_OPSETS.map((o) => ({ ...o })),
  training: {
    data: `generated service telemetry (models/window-gbdt/train/telemetry.ts): ${TRAIN_DATA.services} services x ${TRAIN_DATA.days} days, seed ${TRAIN_DATA.seed}, events aggregated by the engine's window aggregation; labelled incidents: ${INCIDENT_KINDS.join(", ")}. No NAB data.`,
    rows,
    seed: PARAMS.seed,
    window: "1m",
    history_windows: ROLLING_HISTORY,
    held_back: `${HELD_BACK_DATA.services} other services x ${HELD_BACK_DATA.days} days, seed ${HELD_BACK_DATA.seed}, first ${WARM_UP_WINDOWS} windows of each left out`,
    params: { ...DEFAULT_PARAMS, ...PARAMS },
    // p = 1 / (1 + exp(-(a + b alarm))) of the Worker detector's alarm, fitted on the training windows after the warm-up day.
    detector_calibration: { alarm, fitted_on: "the alarm of the Worker's multi-feature detector (engine.detect.multi, CombinedScore.alarm)" },
  },
  metrics,
  sha256,
  created_at: new Date().toISOString(),
};
// The contract's schema checks the card; `outputs` is extra, for readers.
modelCardSchema.parse(card);
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "model.onnx"), bytes);
writeFileSync(join(out, "card.json"), `${JSON.stringify(card, null, 2)}\n`);
console.log(`wrote ${join(out, "model.onnx")} (sha256 ${sha256}) and card.json in ${seconds()} s`);
