// A fixed stretch of ordinary service traffic: the sample an uploaded model
// must score before it is accepted, so a model that fails on real feature
// rows is refused at upload rather than in the scoring cron.
import { computeModelFeatures, type FeaturesEngine, ROLLING_HISTORY, type WindowSummary } from "../contract";

/** Windows scored in the test inference (after ROLLING_HISTORY windows of history). */
export const SAMPLE_ROWS = 8;

const MINUTE = 60_000;
// 2026-11-30 12:00 UTC, a Monday noon.
const START = Date.UTC(2026, 10, 30, 12);

/** ROLLING_HISTORY + SAMPLE_ROWS windows of a steady service with small, deterministic variation. */
export const SAMPLE_WINDOWS: readonly WindowSummary[] = Array.from({ length: ROLLING_HISTORY + SAMPLE_ROWS }, (_, i) => {
  const count = 120 + ((i * 7) % 11);
  const p50 = 40 + (i % 4);
  return {
    start: START + i * MINUTE,
    count,
    errors: i % 3,
    latencyMean: p50 * 1.2,
    latencyStddev: 9 + (i % 2),
    latencyP50: p50,
    latencyP95: p50 * 2.5,
    latencyP99: p50 * 4,
    distinctEndpoints: 5 + (i % 2),
  };
});

/** The sample's last SAMPLE_ROWS rows of `names`, row-major [SAMPLE_ROWS, names.length]. */
export function sampleFeatures(engine: FeaturesEngine, names: readonly string[]): Float32Array {
  return computeModelFeatures(engine, SAMPLE_WINDOWS, names).slice(ROLLING_HISTORY * names.length);
}
