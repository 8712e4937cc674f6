// Global set-up of the workers project, run in Node: computes the engine
// scenario's digest and the ONNX parity scores with the release build and
// onnxruntime-web loaded by Node, and hands them to the parity tests that run
// inside workerd.
import type { TestProject } from "vitest/node";
import { loadEngine } from "../engine/src/node";
import { getOrt } from "../models/runtime/ort-node";
import { runScenario } from "./fixtures/engine-scenario";
import { runOnnxParity } from "./fixtures/onnx-parity";
import "./support/provided";

export default async function setup(project: TestProject): Promise<void> {
  const engine = await loadEngine("release");
  project.provide("nodeEngineDigest", await runScenario(engine));
  project.provide("nodeOnnxScores", await runOnnxParity(getOrt(), engine));
}
