// Rolling features, points per second: Helios (through the facade: copy in,
// compute 23 features, copy out) vs a straightforward TypeScript version that
// computes the same features on the same data in the same run (typed arrays,
// O(w) loops per window). The streaming form, in batches of 1,000, is in the notes.
import { FEATURE_NAMES } from "../../engine/src/index";
import { loadEngine } from "../../engine/src/node";
import { type BenchRow, higherIsBetter, rate, seededRandom, warmUp } from "../harness";

const N = 100_000;
const STEP_MS = 60_000;
const DAY = 86_400_000;
const COLS = FEATURE_NAMES.length;

/** The same 23 columns, column-major, computed the obvious way. */
export function featuresTs(ts: Float64Array, x: Float64Array): Float64Array {
  const n = x.length;
  const out = new Float64Array(n * COLS).fill(Number.NaN);
  const lags = [1, 3, 6, 12];
  const wins = [3, 6, 12];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 4; k++) {
      const lag = lags[k] as number;
      if (i >= lag) out[k * n + i] = x[i - lag] as number;
    }
    for (let wi = 0; wi < 3; wi++) {
      const w = wins[wi] as number;
      if (i < w - 1) continue;
      let sum = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = i - w + 1; j <= i; j++) {
        const v = x[j] as number;
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const mean = sum / w;
      let ss = 0;
      for (let j = i - w + 1; j <= i; j++) ss += ((x[j] as number) - mean) ** 2;
      const c = 4 + 4 * wi;
      out[c * n + i] = mean;
      out[(c + 1) * n + i] = Math.sqrt(ss / (w - 1));
      out[(c + 2) * n + i] = min;
      out[(c + 3) * n + i] = max;
    }
    const xi = x[i] as number;
    if (i >= 1 && x[i - 1] !== 0) out[16 * n + i] = (xi - (x[i - 1] as number)) / (x[i - 1] as number);
    if (i >= 3 && x[i - 3] !== 0) out[17 * n + i] = (xi - (x[i - 3] as number)) / (x[i - 3] as number);
    const t = ts[i] as number;
    const day = Math.floor(t / DAY);
    const hourAngle = (2 * Math.PI * (t - day * DAY)) / DAY;
    const dow = (((day + 3) % 7) + 7) % 7;
    out[18 * n + i] = Math.sin(hourAngle);
    out[19 * n + i] = Math.cos(hourAngle);
    out[20 * n + i] = Math.sin((2 * Math.PI * dow) / 7);
    out[21 * n + i] = Math.cos((2 * Math.PI * dow) / 7);
    out[22 * n + i] = dow >= 5 ? 1 : 0;
  }
  return out;
}

export default async function featuresBench(): Promise<BenchRow[]> {
  const engine = await loadEngine("release");
  const r = seededRandom(77);
  const ts = Float64Array.from({ length: N }, (_, i) => 1_767_225_600_000 + i * STEP_MS);
  const x = Float64Array.from({ length: N }, (_, i) => 100 + 20 * Math.sin(i / 200) + 5 * r());

  // Warm both up on a small odd-length input first (see harness.warmUp).
  const sts = ts.subarray(0, 1001);
  const sx = x.subarray(0, 1001);
  warmUp(() => engine.features.compute(sts, sx));
  warmUp(() => featuresTs(sts, sx));

  const helios = rate(N, () => engine.features.compute(ts, x));
  const peer = rate(N, () => featuresTs(ts, x));
  const BATCH = 1000;
  const streaming = rate(N, () => {
    const s = engine.features.stream();
    for (let i = 0; i < N; i += BATCH) s.push(ts.subarray(i, i + BATCH), x.subarray(i, i + BATCH));
    s.dispose();
  });

  // Same results: exact for lags/min/max/pct/weekend, rounding-level for the rest.
  const a = engine.features.compute(ts, x).data;
  const b = featuresTs(ts, x);
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (!Number.isNaN(d)) maxDiff = Math.max(maxDiff, d);
    else if (Number.isNaN(a[i] as number) !== Number.isNaN(b[i] as number)) maxDiff = Number.POSITIVE_INFINITY;
  }

  const row = higherIsBetter("rolling features (23 columns)", "points/s", helios, "straightforward TypeScript", peer);
  row.notes = { streaming_batches_of_1000_points_per_s: Math.round(streaming), max_abs_diff_vs_ts: maxDiff, points: N };
  return [row];
}
