// The model and windows the ONNX benchmark scores in workerd and in Node:
// a 100-tree, depth-4 ensemble (the size of a small gradient-boosted window
// classifier) over 20 features, and 1,000 windows after ROLLING_HISTORY of history.
import { MODEL_FEATURES, type ModelCard, ROLLING_HISTORY, type WindowSummary } from "../../models/contract";
import { sha256Hex } from "../../models/runtime/validate";
import { forestModel } from "../../test/support/onnx-models";

export const BENCH_WINDOWS = 1000;
const FEATURES = MODEL_FEATURES.filter((_, i) => i % 4 === 0).slice(0, 20);

/** The model bytes and card. */
export async function benchModel(): Promise<{ bytes: Uint8Array; card: ModelCard }> {
  const bytes = forestModel({ features: FEATURES, trees: 100, depth: 4, seed: 7 });
  const card: ModelCard = { name: "bench-forest", version: "1", inputs: FEATURES, input_name: "input", output_name: "probabilities", output_column: 1, opsets: [{ domain: "", version: 17 }, { domain: "ai.onnx.ml", version: 3 }], sha256: await sha256Hex(bytes), created_at: "2026-12-01T00:00:00Z" };
  return { bytes, card };
}

/** ROLLING_HISTORY + BENCH_WINDOWS windows of one service with a daily-ish wave. */
export const BENCH_SERIES: WindowSummary[] = Array.from({ length: ROLLING_HISTORY + BENCH_WINDOWS }, (_, i) => {
  const count = Math.round(150 + 80 * Math.sin(i / 90) + ((i * 37) % 11));
  const p99 = 150 + ((i * 13) % 40);
  return { start: Date.UTC(2026, 10, 30) + i * 60_000, count, errors: i % 7, latencyMean: p99 / 3, latencyStddev: p99 / 7, latencyP50: p99 / 4, latencyP95: p99 * 0.8, latencyP99: p99, distinctEndpoints: 8 + (i % 3) };
});
