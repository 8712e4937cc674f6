// Global set-up of the workers project, run in Node: computes the engine
// scenario's digest with the release build loaded by Node and hands it to the
// parity test that runs inside workerd.
import type { TestProject } from "vitest/node";
import { loadEngine } from "../engine/src/node";
import { runScenario } from "./fixtures/engine-scenario";
import "./support/provided";

export default async function setup(project: TestProject): Promise<void> {
  project.provide("nodeEngineDigest", await runScenario(await loadEngine("release")));
}
