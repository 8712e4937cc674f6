// Gradient-boosted decision trees for binary classification (logistic loss),
// in the way XGBoost's "hist" method and LightGBM grow them: features cut into
// quantile bins once, per-leaf gradient histograms (the larger child by
// subtraction), best-first growth under depth and leaf limits, a learned
// direction for missing values, shrinkage, L2 on leaf weights, a minimum
// child hessian, and row and column subsampling from a seeded PRNG, so one
// seed always gives the same trees.
import { rng } from "../../random";

/** Training parameters; `DEFAULT_PARAMS` fills what is left out. */
export interface GbdtParams {
  /** Boosting rounds (one tree each). */
  trees: number;
  /** Longest root-to-leaf path (edges). */
  maxDepth: number;
  /** Leaves per tree. */
  maxLeaves: number;
  /** Shrinkage applied to every leaf weight. */
  learningRate: number;
  /** Smallest hessian sum a child may have. */
  minChildWeight: number;
  /** L2 penalty on leaf weights (XGBoost's lambda). */
  lambda: number;
  /** Smallest loss reduction a split must bring (XGBoost's gamma). */
  minSplitGain: number;
  /** Fraction of rows each tree sees. */
  rowSample: number;
  /** Fraction of features each tree may split on. */
  colSample: number;
  /** Quantile bins per feature (at most 255; missing values get their own). */
  bins: number;
  seed: number;
}

export const DEFAULT_PARAMS: GbdtParams = {
  trees: 100,
  maxDepth: 6,
  maxLeaves: 31,
  learningRate: 0.1,
  minChildWeight: 1,
  lambda: 1,
  minSplitGain: 0,
  rowSample: 1,
  colSample: 1,
  bins: 64,
  seed: 1,
};

/**
 * One tree as flat node arrays, node 0 the root. An internal node sends a row
 * left when `x[feature] <= threshold`, or when the value is NaN and
 * `missingLeft` is 1; a leaf has feature -1 and its weight (shrinkage
 * included) in `value`.
 */
export interface Tree {
  feature: Int32Array;
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  missingLeft: Uint8Array;
  value: Float32Array;
}

/** A trained model: margin = baseMargin + the sum of one leaf per tree; P(anomalous) = logistic(margin). */
export interface Ensemble {
  nFeatures: number;
  baseMargin: number;
  trees: Tree[];
}

/** Quantile bin edges of each feature: bin b holds values in (edges[b-1], edges[b]]; the last bin everything above. */
interface Binned {
  /** Row-major bin of each (row, feature), as x; `missingBin` for NaN. */
  bins: Uint8Array;
  edges: Float32Array[];
  missingBin: number;
}

const SAMPLE_FOR_EDGES = 200_000;

/** Cuts each feature at quantiles of (a deterministic sample of) its finite values; edges are data values, so `x <= edge` and `bin <= b` agree exactly. */
function binFeatures(x: Float32Array, n: number, f: number, maxBins: number): Binned {
  if (!(maxBins >= 2 && maxBins <= 255)) throw new Error("bins must be in [2, 255]");
  const missingBin = maxBins;
  const bins = new Uint8Array(n * f);
  const edges: Float32Array[] = [];
  const step = Math.max(1, Math.floor(n / SAMPLE_FOR_EDGES));
  const sample = new Float32Array(Math.ceil(n / step));
  for (let j = 0; j < f; j++) {
    let m = 0;
    for (let i = 0; i < n; i += step) {
      const v = x[i * f + j]!;
      if (!Number.isNaN(v)) sample[m++] = v;
    }
    const sorted = sample.subarray(0, m).sort();
    const distinct: number[] = [];
    for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
    // Edges split the distinct values; the largest value closes the last bin implicitly.
    let e: number[];
    if (distinct.length <= maxBins) e = distinct.slice(0, -1);
    else {
      e = [];
      for (let b = 1; b < maxBins; b++) {
        const v = sorted[Math.min(m - 1, Math.floor((b * m) / maxBins))]!;
        if (e.length === 0 || v > e[e.length - 1]!) e.push(v);
      }
      if (e.length > 0 && e[e.length - 1] === distinct[distinct.length - 1]) e.pop();
    }
    const ej = Float32Array.from(e);
    edges.push(ej);
    for (let i = 0; i < n; i++) {
      const v = x[i * f + j]!;
      if (Number.isNaN(v)) {
        bins[i * f + j] = missingBin;
        continue;
      }
      let lo = 0;
      let hi = ej.length; // first edge >= v, or ej.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ej[mid]! < v) lo = mid + 1;
        else hi = mid;
      }
      bins[i * f + j] = lo;
    }
  }
  return { bins, edges, missingBin };
}

/** The best split of one leaf. */
interface Split {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  gl: number;
  hl: number;
}

/** A leaf under construction: its rows `order[begin, end)`, sums, histogram and best split. */
interface Leaf {
  node: number;
  depth: number;
  begin: number;
  end: number;
  g: number;
  h: number;
  hist: Float64Array;
  split: Split | null;
}

