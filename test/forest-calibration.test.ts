// Isolation Forest score calibration: empirical body, exponential tail over the top 5%.
import { describe, expect, it } from "vitest";
import { fitIsolationCalibration, isolationSurprise } from "../worker/src/cron/forest-calibration";

describe("isolation forest calibration", () => {
  // 200 training scores 0.400, 0.401, ..., 0.599 (step 0.001).
  const scores = Array.from({ length: 200 }, (_, i) => 0.4 + i / 1000);
  const c = fitIsolationCalibration(scores);

  it("fits the median, the top-5% threshold and the mean excess", () => {
    // n = 200; k = ceil(0.05 * 200) = 10: the top ten are 0.590..0.599, so u = 0.590 and the
    // excesses 0, 0.001, ..., 0.009 average 0.0045. Median: sorted[99] = 0.499.
    expect(c.n).toBe(200);
    expect(c.k).toBe(10);
    expect(c.u).toBeCloseTo(0.59, 12);
    expect(c.beta).toBeCloseTo(0.0045, 12);
    expect(c.median).toBeCloseTo(0.499, 12);
  });

  it("maps scores to -log10 p: 1/2 to the median, k/(n+1) at u, exponential beyond", () => {
    expect(isolationSurprise(c, 0.3)).toBeCloseTo(Math.log10(2), 12);
    // At u: p = 10 / 201, surprise = log10(20.1) = 1.3032.
    expect(isolationSurprise(c, 0.59)).toBeCloseTo(Math.log10(20.1), 12);
    // Half-way from the median to u: half-way in log p.
    expect(isolationSurprise(c, (0.499 + 0.59) / 2)).toBeCloseTo((Math.log10(2) + Math.log10(20.1)) / 2, 12);
    // 0.0045 * ln(10) * 5 above u, i.e. five decades of e-folds: p = 10/201 * 1e-5, surprise 6.3032.
    expect(isolationSurprise(c, 0.59 + 0.0045 * Math.LN10 * 5)).toBeCloseTo(Math.log10(20.1) + 5, 9);
  });

  it("is monotone and refuses too few scores", () => {
    let last = -1;
    for (let s = 0; s <= 1; s += 0.01) {
      const v = isolationSurprise(c, s);
      expect(v).toBeGreaterThanOrEqual(last);
      last = v;
    }
    expect(() => fitIsolationCalibration([0.5, 0.6])).toThrow(/at least 10/);
    // A tail of ties still has a finite scale.
    expect(fitIsolationCalibration(Array.from({ length: 50 }, () => 0.5)).beta).toBe(1e-3);
  });
});
