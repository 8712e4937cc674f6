// Checks an uploaded model and its card against the contract before anything
// is stored: size, readable protobuf, supported operator sets, inputs that are
// known features in a [N, F] float32 tensor, the card's checksum, operators
// onnxruntime-web has kernels for, and a test inference on sample windows
// whose output has the contract's shape. Structural checks run before the
// checksum, so a broken file is told what is broken rather than only "differs".
import { type FeaturesEngine, isModelFeature, type ModelCard, modelCardSchema } from "../contract";
import { inspectModel, type ModelInfo } from "./inspect";
import { ModelProblem } from "./problem";
import { SAMPLE_ROWS, sampleFeatures } from "./sample";
import { type OrtRuntime, WindowModel } from "./score";
import { unsupportedOpsets } from "./support";

/** Largest accepted model file: 8 MiB, well under what a Worker isolate can hold beside the runtime. */
export const MAX_MODEL_BYTES = 8 * 1024 * 1024;

/** A model that passed every check, with its session already created. */
export interface ValidModel {
  card: ModelCard;
  info: ModelInfo;
  model: WindowModel;
  /** Scores of the sample windows, for the upload's response. */
  sampleScores: number[];
}

/** Hex SHA-256 (WebCrypto: the same in Node, workerd and browsers). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Parses a card from JSON text or an object; any problem is `card_invalid` with the failing fields. */
export function parseCard(card: unknown): ModelCard {
  let value = card;
  if (typeof card === "string") {
    try {
      value = JSON.parse(card);
    } catch (err) {
      throw new ModelProblem("card_invalid", "the card is not valid JSON", { reason: String(err instanceof Error ? err.message : err) });
    }
  }
  const r = modelCardSchema.safeParse(value);
  if (!r.success) throw new ModelProblem("card_invalid", "the card does not match the model card schema", { issues: r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) });
  const dup = r.data.inputs.find((f, i) => r.data.inputs.indexOf(f) !== i);
  if (dup) throw new ModelProblem("card_invalid", `the card names input feature "${dup}" twice`, { feature: dup });
  return r.data;
}

function sameOpsets(a: ModelInfo["opsets"], b: ModelCard["opsets"]): boolean {
  const norm = (xs: { domain: string; version: number }[]) => xs.map((o) => `${o.domain === "ai.onnx" ? "" : o.domain}@${o.version}`).sort().join(",");
  return norm(a) === norm(b);
}

/** Runs every check; throws the first ModelProblem found. The caller releases `model` when done with it. */
export async function validateModel(ort: OrtRuntime, engine: FeaturesEngine, bytes: Uint8Array, rawCard: unknown): Promise<ValidModel> {
  if (bytes.length > MAX_MODEL_BYTES) throw new ModelProblem("model_too_large", `the model is ${bytes.length} bytes; the limit is ${MAX_MODEL_BYTES}`, { bytes: bytes.length, limit: MAX_MODEL_BYTES });
  const card = parseCard(rawCard);
  const info = inspectModel(bytes);

  const badOpsets = unsupportedOpsets(info.opsets);
  if (badOpsets.length > 0) throw new ModelProblem("model_unsupported_operator", `onnxruntime-web does not support operator set ${badOpsets.map((o) => `${o.domain || "ai.onnx"} ${o.version}`).join(", ")}`, { opsets: badOpsets });
  const imported = new Set(info.opsets.map((o) => o.domain));
  const undeclared = info.operators.filter((o) => !imported.has(o.domain) && !(o.domain === "ai.onnx" && imported.has("")));
  if (undeclared.length > 0) throw new ModelProblem("model_unsupported_operator", `operators of undeclared domains: ${undeclared.map((o) => `${o.domain}:${o.op}`).join(", ")}`, { operators: undeclared });
  if (!sameOpsets(info.opsets, card.opsets)) throw new ModelProblem("card_invalid", "the card's opsets differ from the model's", { card: card.opsets, model: info.opsets });

  const unknown = card.inputs.filter((f) => !isModelFeature(f));
  if (unknown.length > 0) throw new ModelProblem("model_unknown_input", `unknown input features: ${unknown.join(", ")}; see MODEL_FEATURES for the names Helios computes`, { unknown });
  if (info.inputs.length !== 1) throw new ModelProblem("model_input_shape", `the model has ${info.inputs.length} inputs; the contract is one float32 [N, F] tensor`, { inputs: info.inputs });
  const input = info.inputs[0]!;
  if (input.name !== card.input_name) throw new ModelProblem("model_input_shape", `the card's input_name "${card.input_name}" is not the model's input "${input.name}"`, { input });
  const width = input.dims?.[1];
  if (input.type !== "float32" || !input.dims || input.dims.length !== 2 || (typeof width === "number" && width !== card.inputs.length)) {
    throw new ModelProblem("model_input_shape", `input "${input.name}" is ${input.type} [${input.dims?.join(", ") ?? "?"}]; the card's ${card.inputs.length} features need float32 [N, ${card.inputs.length}]`, { input, features: card.inputs.length });
  }
  if (!info.outputs.some((o) => o.name === card.output_name)) throw new ModelProblem("model_output_shape", `the model has no output "${card.output_name}"`, { outputs: info.outputs.map((o) => o.name) });

  const actual = await sha256Hex(bytes);
  if (actual !== card.sha256) throw new ModelProblem("model_checksum_mismatch", "the file's sha256 differs from the card's", { card: card.sha256, file: actual });

  const model = await WindowModel.load(ort, card, bytes);
  try {
    const scores = await model.score(sampleFeatures(engine, card.inputs), SAMPLE_ROWS);
    return { card, info, model, sampleScores: Array.from(scores) };
  } catch (err) {
    await model.release();
    throw err;
  }
}