function leafWeight(g: number, h: number, lambda: number): number {
  return -g / (h + lambda);
}

function score(g: number, h: number, lambda: number): number {
  return (g * g) / (h + lambda);
}

/** Growable node arrays of the tree being built. */
class NodeList {
  feature: number[] = [];
  threshold: number[] = [];
  left: number[] = [];
  right: number[] = [];
  missingLeft: number[] = [];
  value: number[] = [];
  splitBin: number[] = [];
  add(): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.missingLeft.push(0);
    this.value.push(0);
    this.splitBin.push(-1);
    return this.feature.length - 1;
  }
  tree(): Tree {
    return {
      feature: Int32Array.from(this.feature),
      threshold: Float32Array.from(this.threshold),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      missingLeft: Uint8Array.from(this.missingLeft),
      value: Float32Array.from(this.value),
    };
  }
}

/**
 * Trains on `n` rows of `f` features (`x` row-major, NaN for missing) with
 * labels `y` in {0, 1}. Deterministic for `params.seed`.
 */
export function train(x: Float32Array, y: ArrayLike<number>, f: number, options: Partial<GbdtParams> = {}): Ensemble {
  const p: GbdtParams = { ...DEFAULT_PARAMS, ...options };
  const n = y.length;
  if (x.length !== n * f) throw new Error(`x has ${x.length} values, expected ${n} x ${f}`);
  if (n === 0) throw new Error("no rows to train on");
  const { bins, edges, missingBin } = binFeatures(x, n, f, p.bins);
  const stride = missingBin + 1; // histogram slots per feature
  const random = rng(p.seed);

  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i]! ? 1 : 0;
  // Start from the log-odds of the base rate, clamped so an all-one-class set stays finite.
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, positives / n));
  const baseMargin = Math.fround(Math.log(rate / (1 - rate)));
  const margin = new Float64Array(n).fill(baseMargin);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const order = new Int32Array(n);
  const scratch = new Int32Array(n);
  const trees: Tree[] = [];
  const allFeatures = Array.from({ length: f }, (_, j) => j);
  const nCols = Math.max(1, Math.round(p.colSample * f));

  const buildHist = (hist: Float64Array, begin: number, end: number, colIdx: Int32Array) => {
    hist.fill(0);
    const nc = colIdx.length;
    for (let k = begin; k < end; k++) {
      const i = order[k]!;
      const g = grad[i]!;
      const h = hess[i]!;
      const row = i * f;
      for (let c = 0; c < nc; c++) {
        const j = colIdx[c]!;
        const s = (j * stride + bins[row + j]!) * 2;
        hist[s]! += g;
        hist[s + 1]! += h;
      }
    }
  };

  const findSplit = (leaf: Leaf, cols: number[]): Split | null => {
    if (leaf.depth >= p.maxDepth) return null;
    const { hist, g, h } = leaf;
    const parent = score(g, h, p.lambda);
    let best: Split | null = null;
    for (const j of cols) {
      const o = j * stride * 2;
      const gm = hist[o + missingBin * 2]!;
      const hm = hist[o + missingBin * 2 + 1]!;
      const nEdges = edges[j]!.length;
      let gl = 0;
      let hl = 0;
      for (let b = 0; b < nEdges; b++) {
        gl += hist[o + b * 2]!;
        hl += hist[o + b * 2 + 1]!;
        // Missing values right (false branch), then left; with none missing only the first is tried.
        for (let m = 0; m < (hm > 0 ? 2 : 1); m++) {
          const gL = m === 1 ? gl + gm : gl;
          const hL = m === 1 ? hl + hm : hl;
          const gR = g - gL;
          const hR = h - hL;
          if (hL < p.minChildWeight || hR < p.minChildWeight) continue;
          const gain = 0.5 * (score(gL, hL, p.lambda) + score(gR, hR, p.lambda) - parent) - p.minSplitGain;
          if (gain > 1e-12 && (best === null || gain > best.gain)) best = { gain, feature: j, bin: b, missingLeft: m === 1, gl: gL, hl: hL };
        }
      }
    }
    return best;
  };

  for (let t = 0; t < p.trees; t++) {
    for (let i = 0; i < n; i++) {
      const prob = 1 / (1 + Math.exp(-margin[i]!));
      grad[i] = prob - (y[i]! ? 1 : 0);
      hess[i] = Math.max(prob * (1 - prob), 1e-16);
    }
    let m = 0;
    if (p.rowSample >= 1) for (let i = 0; i < n; i++) order[m++] = i;
    else for (let i = 0; i < n; i++) if (random() < p.rowSample) order[m++] = i;
    if (m === 0) order[m++] = Math.floor(random() * n);
    let cols = allFeatures;
    if (nCols < f) {
      const pick = allFeatures.slice();
      for (let k = 0; k < nCols; k++) {
        const r = k + Math.floor(random() * (f - k));
        [pick[k], pick[r]] = [pick[r]!, pick[k]!];
      }
      cols = pick.slice(0, nCols).sort((a, b) => a - b);
    }
    const colIdx = Int32Array.from(cols);

    const nodes = new NodeList();
    const root: Leaf = { node: nodes.add(), depth: 0, begin: 0, end: m, g: 0, h: 0, hist: new Float64Array(f * stride * 2), split: null };
    for (let k = 0; k < m; k++) {
      root.g += grad[order[k]!]!;
      root.h += hess[order[k]!]!;
    }
    buildHist(root.hist, 0, m, colIdx);
    root.split = findSplit(root, cols);
    const open: Leaf[] = [root];
    while (open.length > 0 && open.length < p.maxLeaves) {
      // Best-first: split the open leaf with the largest gain (ties: the older node).
      let bi = -1;
      for (let k = 0; k < open.length; k++) {
        const s = open[k]!.split;
        if (s && (bi < 0 || s.gain > open[bi]!.split!.gain)) bi = k;
      }
      if (bi < 0) break;
      const leaf = open.splice(bi, 1)[0]!;
      const s = leaf.split!;

      // Stable partition of the leaf's rows: left keeps its order in `order`, right goes to scratch then back.
      let l = leaf.begin;
      let r = 0;
      for (let k = leaf.begin; k < leaf.end; k++) {
        const i = order[k]!;
        const b = bins[i * f + s.feature]!;
        if (b === missingBin ? s.missingLeft : b <= s.bin) order[l++] = i;
        else scratch[r++] = i;
      }
      order.set(scratch.subarray(0, r), l);
      const nodeL = nodes.add();
      const nodeR = nodes.add();
      nodes.feature[leaf.node] = s.feature;
      nodes.threshold[leaf.node] = edges[s.feature]![s.bin]!;
      nodes.splitBin[leaf.node] = s.bin;
      nodes.missingLeft[leaf.node] = s.missingLeft ? 1 : 0;
      nodes.left[leaf.node] = nodeL;
      nodes.right[leaf.node] = nodeR;
      const left: Leaf = { node: nodeL, depth: leaf.depth + 1, begin: leaf.begin, end: l, g: s.gl, h: s.hl, hist: new Float64Array(0), split: null };
      const right: Leaf = { node: nodeR, depth: leaf.depth + 1, begin: l, end: leaf.end, g: leaf.g - s.gl, h: leaf.h - s.hl, hist: new Float64Array(0), split: null };
      // Histogram of the smaller child by a pass over its rows; the larger one is the parent's less it.
      const [small, large] = l - leaf.begin <= leaf.end - l ? [left, right] : [right, left];
      small.hist = new Float64Array(leaf.hist.length);
      buildHist(small.hist, small.begin, small.end, colIdx);
      large.hist = leaf.hist;
      for (let k = 0; k < large.hist.length; k++) large.hist[k]! -= small.hist[k]!;
      for (const c of [left, right]) {
        c.split = findSplit(c, cols);
        open.push(c);
      }
    }
    for (const leaf of open) nodes.value[leaf.node] = Math.fround(p.learningRate * leafWeight(leaf.g, leaf.h, p.lambda));
    const tree = nodes.tree();
    trees.push(tree);
    // Every row (sampled or not) moves by the leaf it falls in, found through its bins.
    for (let i = 0; i < n; i++) {
      let k = 0;
      while (tree.feature[k]! >= 0) {
        const b = bins[i * f + tree.feature[k]!]!;
        k = (b === missingBin ? tree.missingLeft[k] === 1 : b <= nodes.splitBin[k]!) ? tree.left[k]! : tree.right[k]!;
      }
      margin[i]! += tree.value[k]!;
    }
  }
  return { nFeatures: f, baseMargin, trees };
}

