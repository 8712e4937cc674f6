// Window aggregation tests: hand-worked windows, exact features against
// definitions, merge/rollup invariance under any split and order, capacity
// handling, and typed errors for bad input and bad bytes.
import * as ss from "simple-statistics";
import { beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../bench/harness";
import { EngineError, type Engine } from "../src/index";
import { loadEngine } from "../src/node";
import type { EventBatch, WindowAggregate } from "../src/window";
import { expectCode } from "../../test/support/expect-engine-error";

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine("debug");
});

const MIN = 60_000;


/** An event batch of typed-array columns. */
interface Cols {
  timestamp: Float64Array;
  series: Int32Array;
  latencyMs: Float64Array;
  isError: Uint8Array;
  endpointHash: Int32Array;
}

/** Random events over `minutes` minutes, `series` series, `endpoints` endpoints per series. */
function randomEvents(seed: number, n: number, minutes = 5, series = 4, endpoints = 30): Cols {
  const r = seededRandom(seed);
  const b = {
    timestamp: new Float64Array(n),
    series: new Int32Array(n),
    latencyMs: new Float64Array(n),
    isError: new Uint8Array(n),
    endpointHash: new Int32Array(n),
  };
  for (let i = 0; i < n; i++) {
    b.timestamp[i] = 1_700_000_000_000 + Math.floor(r() * minutes * MIN);
    b.series[i] = Math.floor(r() * series);
    b.latencyMs[i] = r() < 0.05 ? 0 : Math.exp(2 + 2 * r());
    b.isError[i] = r() < 0.1 ? 1 : 0;
    b.endpointHash[i] = Math.imul(Math.floor(r() * endpoints) + 1, 0x9e3779b1);
  }
  return b;
}

function pick(b: Cols, idx: number[]): EventBatch {
  return {
    timestamp: idx.map((i) => b.timestamp[i]!),
    series: idx.map((i) => b.series[i]!),
    latencyMs: idx.map((i) => b.latencyMs[i]!),
    isError: idx.map((i) => Number(b.isError[i])),
    endpointHash: idx.map((i) => b.endpointHash[i]!),
  };
}

const key = (a: { series: number; windowStart: number }) => `${a.series}@${a.windowStart}`;

function byKey<T extends { series: number; windowStart: number }>(xs: T[]): Map<string, T> {
  return new Map(xs.map((x) => [key(x), x]));
}

/** Same aggregate: counts, min/max, quantiles and distinct counts exactly; mean and stddev to rounding. */
function expectSameAggregate(a: WindowAggregate, b: WindowAggregate): void {
  expect(a.count).toBe(b.count);
  expect(a.errorCount).toBe(b.errorCount);
  expect(a.latencyMin).toBe(b.latencyMin);
  expect(a.latencyMax).toBe(b.latencyMax);
  expect([a.p50, a.p95, a.p99]).toEqual([b.p50, b.p95, b.p99]);
  expect(a.distinctEndpoints).toBe(b.distinctEndpoints);
  expect(Math.abs(a.latencyMean - b.latencyMean)).toBeLessThanOrEqual(1e-12 * Math.abs(b.latencyMean) + 1e-12);
  expect(Math.abs(a.latencyStddev - b.latencyStddev)).toBeLessThanOrEqual(1e-9 * b.latencyStddev + 1e-12);
}

