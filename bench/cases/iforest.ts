// Isolation Forest scoring, samples per second: Helios vs the `isolation-forest`
// npm package, both with 100 trees over the same 8-feature data, and each one's
// ROC-AUC on the same synthetic outliers. Fit time is reported in the notes.
import { IsolationForest as PeerForest } from "isolation-forest";
import { loadEngine } from "../../engine/src/node";
import { type BenchRow, higherIsBetter, rate, seededRandom, warmUp } from "../harness";

const D = 8;
const TREES = 100;
const TRAIN = 2000;
const TEST = 10_000;
/** Share of rows that are outliers, in training (contamination) and test. */
const OUTLIER_SHARE = 0.02;

/** Half-width of the cube outliers are drawn from: typical distance 3 sqrt(D/3) = 4.9 vs 2.8 for the blob, with overlap. */
const OUTLIER_HALF_WIDTH = 3;

/** Rows of a standard Gaussian blob with OUTLIER_SHARE rows drawn uniformly from [-3, 3]^D. */
function dataset(n: number, seed: number): { x: Float64Array; labels: Uint8Array } {
  const r = seededRandom(seed);
  const gauss = () => {
    let u = 0;
    while (u === 0) u = r();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  };
  const x = new Float64Array(n * D);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (r() < OUTLIER_SHARE) {
      labels[i] = 1;
      for (let j = 0; j < D; j++) x[i * D + j] = (r() * 2 - 1) * OUTLIER_HALF_WIDTH;
    } else {
      for (let j = 0; j < D; j++) x[i * D + j] = gauss();
    }
  }
  return { x, labels };
}

/** ROC-AUC by ranks (Mann-Whitney U), ties counted half. */
export function rocAuc(scores: ArrayLike<number>, labels: Uint8Array): number {
  const idx = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1] as number] === scores[idx[i] as number]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[idx[k] as number]) {
        pos++;
        rankSum += avgRank;
      }
    }
    i = j + 1;
  }
  const neg = labels.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

function toObjects(x: Float64Array): Record<string, number>[] {
  const rows: Record<string, number>[] = [];
  for (let i = 0; i < x.length / D; i++) {
    const o: Record<string, number> = {};
    for (let j = 0; j < D; j++) o[`f${j}`] = x[i * D + j] as number;
    rows.push(o);
  }
  return rows;
}

/**
 * A plain typed-array TypeScript scorer over the engine's own trees (read from
 * its serialised bytes): how fast a careful JS version runs, for context.
 */
function typedArrayScorer(bytes: Uint8Array): (x: Float64Array, d: number) => Float64Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nTrees = dv.getInt32(8, true);
  const psi = dv.getInt32(12, true);
  let total = 0;
  for (let t = 0; t < nTrees; t++) total += dv.getInt32(24 + 4 * t, true);
  const thr = new Float64Array(total);
  const feat = new Int32Array(total);
  const left = new Int32Array(total);
  const root = new Int32Array(nTrees);
  let o = 24 + 4 * nTrees;
  let k = 0;
  for (let t = 0; t < nTrees; t++) {
    const c = dv.getInt32(24 + 4 * t, true);
    root[t] = k;
    for (let i = 0; i < c; i++, k++, o += 16) {
      thr[k] = dv.getFloat64(o, true);
      feat[k] = dv.getInt32(o + 8, true);
      left[k] = (root[t] as number) + dv.getInt32(o + 12, true);
    }
  }
  const c = 2 * (Math.log(psi - 1) + 0.5772156649015329) - (2 * (psi - 1)) / psi;
  return (x, d) => {
    const rows = x.length / d;
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      const base = r * d;
      for (let t = 0; t < nTrees; t++) {
        let node = root[t] as number;
        let f = feat[node] as number;
        while (f >= 0) {
          node = (left[node] as number) + ((x[base + f] as number) < (thr[node] as number) ? 0 : 1);
          f = feat[node] as number;
        }
        sum += thr[node] as number;
      }
      out[r] = 2 ** (-(sum / nTrees) / c);
    }
    return out;
  };
}

export default async function iforestBench(): Promise<BenchRow[]> {
  const engine = await loadEngine("release");
  const train = dataset(TRAIN, 101);
  const test = dataset(TEST, 202);

  let t0 = performance.now();
  const forest = engine.iforest.fit({ data: train.x, features: D }, { trees: TREES, subsample: 256, seed: 1 });
  const heliosFitMs = performance.now() - t0;
  const small = test.x.subarray(0, 33 * D); // odd-length warm-up input
  warmUp(() => forest.score({ data: small, features: D }));
  const helios = rate(TEST, () => forest.score({ data: test.x, features: D }), { repeats: 5, minMs: 200 });
  const heliosAuc = rocAuc(forest.score({ data: test.x, features: D }), test.labels);
  const plain = typedArrayScorer(forest.serialize());
  const smallX = test.x.slice(0, 33 * D);
  warmUp(() => plain(smallX, D));
  const plainRate = rate(TEST, () => plain(test.x, D), { repeats: 3, minMs: 200 });

  const peer = new PeerForest(TREES, 256);
  const trainRows = toObjects(train.x);
  const testRows = toObjects(test.x);
  t0 = performance.now();
  peer.fit(trainRows);
  const peerFitMs = performance.now() - t0;
  const smallRows = testRows.slice(0, 33);
  warmUp(() => peer.predict(smallRows), 20);
  const peerRate = rate(TEST, () => peer.predict(testRows), { repeats: 3, minMs: 300 });
  const peerAuc = rocAuc(peer.predict(testRows), test.labels);
  forest.dispose();

  const row = higherIsBetter("iforest scoring (100 trees, 8 features)", "samples/s", helios, "isolation-forest", peerRate);
  row.notes = {
    helios_auc: Number(heliosAuc.toFixed(4)),
    peer_auc: Number(peerAuc.toFixed(4)),
    plain_typed_array_ts_samples_per_s: Math.round(plainRate),
    helios_fit_ms: Number(heliosFitMs.toFixed(1)),
    peer_fit_ms: Number(peerFitMs.toFixed(1)),
    data: `${TRAIN} train / ${TEST} test rows of N(0, I_8), ${OUTLIER_SHARE * 100}% outliers uniform in [-${OUTLIER_HALF_WIDTH}, ${OUTLIER_HALF_WIDTH}]^8`,
    peer_note: "isolation-forest 0.0.9 grows every tree on all training rows (its subsample is computed but unused)",
  };
  return [row];
}
