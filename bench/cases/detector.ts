// Streaming anomaly detection, points per second: the engine's detector
// (robust seasonal baseline, two time scales, CUSUM re-anchoring, score and
// expected range per point) vs a straightforward TypeScript rolling z-score
// (60-point window, running sums, score and range per point) on the same
// 1-minute series with a daily cycle, noise and injected 8-sigma spikes (one
// in 5,000 points). The detector computes its calibrated score, range and
// alarm score per point. Notes carry the detector's state size and, for both,
// the spike recall at a matched false-alarm rate (the threshold each detector
// needs for 1 in 10^4 and 1 in 10^3 ordinary points flagged after day 3), and
// for the alarm score at its threshold 0.7, spike recall and false alarms.
import { ALARM_THRESHOLD } from "../../engine/src/index";
import { loadEngine } from "../../engine/src/node";
import { type BenchRow, higherIsBetter, rate, seededRandom, warmUp } from "../harness";

const N = 1_000_000;
const MIN = 60_000;
const DAY = 86_400_000;
const WINDOW = 60;
const SPIKE_RATE = 0.0002;
const SKIP = 3 * 1440;

interface Data {
  ts: Float64Array;
  vs: Float64Array;
  spike: Uint8Array;
}

function data(seed: number, n: number): Data {
  const r = seededRandom(seed);
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  const spike = new Uint8Array(n);
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < n; i++) {
    const t = t0 + i * MIN;
    const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    ts[i] = t;
    vs[i] = 200 + 80 * Math.sin((2 * Math.PI * (t % DAY)) / DAY) + 5 * z;
    if (i > SKIP && r() < SPIKE_RATE) {
      spike[i] = 1;
      vs[i] = (vs[i] as number) + 40; // 8 sigma
    }
  }
  return { ts, vs, spike };
}

/** Rolling z-score over the last WINDOW points (excluding the current one), O(1) per point. */
function rollingZ(vs: Float64Array, scores: Float64Array, low: Float64Array, high: Float64Array): void {
  const ring = new Float64Array(WINDOW);
  let sum = 0;
  let sumSq = 0;
  let filled = 0;
  for (let i = 0; i < vs.length; i++) {
    const x = vs[i]!;
    if (filled >= 2) {
      const mean = sum / filled;
      const sd = Math.sqrt(Math.max(sumSq / filled - mean * mean, 1e-12));
      const z = (x - mean) / sd;
      scores[i] = 1 - Math.exp(-0.5 * z * z);
      low[i] = mean - 3 * sd;
      high[i] = mean + 3 * sd;
    } else {
      scores[i] = 0;
      low[i] = x;
      high[i] = x;
    }
    const slot = i % WINDOW;
    if (filled === WINDOW) {
      const old = ring[slot]!;
      sum -= old;
      sumSq -= old * old;
    } else {
      filled++;
    }
    ring[slot] = x;
    sum += x;
    sumSq += x * x;
  }
}

/** Spike recall when the threshold flags a share `fa` of the ordinary points after SKIP. */
function recallAt(d: Data, scores: Float64Array, fa: number): number {
  const normal: number[] = [];
  for (let i = SKIP; i < d.vs.length; i++) if (!d.spike[i]) normal.push(scores[i]!);
  normal.sort((a, b) => b - a);
  const threshold = normal[Math.floor(fa * normal.length)]!;
  let hits = 0;
  let spikes = 0;
  for (let i = SKIP; i < d.vs.length; i++) {
    if (!d.spike[i]) continue;
    spikes++;
    if (scores[i]! > threshold) hits++;
  }
  return hits / spikes;
}

export default async function (): Promise<BenchRow[]> {
  const engine = await loadEngine("release");
  const d = data(1, N);
  const small = data(2, 1001);

  // Engine: a fresh detector per repeat (timestamps cannot go back), one batch call.
  const run = (x: Data) => {
    const det = engine.detect.streaming();
    const out = det.push(x.ts, x.vs);
    det.dispose();
    return out;
  };
  warmUp(() => run(small), 20);
  const heliosRate = rate(N, () => run(d), { repeats: 3 });
  const ours = run(d);
  let alarmHits = 0;
  let falseAlarms = 0;
  for (let i = SKIP; i < N; i++) {
    if (ours.alarms[i]! < ALARM_THRESHOLD) continue;
    if (d.spike[i]) alarmHits++;
    else falseAlarms++;
  }

  const scores = new Float64Array(N);
  const low = new Float64Array(N);
  const high = new Float64Array(N);
  const s1 = new Float64Array(1001);
  warmUp(() => rollingZ(small.vs, s1, s1.slice(), s1.slice()), 20);
  const peerRate = rate(N, () => rollingZ(d.vs, scores, low, high), { repeats: 3 });


  const notes = {
    state_bytes: engine.detect.stateBytes,
    serialized_bytes: engine.detect.serializedBytes,
    points: N,
    spikes: d.spike.reduce((a, b) => a + b, 0),
    helios_recall_at_fa_1e4: Number(recallAt(d, ours.scores, 1e-4).toFixed(3)),
    rolling_z_recall_at_fa_1e4: Number(recallAt(d, scores, 1e-4).toFixed(3)),
    helios_recall_at_fa_1e3: Number(recallAt(d, ours.scores, 1e-3).toFixed(3)),
    rolling_z_recall_at_fa_1e3: Number(recallAt(d, scores, 1e-3).toFixed(3)),
    alarm_recall: Number((alarmHits / d.spike.reduce((a, b) => a + b, 0)).toFixed(3)),
    alarm_false_alarms: falseAlarms,
  };
  return [{ ...higherIsBetter("streaming anomaly detection (score + range + alarm)", "points/s", heliosRate, "TypeScript rolling z-score (60)", peerRate), notes }];
}