describe("event windows", () => {
  it("aggregates a hand-worked batch into one-minute windows", () => {
    const agg = engine.windows.events({ capacity: 8 });
    // Window starts: floor(t / 60000) * 60000 -> 0, 0, 60000, 0 (series 1), 120000.
    agg.add({
      timestamp: [0, 1000, 61000, 59999, 120000],
      series: [0, 0, 0, 1, 0],
      latencyMs: [10, 20, 30, 40, 50],
      isError: [false, true, false, false, true],
      endpointHash: [1, 2, 1, 3, 4],
    });
    const out = byKey(agg.flush());
    expect(out.size).toBe(4);
    const w = out.get("0@0")!;
    // Series 0, window 0: latencies 10 and 20: mean 15, M2 = 5^2 + 5^2 = 50,
    // stddev sqrt(50 / 1) = 7.0711; 1 error of 2; endpoints {1, 2}.
    expect(w).toMatchObject({ count: 2, errorCount: 1, errorRate: 0.5, latencyMean: 15, latencyMin: 10, latencyMax: 20, distinctEndpoints: 2 });
    expect(w.latencyStddev).toBeCloseTo(Math.sqrt(50), 12);
    // p50: rank 0.5 * (2 - 1) = 0.5 -> the first value, 10, reported within 1%.
    expect(Math.abs(w.p50 - 10)).toBeLessThanOrEqual(0.1);
    expect(out.get("1@0")).toMatchObject({ count: 1, errorCount: 0, latencyMean: 40, p50: 40, p99: 40, distinctEndpoints: 1 });
    expect(out.get("0@120000")).toMatchObject({ count: 1, errorCount: 1, errorRate: 1, latencyStddev: 0 });
    expect(agg.used).toBe(0);
    expect(agg.flush()).toEqual([]);
    agg.dispose();
  });

  it("matches exact per-window statistics on random data", () => {
    const b = randomEvents(1, 20000);
    const agg = engine.windows.events({ capacity: 64 });
    agg.add(b);
    const out = agg.flush();
    // 5 minutes from a start 20 s into a minute touch 6 one-minute windows: 4 series x 6.
    expect(out.length).toBe(4 * 6);
    for (const w of out) {
      const idx = [...b.timestamp.keys()].filter(
        (i) => b.series[i] === w.series && Math.floor(b.timestamp[i]! / MIN) * MIN === w.windowStart,
      );
      const lat = idx.map((i) => b.latencyMs[i]!);
      expect(w.count).toBe(idx.length);
      expect(w.errorCount).toBe(idx.filter((i) => b.isError[i]).length);
      expect(w.latencyMean).toBeCloseTo(ss.mean(lat), 9);
      if (lat.length > 1) expect(Math.abs(w.latencyStddev / ss.sampleStandardDeviation(lat) - 1)).toBeLessThan(1e-9);
      const sorted = lat.sort((x, y) => x - y);
      for (const [q, v] of [[0.5, w.p50], [0.95, w.p95], [0.99, w.p99]] as const) {
        const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
        expect(Math.abs(v - exact)).toBeLessThanOrEqual(0.01 * exact + 1e-12);
      }
      // At most 30 endpoints: the sparse HyperLogLog is exact.
      expect(w.distinctEndpoints).toBe(new Set(idx.map((i) => b.endpointHash[i])).size);
    }
    agg.dispose();
  });

  it("merge(aggregate(a), aggregate(b)) equals aggregate(a then b) for random splits and orders", () => {
    const b = randomEvents(2, 6000, 3, 3);
    const whole = engine.windows.events({ capacity: 64 });
    whole.add(b);
    const expected = byKey(whole.flush());
    const r = seededRandom(3);
    for (let trial = 0; trial < 4; trial++) {
      // Shuffle, cut into 2-5 batches, aggregate each separately.
      const order = [...b.timestamp.keys()].sort(() => r() - 0.5);
      const cuts = [0, ...Array.from({ length: 1 + Math.floor(r() * 4) }, () => Math.floor(r() * order.length)).sort((x, y) => x - y), order.length];
      const partials: Uint8Array[][] = [];
      for (let c = 0; c + 1 < cuts.length; c++) {
        const agg = engine.windows.events({ capacity: 64 });
        agg.add(pick(b, order.slice(cuts[c], cuts[c + 1])));
        partials.push(agg.flush().map((w) => w.bytes));
        agg.dispose();
      }
      // Fold them pairwise with merge() as a queue consumer would, by key.
      const folded = new Map<string, Uint8Array>();
      for (const bytes of partials.flat().sort(() => r() - 0.5)) {
        const k = key(engine.windows.decodeEvents(bytes));
        const prev = folded.get(k);
        folded.set(k, prev ? engine.windows.merge(prev, bytes) : bytes);
      }
      expect(folded.size).toBe(expected.size);
      for (const [k, bytes] of folded) expectSameAggregate(engine.windows.decodeEvents(bytes), expected.get(k)!);
    }
    whole.dispose();
  });

  it("rolls 1m up to 5m and 1h exactly as aggregating straight into those windows", () => {
    const b = randomEvents(4, 8000, 130, 2, 5);
    const minute = engine.windows.events({ capacity: 400 });
    minute.add(b);
    const m1 = minute.flush();
    const m5 = engine.windows.rollupEvents(m1.map((w) => w.bytes), 5 * MIN);
    const h1 = engine.windows.rollupEvents(m5.map((w) => w.bytes), 60 * MIN);
    for (const [rolled, ms] of [[m5, 5 * MIN], [h1, 60 * MIN]] as const) {
      const direct = engine.windows.events({ capacity: 400, windowMs: ms });
      direct.add(b);
      const d = byKey(direct.flush());
      expect(rolled.length).toBe(d.size);
      for (const w of rolled) {
        expect(w.windowMs).toBe(ms);
        expectSameAggregate(w, d.get(key(w))!);
      }
      direct.dispose();
    }
    // 1h windows cannot be rolled "up" into 5m ones.
    expectCode(() => engine.windows.rollupEvents([h1[0]!.bytes], 5 * MIN), "incompatible");
    minute.dispose();
  });

  it("stops at capacity without losing data, then continues after a flush", () => {
    const b = randomEvents(5, 3000, 4, 3);
    const small = engine.windows.events({ capacity: 3 });
    const parts: WindowAggregate[] = [];
    let from = 0;
    let rounds = 0;
    while (from < b.timestamp.length) {
      const res = small.add(b, from);
      expect(res.consumed).toBeGreaterThanOrEqual(from);
      from = res.consumed;
      parts.push(...small.flush());
      rounds++;
    }
    expect(rounds).toBeGreaterThan(1);
    const total = engine.windows.rollupEvents(parts.map((p) => p.bytes), MIN);
    const whole = engine.windows.events({ capacity: 64 });
    whole.add(b);
    const expected = byKey(whole.flush());
    expect(total.length).toBe(expected.size);
    for (const w of total) expectSameAggregate(w, expected.get(key(w))!);
    small.dispose();
    whole.dispose();
  });

  it("rejects bad events with the offending index and applies nothing", () => {
    const agg = engine.windows.events({ capacity: 8 });
    const ok = { timestamp: [0, 1, 2, 3], series: [0, 0, 0, 0], latencyMs: [1, 2, 3, 4], isError: [0, 0, 0, 0], endpointHash: [1, 1, 1, 1] };
    expect(expectCode(() => agg.add({ ...ok, timestamp: [0, 1, 2, Number.NaN] }), "not_finite").details?.index).toBe(3);
    expect(expectCode(() => agg.add({ ...ok, latencyMs: [1, 2, -3, 4] }), "negative").details?.index).toBe(2);
    expect(expectCode(() => agg.add({ ...ok, latencyMs: [1, Number.POSITIVE_INFINITY, -3, 4] }), "not_finite").details?.index).toBe(1);
    expect(expectCode(() => agg.add({ ...ok, series: [0, -1, 0, 0] }), "invalid_argument").details?.index).toBe(1);
    expect(expectCode(() => agg.add({ ...ok, series: [0, 1.5, 0, 0] }), "invalid_argument").details?.index).toBe(1);
    expectCode(() => agg.add({ ...ok, endpointHash: [1, 1, 1] }), "invalid_argument");
    // With from = 2 the reported index is into the whole batch.
    expect(expectCode(() => agg.add({ ...ok, latencyMs: [1, 2, 3, -4] }, 2), "negative").details?.index).toBe(3);
    expect(agg.used).toBe(0);
    expectCode(() => engine.windows.events({ capacity: 0 }), "invalid_argument");
    expectCode(() => engine.windows.events({ capacity: 4, windowMs: 0.5 }), "invalid_argument");
    agg.dispose();
  });

  it("rejects corrupt bytes and merges of different windows with typed errors", () => {
    const agg = engine.windows.events({ capacity: 8 });
    agg.add(randomEvents(6, 500, 2, 1));
    const [a, b] = agg.flush();
    expectCode(() => engine.windows.merge(a!.bytes, b!.bytes), "incompatible");
    for (let len = 0; len < a!.bytes.length; len += 3) expectCode(() => engine.windows.merge(a!.bytes.slice(0, len), a!.bytes), "corrupt");
    for (let len = 0; len < a!.bytes.length; len += 3) expectCode(() => engine.windows.merge(a!.bytes, a!.bytes.slice(0, len)), "corrupt");
    expectCode(() => engine.windows.merge(a!.bytes, Uint8Array.of(...a!.bytes, 7)), "corrupt");
    const r = seededRandom(8);
    for (let t = 0; t < 200; t++) {
      const c = a!.bytes.slice();
      c[Math.floor(r() * c.length)] = Math.floor(r() * 256);
      try {
        engine.windows.merge(a!.bytes, c);
      } catch (err) {
        expect(["corrupt", "incompatible"]).toContain((err as EngineError).code);
      }
    }
    agg.dispose();
  });
});

