// The recipe of window-gbdt: which data, which features, which parameters.
// `npm run train` and `npm run eval:model` both read it, so the model and
// its evaluation are made from the same description.
import type { Engine } from "../../../engine/src/index";
import { MODEL_FEATURES } from "../../contract";
import { featureMatrix, type LabelledSeries } from "./dataset";
import { type Ensemble, type GbdtParams, train } from "./gbdt";
import { exportOnnx } from "./onnx-export";
import type { TelemetryOptions } from "./telemetry";

export const MODEL_NAME = "window-gbdt";
export const MODEL_VERSION = "1";
export const INPUT_NAME = "input";
export const LABEL_NAME = "label";
export const PROBABILITIES_NAME = "probabilities";

/** Every feature the contract offers, in its order. */
export const FEATURES: readonly string[] = MODEL_FEATURES;

/** Training telemetry: 16 services over a week. */
export const TRAIN_DATA: TelemetryOptions = { seed: 6101, services: 16, days: 7 };
/** Held back: other services (other seed) over a later week. */
export const HELD_BACK_DATA: TelemetryOptions = { seed: 6202, services: 8, days: 7, start: Date.UTC(2026, 10, 16) };

/** Windows at the start of a held-back series left out of every held-back metric: the detector's warm-up day. */
export const WARM_UP_WINDOWS = 1440;

export const PARAMS: Partial<GbdtParams> = {
  trees: 120,
  maxDepth: 6,
  maxLeaves: 24,
  learningRate: 0.1,
  minChildWeight: 5,
  lambda: 1,
  minSplitGain: 0,
  rowSample: 0.6,
  colSample: 0.7,
  bins: 64,
  seed: 6,
};

/** Trains on `series` and exports; the same series and parameters give the same bytes. */
export function trainWindowModel(engine: Engine, series: readonly LabelledSeries[], params: Partial<GbdtParams> = PARAMS): { model: Ensemble; bytes: Uint8Array; rows: number } {
  const { x, y } = featureMatrix(engine, series, FEATURES);
  const model = train(x, y, FEATURES.length, params);
  const bytes = exportOnnx(model, {
    inputName: INPUT_NAME,
    labelName: LABEL_NAME,
    probabilitiesName: PROBABILITIES_NAME,
    features: FEATURES,
    docString: "Helios window-gbdt: P(anomalous) of a service's 1-minute window from its window features (models/window-gbdt).",
  });
  return { model, bytes, rows: y.length };
}
