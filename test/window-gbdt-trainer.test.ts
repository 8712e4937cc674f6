// The gradient-boosted tree trainer of window-gbdt and its metrics: splits
// and leaf weights worked out by hand, a separable problem learned exactly,
// and the same trees for the same seed.
import { describe, expect, it } from "vitest";
import { predictMargin, predictProba, train } from "../models/window-gbdt/train/gbdt";
import { applyPlatt, confusion, fitPlatt, noisyOr, rocAuc } from "../models/window-gbdt/train/metrics";
import { gauss, rng } from "../models/random";

const ONE_SPLIT = { trees: 1, maxDepth: 1, learningRate: 1, lambda: 1, minChildWeight: 0, bins: 64 };

describe("gbdt trainer", () => {
  it("puts a single split where the gain is largest, with the leaf weights -G/(H + lambda)", () => {
    // x = 1, 2, 3, 4 with labels 0, 0, 1, 1. Base rate 1/2, so the base margin is 0, p = 1/2,
    // g = p - y = +0.5 (y = 0) or -0.5 (y = 1), h = p (1 - p) = 0.25.
    // Candidate thresholds are the data values below the largest: 1, 2, 3.
    //   x <= 1: L {g .5, h .25}, R {g -.5, h .75}: gain .5 (.25/1.25 + .25/1.75) = 0.171
    //   x <= 2: L {g 1, h .5},   R {g -1, h .5}:   gain .5 (1/1.5 + 1/1.5)     = 0.667  <- best
    //   x <= 3: mirror of x <= 1:                                             = 0.171
    // Leaves: -1 / (0.5 + 1) = -2/3 on the left, +2/3 on the right.
    const m = train(Float32Array.from([1, 2, 3, 4]), [0, 0, 1, 1], 1, ONE_SPLIT);
    expect(m.baseMargin).toBe(0);
    expect(m.trees.length).toBe(1);
    const t = m.trees[0]!;
    expect(Array.from(t.feature)).toEqual([0, -1, -1]);
    expect(t.threshold[0]).toBe(2);
    expect(Array.from(t.left)).toEqual([1, -1, -1]);
    expect(Array.from(t.right)).toEqual([2, -1, -1]);
    expect(t.value[1]).toBe(Math.fround(-2 / 3));
    expect(t.value[2]).toBe(Math.fround(2 / 3));
    expect(Array.from(predictMargin(m, Float32Array.from([2, 2.5])))).toEqual([Math.fround(-2 / 3), Math.fround(2 / 3)]);
  });

  it("learns which side missing values go to", () => {
    // x = 1, 2, 3, 4, NaN, NaN. When the NaN rows are labelled like the large values they must go right
    // (the false branch, missingLeft 0); labelled like the small ones, left (missingLeft 1). Either way x <= 2 separates.
    const x = Float32Array.from([1, 2, 3, 4, Number.NaN, Number.NaN]);
    const right = train(x, [0, 0, 1, 1, 1, 1], 1, ONE_SPLIT).trees[0]!;
    expect([right.threshold[0], right.missingLeft[0]]).toEqual([2, 0]);
    const left = train(x, [0, 0, 1, 1, 0, 0], 1, ONE_SPLIT).trees[0]!;
    expect([left.threshold[0], left.missingLeft[0]]).toEqual([2, 1]);
    const m = train(x, [0, 0, 1, 1, 0, 0], 1, ONE_SPLIT);
    const p = predictProba(m, Float32Array.from([Number.NaN, 1, 4]));
    expect(p[0]).toBe(p[1]);
    expect(p[2]).toBeGreaterThan(p[0]!);
  });

  it("classifies a separable two-feature problem perfectly", () => {
    // y = 1 exactly when x0 > 0.6 and x1 <= 0.3 (an axis-aligned box, so trees can cut it exactly), on 400 random points.
    const r = rng(11);
    const n = 400;
    const x = new Float32Array(n * 2);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x[2 * i] = r();
      x[2 * i + 1] = r();
      y[i] = x[2 * i]! > 0.6 && x[2 * i + 1]! <= 0.3 ? 1 : 0;
    }
    const m = train(x, y, 2, { trees: 30, maxDepth: 3, learningRate: 0.5, minChildWeight: 0, lambda: 0.1, bins: 255 });
    const p = predictProba(m, x);
    const c = confusion(p, y, 0.5);
    expect(c.tp + c.fn).toBeGreaterThan(0);
    expect([c.fp, c.fn]).toEqual([0, 0]);
  });

  it("is deterministic for a seed, with row and column subsampling", () => {
    const r = rng(5);
    const n = 2000;
    const f = 6;
    const x = Float32Array.from({ length: n * f }, () => gauss(r));
    const y = Uint8Array.from({ length: n }, (_, i) => (x[i * f]! + 0.5 * x[i * f + 3]! + 0.3 * gauss(r) > 0.8 ? 1 : 0));
    const params = { trees: 15, rowSample: 0.5, colSample: 0.5, seed: 9 };
    const a = train(x, y, f, params);
    const b = train(x, y, f, params);
    expect(b).toEqual(a);
    const c = train(x, y, f, { ...params, seed: 10 });
    expect(c).not.toEqual(a);
  });
});

describe("window model metrics", () => {
  it("computes ROC-AUC as the chance a positive outranks a negative", () => {
    // Positives 0.35, 0.8; negatives 0.1, 0.4: pairs won 0.35>0.1, 0.8>0.1, 0.8>0.4 -> 3 of 4.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    // A tie between a positive and a negative counts half: (1 + 0.5) / 2.
    expect(rocAuc([0.2, 0.5, 0.5], [0, 0, 1])).toBe(0.75);
  });

  it("counts precision, recall and F1 at a threshold", () => {
    // Hits at >= 0.5: rows 1, 2, 3; labels 1 at rows 2, 3, 4 -> tp 2, fp 1, fn 1: P = R = F1 = 2/3.
    const c = confusion([0.1, 0.6, 0.5, 0.9, 0.2], [0, 0, 1, 1, 1], 0.5);
    expect([c.tp, c.fp, c.fn]).toEqual([2, 1, 1]);
    expect(c.precision).toBeCloseTo(2 / 3, 12);
    expect(c.f1).toBeCloseTo(2 / 3, 12);
  });

  it("fits Platt scaling at the likelihood's stationary point", () => {
    // At the maximum-likelihood (a, b): sum(y - p) = 0 and sum((y - p) s) = 0.
    const s = [0, 0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.9, 0.95, 1];
    const y = [0, 0, 1, 0, 0, 1, 0, 1, 1, 1];
    const c = fitPlatt(s, y);
    let g0 = 0;
    let g1 = 0;
    s.forEach((v, i) => {
      g0 += y[i]! - applyPlatt(c, v);
      g1 += (y[i]! - applyPlatt(c, v)) * v;
    });
    expect(Math.abs(g0)).toBeLessThan(1e-9);
    expect(Math.abs(g1)).toBeLessThan(1e-9);
    expect(c.b).toBeGreaterThan(0);
    // Noisy-OR of 0.5 and 0.5: 1 - 0.25.
    expect(noisyOr(0.5, 0.5)).toBe(0.75);
  });
});
