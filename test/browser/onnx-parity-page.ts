// Runs in headless Chromium (test/onnx-parity.test.ts): hands the test the
// dashboard's own engine Web Worker, which scores windows with onnxruntime-web.
import type { ModelCard, WindowSummary } from "../../models/contract";
import { engineWorker } from "../../web/src/engine-client";

declare global {
  interface Window {
    __scoreWindows?: (bytes: number[], card: ModelCard, windows: WindowSummary[]) => Promise<number[]>;
  }
}

window.__scoreWindows = async (bytes, card, windows) => Array.from(await engineWorker.scoreWindows(Uint8Array.from(bytes), card, windows));
document.getElementById("out")!.textContent = "ready";
