import { beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../src/index";
import { EngineError } from "../src/index";
import { loadEngine } from "../src/node";
import { rng } from "../../models/random";

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine("debug");
});

// capacity 100, target 0.6, headroom 0.2: one replica per 100 * 0.6 / 1.2 = 50 units of load.
const base = { capacityPerReplica: 100, targetUtilisation: 0.6, headroom: 0.2, tolerance: 0, stepMs: 60_000 };

describe("replicas by hand", () => {
  it("desired = ceil(load (1 + headroom) / (capacity * target)), bounded", () => {
    // 300 * 1.2 / 60 = 6 (6.000000000000001 in floating point: must still be 6, not 7);
    // 250 -> 5; 251 -> 5.02 -> 6; 0 -> 0 -> min 1.
    const r = engine.recommend.replicas([300, 250, 251, 0], { ...base, current: 1, stabilisationWindowMs: 0 });
    expect(Array.from(r.replicas)).toEqual([6, 5, 6, 1]);
    expect(r.now).toBe(6);
    expect(r.peak).toBe(6);
    expect(r.mean).toBe(18 / 4);
    // Bounds: min 2, max 5 -> [5, 5, 5, 2].
    const b = engine.recommend.replicas([300, 250, 251, 0], { ...base, current: 1, min: 2, max: 5, stabilisationWindowMs: 0 });
    expect(Array.from(b.replicas)).toEqual([5, 5, 5, 2]);
  });

  it("the tolerance band keeps the current count for small changes", () => {
    // current 10: load 525 needs 10.5 replicas, ratio 1.05, within 0.1 -> stay 10;
    // 575 needs 11.5, ratio 1.15 -> ceil 12; then 460 needs 9.2 vs 12 (ratio 0.77) -> 10 (no window).
    const r = engine.recommend.replicas([525, 575, 460], { ...base, tolerance: 0.1, current: 10, stabilisationWindowMs: 0 });
    expect(Array.from(r.replicas)).toEqual([10, 12, 10]);
  });

  it("scales up at once and holds scale-down for the stabilisation window", () => {
    // 1-minute steps, 5-minute window, 10 replicas running. Need (load / 50):
    // t:     0  1  2  3  4  5  6  7  8  9 10 11 12 13
    // need:  2  2  2  2  2  2  2  8  2  2  2  2  2  2
    // t = 0..4: the window (t-4..t) still reaches back before the path, where 10 ran -> 10.
    // t = 5, 6: window holds only 2s -> 2. t = 7: 8 > 2 -> up at once to 8.
    // t = 8..11: window (t-4..t) contains t = 7's 8 -> hold 8. t = 12: window 8..12 -> 2.
    const need = [2, 2, 2, 2, 2, 2, 2, 8, 2, 2, 2, 2, 2, 2];
    const r = engine.recommend.replicas(
      need.map((x) => x * 50),
      { ...base, current: 10, stabilisationWindowMs: 300_000 },
    );
    expect(Array.from(r.replicas)).toEqual([10, 10, 10, 10, 10, 2, 2, 8, 8, 8, 8, 8, 2, 2]);
  });

  it("lead time provisions for the peak that arrives before a replica is ready", () => {
    // lead 2 steps: step t provisions for max(need[t..t+2]). need [1, 1, 1, 4, 1, 1] ->
    // peaks [1, 4, 4, 4, 1, 1]; no window -> [1, 4, 4, 4, 1, 1].
    const r = engine.recommend.replicas([50, 50, 50, 200, 50, 50], { ...base, current: 1, leadMs: 120_000, stabilisationWindowMs: 0 });
    expect(Array.from(r.replicas)).toEqual([1, 4, 4, 4, 1, 1]);
  });

  it("takes a forecast and provisions for its p90 band by default", () => {
    const f = engine.forecast.predict([100, 110, 120, 130, 140, 150, 160, 170], 3, { season: 0, stepMs: 60_000 });
    const r = engine.recommend.replicas(f, { capacityPerReplica: 10, targetUtilisation: 1, headroom: 0, tolerance: 0 });
    // Each step: ceil(p90 / 10), then the window (5 steps, from the forecast's 1-minute step) never lowers it.
    const expected: number[] = [];
    let cur = 1;
    for (const v of f.p90) {
      cur = Math.max(cur, Math.ceil(v / 10));
      expected.push(cur);
    }
    expect(Array.from(r.replicas)).toEqual(expected);
  });
});

