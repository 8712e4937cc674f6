// Sketch tests: hand-worked values, differential checks against exact
// statistics, simple-statistics and @datadog/sketches-js, merges, round trips
// and corrupt bytes.
import { DDSketch } from "@datadog/sketches-js";
import * as ss from "simple-statistics";
import { beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../bench/harness";
import { EngineError, type Engine } from "../src/index";
import { loadEngine } from "../src/node";
import { expectCode } from "../../test/support/expect-engine-error";

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine("debug");
});

const ALPHA = 0.01;

/** Lognormal-ish latencies: exp(N(3, 1)) via Box-Muller, seeded. */
function latencies(seed: number, n: number): Float64Array {
  const r = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    out[i] = Math.exp(3 + z);
  }
  return out;
}

/** The value DDSketch's rank convention targets: sorted[floor(q (n - 1))]. */
function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}


const QS = [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

describe("moments", () => {
  it("computes count, mean, M2, variance, min and max by hand", () => {
    // [1, 2, 3, 4]: mean 2.5; M2 = 1.5^2 + 0.5^2 + 0.5^2 + 1.5^2 = 5; variance 5 / 3.
    const m = engine.sketch.moments();
    m.add([1, 2, 3, 4]);
    const v = m.read();
    expect(v).toMatchObject({ count: 4, mean: 2.5, m2: 5, min: 1, max: 4 });
    expect(v.variance).toBeCloseTo(5 / 3, 15);
    m.dispose();
  });

  it("merges with Chan's formula exactly on a hand-worked split", () => {
    // [1, 2]: mean 1.5, M2 0.5. [3, 4]: mean 3.5, M2 0.5. d = 2, n = 4:
    // mean = 1.5 + 2 * 2/4 = 2.5; M2 = 0.5 + 0.5 + d^2 * (2 * 2) / 4 = 5.
    const a = engine.sketch.moments();
    const b = engine.sketch.moments();
    a.add([1, 2]);
    b.add([3, 4]);
    a.merge(b);
    expect(a.read()).toMatchObject({ count: 4, mean: 2.5, m2: 5, min: 1, max: 4 });
    a.dispose();
    b.dispose();
  });

  it("matches simple-statistics on random data, also after a random split and a round trip", () => {
    const r = seededRandom(7);
    const xs = Array.from({ length: 5001 }, () => (r() - 0.3) * 1000);
    const whole = engine.sketch.moments();
    whole.add(xs);
    const cut = 1234;
    const a = engine.sketch.moments();
    const b = engine.sketch.moments();
    a.add(xs.slice(cut));
    b.add(xs.slice(0, cut));
    const restored = engine.sketch.momentsFrom(b.serialize());
    restored.merge(a);
    for (const m of [whole.read(), restored.read()]) {
      expect(m.count).toBe(xs.length);
      expect(m.mean).toBeCloseTo(ss.mean(xs), 9);
      expect(Math.abs(m.variance / ss.sampleVariance(xs) - 1)).toBeLessThan(1e-12);
      expect(m.min).toBe(ss.min(xs));
      expect(m.max).toBe(ss.max(xs));
    }
    for (const m of [whole, a, b, restored]) m.dispose();
  });

  it("rejects NaN with its index and keeps the moments unchanged", () => {
    const m = engine.sketch.moments();
    m.add([1]);
    const err = expectCode(() => m.add([2, 3, Number.NaN]), "not_finite");
    expect(err.details?.index).toBe(2);
    expect(m.read().count).toBe(1);
    expectCode(() => engine.sketch.momentsFrom(new Uint8Array([0x4d, 1, 5])), "corrupt");
    m.dispose();
  });
});

describe("quantile sketch (DDSketch, cubic mapping)", () => {
  it("reports a bin's value within alpha, worked by hand", () => {
    // multiplier = 1 / (C ln((1 + a)/(1 - a))) = 0.7 / ln(1.01/0.99) = 0.7 / 0.0200007 = 34.9988.
    // 3 = 2^1 * 1.5: m = 0.5, P(m) = 6/35 * 0.125 - 3/5 * 0.25 + 10/7 * 0.5 = 0.585714,
    // L = 1.585714, index = floor(1.585714 * 34.9988) = floor(55.498) = 55.
    // Bin 55 starts at L = 55 / 34.9988 = 1.571488: solve P(m) = 0.571488 -> m = 0.48521,
    // lower bound 2 * 1.48521 = 2.97042, value = 2.97042 * 1.01 = 3.00012.
    const s = engine.sketch.quantiles();
    s.add([1, 2, 3, 4, 5]);
    // rank of the median = 0.5 * (5 - 1) = 2 -> the third value, 3.
    expect(s.quantile(0.5)).toBeCloseTo(3.00012, 4);
    // q = 0 and q = 1 give the exact min and max, which the sketch tracks.
    expect(s.quantile(0)).toBe(1);
    expect(s.quantile(1)).toBe(5);
    expect(s.stats()).toMatchObject({ count: 5, min: 1, max: 5, zeroCount: 0 });
    s.dispose();
  });

  it("returns NaN when empty and counts zero and tiny values as zero", () => {
    const s = engine.sketch.quantiles();
    expect(s.quantile(0.5)).toBeNaN();
    s.add([0, 1e-320, -0]);
    expect(s.stats().zeroCount).toBe(3);
    expect(s.quantile(0.5)).toBe(0);
    s.dispose();
  });

  it("stays within the relative-error bound of exact quantiles, and agrees with sketches-js", () => {
    const xs = latencies(11, 20001);
    const sorted = Float64Array.from(xs).sort();
    const s = engine.sketch.quantiles({ relativeAccuracy: ALPHA });
    s.add(xs);
    const dd = new DDSketch({ relativeAccuracy: ALPHA });
    for (const x of xs) dd.accept(x);
    const ours = s.quantiles(QS);
    QS.forEach((q, i) => {
      const exact = exactQuantile(sorted, q);
      expect(Math.abs(ours[i]! - exact)).toBeLessThanOrEqual(ALPHA * exact * (1 + 1e-9));
      // Both are within alpha of the same value, so within ~2 alpha of each other.
      const theirs = dd.getValueAtQuantile(q);
      expect(Math.abs(ours[i]! - theirs)).toBeLessThanOrEqual(2 * ALPHA * exact * (1 + 1e-9));
    });
    s.dispose();
  });

  it("handles negative values, zeros and positives in one sketch", () => {
    const r = seededRandom(5);
    const xs = Float64Array.from({ length: 9999 }, () => {
      const u = r();
      return u < 0.1 ? 0 : (r() < 0.5 ? -1 : 1) * Math.exp(10 * r() - 5);
    });
    const sorted = Float64Array.from(xs).sort();
    const s = engine.sketch.quantiles();
    s.add(xs);
    const ours = s.quantiles(QS);
    QS.forEach((q, i) => {
      const exact = exactQuantile(sorted, q);
      expect(Math.abs(ours[i]! - exact)).toBeLessThanOrEqual(ALPHA * Math.abs(exact) * (1 + 1e-9));
    });
    s.dispose();
  });

  it("merges whatever the split: identical to one sketch over everything", () => {
    const xs = latencies(3, 30000);
    const whole = engine.sketch.quantiles();
    whole.add(xs);
    const r = seededRandom(9);
    const parts = [engine.sketch.quantiles(), engine.sketch.quantiles(), engine.sketch.quantiles()];
    for (const x of xs) parts[Math.floor(r() * 3)]!.add([x]);
    parts[2]!.merge(parts[0]!);
    parts[2]!.merge(parts[1]!);
    expect(parts[2]!.quantiles(QS)).toEqual(whole.quantiles(QS));
    expect(parts[2]!.stats()).toEqual(whole.stats());
    for (const p of [whole, ...parts]) p.dispose();
  });

  it("round-trips through compact bytes", () => {
    const xs = latencies(4, 10000);
    const s = engine.sketch.quantiles();
    s.add(xs);
    s.add([0, -3, -300]);
    const bytes = s.serialize();
    // Sparse bins with varints: a few hundred bins at 2-3 bytes each, far below 8 bytes a value.
    expect(bytes.length).toBeLessThan(2000);
    const back = engine.sketch.quantilesFrom(bytes);
    expect(back.quantiles(QS)).toEqual(s.quantiles(QS));
    expect(back.stats()).toEqual(s.stats());
    expect(back.serialize()).toEqual(bytes);
    s.dispose();
    back.dispose();
  });

  it("rejects truncated, foreign and corrupted bytes with a typed error, never a trap", () => {
    const s = engine.sketch.quantiles();
    s.add(latencies(8, 500));
    const bytes = s.serialize();
    for (let len = 0; len < bytes.length; len++) expectCode(() => engine.sketch.quantilesFrom(bytes.slice(0, len)), "corrupt");
    const foreign = bytes.slice();
    foreign[0] = 0x48;
    expectCode(() => engine.sketch.quantilesFrom(foreign), "corrupt");
    const version = bytes.slice();
    version[1] = 99;
    expectCode(() => engine.sketch.quantilesFrom(version), "corrupt");
    expectCode(() => engine.sketch.quantilesFrom(Uint8Array.of(...bytes, 0)), "corrupt");
    // Random byte flips: either a valid sketch or a corrupt error.
    const r = seededRandom(2);
    for (let t = 0; t < 300; t++) {
      const b = bytes.slice();
      b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      try {
        engine.sketch.quantilesFrom(b).dispose();
      } catch (err) {
        expect((err as EngineError).code).toBe("corrupt");
      }
    }
    s.dispose();
  });

  it("rejects NaN and infinities with the offending index, adding nothing", () => {
    const s = engine.sketch.quantiles();
    const err = expectCode(() => s.add([1, 2, Number.POSITIVE_INFINITY]), "not_finite");
    expect(err.details?.index).toBe(2);
    expect(s.stats().count).toBe(0);
    expectCode(() => s.quantiles([1.5]), "invalid_argument");
    expectCode(() => engine.sketch.quantiles({ relativeAccuracy: 0 }), "invalid_argument");
    expectCode(() => engine.sketch.quantiles({ maxBins: 4 }), "invalid_argument");
    const other = engine.sketch.quantiles({ relativeAccuracy: 0.02 });
    expectCode(() => s.merge(other), "incompatible");
    s.dispose();
    other.dispose();
  });

  it("bounds memory by collapsing the lowest bins; high quantiles keep their guarantee", () => {
    // 1.05^i for i < 1000 spans 1 to 1.5e21, about 1.4k bins at 1%: more than maxBins = 256.
    const xs = Float64Array.from({ length: 1000 }, (_, i) => 1.05 ** i);
    const s = engine.sketch.quantiles({ maxBins: 256 });
    s.add(xs);
    for (const q of [0.9, 0.99, 1]) {
      const exact = exactQuantile(xs, q);
      expect(Math.abs(s.quantile(q) - exact)).toBeLessThanOrEqual(ALPHA * exact * (1 + 1e-9));
    }
    // The low end collapsed into one bin: q = 0.01 reports a value far above the true 1.05^9.
    expect(s.quantile(0.01)).toBeGreaterThan(1.05 ** 9 * 2);
    expect(s.stats().count).toBe(1000);
    // At most 256 bins of 2-3 varint bytes each, plus the header.
    expect(s.serialize().length).toBeLessThan(256 * 4 + 64);
    s.dispose();
  });
});

describe("distinct-count sketch (HyperLogLog)", () => {
  function hashes(seed: number, n: number): Int32Array {
    const r = seededRandom(seed);
    return Int32Array.from({ length: n }, () => (r() * 4294967296) | 0);
  }

  it("is exact while sparse, duplicates included", () => {
    // 300 distinct hashes, each added three times: the sparse set holds exactly 300.
    const h = engine.sketch.distinct();
    const xs = hashes(1, 300);
    h.add(xs);
    h.add(xs);
    h.add(xs.reverse());
    expect(h.estimate()).toBe(new Set(xs).size);
    expect(h.dense).toBe(false);
    h.add([0]);
    expect(h.estimate()).toBe(new Set(xs).size + (xs.includes(0) ? 0 : 1));
    h.dispose();
  });

  it("stays within 3 standard errors (3 * 1.04 / 64 = 4.9%) at several cardinalities", () => {
    for (const n of [1000, 5000, 20000, 100000, 400000]) {
      const xs = hashes(n, n);
      const exact = new Set(xs).size;
      const h = engine.sketch.distinct();
      h.add(xs);
      expect(h.dense).toBe(n > 512);
      expect(Math.abs(h.estimate() / exact - 1)).toBeLessThan((3 * 1.04) / 64);
      h.dispose();
    }
  });

  it("merges sparse and dense sketches into exactly the sketch of the union", () => {
    const xs = hashes(21, 30000);
    for (const cut of [100, 400, 29900, 15000]) {
      const whole = engine.sketch.distinct();
      whole.add(xs);
      const a = engine.sketch.distinct();
      const b = engine.sketch.distinct();
      a.add(xs.subarray(0, cut));
      b.add(xs.subarray(cut));
      b.merge(a);
      expect(b.estimate()).toBe(whole.estimate());
      const small = engine.sketch.distinct();
      const c = engine.sketch.distinct();
      small.add(xs.subarray(0, 200));
      c.add(xs.subarray(200, 400));
      small.merge(c);
      expect(small.estimate()).toBe(new Set(xs.subarray(0, 400)).size);
      for (const s of [whole, a, b, small, c]) s.dispose();
    }
  });

  it("round-trips sparse and dense forms; rejects corrupt bytes", () => {
    for (const n of [0, 40, 5000]) {
      const h = engine.sketch.distinct();
      h.add(hashes(n + 1, n));
      const bytes = h.serialize();
      const back = engine.sketch.distinctFrom(bytes);
      expect(back.estimate()).toBe(h.estimate());
      expect(back.serialize()).toEqual(bytes);
      for (let len = 0; len < bytes.length; len += Math.max(1, Math.floor(bytes.length / 50)))
        expectCode(() => engine.sketch.distinctFrom(bytes.slice(0, len)), "corrupt");
      h.dispose();
      back.dispose();
    }
    // Sparse form of 40 hashes: 4 header bytes, a count, then about 4-5 bytes a delta.
    const h = engine.sketch.distinct();
    h.add(hashes(3, 40));
    expect(h.serialize().length).toBeLessThan(5 + 40 * 5);
    const other = engine.sketch.distinct({ precision: 10 });
    expectCode(() => h.merge(other), "incompatible");
    expectCode(() => engine.sketch.distinct({ precision: 3 }), "invalid_argument");
    h.dispose();
    other.dispose();
  });
});

describe("handles", () => {
  it("throws bad_handle after dispose, even when the engine reused the handle", () => {
    const a = engine.sketch.quantiles();
    a.dispose();
    const b = engine.sketch.quantiles(); // may get a's freed handle
    expectCode(() => a.add([1]), "bad_handle");
    expectCode(() => a.quantile(0.5), "bad_handle");
    b.add([1]);
    expect(b.stats().count).toBe(1);
    a.dispose(); // a second dispose is a no-op
    b.dispose();
    const h = engine.sketch.distinct();
    h.dispose();
    expectCode(() => h.estimate(), "bad_handle");
  });
});
