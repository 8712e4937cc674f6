// The one way every host runs a window model: an onnxruntime session over the
// contract's [N, F] float32 input, and the model's output read back as one
// score in [0, 1] per window. Hosts differ only in how they load
// onnxruntime-web (worker/src/models/ort.ts, web/src/ort.ts, models/runtime/ort-node.ts).
import type * as Ort from "onnxruntime-web";
import type { ModelCard } from "../contract";
import { ModelProblem } from "./problem";
import { asOperatorProblem } from "./support";

/** The parts of onnxruntime-web a host hands in (the package namespace satisfies it). */
export type OrtRuntime = Pick<typeof Ort, "InferenceSession" | "Tensor">;

/** A loaded model: its card and its onnxruntime session, reused for every batch. */
export class WindowModel {
  private constructor(
    readonly card: ModelCard,
    private readonly ort: OrtRuntime,
    private readonly session: Ort.InferenceSession,
  ) {}

  /** Creates the session; an operator without a kernel is `model_unsupported_operator`, any other load failure `model_unreadable`. */
  static async load(ort: OrtRuntime, card: ModelCard, bytes: Uint8Array): Promise<WindowModel> {
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "all", logSeverityLevel: 3 });
    } catch (err) {
      throw asOperatorProblem(err) ?? new ModelProblem("model_unreadable", "onnxruntime-web could not load the model", { reason: String(err instanceof Error ? err.message : err) });
    }
    return new WindowModel(card, ort, session);
  }

  /** Scores `rows` windows: `features` is row-major [rows, card.inputs.length] (computeModelFeatures). */
  async score(features: Float32Array, rows: number): Promise<Float32Array> {
    const width = this.card.inputs.length;
    if (features.length !== rows * width) throw new RangeError(`features hold ${features.length} values, not ${rows} x ${width}`);
    if (rows === 0) return new Float32Array(0);
    let out: Ort.InferenceSession.OnnxValueMapType;
    try {
      out = await this.session.run({ [this.card.input_name]: new this.ort.Tensor("float32", features, [rows, width]) }, [this.card.output_name]);
    } catch (err) {
      throw new ModelProblem("model_inference_failed", "onnxruntime-web failed to run the model", { reason: String(err instanceof Error ? err.message : err) });
    }
    return readScores(out[this.card.output_name] as Ort.Tensor | undefined, rows, this.card);
  }

  /** Frees the session's memory inside onnxruntime's WebAssembly heap. */
  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * The score column of a model output: float32 of shape [rows], [rows, 1], or
 * [rows, C] with the anomalous class at card.output_column. NaN (a model's
 * answer to missing features) passes through; finite values must lie in [0, 1].
 */
export function readScores(t: Ort.Tensor | undefined, rows: number, card: Pick<ModelCard, "output_name" | "output_column">): Float32Array {
  if (!t) throw new ModelProblem("model_output_shape", `the model gave no output named "${card.output_name}"`);
  const dims = [...t.dims];
  if (t.type !== "float32") throw new ModelProblem("model_output_shape", `output "${card.output_name}" is ${t.type}, not float32`, { type: t.type, dims });
  const data = t.data as Float32Array;
  let scores: Float32Array;
  if (dims.length === 1 && dims[0] === rows) scores = data.slice();
  else if (dims.length === 2 && dims[0] === rows && dims[1] === 1) scores = data.slice();
  else if (dims.length === 2 && dims[0] === rows && dims[1]! > card.output_column) {
    const c = dims[1]!;
    scores = new Float32Array(rows);
    for (let i = 0; i < rows; i++) scores[i] = data[i * c + card.output_column]!;
  } else {
    throw new ModelProblem("model_output_shape", `output "${card.output_name}" has shape [${dims.join(", ")}] for ${rows} windows; expected [${rows}], [${rows}, 1] or [${rows}, C] with C > output_column ${card.output_column}`, { dims, rows, output_column: card.output_column });
  }
  for (let i = 0; i < rows; i++) {
    const s = scores[i]!;
    if (!Number.isNaN(s) && !(s >= 0 && s <= 1)) throw new ModelProblem("model_output_shape", `output "${card.output_name}" gave ${s} for window ${i}: scores must be probabilities in [0, 1]`, { row: i, value: s });
  }
  return scores;
}