describe("metric windows", () => {
  it("aggregates hand-worked samples, negatives included, with a deterministic last", () => {
    const agg = engine.windows.metrics({ capacity: 4 });
    // Values -1, 3, 7, 100 at t = 0, 5, 5, 3: sum 109, mean 27.25; deviations
    // -28.25, -24.25, -20.25, 72.75, squares sum 7088.75, variance 7088.75 / 3,
    // stddev 48.6098. Last: t = 5 twice, the tie goes to the larger value, 7.
    agg.add({ timestamp: [0, 5, 5, 3], series: [2, 2, 2, 2], value: [-1, 3, 7, 100] });
    const [w] = agg.flush();
    expect(w).toMatchObject({ series: 2, windowStart: 0, count: 4, sum: 109, min: -1, max: 100, mean: 27.25, last: 7, lastTimestamp: 5 });
    expect(w!.stddev).toBeCloseTo(Math.sqrt(7088.75 / 3), 10);
    // p50: rank 0.5 * 3 = 1.5 -> second smallest, 3, within 1%.
    expect(Math.abs(w!.p50 - 3)).toBeLessThanOrEqual(0.03);
    // Reversed order gives the same last value.
    agg.add({ timestamp: [3, 5, 5, 0], series: [2, 2, 2, 2], value: [100, 7, 3, -1] });
    expect(agg.flush()[0]).toMatchObject({ last: 7, lastTimestamp: 5 });
    agg.dispose();
  });

  it("merges and rolls up split batches to the same result", () => {
    const r = seededRandom(12);
    const n = 5000;
    const b = {
      timestamp: Float64Array.from({ length: n }, () => Math.floor(r() * 10 * MIN)),
      series: Int32Array.from({ length: n }, () => Math.floor(r() * 3)),
      value: Float64Array.from({ length: n }, () => (r() - 0.4) * 100),
    };
    const whole = engine.windows.metrics({ capacity: 64, windowMs: 5 * MIN });
    whole.add(b);
    const expected = byKey(whole.flush());
    const parts: Uint8Array[] = [];
    for (const [lo, hi] of [[0, 1700], [1700, 1701], [1701, n]]) {
      const agg = engine.windows.metrics({ capacity: 64 });
      agg.add({ timestamp: b.timestamp.slice(lo, hi), series: b.series.slice(lo, hi), value: b.value.slice(lo, hi) });
      parts.push(...agg.flush().map((w) => w.bytes));
      agg.dispose();
    }
    const rolled = engine.windows.rollupMetrics(parts.reverse(), 5 * MIN);
    expect(rolled.length).toBe(expected.size);
    for (const w of rolled) {
      const e = expected.get(key(w))!;
      expect([w.count, w.min, w.max, w.last, w.lastTimestamp, w.p50, w.p95, w.p99]).toEqual([e.count, e.min, e.max, e.last, e.lastTimestamp, e.p50, e.p95, e.p99]);
      expect(w.sum).toBeCloseTo(e.sum, 8);
      expect(w.mean).toBeCloseTo(e.mean, 10);
      expect(w.stddev).toBeCloseTo(e.stddev, 10);
    }
    const m = engine.windows.merge(rolled[0]!.bytes, rolled[0]!.bytes);
    expect(engine.windows.decodeMetrics(m).count).toBe(2 * rolled[0]!.count);
    expectCode(() => engine.windows.decodeEvents(m), "corrupt");
    whole.dispose();
  });

  it("rejects NaN values with their index", () => {
    const agg = engine.windows.metrics({ capacity: 4 });
    expect(expectCode(() => agg.add({ timestamp: [0, 1], series: [0, 0], value: [1, Number.NaN] }), "not_finite").details?.index).toBe(1);
    expect(agg.used).toBe(0);
    agg.dispose();
  });
});

