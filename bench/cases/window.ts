// Event window aggregation with every feature at once (count, errors, latency
// moments, DDSketch quantiles, HyperLogLog distinct endpoints), events per
// second on one core, add + flush per batch (add copies the columns in; the
// zero-copy row has them already in engine memory via columns()). Peer: the straightforward
// TypeScript aggregator a user would write: a Map from (series, window) to
// Welford moments, a @datadog/sketches-js DDSketch and a small JS HyperLogLog.
import { DDSketch } from "@datadog/sketches-js";
import { loadEngine } from "../../engine/src/node";
import type { EventBatch } from "../../engine/src/window";
import { type BenchRow, higherIsBetter, rate, seededRandom, warmUp } from "../harness";

const N = 1_000_000;
const SERIES = 100;
const MINUTES = 10;
const ENDPOINTS = 40;
const MIN = 60_000;

function events(seed: number, n: number): EventBatch & { isError: Uint8Array } {
  const r = seededRandom(seed);
  const b = {
    timestamp: new Float64Array(n),
    series: new Int32Array(n),
    latencyMs: new Float64Array(n),
    isError: new Uint8Array(n),
    endpointHash: new Int32Array(n),
  };
  const t0 = 1_700_000_000_000;
  for (let i = 0; i < n; i++) {
    // Roughly time-ordered, series interleaved: what a queue batch looks like.
    b.timestamp[i] = t0 + Math.floor(((i + r() * 1000) / n) * MINUTES * MIN);
    b.series[i] = Math.floor(r() * SERIES);
    const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    b.latencyMs[i] = Math.exp(3 + z);
    b.isError[i] = r() < 0.02 ? 1 : 0;
    b.endpointHash[i] = Math.imul(b.series[i]! * 1000 + Math.floor(r() * ENDPOINTS), 0x9e3779b1);
  }
  return b;
}

/** A small HyperLogLog (p = 12): a Set while small, then dense registers. */
class JsHll {
  private set: Set<number> | null = new Set();
  private regs: Uint8Array | null = null;
  add(hash: number): void {
    let h = hash >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    h >>>= 0;
    if (this.set) {
      this.set.add(h);
      if (this.set.size > 512) {
        this.regs = new Uint8Array(4096);
        for (const x of this.set) this.put(x);
        this.set = null;
      }
    } else this.put(h);
  }
  private put(h: number): void {
    const j = h >>> 20;
    const w = (h << 12) >>> 0;
    const rho = w === 0 ? 21 : Math.clz32(w) + 1;
    if (rho > this.regs![j]!) this.regs![j] = rho;
  }
  estimate(): number {
    if (this.set) return this.set.size;
    let z = 0;
    let zeros = 0;
    for (const v of this.regs!) {
      z += 2 ** -v;
      if (v === 0) zeros++;
    }
    const m = 4096;
    const e = ((0.7213 / (1 + 1.079 / m)) * m * m) / z;
    return e <= 2.5 * m && zeros > 0 ? m * Math.log(m / zeros) : e;
  }
}

interface TsAgg {
  count: number;
  errors: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
  sketch: DDSketch;
  hll: JsHll;
}

function tsAggregate(b: EventBatch & { isError: Uint8Array }): number {
  const map = new Map<number, TsAgg>();
  const ts = b.timestamp as Float64Array;
  const se = b.series as Int32Array;
  const la = b.latencyMs as Float64Array;
  const ep = b.endpointHash as Int32Array;
  for (let i = 0; i < ts.length; i++) {
    const start = Math.floor(ts[i]! / MIN) * MIN;
    const k = start + se[i]!;
    let a = map.get(k);
    if (!a) {
      a = { count: 0, errors: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity, sketch: new DDSketch({ relativeAccuracy: 0.01 }), hll: new JsHll() };
      map.set(k, a);
    }
    const x = la[i]!;
    a.count++;
    a.errors += b.isError[i]!;
    const d = x - a.mean;
    a.mean += d / a.count;
    a.m2 += d * (x - a.mean);
    if (x < a.min) a.min = x;
    if (x > a.max) a.max = x;
    a.sketch.accept(x);
    a.hll.add(ep[i]!);
  }
  // Read the features out, as the flush does.
  let s = 0;
  for (const a of map.values()) s += a.sketch.getValueAtQuantile(0.99) + a.hll.estimate() + a.errors / a.count + Math.sqrt(a.m2 / (a.count - 1));
  return s;
}

export default async function (): Promise<BenchRow[]> {
  const engine = await loadEngine("release");
  const b = events(1, N);
  const small = events(2, 1001);
  const agg = engine.windows.events({ capacity: 4096 });
  const run = (batch: EventBatch) => {
    let from = 0;
    while (from < batch.timestamp.length) {
      const r = agg.add(batch, from);
      from = r.consumed;
      agg.flush();
    }
  };
  warmUp(() => run(small));
  const helios = rate(N, () => run(b), { repeats: 5 });
  agg.add(b);
  const slots = agg.flush().length;

  // Zero-copy: the batch already sits in engine memory (as the peer's sits in
  // its own arrays), written there by whoever parsed it.
  const fill = (batch: typeof b) => {
    const cols = agg.columns(batch.timestamp.length);
    cols.timestamp.set(batch.timestamp);
    cols.series.set(batch.series);
    cols.latencyMs.set(batch.latencyMs);
    cols.isError.set(batch.isError);
    cols.endpointHash.set(batch.endpointHash);
  };
  const runCols = (n: number) => {
    const r = agg.addColumns(n);
    if (r.full) throw new Error("capacity");
    agg.flush();
  };
  fill(small);
  warmUp(() => runCols(small.timestamp.length));
  fill(b);
  const zeroCopy = rate(N, () => runCols(N), { repeats: 5 });
  agg.dispose();

  warmUp(() => tsAggregate(small));
  const peer = rate(N, () => tsAggregate(b), { repeats: 3 });
  const notes = { events_per_batch: N, windows: slots, series: SERIES, target: "30M events/s" };
  const peerName = "TypeScript (Map + sketches-js + JS HLL)";
  return [
    { ...higherIsBetter("event window aggregation (all features)", "events/s", helios, peerName, peer), notes },
    { ...higherIsBetter("event window aggregation (all features, zero-copy columns)", "events/s", zeroCopy, peerName, peer), notes },
  ];
}
