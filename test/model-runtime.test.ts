// The model runtime shared by every host (models/runtime): reading an ONNX
// header, checking uploads against the contract, and reading scores back from
// the output shapes the contract allows. Runs onnxruntime-web in Node.
import { describe, expect, it } from "vitest";
import { loadEngine } from "../engine/src/node";
import { inspectModel } from "../models/runtime/inspect";
import { getOrt } from "../models/runtime/ort-node";
import { ModelProblem } from "../models/runtime/problem";
import { WindowModel, readScores } from "../models/runtime/score";
import { MAX_MODEL_BYTES, validateModel } from "../models/runtime/validate";
import { cardFor, customOperatorModel, linearModel } from "./support/onnx-models";

async function problemOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ModelProblem) return err.code;
    throw err;
  }
  return "accepted";
}

describe("model runtime", () => {
  it("reads the operator sets, operators and the [N, F] input of an ONNX file", () => {
    const info = inspectModel(linearModel({ features: ["count", "error_rate"], weights: [1, 1], bias: 0 }));
    expect(info.opsets).toEqual([{ domain: "", version: 17 }]);
    expect(info.operators.map((o) => o.op)).toEqual(["MatMul", "Add", "Sigmoid"]);
    // w and b are initializers, not inputs.
    expect(info.inputs).toEqual([{ name: "input", type: "float32", dims: ["N", 2] }]);
    expect(info.outputs).toEqual([{ name: "score", type: "float32", dims: ["N", 1] }]);
  });

  it("scores [N] and [N, 1] outputs alike: sigmoid(2 - 1) = 0.7310586, sigmoid(0) = 0.5", async () => {
    const ort = getOrt();
    const rows = Float32Array.from([2, 1, 0, 0]);
    for (const output of ["column", "vector"] as const) {
      const bytes = linearModel({ features: ["count", "error_rate"], weights: [1, -1], bias: 0, output });
      const model = await WindowModel.load(ort, await cardFor(bytes, { name: "m", version: "1", inputs: ["count", "error_rate"] }), bytes);
      expect(Array.from(await model.score(rows, 2))).toEqual([Math.fround(1 / (1 + Math.exp(-1))), 0.5]);
      await model.release();
    }
  });

  it("takes the anomalous column of [N, C] outputs and refuses other shapes and non-probabilities", () => {
    const t = (data: number[], dims: number[]) => new (getOrt().Tensor)("float32", Float32Array.from(data), dims);
    const card = { output_name: "p", output_column: 2 };
    expect(Array.from(readScores(t([0.1, 0.2, 0.7, 0.3, 0.3, 0.4], [2, 3]), 2, card))).toEqual([Math.fround(0.7), Math.fround(0.4)]);
    expect(() => readScores(t([0.1, 0.9, 0.2, 0.8], [2, 2]), 2, card)).toThrow(/expected \[2\], \[2, 1\] or \[2, C\]/);
    expect(() => readScores(t([0.5, 0.5, 0.5], [3]), 2, card)).toThrow(ModelProblem);
    expect(() => readScores(t([0.5, 1.5], [2]), 2, card)).toThrow(/probabilities in \[0, 1\]/);
    // NaN is a model's answer to missing features: it passes, and the caller stores no score.
    expect(Number.isNaN(readScores(t([Number.NaN, 0.5], [2]), 2, card)[0])).toBe(true);
  });

  it("refuses files over the limit, operator sets onnxruntime-web lacks, and cards that disagree with the file", async () => {
    const ort = getOrt();
    const engine = await loadEngine("release");
    const huge = new Uint8Array(MAX_MODEL_BYTES + 1);
    expect(await problemOf(validateModel(ort, engine, huge, await cardFor(huge, { name: "m", version: "1", inputs: ["count"] })))).toBe("model_too_large");
    // ai.onnx 27 is past what onnxruntime-web 1.30 loads (SUPPORTED_OPSETS: 7 to 26).
    const opset27 = customOperatorModel(1, "Identity", "ai.onnx", 27);
    expect(await problemOf(validateModel(ort, engine, opset27, await cardFor(opset27, { name: "m", version: "1", inputs: ["count"], opsets: [{ domain: "", version: 17 }, { domain: "ai.onnx", version: 27 }] })))).toBe("model_unsupported_operator");
    const ok = linearModel({ features: ["count"], weights: [0.01], bias: 0 });
    expect(await problemOf(validateModel(ort, engine, ok, await cardFor(ok, { name: "m", version: "1", inputs: ["count"], opsets: [{ domain: "", version: 18 }] })))).toBe("card_invalid");
    expect(await problemOf(validateModel(ort, engine, ok, { ...(await cardFor(ok, { name: "m", version: "1", inputs: ["count"] })), input_name: "x" }))).toBe("model_input_shape");
    const accepted = await validateModel(ort, engine, ok, await cardFor(ok, { name: "m", version: "1", inputs: ["count"] }));
    // Sample row 0 is window 12 (after ROLLING_HISTORY = 12): 120 + (84 % 11 = 7) = 127 requests; sigmoid(1.27) = 0.78078.
    expect(accepted.sampleScores[0]).toBeCloseTo(1 / (1 + Math.exp(-1.27)), 5);
    await accepted.model.release();
  });
});