describe("zero-copy event columns", () => {
  it("gives the same aggregates as add() (read out as columns), and refuses stale views", () => {
    const b = randomEvents(13, 4001, 3, 2);
    const viaAdd = engine.windows.events({ capacity: 32 });
    viaAdd.add(b);
    const expected = byKey(viaAdd.flush());
    const agg = engine.windows.events({ capacity: 32 });
    const views = agg.columns(b.timestamp.length);
    views.timestamp.set(b.timestamp);
    views.series.set(b.series);
    views.latencyMs.set(b.latencyMs);
    views.isError.set(b.isError);
    views.endpointHash.set(b.endpointHash);
    expect(agg.addColumns(b.timestamp.length)).toEqual({ consumed: 4001, full: false });
    const cols = agg.flushColumns();
    expect(cols.length).toBe(expected.size);
    for (let i = 0; i < cols.length; i++) {
      const e = expected.get(`${cols.series[i]}@${cols.windowStart[i]}`)!;
      expect([cols.count[i], cols.errorCount[i], cols.p50[i], cols.p95[i], cols.p99[i], cols.distinctEndpoints[i]]).toEqual([e.count, e.errorCount, e.p50, e.p95, e.p99, e.distinctEndpoints]);
      expect(engine.windows.decodeEvents(cols.bytes[i]!).count).toBe(e.count);
    }
    // A bad value written into the views is still caught, with its index.
    const c2 = agg.columns(3);
    c2.timestamp.set([0, 1, 2]);
    c2.series.set([0, 0, 0]);
    c2.latencyMs.set([1, -1, 1]);
    c2.isError.set([0, 0, 0]);
    c2.endpointHash.set([1, 2, 3]);
    expect(expectCode(() => agg.addColumns(3), "negative").details?.index).toBe(1);
    // Another aggregator's add() reuses the regions: the views are stale.
    agg.columns(3);
    viaAdd.add(pick(b, [0]));
    expectCode(() => agg.addColumns(3), "invalid_argument");
    expectCode(() => agg.addColumns(4), "invalid_argument");
    agg.dispose();
    viaAdd.dispose();
  });
});