describe("forecast bands below zero", () => {
  it("count as no load instead of failing", () => {
    // Falling by 10 a minute to 40: Holt's forecast (alpha 1, beta 0, slope -10) is 30, 20, 10, 0, -10, -20.
    // One replica per 10 (target 1, no headroom): 3, 2, 1, then 0 -> min 1, and the negatives count as 0 -> 1.
    const f = engine.forecast.predict([70, 60, 50, 40], 6, { season: 0, stepMs: 60_000, method: "holt", params: { alpha: 1, beta: 0, gamma: 0, phi: 1 } });
    expect(f.p50[5]).toBeCloseTo(-20, 9);
    const opts = { capacityPerReplica: 10, targetUtilisation: 1, headroom: 0, tolerance: 0, band: "p50" as const, current: 3, stabilisationWindowMs: 0 };
    expect(Array.from(engine.recommend.replicas(f, opts).replicas)).toEqual([3, 2, 1, 1, 1, 1]);
  });
});

describe("VPA-style resource requests by hand", () => {
  const start = (b: number, first: number) => (first * (1.05 ** b - 1)) / 0.05;

  it("CPU p90 of ten equal-weight samples is the end of the 0.9 sample's bucket, plus 15%", () => {
    // Buckets: first 0.01 cores, ratio 1.05; bucket(v) = floor(ln(v * 0.05 / 0.01 + 1) / ln 1.05).
    // bucket(0.8) = floor(ln 5 / ln 1.05) = 32, bucket(0.9) = floor(ln 5.5 / ln 1.05) = floor(34.94) = 34,
    // bucket(1.0) = 36. p90 of 10 samples of weight 1: threshold 9, reached in bucket 34, whose end is
    // start(35) = 0.01 (1.05^35 - 1) / 0.05 = 0.903203...; request = 0.903203 * 1.15 = 1.038683...
    const cpu = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
    const r = engine.recommend.resources({ timestamps: cpu.map(() => 0), cpu });
    expect(r.cpu?.percentile).toBeCloseTo(start(35, 0.01), 12);
    expect(r.cpu?.percentile).toBeCloseTo(0.903203, 5);
    expect(r.cpu?.request).toBeCloseTo(start(35, 0.01) * 1.15, 12);
    expect(r.cpu?.weight).toBe(10);
    expect(r.memory).toBeUndefined();
  });

  it("older samples weigh less: a day-old sample counts half with the 24 h half-life", () => {
    // (t = 0, 1.0 core) weighs 2^(-1) = 0.5, (t = 24 h, 0.1 core) weighs 1: total 1.5.
    // p60 threshold 0.9 is reached in 0.1's bucket, floor(ln 1.5 / ln 1.05) = 8, end start(9) = 0.110266.
    // Without decay (a huge half-life) the threshold is 1.2 and lands in 1.0's bucket 36: end start(37) = 1.016286.
    const samples = { timestamps: [0, 86_400_000], cpu: [1.0, 0.1] };
    const r = engine.recommend.resources(samples, { cpuPercentile: 0.6 });
    expect(r.cpu?.weight).toBeCloseTo(1.5, 12);
    expect(r.cpu?.percentile).toBeCloseTo(start(9, 0.01), 12);
    const flat = engine.recommend.resources(samples, { cpuPercentile: 0.6, halfLifeMs: 1e15 });
    expect(flat.cpu?.percentile).toBeCloseTo(start(37, 0.01), 9);
  });

  it("memory at the peak, and the minimums", () => {
    // Memory buckets: first 1e7 bytes. bucket(5e8) = floor(ln(5e8 * 0.05 / 1e7 + 1) / ln 1.05) = floor(ln 3.5 / ln 1.05) = 25;
    // peak -> end of bucket 25 = start(26) = 1e7 (1.05^26 - 1) / 0.05 = 5.1113e8; request * 1.15.
    // CPU 0.001 cores -> bucket 0, end 0.01, * 1.15 = 0.0115 < 0.025 minimum -> 0.025.
    const r = engine.recommend.resources(
      { timestamps: [0, 1], memory: [3e8, 5e8], cpu: [0.001, 0.001] },
      { memoryPercentile: "peak" },
    );
    expect(r.memory?.percentile).toBeCloseTo(start(26, 1e7), 3);
    expect(r.memory?.request).toBeCloseTo(start(26, 1e7) * 1.15, 3);
    expect(r.cpu?.request).toBe(0.025);
    // Tiny memory -> the 250 MiB minimum.
    expect(engine.recommend.resources({ timestamps: [0], memory: [1e6] }).memory?.request).toBe(250 * 2 ** 20);
  });
});

