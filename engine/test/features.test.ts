import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { Engine, FeatureMatrix, FeatureName } from "../src/index";
import { EngineError, FEATURE_NAMES } from "../src/index";
import { loadEngine } from "../src/node";
import { rng } from "../../models/random";

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine("debug");
});


const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Straightforward reference: every feature recomputed from its definition, point by point. */
function reference(ts: ArrayLike<number>, x: ArrayLike<number>): Float64Array[] {
  const n = x.length;
  const cols = FEATURE_NAMES.map(() => new Float64Array(n).fill(Number.NaN));
  const set = (name: FeatureName, i: number, v: number) => {
    (cols[FEATURE_NAMES.indexOf(name)] as Float64Array)[i] = v;
  };
  const at = (i: number) => x[i] as number;
  for (let i = 0; i < n; i++) {
    for (const k of [1, 3, 6, 12]) if (i >= k) set(`lag_${k}` as FeatureName, i, at(i - k));
    for (const w of [3, 6, 12]) {
      if (i < w - 1) continue;
      const win = Array.from({ length: w }, (_, j) => at(i - w + 1 + j));
      const mean = win.reduce((a, b) => a + b, 0) / w;
      const ss = win.reduce((a, b) => a + (b - mean) ** 2, 0);
      set(`mean_${w}` as FeatureName, i, mean);
      set(`std_${w}` as FeatureName, i, Math.sqrt(ss / (w - 1)));
      set(`min_${w}` as FeatureName, i, Math.min(...win));
      set(`max_${w}` as FeatureName, i, Math.max(...win));
    }
    for (const k of [1, 3]) if (i >= k && at(i - k) !== 0) set(`pct_change_${k}` as FeatureName, i, (at(i) - at(i - k)) / at(i - k));
    const t = ts[i] as number;
    const d = new Date(t);
    const h = (t - Math.floor(t / DAY) * DAY) / HOUR;
    const dow = (d.getUTCDay() + 6) % 7; // Monday = 0
    set("hour_sin", i, Math.sin((2 * Math.PI * h) / 24));
    set("hour_cos", i, Math.cos((2 * Math.PI * h) / 24));
    set("dow_sin", i, Math.sin((2 * Math.PI * dow) / 7));
    set("dow_cos", i, Math.cos((2 * Math.PI * dow) / 7));
    set("is_weekend", i, dow >= 5 ? 1 : 0);
  }
  return cols;
}

function bytesOf(m: FeatureMatrix): Uint8Array {
  return new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength);
}

function concat(parts: FeatureMatrix[]): Float64Array[] {
  return FEATURE_NAMES.map((name) => {
    const out: number[] = [];
    for (const p of parts) out.push(...p.column(name));
    return Float64Array.from(out);
  });
}

/** Pi digits: small integers whose windows are easy to work by hand. */
const PI = [5, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9];
/** Thu 1970-01-01 00:00, Sat 06:00, Sun 18:00, Mon 00:00, then hourly. */
const PI_TS = [0, 2 * DAY + 6 * HOUR, 3 * DAY + 18 * HOUR, 4 * DAY, ...Array.from({ length: 9 }, (_, j) => 4 * DAY + (j + 1) * HOUR)];