/** The leaf of `tree` that row `x[o, o + f)` falls in. */
function leafOf(tree: Tree, x: Float32Array, o: number): number {
  let k = 0;
  while (tree.feature[k]! >= 0) {
    const v = x[o + tree.feature[k]!]!;
    k = v <= tree.threshold[k]! || (Number.isNaN(v) && tree.missingLeft[k] === 1) ? tree.left[k]! : tree.right[k]!;
  }
  return k;
}

/**
 * Margins of `x` (row-major, nFeatures a row) in float32 arithmetic and in the
 * order onnxruntime's TreeEnsembleClassifier uses (trees summed from zero,
 * then the base value added), so the two agree to float rounding.
 */
export function predictMargin(model: Ensemble, x: Float32Array): Float32Array {
  const f = model.nFeatures;
  const n = x.length / f;
  if (!Number.isInteger(n)) throw new Error(`x has ${x.length} values, not a multiple of ${f}`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const tree of model.trees) s = Math.fround(s + tree.value[leafOf(tree, x, i * f)]!);
    out[i] = Math.fround(s + model.baseMargin);
  }
  return out;
}

/** P(anomalous) of each row of `x`: the logistic of its margin, as float32. */
export function predictProba(model: Ensemble, x: Float32Array): Float32Array {
  const m = predictMargin(model, x);
  return m.map((v) => Math.fround(1 / (1 + Math.exp(-v))));
}
