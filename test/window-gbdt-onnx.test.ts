// window-gbdt as an ONNX file: the exporter's tree arrays for a hand-built
// ensemble, onnxruntime-web's outputs against hand-worked and trainer
// probabilities, the committed model against its card, and byte-identical
// training for a seed.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../engine/src/index";
import { loadEngine } from "../engine/src/node";
import { isModelFeature, modelCardSchema } from "../models/contract";
import { getOrt } from "../models/runtime/ort-node";
import { SAMPLE_ROWS } from "../models/runtime/sample";
import { validateModel } from "../models/runtime/validate";
import { featureMatrix } from "../models/window-gbdt/train/dataset";
import { type Ensemble, predictProba } from "../models/window-gbdt/train/gbdt";
import { EXPORT_OPSETS, exportOnnx, treeEnsembleArrays } from "../models/window-gbdt/train/onnx-export";
import { readOnnxEnsemble } from "../models/window-gbdt/train/onnx-import";
import { onnxScores } from "../models/window-gbdt/train/ort";
import { FEATURES, PARAMS, trainWindowModel } from "../models/window-gbdt/train/recipe";
import { generateTelemetry } from "../models/window-gbdt/train/telemetry";

const MODEL_DIR = new URL("../models/window-gbdt/1/", import.meta.url);

/**
 * Tree 0: node 0 "x1 <= 0.5 (NaN left)" -> node 1 leaf -0.25 | node 2 "x0 <= 3" -> node 3 leaf 0.1 | node 4 leaf 0.4.
 * Tree 1: a single leaf 0.05. Base margin -1.
 */
const HAND: Ensemble = {
  nFeatures: 2,
  baseMargin: -1,
  trees: [
    {
      feature: Int32Array.from([1, -1, 0, -1, -1]),
      threshold: Float32Array.from([0.5, 0, 3, 0, 0]),
      left: Int32Array.from([1, -1, 3, -1, -1]),
      right: Int32Array.from([2, -1, 4, -1, -1]),
      missingLeft: Uint8Array.from([1, 0, 0, 0, 0]),
      value: Float32Array.from([0, -0.25, 0, 0.1, 0.4]),
    },
    {
      feature: Int32Array.from([-1]),
      threshold: Float32Array.from([0]),
      left: Int32Array.from([-1]),
      right: Int32Array.from([-1]),
      missingLeft: Uint8Array.from([0]),
      value: Float32Array.from([0.05]),
    },
  ],
};
const HAND_EXPORT = { inputName: "x", labelName: "label", probabilitiesName: "probabilities", features: ["count", "error_rate"] };

const sigmoid = (m: number) => 1 / (1 + Math.exp(-m));

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine();
});

describe("window-gbdt ONNX export", () => {
  it("writes the hand-built trees as TreeEnsembleClassifier arrays", () => {
    const a = treeEnsembleArrays(HAND);
    expect(a.nodes_treeids).toEqual([0, 0, 0, 0, 0, 1]);
    expect(a.nodes_nodeids).toEqual([0, 1, 2, 3, 4, 0]);
    expect(a.nodes_featureids).toEqual([1, 0, 0, 0, 0, 0]);
    expect(a.nodes_modes).toEqual(["BRANCH_LEQ", "LEAF", "BRANCH_LEQ", "LEAF", "LEAF", "LEAF"]);
    expect(a.nodes_values).toEqual([0.5, 0, 3, 0, 0, 0]);
    expect(a.nodes_truenodeids).toEqual([1, 0, 3, 0, 0, 0]);
    expect(a.nodes_falsenodeids).toEqual([2, 0, 4, 0, 0, 0]);
    expect(a.nodes_missing_value_tracks_true).toEqual([1, 0, 0, 0, 0, 0]);
    expect(a.class_treeids).toEqual([0, 0, 0, 1]);
    expect(a.class_nodeids).toEqual([1, 3, 4, 0]);
    expect(a.class_ids).toEqual([0, 0, 0, 0]);
    expect(a.class_weights).toEqual([-0.25, Math.fround(0.1), Math.fround(0.4), Math.fround(0.05)]);
    expect(a.base_values).toEqual([-1]);
  });

  it("runs in onnxruntime-web with the probabilities worked out by hand", async () => {
    // Row [0, 0]:   x1 <= 0.5 -> -0.25; + 0.05 - 1 = -1.2.
    // Row [2, 1]:   x1 > 0.5, x0 <= 3 -> 0.1; + 0.05 - 1 = -0.85.
    // Row [5, 1]:   x1 > 0.5, x0 > 3 -> 0.4; -> -0.55.
    // Row [5, NaN]: NaN tracks the true (left) branch -> -0.25 -> -1.2.
    const bytes = exportOnnx(HAND, HAND_EXPORT);
    const x = Float32Array.from([0, 0, 2, 1, 5, 1, 5, Number.NaN]);
    const p = await onnxScores(bytes, x, 2, "x", "probabilities");
    const want = [-1.2, -0.85, -0.55, -1.2].map(sigmoid);
    p.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-6));
    const ts = predictProba(HAND, x);
    ts.forEach((v, i) => expect(Math.abs(v - p[i]!)).toBeLessThan(1e-6));
    // Column 0 is the other class: 1 - p.
    const q = await onnxScores(bytes, x, 2, "x", "probabilities", 0);
    q.forEach((v, i) => expect(Math.abs(v + p[i]! - 1)).toBeLessThan(1e-6));
    // The file reads back as the same ensemble.
    expect(readOnnxEnsemble(bytes)).toEqual(HAND);
  });
});