describe("features by hand", () => {
  it("exposes the documented column order", () => {
    expect(engine.features.names).toEqual(FEATURE_NAMES);
    expect(FEATURE_NAMES.length).toBe(23);
    expect(FEATURE_NAMES.slice(0, 4)).toEqual(["lag_1", "lag_3", "lag_6", "lag_12"]);
    const m = engine.features.compute(PI_TS, PI);
    expect(m.rows).toBe(13);
    expect(m.data.length).toBe(13 * 23);
    // Column-major: column c of point i at c * rows + i.
    expect(m.data[1 * 13 + 5]).toBe(m.column("lag_3")[5]);
  });

  it("lags and percent changes on 5 1 4 1 5 9 2 6 5 3 5 8 9", () => {
    const m = engine.features.compute(PI_TS, PI);
    // lag_k at i is x[i-k], NaN for i < k.
    expect(m.column("lag_1")[0]).toBeNaN();
    expect(m.column("lag_1")[5]).toBe(5); // x[4]
    expect(m.column("lag_3")[2]).toBeNaN();
    expect(m.column("lag_3")[5]).toBe(4); // x[2]
    expect(m.column("lag_6")[11]).toBe(9); // x[5]
    expect(m.column("lag_12")[11]).toBeNaN();
    expect(m.column("lag_12")[12]).toBe(5); // x[0]
    // pct_change_1 at 2: (4 - 1) / 1 = 3; at 5: (9 - 5) / 5 = 0.8.
    expect(m.column("pct_change_1")[2]).toBe(3);
    expect(m.column("pct_change_1")[5]).toBe(0.8);
    // pct_change_3 at 5: (9 - x[2]) / x[2] = (9 - 4) / 4 = 1.25; NaN before 3.
    expect(m.column("pct_change_3")[5]).toBe(1.25);
    expect(m.column("pct_change_3")[2]).toBeNaN();
  });

  it("rolling mean, std, min and max", () => {
    const m = engine.features.compute(PI_TS, PI);
    // Window 3 needs 3 points: NaN at 0 and 1.
    expect(m.column("mean_3")[1]).toBeNaN();
    expect(m.column("min_3")[1]).toBeNaN();
    // At 2, [5, 1, 4]: mean 10/3; M2 = 25+1+16 - 10^2/3 = 26/3; var = M2/2 = 13/3.
    expect(m.column("mean_3")[2]).toBeCloseTo(10 / 3, 14);
    expect(m.column("std_3")[2]).toBeCloseTo(Math.sqrt(13 / 3), 14);
    expect(m.column("min_3")[2]).toBe(1);
    expect(m.column("max_3")[2]).toBe(5);
    // At 5, [1, 5, 9]: mean 5, M2 = 16 + 0 + 16 = 32, var 16, std 4.
    expect(m.column("mean_3")[5]).toBeCloseTo(5, 14);
    expect(m.column("std_3")[5]).toBeCloseTo(4, 14);
    expect(m.column("max_3")[5]).toBe(9);
    // Deque eviction: at 9, [6, 5, 3] min 3 max 6; at 10, [5, 3, 5]: the 6 has left, max 5.
    expect(m.column("min_3")[9]).toBe(3);
    expect(m.column("max_3")[9]).toBe(6);
    expect(m.column("max_3")[10]).toBe(5);
    expect(m.column("min_3")[8]).toBe(2); // [2, 6, 5]
    // Window 6 at 5, [5, 1, 4, 1, 5, 9]: sum 25, sum of squares 149, M2 = 149 - 625/6 = 269/6, var = 269/30.
    expect(m.column("mean_6")[4]).toBeNaN();
    expect(m.column("mean_6")[5]).toBeCloseTo(25 / 6, 14);
    expect(m.column("std_6")[5]).toBeCloseTo(Math.sqrt(269 / 30), 14);
    expect(m.column("min_6")[5]).toBe(1);
    expect(m.column("max_6")[5]).toBe(9);
    // Window 12 at 11, the first 12 values: sum 54, mean 4.5, sum of squares 312,
    // M2 = 312 - 54^2/12 = 69, var 69/11; min 1, max 9.
    expect(m.column("mean_12")[10]).toBeNaN();
    expect(m.column("mean_12")[11]).toBeCloseTo(4.5, 14);
    expect(m.column("std_12")[11]).toBeCloseTo(Math.sqrt(69 / 11), 14);
    expect(m.column("min_12")[11]).toBe(1);
    expect(m.column("max_12")[11]).toBe(9);
    // At 12 the 5 leaves and a 9 enters: sum 58, mean 58/12.
    expect(m.column("mean_12")[12]).toBeCloseTo(58 / 12, 14);
  });

  it("UTC calendar encodings", () => {
    const m = engine.features.compute(PI_TS, PI);
    // 1970-01-01 00:00 was a Thursday: hour 0 -> sin 0, cos 1; dow 3 -> sin(6 pi / 7); weekday.
    expect(m.column("hour_sin")[0]).toBe(0);
    expect(m.column("hour_cos")[0]).toBe(1);
    expect(m.column("dow_sin")[0]).toBeCloseTo(Math.sin((6 * Math.PI) / 7), 14);
    expect(m.column("dow_cos")[0]).toBeCloseTo(Math.cos((6 * Math.PI) / 7), 14);
    expect(m.column("is_weekend")[0]).toBe(0);
    // Saturday 06:00: hour angle 2 pi 6/24 = pi/2 -> sin 1, cos 0; dow 5; weekend.
    expect(m.column("hour_sin")[1]).toBeCloseTo(1, 14);
    expect(m.column("hour_cos")[1]).toBeCloseTo(0, 14);
    expect(m.column("is_weekend")[1]).toBe(1);
    // Sunday 18:00: angle 3 pi / 2 -> sin -1; dow 6; weekend.
    expect(m.column("hour_sin")[2]).toBeCloseTo(-1, 14);
    expect(m.column("dow_sin")[2]).toBeCloseTo(Math.sin((12 * Math.PI) / 7), 14);
    expect(m.column("is_weekend")[2]).toBe(1);
    // Monday 00:00: dow 0 -> sin 0, cos 1; weekday.
    expect(m.column("dow_sin")[3]).toBe(0);
    expect(m.column("dow_cos")[3]).toBe(1);
    expect(m.column("is_weekend")[3]).toBe(0);
    // Before the epoch: -1 ms is Wednesday 23:59:59.999 (dow 2), hour angle just under 2 pi.
    const b = engine.features.compute([-1, Date.UTC(2024, 0, 1, 12)], [1, 1]);
    expect(b.column("dow_sin")[0]).toBeCloseTo(Math.sin((4 * Math.PI) / 7), 14);
    expect(b.column("hour_cos")[0]).toBeCloseTo(1, 12);
    expect(b.column("hour_sin")[0]).toBeLessThan(0);
    // 2024-01-01 12:00 UTC was a Monday noon: hour cos(pi) = -1, dow 0.
    expect(b.column("hour_cos")[1]).toBeCloseTo(-1, 14);
    expect(b.column("dow_cos")[1]).toBe(1);
  });

  it("pct_change is NaN after a zero", () => {
    // (5 - 0) / 0 is undefined: NaN, not Infinity.
    const m = engine.features.compute([1, 2, 3, 4], [0, 5, 10, 0]);
    expect(m.column("pct_change_1")[1]).toBeNaN();
    expect(m.column("pct_change_1")[2]).toBe(1); // (10 - 5) / 5
    expect(m.column("pct_change_1")[3]).toBe(-1); // (0 - 10) / 10
    expect(m.column("pct_change_3")[3]).toBeNaN(); // x[0] = 0
  });

  it("a constant window has std exactly 0 and mean exactly its value", () => {
    // Noisy values leave rounding residue in the running M2; once a window holds
    // 12 equal values (min = max) the engine resets mean and M2 to the exact values.
    const r = rng(1);
    const x = [...Array.from({ length: 500 }, () => 1e6 * r()), ...new Array<number>(12).fill(0.1)];
    const ts = x.map((_, i) => i);
    const m = engine.features.compute(ts, x);
    const last = x.length - 1;
    for (const w of [3, 6, 12] as const) {
      expect(m.column(`std_${w}`)[last]).toBe(0);
      expect(m.column(`mean_${w}`)[last]).toBe(0.1);
    }
  });

  it("empty series gives an empty matrix", () => {
    const m = engine.features.compute([], []);
    expect(m.rows).toBe(0);
    expect(m.data.length).toBe(0);
  });
});

