// The engine in a Web Worker, exposed to the page through comlink, so what-if
// recomputation never blocks the page.
import * as Comlink from "comlink";
import wasmUrl from "../../engine/build/release.wasm?url";
import { createEngine, type Forecast } from "../../engine/src/index";
import { computeModelFeatures, type ModelCard, type WindowSummary } from "../../models/contract";
import { WindowModel } from "../../models/runtime/score";
import { getOrt } from "./ort";
import { analyseCsv, type OfflineResult } from "./offline";
import { whatIf, type WhatIfParams, type WhatIfResult } from "./what-if";

const engine = createEngine(fetch(wasmUrl));

/** The fitted base forecast of the series the page chose. */
let base: { forecast: Forecast; stepMs: number; method: string; season: number } | undefined;

/** What the page can call in the worker. */
const api = {
  /** The version computed by the engine loaded in this browser. */
  async version(): Promise<string> {
    return (await engine).version;
  },

  /** Fits the engine's forecaster to a history once; what-if scenarios then reuse it. */
  async setSeries(values: Float64Array, stepMs: number, horizon: number): Promise<{ method: string; season: number; fitMs: number }> {
    const e = await engine;
    const t0 = performance.now();
    const f = e.forecast.predict(values, horizon, { stepMs });
    base = { forecast: f, stepMs, method: f.model.method, season: f.model.season };
    return { method: f.model.method, season: f.model.season, fitMs: performance.now() - t0 };
  },

  /** Recomputes the forecast, replicas and cost for a scenario (what moving a slider calls). */
  async whatIf(params: WhatIfParams): Promise<WhatIfResult> {
    if (!base) throw new Error("choose a series first");
    const r = whatIf(await engine, base.forecast, base.stepMs, params);
    return Comlink.transfer(r, [r.p10.buffer, r.p50.buffer, r.p90.buffer, r.replicas.buffer]);
  },

  analyse,
  scoreWindows,
};

/** The last model loaded here, by sha256: its onnxruntime session is reused while the page scores with it. */
let loaded: { sha: string; model: Promise<WindowModel> } | undefined;

/** Scores consecutive windows of one service with a window model (ONNX bytes + card), here in the browser. */
async function scoreWindows(bytes: Uint8Array, card: ModelCard, windows: WindowSummary[]): Promise<Float32Array> {
  if (loaded?.sha !== card.sha256) {
    const previous = loaded?.model;
    loaded = { sha: card.sha256, model: WindowModel.load(getOrt(), card, bytes) };
    void previous?.then((m) => m.release()).catch(() => undefined);
  }
  const model = await loaded.model;
  const scores = await model.score(computeModelFeatures(await engine, windows, card.inputs), windows.length);
  return Comlink.transfer(scores, [scores.buffer]);
}

/** Analyses a CSV file here, in the worker: nothing leaves the browser. */
async function analyse(file: File, onProgress: (fraction: number) => void): Promise<OfflineResult> {
  return analyseCsv(await engine, file, onProgress);
}

/** The worker's API type, for `Comlink.wrap<EngineWorker>`. */
export type EngineWorker = typeof api;

Comlink.expose(api);
