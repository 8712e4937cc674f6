// NAB scoring against cases worked out by hand. Useful identity:
// sig(x) = 2 / (1 + e^(5x)) - 1 = -tanh(5x / 2).
import { describe, expect, it } from "vitest";
import { NAB_PROFILES, probationRows, rowWeights, scaledSigmoid, scoreCorpus, scoreFile, type ScoredFile, windowsToRows } from "../cli/nab/score";

const std = NAB_PROFILES.standard!;
const lowFp = NAB_PROFILES.reward_low_FP_rate!;
const lowFn = NAB_PROFILES.reward_low_FN_rate!;

/** A 20-row file with one window over rows 10..14 (w = 5) and detections (score 1) at `hits`. */
function file(hits: number[], name = "f"): ScoredFile {
  const scores = new Float64Array(20);
  for (const h of hits) scores[h] = 1;
  return { name, scores, windows: [[10, 14]] };
}

describe("NAB scaled sigmoid and probation", () => {
  it("matches -tanh(5x/2) and is -1 beyond 3", () => {
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(-1)).toBeCloseTo(Math.tanh(2.5), 12); // 0.986614
    expect(scaledSigmoid(0.25)).toBeCloseTo(-Math.tanh(0.625), 12); // -0.554600
    expect(scaledSigmoid(3.0001)).toBe(-1);
  });

  it("skips min(floor(0.15 n), 750) rows", () => {
    expect(probationRows(20)).toBe(3); // floor(3.0)
    expect(probationRows(1000)).toBe(150);
    expect(probationRows(10_000)).toBe(750); // 1500 capped at 750
  });
});

describe("NAB raw score of one file", () => {
  it("gives the full tpWeight for a detection at the start of a window", () => {
    // row 10: -(14 - 10 + 1) / 5 = -1, so sig(-1) / sig(-1) = 1
    expect(scoreFile(file([10]), 0.5, std)).toMatchObject({ raw: 1, tp: 1, fn: 0, fp: 0 });
  });

  it("gives less for a detection late in a window", () => {
    // row 13: -(14 - 13 + 1) / 5 = -0.4 -> tanh(1) / tanh(2.5) = 0.761594 / 0.986614 = 0.771927
    expect(scoreFile(file([13]), 0.5, std).raw).toBeCloseTo(0.771927, 6);
    // only the best (earliest) detection of a window counts
    expect(scoreFile(file([12, 13]), 0.5, std).raw).toBeCloseTo(Math.tanh(1.5) / Math.tanh(2.5), 12);
  });

  it("charges little for a false positive right after a window and fpWeight far from it", () => {
    // row 15: |14 - 15| / (5 - 1) = 0.25 -> 0.11 * -tanh(0.625) = -0.061006; window at row 10 = +1
    expect(scoreFile(file([10, 15]), 0.5, std).raw).toBeCloseTo(1 - 0.11 * Math.tanh(0.625), 12);
    // row 19: 5 / 4 = 1.25 -> 0.11 * -tanh(3.125) = -0.109575
    expect(scoreFile(file([10, 19]), 0.5, std).raw).toBeCloseTo(1 - 0.11 * Math.tanh(3.125), 12);
    // row 5, before any window: the full -fpWeight; low-FP profile doubles it
    expect(scoreFile(file([10, 5]), 0.5, std).raw).toBeCloseTo(1 - 0.11, 12);
    expect(scoreFile(file([10, 5]), 0.5, lowFp).raw).toBeCloseTo(1 - 0.22, 12);
  });

  it("charges -fnWeight for an undetected window and ignores probation rows", () => {
    expect(scoreFile(file([]), 0.5, std)).toMatchObject({ raw: -1, tp: 0, fn: 1 });
    expect(scoreFile(file([]), 0.5, lowFn).raw).toBe(-2);
    // row 2 is in probation (3 rows): not a false positive
    expect(scoreFile(file([2, 10]), 0.5, std)).toMatchObject({ raw: 1, fp: 0 });
  });

  it("weights every row of the file", () => {
    const { window, weight } = rowWeights(20, [[10, 14]], std);
    expect([...window.slice(9, 16)]).toEqual([-1, 0, 0, 0, 0, 0, -1]);
    expect(weight[9]).toBeCloseTo(-0.11, 12);
    expect(weight[14]).toBeCloseTo(Math.tanh(0.5) / Math.tanh(2.5), 12); // -(1)/5 = -0.2
  });
});

describe("NAB threshold sweep over a corpus", () => {
  it("picks the threshold that maximises the summed score, entering ties together", () => {
    // File a: window rows 10..14. Scores: 0.9 at row 10 (tp +1), 0.9 at row 5 (fp -0.11, a tie).
    // File b: no window; 0.8 at row 6 (fp -0.11) and 0.7 at row 8 (fp -0.11).
    // Thresholds: above 0.9 -> -1 (null). 0.9 -> both rows of the tie enter: -1 + 2 - 0.11 = 0.89.
    // 0.8 -> 0.78. 0.7 -> 0.67. Best: 0.9 with raw 0.89.
    const a = new Float64Array(20);
    a[10] = 0.9;
    a[5] = 0.9;
    const b = new Float64Array(20);
    b[6] = 0.8;
    b[8] = 0.7;
    const result = scoreCorpus(
      [
        { name: "a", scores: a, windows: [[10, 14]] },
        { name: "b", scores: b, windows: [] },
      ],
      std,
    );
    expect(result.threshold).toBe(0.9);
    expect(result.raw).toBeCloseTo(0.89, 12);
    // normalised: S_null = -1, S_perfect = 1 -> 100 * (0.89 + 1) / 2 = 94.5
    expect(result.normalised).toBeCloseTo(94.5, 10);
    expect(result.perFile.map((f) => [f.name, f.tp, f.fp])).toEqual([
      ["a", 1, 1],
      ["b", 0, 0],
    ]);
  });

  it("prefers detecting nothing when every detection costs more than it earns, scoring 0", () => {
    const noisy = new Float64Array(20).fill(0.5); // every row past probation fires
    const result = scoreCorpus([{ name: "n", scores: noisy, windows: [[18, 19]] }], lowFp);
    // at 0.5: window +1 (row 18 is its start) and 15 rows outside (3..17) before it at -0.22 each:
    // -1 + 2 - 3.3 = -2.3 < -1, so the null detector wins: threshold Infinity, normalised 0.
    expect(result.threshold).toBe(Number.POSITIVE_INFINITY);
    expect(result.normalised).toBe(0);
  });

  it("normalises a perfect detector to 100", () => {
    const result = scoreCorpus([file([10], "p"), file([10], "q")], std);
    expect(result.normalised).toBeCloseTo(100, 12);
  });
});

describe("windows from timestamps", () => {
  it("maps window bounds to the rows inside them", () => {
    const ts = [0, 300, 600, 900, 1200, 1500];
    expect(windowsToRows(ts, [[300, 900]])).toEqual([[1, 3]]);
    expect(windowsToRows(ts, [[250, 1000]])).toEqual([[1, 3]]); // bounds between rows
  });
});