describe("features against a straightforward reference", () => {
  for (const [label, level, scale] of [
    ["N(100, 10)", 100, 10],
    ["values near 1e6 with unit noise", 1e6, 1],
    ["mixed signs", 0, 50],
  ] as const) {
    it(`random data: ${label}`, () => {
      const r = rng(42 + level);
      const n = 3000;
      const ts = new Float64Array(n);
      const x = new Float64Array(n);
      let t = Date.UTC(2026, 2, 1) + Math.floor(r() * DAY);
      for (let i = 0; i < n; i++) {
        t += 1 + Math.floor(r() * 2 * HOUR);
        ts[i] = t;
        // Repeated values sometimes, to exercise ties in the deques.
        x[i] = r() < 0.1 ? (x[i - 1] ?? level) : level + scale * (r() * 2 - 1);
      }
      const m = engine.features.compute(ts, x);
      const ref = reference(ts, x);
      FEATURE_NAMES.forEach((name, c) => {
        const got = m.column(name);
        const want = ref[c] as Float64Array;
        const exact = !/^(mean|std|hour|dow)/.test(name);
        for (let i = 0; i < n; i++) {
          const g = got[i] as number;
          const w = want[i] as number;
          if (Number.isNaN(w)) {
            if (!Number.isNaN(g)) throw new Error(`${name}[${i}]: ${g}, want NaN`);
          } else if (exact) {
            if (g !== w) throw new Error(`${name}[${i}]: ${g}, want ${w}`);
          } else {
            // Running sums vs a fresh two-pass sum: rounding only. Relative to the
            // data's magnitude (1e-15 per operation, a few hundred operations between resyncs).
            // std is compared as a variance: the rounding is in M2, and sqrt magnifies it near 0.
            // M2 error per sliding update is about eps (|level| + scale) scale; up to 256 updates between resyncs.
            const isStd = name.startsWith("std");
            const tol = isStd ? 1e-12 * (level + scale) * scale : name.startsWith("mean") ? 1e-11 * (level + scale) : 1e-12;
            const err = isStd ? Math.abs(g * g - w * w) : Math.abs(g - w);
            if (!(err <= tol)) throw new Error(`${name}[${i}]: ${g}, want ${w} (tol ${tol})`);
          }
        }
      });
    });
  }

  it("a long series keeps its running statistics accurate (resync)", () => {
    // 100,000 points at level 1e6 with unit noise: a sliding Welford update alone
    // drifts; the periodic exact recomputation keeps std_12 within 1e-6 of the truth.
    const r = rng(7);
    const n = 100_000;
    const ts = Float64Array.from({ length: n }, (_, i) => i * 60_000);
    const x = Float64Array.from({ length: n }, () => 1e6 + (r() - 0.5));
    const std = engine.features.compute(ts, x).column("std_12");
    const ref = reference(ts.subarray(n - 50), x.subarray(n - 50))[FEATURE_NAMES.indexOf("std_12")] as Float64Array;
    for (let i = 20; i < 50; i++) expect(Math.abs((std[n - 50 + i] as number) - (ref[i] as number))).toBeLessThan(1e-6);
  });
});

