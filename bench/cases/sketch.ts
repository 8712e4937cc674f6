// Quantile sketch inserts per second: the engine's DDSketch (cubic mapping,
// AssemblyScript) vs @datadog/sketches-js and vs tdigest, on the same
// lognormal latencies, at 1% relative accuracy. Notes carry each one's
// largest relative error over a set of quantiles on that data.
import { createRequire } from "node:module";
import { DDSketch } from "@datadog/sketches-js";
import { loadEngine } from "../../engine/src/node";
import { type BenchRow, higherIsBetter, rate, seededRandom, warmUp } from "../harness";

interface TDigestLike {
  push(x: number): void;
  compress(): void;
  percentile(q: number): number;
}
const require = createRequire(import.meta.url);
const { TDigest } = require("tdigest") as { TDigest: new () => TDigestLike };

const N = 1_000_000;
const TD_N = 200_000;
const QS = [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999];

function latencies(seed: number, n: number): Float64Array {
  const r = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    out[i] = Math.exp(3 + z);
  }
  return out;
}

function maxRelError(sorted: Float64Array, quantile: (q: number) => number): number {
  let worst = 0;
  for (const q of QS) {
    const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
    worst = Math.max(worst, Math.abs(quantile(q) - exact) / exact);
  }
  return worst;
}

export default async function (): Promise<BenchRow[]> {
  const engine = await loadEngine("release");
  const xs = latencies(1, N);
  const small = latencies(2, 1001);
  const sorted = Float64Array.from(xs).sort();

  // Engine: the facade copies the batch into linear memory and makes one call.
  const ours = engine.sketch.quantiles({ relativeAccuracy: 0.01 });
  warmUp(() => ours.add(small));
  const heliosRate = rate(N, () => ours.add(xs));
  const acc = engine.sketch.quantiles({ relativeAccuracy: 0.01 });
  acc.add(xs);
  const heliosErr = maxRelError(sorted, (q) => acc.quantile(q));

  // sketches-js: one accept per value, the way it is used.
  let dd = new DDSketch({ relativeAccuracy: 0.01 });
  const ddAdd = (v: Float64Array) => {
    for (let i = 0; i < v.length; i++) dd.accept(v[i]!);
  };
  warmUp(() => ddAdd(small));
  const ddRate = rate(N, () => ddAdd(xs));
  dd = new DDSketch({ relativeAccuracy: 0.01 });
  ddAdd(xs);
  const ddErr = maxRelError(sorted, (q) => dd.getValueAtQuantile(q));

  // tdigest: push per value (slow: fewer values per repeat).
  const txs = xs.subarray(0, TD_N);
  let td = new TDigest();
  const tdAdd = (v: Float64Array) => {
    for (let i = 0; i < v.length; i++) td.push(v[i]!);
  };
  warmUp(() => tdAdd(small), 20);
  const tdRate = rate(TD_N, () => {
    td = new TDigest();
    tdAdd(txs);
  }, { repeats: 3 });
  td = new TDigest();
  tdAdd(xs);
  td.compress();
  const tdErr = maxRelError(sorted, (q) => td.percentile(q));

  const notes = {
    helios_max_rel_error: Number(heliosErr.toFixed(5)),
    sketches_js_max_rel_error: Number(ddErr.toFixed(5)),
    tdigest_max_rel_error: Number(tdErr.toFixed(5)),
    values: N,
  };
  ours.dispose();
  acc.dispose();
  return [
    { ...higherIsBetter("quantile sketch inserts (1% accuracy)", "values/s", heliosRate, "@datadog/sketches-js", ddRate), notes },
    { ...higherIsBetter("quantile sketch inserts (1% accuracy)", "values/s", heliosRate, "tdigest", tdRate), notes },
  ];
}
