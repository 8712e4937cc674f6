// Operator sets onnxruntime-web 1.30's WebAssembly backend loads, found by
// trying: a one-node model per domain and opset version, loaded by the same
// runtime build every host uses (ai.onnx 27 and ai.onnx.ml 6 are refused at
// load; ai.onnx below 7 loads but onnxruntime only guarantees 7 and above).
// Whether each operator has a kernel at its version is then answered by
// onnxruntime itself when the session is created (see `asOperatorProblem`).
import { ModelProblem } from "./problem";

/** Supported [lowest, highest] opset version per domain ("" is ai.onnx). */
export const SUPPORTED_OPSETS: Readonly<Record<string, readonly [number, number]>> = {
  "": [7, 26],
  "ai.onnx": [7, 26],
  "ai.onnx.ml": [1, 5],
  "com.microsoft": [1, 1],
};

/** An operator set a model imports. */
export interface Opset {
  domain: string;
  version: number;
}

/** Opsets outside SUPPORTED_OPSETS, with the reason for each. */
export function unsupportedOpsets(opsets: readonly Opset[]): { domain: string; version: number; supported: string }[] {
  const out: { domain: string; version: number; supported: string }[] = [];
  for (const o of opsets) {
    const range = SUPPORTED_OPSETS[o.domain];
    if (!range || o.version < range[0] || o.version > range[1]) out.push({ ...o, supported: range ? `${range[0]}-${range[1]}` : "none: unknown domain" });
  }
  return out;
}

/**
 * onnxruntime's session-creation errors that mean "no kernel for this
 * operator at this version", as a ModelProblem; undefined for other errors.
 */
export function asOperatorProblem(err: unknown): ModelProblem | undefined {
  const msg = String(err instanceof Error ? err.message : err);
  const patterns = [
    /No Op registered for (\S+) with domain_version of (\d+)/,
    /(\S+)\((-?\d+)\) is not a registered function\/op/,
    /Could not find an implementation for (\S+)\((\d+)\) node/,
  ];
  for (const p of patterns) {
    const m = p.exec(msg);
    if (m) return new ModelProblem("model_unsupported_operator", `onnxruntime-web has no kernel for operator ${m[1]} at opset ${m[2]}`, { operator: m[1], opset: Number(m[2]), runtime: "onnxruntime-web 1.30.0 (wasm)" });
  }
  return undefined;
}