describe("features property: small integers with many ties, any batch split", () => {
  it("lags, min, max and percent changes equal the reference exactly; mean and std to rounding", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 20 }),
        (values, cuts) => {
          const x = Float64Array.from(values);
          const ts = Float64Array.from(values, (_, i) => 1000 * i);
          const s = engine.features.stream();
          const parts: FeatureMatrix[] = [];
          let i = 0;
          for (const c of cuts) {
            if (i >= x.length) break;
            const k = Math.min(c, x.length - i);
            parts.push(s.push(ts.subarray(i, i + k), x.subarray(i, i + k)));
            i += k;
          }
          parts.push(s.push(ts.subarray(i), x.subarray(i)));
          s.dispose();
          const got = concat(parts);
          const ref = reference(ts, x);
          FEATURE_NAMES.forEach((name, c) => {
            const g = got[c] as Float64Array;
            const w = ref[c] as Float64Array;
            for (let j = 0; j < x.length; j++) {
              const a = g[j] as number;
              const b = w[j] as number;
              if (Number.isNaN(b)) expect(a).toBeNaN();
              else if (/^(mean|std|hour|dow)/.test(name)) expect(Math.abs(a - b)).toBeLessThan(1e-12);
              else expect(a).toBe(b);
            }
          });
        },
      ),
      { numRuns: 200, seed: 2026 },
    );
  });
});