describe("the committed window-gbdt/1", () => {
  const bytes = new Uint8Array(readFileSync(new URL("model.onnx", MODEL_DIR)));
  const card = modelCardSchema.parse(JSON.parse(readFileSync(new URL("card.json", MODEL_DIR), "utf8")));

  it("matches its card: sha256, inputs, opsets, size", () => {
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(card.sha256);
    expect(card.inputs).toEqual([...FEATURES]);
    expect(card.inputs.every(isModelFeature)).toBe(true);
    expect(card.opsets).toEqual(EXPORT_OPSETS.map((o) => ({ ...o })));
    expect(card.output_column).toBe(1);
    expect(bytes.length).toBeLessThan(1024 * 1024);
    expect(readOnnxEnsemble(bytes).nFeatures).toBe(card.inputs.length);
  });

  it("passes the upload checks the Worker runs (models/runtime/validate.ts), so a retrain that breaks them fails here", async () => {
    // The committed card.json as a client would send it (text): size, opsets, inputs, sha256, test inference.
    const cardText = readFileSync(new URL("card.json", MODEL_DIR), "utf8");
    const valid = await validateModel(getOrt(), engine, bytes, cardText);
    try {
      expect(valid.card.name).toBe("window-gbdt");
      expect(valid.info.operators.map((o) => `${o.domain}:${o.op}`)).toEqual(["ai.onnx.ml:TreeEnsembleClassifier"]);
      expect(valid.sampleScores.length).toBe(SAMPLE_ROWS);
      for (const p of valid.sampleScores) expect(p >= 0 && p <= 1).toBe(true);
    } finally {
      await valid.model.release();
    }
  });

  it("gives in onnxruntime-web the trainer's own probabilities to 1e-6", async () => {
    // Fresh telemetry the model never saw, two services over a day.
    const series = generateTelemetry(engine, { seed: 77, services: 2, days: 1 });
    const { x } = featureMatrix(engine, series, card.inputs);
    const ort = await onnxScores(bytes, x, card.inputs.length, card.input_name, card.output_name, card.output_column);
    const ts = predictProba(readOnnxEnsemble(bytes), x);
    // One row per window the engine closed (a quiet minute without events has none).
    expect(ort.length).toBe(series[0]!.windows.length + series[1]!.windows.length);
    expect(ort.length).toBeGreaterThan(2000);
    let max = 0;
    for (let i = 0; i < ts.length; i++) max = Math.max(max, Math.abs(ts[i]! - ort[i]!));
    expect(max).toBeLessThanOrEqual(1e-6);
  });
});

describe("window-gbdt training", () => {
  it("writes the same bytes twice for the same seed and data", () => {
    const series = generateTelemetry(engine, { seed: 3, services: 2, days: 1 });
    const again = generateTelemetry(engine, { seed: 3, services: 2, days: 1 });
    expect(again).toEqual(series);
    const params = { ...PARAMS, trees: 10 };
    const a = trainWindowModel(engine, series, params);
    const b = trainWindowModel(engine, again, params);
    expect(Buffer.from(b.bytes).equals(Buffer.from(a.bytes))).toBe(true);
    const c = trainWindowModel(engine, series, { ...params, seed: 99 });
    expect(Buffer.from(c.bytes).equals(Buffer.from(a.bytes))).toBe(false);
  });
});
