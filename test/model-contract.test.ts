// The model contract: feature names and the feature matrix every host feeds a model.
import { describe, expect, it } from "vitest";
import { loadEngine } from "../engine/src/node";
import { computeModelFeatures, isModelFeature, MODEL_FEATURES, modelCardSchema, ROLLING_HISTORY, scoringFeatures, type WindowSummary } from "../models/contract";

const MINUTE = 60_000;
// 2026-11-30 is a Monday; 00:00 UTC.
const MONDAY = Date.UTC(2026, 10, 30);

function win(i: number, count: number, errors: number, p99: number): WindowSummary {
  return { start: MONDAY + i * MINUTE, count, errors, latencyMean: p99 / 2, latencyStddev: 1, latencyP50: p99 / 3, latencyP95: p99 - 1, latencyP99: p99, distinctEndpoints: 3 };
}

describe("model contract", () => {
  it("names each window feature, each rolling feature per base, and the calendar once", () => {
    // 8 window features + 3 bases x 18 rolling columns (23 engine columns less 5 calendar) + 5 calendar.
    expect(MODEL_FEATURES.length).toBe(8 + 3 * 18 + 5);
    expect(new Set(MODEL_FEATURES).size).toBe(MODEL_FEATURES.length);
    expect(isModelFeature("latency_p99.mean_12")).toBe(true);
    expect(isModelFeature("hour_sin")).toBe(true);
    expect(isModelFeature("count.hour_sin")).toBe(false);
    expect(isModelFeature("cpu")).toBe(false);
  });

  it("computes the row-major matrix in the card's order, carrying a missing latency forward", async () => {
    const engine = await loadEngine();
    const windows = [win(0, 10, 1, 100), win(1, 20, 0, 200), { ...win(2, 30, 3, Number.NaN) }];
    const names = ["error_rate", "latency_p99", "count.lag_1", "count.mean_3", "latency_p99.max_3", "hour_sin"];
    const m = computeModelFeatures(engine, windows, names);
    expect(m.length).toBe(3 * names.length);
    const row = (i: number) => Array.from(m.subarray(i * names.length, (i + 1) * names.length));
    // Row 2: error rate 3/30 = 0.1 (as float32); p99 NaN carried from 200; lag_1 of count = 20;
    // mean_3 of counts (10, 20, 30) = 20; max_3 of p99 (100, 200, 200) = 200; 00:02 UTC: sin(2 pi (2/60)/24).
    const r2 = row(2);
    expect(r2[0]).toBeCloseTo(0.1, 6);
    expect(r2[1]).toBe(200);
    expect(r2[2]).toBe(20);
    expect(r2[3]).toBe(20);
    expect(r2[4]).toBe(200);
    expect(r2[5]).toBeCloseTo(Math.sin((2 * Math.PI * (2 / 60)) / 24), 6);
    // Row 0: error rate 1/10.
    expect(row(0)[0]).toBeCloseTo(0.1, 6);
  });

  it("scores a stored window from exactly ROLLING_HISTORY minutes before it, a minute without a window being empty", async () => {
    const engine = await loadEngine();
    // Stored windows at minutes 0..20 except 14 (no events). Counts: 10 + i; p99: 100 + i.
    const stored = Array.from({ length: 21 }, (_, i) => win(i, 10 + i, 0, 100 + i)).filter((w) => w.start !== MONDAY + 14 * MINUTE);
    const names = ["count.lag_12", "count.lag_6", "count.min_12", "count.mean_3", "latency_p99.lag_6", "latency_p99.min_3"];
    const at = (starts: number[], windows = stored) => Array.from(scoringFeatures(engine, windows, starts.map((m) => MONDAY + m * MINUTE), names));
    // Window 20: lag_12 is minute 8 (count 18), so 12 minutes of history make it finite (11 would leave it NaN);
    // lag_6 is minute 14, empty: count 0. min_12 over minutes 9..20 = 0 (minute 14).
    // mean_3 over 18..20 = (28 + 29 + 30) / 3 = 29. p99 lag_6 at minute 14 carries minute 13's 113; min_3 of p99 over 18..20 = 118.
    expect(ROLLING_HISTORY).toBe(12);
    expect(at([20])).toEqual([18, 0, 0, 29, 113, 118]);
    // A row does not depend on the batch it is scored in, nor on how much older history the host passes.
    const both = at([19, 20]);
    expect(both.slice(names.length)).toEqual(at([20]));
    expect(at([20], stored.slice(8))).toEqual(at([20]));
    // Window 3 of a new series: the minutes before its first window are empty (count 0, no latency yet).
    // lag_12 = minute -9: 0; lag_6 = minute -3: 0; min_12 = 0; mean_3 = (11 + 12 + 13) / 3 = 12. The p99 history before the
    // first latency enters the engine as 0 (computeModelFeatures), so p99 lag_6 = 0 and min_3 over minutes 1..3 = 101.
    expect(at([3])).toEqual([0, 0, 0, 12, 0, 101]);
  });

  it("checks cards: names, sha256 and opsets", () => {
    const card = { name: "window-gbdt", version: "1", inputs: ["count"], input_name: "input", output_name: "probabilities", opsets: [{ domain: "", version: 17 }], sha256: "a".repeat(64), created_at: "2026-12-01T00:00:00Z" };
    expect(modelCardSchema.parse(card).output_column).toBe(1);
    expect(modelCardSchema.safeParse({ ...card, sha256: "xyz" }).success).toBe(false);
    expect(modelCardSchema.safeParse({ ...card, name: "Bad Name" }).success).toBe(false);
    expect(modelCardSchema.safeParse({ ...card, opsets: [] }).success).toBe(false);
  });
});
