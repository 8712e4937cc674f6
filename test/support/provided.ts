// Values the Node-side global set-ups hand to tests in workerd (vitest's provide/inject).
import type { ScenarioDigest } from "../fixtures/engine-scenario";

declare module "vitest" {
  export interface ProvidedContext {
    /** The engine scenario's digest computed in Node, for the workerd parity test. */
    nodeEngineDigest: ScenarioDigest;
    /** Scores of the ONNX parity scenario computed in Node (test/fixtures/onnx-parity.ts). */
    nodeOnnxScores: Record<string, number[]>;
    /** Base URL of the local webhook receiver (test/webhook-receiver.global-setup.ts). */
    webhookBase: string;
  }
}