describe("streaming features", () => {
  function series(n: number, seed: number) {
    const r = rng(seed);
    const ts = Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 300_000);
    const x = Float64Array.from({ length: n }, () => Math.round(r() * 1000) / 10);
    return { ts, x };
  }

  it("any split into batches is bit-identical to the batch form", () => {
    const { ts, x } = series(1500, 3);
    const whole = engine.features.compute(ts, x);
    const r = rng(9);
    const s = engine.features.stream();
    const parts: FeatureMatrix[] = [];
    for (let i = 0; i < ts.length; ) {
      const k = Math.min(ts.length - i, Math.floor(r() * 40)); // includes empty batches
      parts.push(s.push(ts.subarray(i, i + k), x.subarray(i, i + k)));
      i += k;
    }
    expect(s.count).toBe(1500);
    const joined = concat(parts);
    FEATURE_NAMES.forEach((name, c) => {
      const a = whole.column(name);
      const b = joined[c] as Float64Array;
      expect(Buffer.from(b.buffer).equals(Buffer.from(a.slice().buffer))).toBe(true);
    });
    s.dispose();
  });

  it("the release build gives bit-identical features", async () => {
    const release = await loadEngine("release");
    const { ts, x } = series(700, 8);
    const a = engine.features.compute(ts, x);
    const b = release.features.compute(ts, x);
    expect(Buffer.from(bytesOf(b)).equals(Buffer.from(bytesOf(a)))).toBe(true);
  });

  it("a restored state continues identically", () => {
    const { ts, x } = series(800, 5);
    const a = engine.features.stream();
    a.push(ts.subarray(0, 333), x.subarray(0, 333));
    const bytes = a.serialize();
    expect(bytes.length).toBeGreaterThan(0);
    const b = engine.features.restore(bytes);
    expect(b.count).toBe(333);
    expect(Buffer.from(b.serialize()).equals(Buffer.from(bytes))).toBe(true);
    const ra = a.push(ts.subarray(333), x.subarray(333));
    const rb = b.push(ts.subarray(333), x.subarray(333));
    expect(Buffer.from(bytesOf(rb)).equals(Buffer.from(bytesOf(ra)))).toBe(true);
    // And both equal the batch form's tail.
    const whole = engine.features.compute(ts, x);
    const tail = FEATURE_NAMES.map((n) => whole.column(n).slice(333));
    FEATURE_NAMES.forEach((n, c) => expect(Buffer.from(rb.column(n).slice().buffer).equals(Buffer.from((tail[c] as Float64Array).buffer))).toBe(true));
    a.dispose();
    b.dispose();
  });

  it("rejects corrupt state bytes", () => {
    const s = engine.features.stream();
    s.push([1, 2, 3], [1, 2, 3]);
    const bytes = s.serialize();
    s.dispose();
    const expectCorrupt = (b: Uint8Array) => {
      try {
        engine.features.restore(b);
        throw new Error("restored corrupt bytes");
      } catch (e) {
        expect(e).toBeInstanceOf(EngineError);
        expect((e as EngineError).code).toBe("corrupt");
      }
    };
    expectCorrupt(bytes.slice(0, bytes.length - 1)); // truncated
    const badMagic = bytes.slice();
    badMagic[0] = (badMagic[0] as number) ^ 0xff;
    expectCorrupt(badMagic);
    const badCount = bytes.slice();
    new DataView(badCount.buffer).setBigInt64(8, -5n, true); // negative point count
    expectCorrupt(badCount);
    // Window 3's min deque emptied while points have been seen (layout in engine/assembly/features.ts:
    // windows start at 24 + 16 * 8 = 152, the min deque length at +24).
    const badDeque = bytes.slice();
    new DataView(badDeque.buffer).setInt32(152 + 24, 0, true);
    expectCorrupt(badDeque);
    // A deque position outside the live window (positions at +40).
    const badPos = bytes.slice();
    new DataView(badPos.buffer).setBigInt64(152 + 40, 99n, true);
    expectCorrupt(badPos);
  });

  it("the state is a fixed 1,040 bytes (per-series budget) and an empty one round-trips", () => {
    // 24 header + 16 history values * 8 + 3 windows * (40 + 2 deques * 16 positions * 8) = 1,040.
    const s = engine.features.stream();
    const bytes = s.serialize();
    expect(bytes.length).toBe(1040);
    const t = engine.features.restore(bytes);
    expect(t.count).toBe(0);
    const a = s.push([5, 6], [1, 2]);
    const b = t.push([5, 6], [1, 2]);
    expect(Buffer.from(bytesOf(b)).equals(Buffer.from(bytesOf(a)))).toBe(true);
    s.dispose();
    t.dispose();
  });
});

describe("features input validation", () => {
  function expectError(fn: () => unknown, code: string, index?: number) {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(EngineError);
      expect((e as EngineError).code).toBe(code);
      if (index !== undefined) expect((e as EngineError).details?.index).toBe(index);
      return;
    }
    throw new Error(`expected ${code}`);
  }

  it("NaN and Infinity in values or timestamps give not_finite with the index", () => {
    expectError(() => engine.features.compute([1, 2, 3, 4], [1, 2, 3, Number.NaN]), "not_finite", 3);
    expectError(() => engine.features.compute([1, 2, 3], [1, Number.POSITIVE_INFINITY, 3]), "not_finite", 1);
    expectError(() => engine.features.compute([1, Number.NaN, 3], [1, 2, 3]), "not_finite", 1);
  });

  it("out-of-order or repeated timestamps give out_of_order with the index", () => {
    expectError(() => engine.features.compute([1, 2, 5, 4], [1, 2, 3, 4]), "out_of_order", 3);
    expectError(() => engine.features.compute([1, 2, 2], [1, 2, 3]), "out_of_order", 2);
  });

  it("a stream rejects a batch older than its last point and stays unchanged", () => {
    const s = engine.features.stream();
    s.push([10, 20], [1, 2]);
    const before = s.serialize();
    expectError(() => s.push([15, 30], [3, 4]), "out_of_order", 0);
    expectError(() => s.push([30, 40], [3, Number.NaN]), "not_finite", 1);
    expect(Buffer.from(s.serialize()).equals(Buffer.from(before))).toBe(true);
    expect(s.count).toBe(2);
    s.dispose();
    expectError(() => s.push([50], [1]), "invalid_argument");
  });

  it("mismatched lengths give invalid_argument", () => {
    expectError(() => engine.features.compute([1, 2], [1]), "invalid_argument");
  });
});
