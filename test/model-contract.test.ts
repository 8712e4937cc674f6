// The model contract: feature names and the feature matrix every host feeds a model.
import { describe, expect, it } from "vitest";
import { loadEngine } from "../engine/src/node";
import { computeModelFeatures, isModelFeature, MODEL_FEATURES, modelCardSchema, type WindowSummary } from "../models/contract";

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

  it("checks cards: names, sha256 and opsets", () => {
    const card = { name: "window-gbdt", version: "1", inputs: ["count"], input_name: "input", output_name: "probabilities", opsets: [{ domain: "", version: 17 }], sha256: "a".repeat(64), created_at: "2026-12-01T00:00:00Z" };
    expect(modelCardSchema.parse(card).output_column).toBe(1);
    expect(modelCardSchema.safeParse({ ...card, sha256: "xyz" }).success).toBe(false);
    expect(modelCardSchema.safeParse({ ...card, name: "Bad Name" }).success).toBe(false);
    expect(modelCardSchema.safeParse({ ...card, opsets: [] }).success).toBe(false);
  });
});