describe("savings by hand", () => {
  it("monthly cost now vs recommended", () => {
    // Now: 4 replicas * (1 vCPU * 0.04 + 2 GiB * 0.005 + 0.01) = 4 * 0.06 = 0.24/h * 730 h = 175.2.
    // Recommended: 3 * (0.5 * 0.04 + 1 * 0.005 + 0.01) = 3 * 0.035 = 0.105/h * 730 = 76.65.
    // Savings 98.55 = 56.25% of 175.2.
    const s = engine.recommend.savings(
      { replicas: 4, cpu: 1, memoryBytes: 2 * 2 ** 30 },
      { replicas: 3, cpu: 0.5, memoryBytes: 2 ** 30 },
      { vcpuHour: 0.04, gibHour: 0.005, replicaHour: 0.01 },
    );
    expect(s.currentMonthly).toBeCloseTo(175.2, 10);
    expect(s.recommendedMonthly).toBeCloseTo(76.65, 10);
    expect(s.monthlySavings).toBeCloseTo(98.55, 10);
    expect(s.fraction).toBeCloseTo(0.5625, 12);
  });
});

describe("bad input", () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(EngineError);
      return (e as EngineError).code;
    }
    return "no error";
  };
  it("gives typed errors and never traps", () => {
    expect(code(() => engine.recommend.replicas([1, -2], base))).toBe("negative");
    expect(code(() => engine.recommend.replicas([1, Number.NaN], base))).toBe("not_finite");
    expect(code(() => engine.recommend.replicas([], base))).toBe("invalid_argument");
    expect(code(() => engine.recommend.replicas([1], { ...base, capacityPerReplica: 0 }))).toBe("invalid_argument");
    expect(code(() => engine.recommend.replicas([1], { ...base, targetUtilisation: 1.5 }))).toBe("invalid_argument");
    expect(code(() => engine.recommend.replicas([1], { ...base, min: 5, max: 2 }))).toBe("invalid_argument");
    expect(code(() => engine.recommend.replicas([1], { capacityPerReplica: 1 }))).toBe("invalid_argument"); // window needs stepMs
    expect(code(() => engine.recommend.resources({ timestamps: [] }))).toBe("insufficient_data");
    expect(code(() => engine.recommend.resources({ timestamps: [0, 1], cpu: [1, -1] }))).toBe("negative");
    expect(code(() => engine.recommend.resources({ timestamps: [0, Number.NaN], cpu: [1, 1] }))).toBe("not_finite");
    expect(code(() => engine.recommend.resources({ timestamps: [0, 1], cpu: [1] }))).toBe("invalid_argument");
    expect(code(() => engine.recommend.resources({ timestamps: [0], cpu: [1] }, { cpuPercentile: 2 }))).toBe("invalid_argument");
    const d = { replicas: 1, cpu: 1, memoryBytes: 1 };
    expect(code(() => engine.recommend.savings(d, { ...d, cpu: -1 }, { vcpuHour: 1, gibHour: 1 }))).toBe("negative");
    expect(code(() => engine.recommend.savings(d, d, { vcpuHour: Number.POSITIVE_INFINITY, gibHour: 1 }))).toBe("not_finite");
    expect(code(() => engine.recommend.replicas([1], { ...base, max: 1e12 }))).toBe("invalid_argument");
    // A window and lead far longer than the path act as the whole path (no i32 wrap-around).
    const long = engine.recommend.replicas([500, 50, 50], { ...base, current: 1, stabilisationWindowMs: 1e15, leadMs: 1e15 });
    expect(Array.from(long.replicas)).toEqual([10, 10, 10]);
    expect(engine.recommend.replicas([100], base).now).toBe(2);
  });
});


