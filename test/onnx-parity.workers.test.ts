// The same ONNX files give the same scores inside workerd as in Node.
import { describe, expect, inject, it } from "vitest";
import { getEngine } from "../worker/src/engine";
import { getOrt } from "../worker/src/models/ort";
import { PARITY_SCORED, runOnnxParity } from "./fixtures/onnx-parity";
import "./support/provided";

describe("onnxruntime-web parity between Node and workerd", () => {
  it("scores the parity windows alike to 1e-6", async () => {
    const inWorkerd = await runOnnxParity(await getOrt(), await getEngine());
    const inNode = inject("nodeOnnxScores");
    // Not empty shells: the stump gives 0.9 for the four 60%-error windows (30-33, rows 18-21 after 12 of history), 0.2 elsewhere.
    expect(inNode["parity-tree"]).toEqual(Array.from({ length: PARITY_SCORED }, (_, i) => Math.fround(i >= 18 && i < 22 ? 0.9 : 0.2)));
    expect(inNode["parity-linear"]).toHaveLength(PARITY_SCORED);
    expect(inNode["parity-linear"]!.every((v) => v > 0 && v < 1)).toBe(true);
    expect(Object.keys(inWorkerd)).toEqual(Object.keys(inNode));
    for (const name of Object.keys(inNode)) {
      inNode[name]!.forEach((v, i) => expect(Math.abs(inWorkerd[name]![i]! - v), `${name} row ${i}`).toBeLessThanOrEqual(1e-6));
    }
  });
});