describe("events without a latency", () => {
  it("count as events and errors but not in the latency statistics", async () => {
    const engine = await loadEngine("debug");
    const agg = engine.windows.events({ capacity: 4 });
    // Window 0: latencies 10 and 30 plus one event without latency (an error).
    // count 3, errors 1 (rate 1/3), latency mean (10 + 30) / 2 = 20, min 10, max 30.
    // Window 60000: only an event without latency -> count 1 and NaN latency statistics.
    agg.add({
      timestamp: [1_000, 2_000, 3_000, 61_000],
      series: [0, 0, 0, 0],
      latencyMs: [10, Number.NaN, 30, Number.NaN],
      isError: [0, 1, 0, 0],
      endpointHash: [1, 2, 1, 3],
    });
    const [w0, w1] = agg.flush().sort((a, b) => a.windowStart - b.windowStart);
    expect(w0).toMatchObject({ count: 3, errorCount: 1, latencyMean: 20, latencyMin: 10, latencyMax: 30, distinctEndpoints: 2 });
    expect(w0!.errorRate).toBeCloseTo(1 / 3, 12);
    expect(w1!.count).toBe(1);
    expect(w1!.latencyMean).toBeNaN();
    expect(w1!.p99).toBeNaN();
    // merging keeps both counts exact: 3 + 3 events, 2 + 2 with latency
    const merged = engine.windows.decodeEvents(engine.windows.merge(w0!.bytes, w0!.bytes));
    expect(merged).toMatchObject({ count: 6, errorCount: 2, latencyMean: 20 });
    // infinities are still errors
    expect(() => agg.add({ timestamp: [1], series: [0], latencyMs: [Number.POSITIVE_INFINITY], isError: [0], endpointHash: [0] })).toThrow(
      expect.objectContaining({ code: "not_finite", details: expect.objectContaining({ index: 0 }) }),
    );
    agg.dispose();
  });
});