describe("differential: engine vs straightforward implementations", () => {
  it("replicas match a naive window-max reference on random paths", () => {
    const r = rng(21);
    for (let k = 0; k < 200; k++) {
      const n = 1 + Math.floor(r() * 60);
      const load = Array.from({ length: n }, () => Math.round(r() * 1000));
      const o = {
        capacityPerReplica: 10 + r() * 90,
        targetUtilisation: 0.3 + 0.7 * r(),
        headroom: r() * 0.5,
        min: Math.floor(r() * 3),
        max: 5 + Math.floor(r() * 40),
        current: Math.floor(r() * 30),
        tolerance: r() * 0.2,
        stepMs: 60_000,
        stabilisationWindowMs: Math.floor(r() * 10) * 60_000,
        leadMs: Math.floor(r() * 4) * 60_000,
      };
      const window = o.stabilisationWindowMs / 60_000;
      const lead = o.leadMs / 60_000;
      const desired: number[] = [];
      const expected: number[] = [];
      let cur = o.current;
      for (let t = 0; t < n; t++) {
        const peak = Math.max(...load.slice(t, t + lead + 1));
        const need = (peak * (1 + o.headroom)) / (o.capacityPerReplica * o.targetUtilisation);
        let d = cur > 0 && Math.abs(need / cur - 1) <= o.tolerance ? cur : Math.ceil(need - 1e-9 * need);
        d = Math.min(Math.max(d, o.min), o.max);
        desired.push(d);
        if (d > cur) cur = d;
        else {
          let stable = Math.max(...desired.slice(Math.max(0, t - Math.max(window, 1) + 1)));
          if (t < window) stable = Math.max(stable, o.current);
          cur = Math.min(cur, stable);
        }
        expected.push(cur);
      }
      expect(Array.from(engine.recommend.replicas(load, o).replicas)).toEqual(expected);
    }
  });

  it("resource percentiles match a sort-and-bucket reference on random samples", () => {
    const r = rng(8);
    for (let k = 0; k < 100; k++) {
      const n = 1 + Math.floor(r() * 300);
      const ts = Array.from({ length: n }, () => Math.floor(r() * 7 * 86_400_000));
      const cpu = Array.from({ length: n }, () => r() ** 3 * 8);
      const pct = r();
      const got = engine.recommend.resources({ timestamps: ts, cpu }, { cpuPercentile: pct }).cpu;
      // Reference: weights 2^((t - t_last) / 24 h); buckets floor(ln(v * 0.05 / 0.01 + 1) / ln 1.05) (176 of them);
      // walk buckets in order until the cumulative weight reaches pct * total; report the next bucket's start.
      const last = Math.max(...ts);
      const w = ts.map((t) => 2 ** ((t - last) / 86_400_000));
      const nb = Math.ceil(Math.log((1000 * 0.05) / 0.01 + 1) / Math.log(1.05)) + 1;
      const bucketOf = (v: number) => (v < 0.01 ? 0 : Math.min(nb - 1, Math.floor(Math.log((v * 0.05) / 0.01 + 1) / Math.log(1.05))));
      const weights = new Float64Array(nb);
      cpu.forEach((v, i) => {
        const b = bucketOf(v);
        weights[b] = (weights[b] as number) + (w[i] as number);
      });
      const total = w.reduce((s, v) => s + v, 0);
      let acc = 0;
      let b = 0;
      for (; b < nb - 1; b++) {
        acc += weights[b] as number;
        if (acc >= pct * total && acc > 0) break;
      }
      const edge = (0.01 * (1.05 ** (b + 1) - 1)) / 0.05;
      expect(got?.weight).toBeCloseTo(total, 9);
      expect(got?.percentile).toBeCloseTo(edge, 9);
      expect(got?.request).toBeCloseTo(Math.max(edge * 1.15, 0.025), 9);
    }
  });
});

describe("never traps", () => {
  it("random loads, samples and options give a result or a typed EngineError (not a trap)", () => {
    const r = rng(505);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;
    const num = () => pick([0, -1, 0.5, 3, 1e9, 1e300, Number.NaN, 1e-9]);
    const expectTyped = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(EngineError);
        expect((e as EngineError).code).not.toBe("trap");
      }
    };
    for (let k = 0; k < 300; k++) {
      const n = Math.floor(r() * 50);
      const load = Array.from({ length: n }, () => (r() < 0.05 ? num() : r() * 1e4));
      expectTyped(() =>
        engine.recommend.replicas(load, {
          capacityPerReplica: num(),
          targetUtilisation: pick([undefined, 0.5, 1, 2, 0]),
          headroom: pick([undefined, 0, 0.2, -1]),
          min: pick([undefined, 0, 1, 3]),
          max: pick([undefined, 2, 10, 1e6]),
          current: pick([undefined, 0, 5, 1e6]),
          stepMs: pick([undefined, 1, 60_000]),
          stabilisationWindowMs: pick([undefined, 0, 1e9]),
          leadMs: pick([undefined, 0, 1e12]),
        }),
      );
      const ts = Array.from({ length: n }, () => (r() < 0.05 ? num() : r() * 1e10));
      expectTyped(() =>
        engine.recommend.resources(
          { timestamps: ts, cpu: load.map((v) => v / 1e3), memory: r() < 0.5 ? load.map((v) => v * 1e6) : undefined },
          { cpuPercentile: pick([undefined, 0, 0.5, 1, 1.5]), halfLifeMs: pick([undefined, 1, 1e-300]), safetyMargin: num() },
        ),
      );
    }
  });
});
