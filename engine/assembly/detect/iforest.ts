// Isolation Forest (Liu, Ting & Zhou, ICDM 2008) over window feature vectors.
//
// fit: nTrees trees, each grown on psi = min(subsample, n) rows drawn without
// replacement, to a height limit of ceil(log2 psi); every split picks a feature
// and a threshold uniformly in (min, max] of that feature in the node (a
// constant feature is skipped for another non-constant one; a node whose rows
// are all equal is a leaf). Deterministic for a seed (PCG32).
//
// score(x) = 2^(-E[h(x)] / c(psi)), h(x) = depth of the leaf x reaches + c(size
// of that leaf), c(n) = 2 H(n-1) - 2 (n-1) / n with H(i) ~ ln i + Euler's
// gamma, c(2) = 1, c(n <= 1) = 0. Each leaf stores depth + c(size) already.
//
// Trees live in one flat block of 16-byte nodes, tree t at t * maxNodes:
//   f64 threshold, i32 feature, i32 left child (local index; right = left + 1).
// A leaf is a node that loops to itself (threshold +Infinity, feature 0, left =
// its own index) with its path length in a parallel f64 array, so a walk of a
// fixed number of steps (the tree's depth) ends on the right leaf without a
// branch per node. Scoring walks the forest tree by tree over blocks of rows
// (one tree stays in cache while a block goes through it), eight rows in
// lockstep for instruction-level parallelism, and allocates nothing.
// Serialised bytes use the plain form (leaf: feature -1, threshold = path length).

import { ERR_BAD_HANDLE, ERR_CORRUPT, ERR_INVALID_ARGUMENT, ERR_NOT_FINITE, OK } from "../util/status";
import { Registry } from "../util/registry";
import { Pcg32 } from "../util/pcg32";

/** Euler-Mascheroni constant, for H(i) ~ ln i + gamma. */
const EULER_GAMMA: f64 = 0.5772156649015329;
/** Limits on the shape of a forest (memory: nTrees * (2 subsample - 1) * 16 bytes). */
const MAX_TREES: i32 = 10_000;
const MAX_SUBSAMPLE: i32 = 1 << 16;
const MAX_FEATURES: i32 = 1 << 12;
/** Largest node block a forest may allocate (nTrees * (2 psi - 1) * 16 bytes). */
const MAX_FOREST_BYTES: i64 = 1 << 28;
/** Rows scored per pass over the trees: larger blocks amortise bringing each tree into cache (128 -> 1024: about 8% faster here). */
const BLOCK: i32 = 1024;
const NODE_BYTES: usize = 16;
const NODE_FEAT: usize = 8;
const NODE_LEFT: usize = 12;
/** Serialised header: magic, version, nTrees, psi, nFeatures, reserved. */
const MAGIC: u32 = 0x31464948; // "HIF1"
const FOREST_VERSION: u32 = 1;
const HEADER_BYTES: i32 = 24;

/** Average path length of an unsuccessful BST search among n points: the normaliser c(n). */
export function averagePathLength(n: f64): f64 {
  if (n <= 1) return 0;
  if (n == 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** A fitted forest. Node storage is allocated once at fit or restore. */
class Forest {
  nodes: StaticArray<u8>;
  counts: StaticArray<i32>;
  /** Path length (depth + c(size)) of each leaf node, 0 for internal nodes; same indexing as nodes. */
  leafVal: StaticArray<f64>;
  /** Depth of each tree's deepest leaf: the number of steps a walk takes. */
  depth: StaticArray<i32>;
  acc: StaticArray<f64> = new StaticArray<f64>(BLOCK);
  maxNodes: i32;
  cPsi: f64;
  constructor(
    public nTrees: i32,
    public psi: i32,
    public nFeatures: i32,
  ) {
    const maxNodes = 2 * psi - 1;
    this.nodes = new StaticArray<u8>(nTrees * maxNodes * <i32>NODE_BYTES);
    this.counts = new StaticArray<i32>(nTrees);
    this.leafVal = new StaticArray<f64>(nTrees * maxNodes);
    this.depth = new StaticArray<i32>(nTrees);
    this.maxNodes = maxNodes;
    this.cPsi = averagePathLength(<f64>psi);
  }
}

const forests = new Registry<Forest>();
/** Flat index (row * nFeatures + feature) of the value behind the last ERR_NOT_FINITE. */
let errorIndex: i32 = -1;

/** First non-finite value among n f64 at ptr, or -1. */
function firstNonFinite(ptr: usize, n: i32): i32 {
  for (let i = 0; i < n; i++) {
    if (!isFinite(load<f64>(ptr + (<usize>i << 3)))) return i;
  }
  return -1;
}

/** Grows tree `t` on rows idx[0..psi) of `data`. */
function growTree(f: Forest, t: i32, data: usize, idx: StaticArray<i32>, stack: StaticArray<i32>, rng: Pcg32): void {
  const nF = f.nFeatures;
  const base = changetype<usize>(f.nodes) + <usize>t * <usize>f.maxNodes * NODE_BYTES;
  const limit = <i32>Math.ceil(Math.log2(<f64>f.psi));
  const rowStride = <usize>nF << 3;
  let count = 1;
  let maxDepth = 0;
  // Stack of (node, start, end, depth).
  let sp = 0;
  unchecked((stack[0] = 0));
  unchecked((stack[1] = 0));
  unchecked((stack[2] = f.psi));
  unchecked((stack[3] = 0));
  sp = 4;
  while (sp > 0) {
    sp -= 4;
    const node = unchecked(stack[sp]);
    const start = unchecked(stack[sp + 1]);
    const end = unchecked(stack[sp + 2]);
    const depth = unchecked(stack[sp + 3]);
    const a = base + (<usize>node << 4);
    const size = end - start;
    let q: i32 = -1;
    let lo: f64 = 0;
    let hi: f64 = 0;
    if (depth < limit && size > 1) {
      // A random feature; if it is constant here, the next non-constant one after it.
      const q0 = <i32>rng.below(<u32>nF);
      for (let k = 0; k < nF; k++) {
        const cand = q0 + k < nF ? q0 + k : q0 + k - nF;
        const off = <usize>cand << 3;
        lo = Infinity;
        hi = -Infinity;
        for (let i = start; i < end; i++) {
          const v = load<f64>(data + <usize>unchecked(idx[i]) * rowStride + off);
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        if (hi > lo) {
          q = cand;
          break;
        }
      }
    }
    if (q < 0) {
      setLeaf(f, t, node, <f64>depth + averagePathLength(<f64>size));
      if (depth > maxDepth) maxDepth = depth;
      continue;
    }
    // Threshold in (lo, hi]: rows with x < p go left, so both sides are non-empty.
    let p = lo + rng.unitOpenLow() * (hi - lo);
    if (!(p > lo) || p > hi) p = hi;
    const off = <usize>q << 3;
    let mid = start;
    for (let i = start; i < end; i++) {
      const r = unchecked(idx[i]);
      if (load<f64>(data + <usize>r * rowStride + off) < p) {
        unchecked((idx[i] = idx[mid]));
        unchecked((idx[mid] = r));
        mid++;
      }
    }
    const left = count;
    count += 2;
    store<f64>(a, p);
    store<i32>(a + NODE_FEAT, q);
    store<i32>(a + NODE_LEFT, left);
    unchecked((stack[sp] = left + 1));
    unchecked((stack[sp + 1] = mid));
    unchecked((stack[sp + 2] = end));
    unchecked((stack[sp + 3] = depth + 1));
    unchecked((stack[sp + 4] = left));
    unchecked((stack[sp + 5] = start));
    unchecked((stack[sp + 6] = mid));
    unchecked((stack[sp + 7] = depth + 1));
    sp += 8;
  }
  unchecked((f.counts[t] = count));
  unchecked((f.depth[t] = maxDepth));
}

/** Makes node `i` of tree `t` a self-looping leaf with path length `h`. */
function setLeaf(f: Forest, t: i32, i: i32, h: f64): void {
  const a = changetype<usize>(f.nodes) + (<usize>t * <usize>f.maxNodes + <usize>i) * NODE_BYTES;
  store<f64>(a, Infinity);
  store<i32>(a + NODE_FEAT, 0);
  store<i32>(a + NODE_LEFT, i);
  unchecked((f.leafVal[t * f.maxNodes + i] = h));
}

/**
 * Fits a forest on nSamples x nFeatures f64 (row-major) at `data` and returns
 * its handle, or a negative status (ERR_NOT_FINITE: see iforest_error_index).
 * Called once per model fit (training windows); allocates the forest only.
 */
export function iforest_fit(data: usize, nSamples: i32, nFeatures: i32, nTrees: i32, subsample: i32, seed: u32): i32 {
  errorIndex = -1;
  if (nSamples < 2 || nFeatures < 1 || nFeatures > MAX_FEATURES) return ERR_INVALID_ARGUMENT;
  if (nTrees < 1 || nTrees > MAX_TREES || subsample < 2 || subsample > MAX_SUBSAMPLE) return ERR_INVALID_ARGUMENT;
  if (<i64>nSamples * <i64>nFeatures > <i64>(1 << 27)) return ERR_INVALID_ARGUMENT;
  const bad = firstNonFinite(data, nSamples * nFeatures);
  if (bad >= 0) {
    errorIndex = bad;
    return ERR_NOT_FINITE;
  }
  const psi = subsample < nSamples ? subsample : nSamples;
  if (<i64>nTrees * <i64>(2 * psi - 1) * <i64>NODE_BYTES > MAX_FOREST_BYTES) return ERR_INVALID_ARGUMENT;
  const f = new Forest(nTrees, psi, nFeatures);
  const rng = new Pcg32(<u64>seed);
  const perm = new StaticArray<i32>(nSamples);
  for (let i = 0; i < nSamples; i++) unchecked((perm[i] = i));
  const idx = new StaticArray<i32>(psi);
  const stack = new StaticArray<i32>(4 * (psi + 2));
  for (let t = 0; t < nTrees; t++) {
    // Partial Fisher-Yates: perm[0..psi) becomes a uniform sample without replacement.
    for (let i = 0; i < psi; i++) {
      const j = i + <i32>rng.below(<u32>(nSamples - i));
      const tmp = unchecked(perm[i]);
      unchecked((perm[i] = perm[j]));
      unchecked((perm[j] = tmp));
      unchecked((idx[i] = perm[i]));
    }
    growTree(f, t, data, idx, stack, rng);
  }
  return forests.add(f);
}

/**
 * Scores nSamples rows (row-major, the forest's nFeatures each) at `data` into
 * `out` (f64 each, in [0, 1]; higher is more anomalous). Called per batch of
 * windows; allocates nothing.
 */
export function iforest_score(handle: i32, data: usize, nSamples: i32, out: usize): i32 {
  const f = forests.get(handle);
  if (f === null) return ERR_BAD_HANDLE;
  errorIndex = -1;
  if (nSamples < 0) return ERR_INVALID_ARGUMENT;
  const nF = f.nFeatures;
  const bad = firstNonFinite(data, nSamples * nF);
  if (bad >= 0) {
    errorIndex = bad;
    return ERR_NOT_FINITE;
  }
  const rowStride = <usize>nF << 3;
  const acc = changetype<usize>(f.acc);
  const nodes = changetype<usize>(f.nodes);
  const leafVals = changetype<usize>(f.leafVal);
  const treeStride = <usize>f.maxNodes * NODE_BYTES;
  const nTrees = f.nTrees;
  // score = 2^(-(sum h / nTrees) / c(psi)) = exp(sum h * k), k = -ln 2 / (nTrees c(psi)).
  const k = -Math.LN2 / (<f64>nTrees * f.cPsi);
  for (let b = 0; b < nSamples; b += BLOCK) {
    const m = nSamples - b < BLOCK ? nSamples - b : BLOCK;
    memory.fill(acc, 0, <usize>m << 3);
    const rows = data + <usize>b * rowStride;
    for (let t = 0; t < nTrees; t++) {
      const base = nodes + <usize>t * treeStride;
      const lv = leafVals + <usize>t * <usize>f.maxNodes * 8;
      const steps = unchecked(f.depth[t]);
      let j = 0;
      // 8 rows in lockstep: 8 independent load chains per step (latency-bound otherwise).
      for (; j + 8 <= m; j += 8) {
        const r0 = rows + <usize>j * rowStride;
        const r1 = r0 + rowStride;
        const r2 = r1 + rowStride;
        const r3 = r2 + rowStride;
        const r4 = r3 + rowStride;
        const r5 = r4 + rowStride;
        const r6 = r5 + rowStride;
        const r7 = r6 + rowStride;
        let a0 = base;
        let a1 = base;
        let a2 = base;
        let a3 = base;
        let a4 = base;
        let a5 = base;
        let a6 = base;
        let a7 = base;
        for (let s = 0; s < steps; s++) {
          a0 = base + (<usize>(load<i32>(a0 + NODE_LEFT) + <i32>(load<f64>(r0 + (<usize>load<i32>(a0 + NODE_FEAT) << 3)) >= load<f64>(a0))) << 4);
          a1 = base + (<usize>(load<i32>(a1 + NODE_LEFT) + <i32>(load<f64>(r1 + (<usize>load<i32>(a1 + NODE_FEAT) << 3)) >= load<f64>(a1))) << 4);
          a2 = base + (<usize>(load<i32>(a2 + NODE_LEFT) + <i32>(load<f64>(r2 + (<usize>load<i32>(a2 + NODE_FEAT) << 3)) >= load<f64>(a2))) << 4);
          a3 = base + (<usize>(load<i32>(a3 + NODE_LEFT) + <i32>(load<f64>(r3 + (<usize>load<i32>(a3 + NODE_FEAT) << 3)) >= load<f64>(a3))) << 4);
          a4 = base + (<usize>(load<i32>(a4 + NODE_LEFT) + <i32>(load<f64>(r4 + (<usize>load<i32>(a4 + NODE_FEAT) << 3)) >= load<f64>(a4))) << 4);
          a5 = base + (<usize>(load<i32>(a5 + NODE_LEFT) + <i32>(load<f64>(r5 + (<usize>load<i32>(a5 + NODE_FEAT) << 3)) >= load<f64>(a5))) << 4);
          a6 = base + (<usize>(load<i32>(a6 + NODE_LEFT) + <i32>(load<f64>(r6 + (<usize>load<i32>(a6 + NODE_FEAT) << 3)) >= load<f64>(a6))) << 4);
          a7 = base + (<usize>(load<i32>(a7 + NODE_LEFT) + <i32>(load<f64>(r7 + (<usize>load<i32>(a7 + NODE_FEAT) << 3)) >= load<f64>(a7))) << 4);
        }
        const o = acc + (<usize>j << 3);
        store<f64>(o, load<f64>(o) + load<f64>(lv + ((a0 - base) >> 1)));
        store<f64>(o + 8, load<f64>(o + 8) + load<f64>(lv + ((a1 - base) >> 1)));
        store<f64>(o + 16, load<f64>(o + 16) + load<f64>(lv + ((a2 - base) >> 1)));
        store<f64>(o + 24, load<f64>(o + 24) + load<f64>(lv + ((a3 - base) >> 1)));
        store<f64>(o + 32, load<f64>(o + 32) + load<f64>(lv + ((a4 - base) >> 1)));
        store<f64>(o + 40, load<f64>(o + 40) + load<f64>(lv + ((a5 - base) >> 1)));
        store<f64>(o + 48, load<f64>(o + 48) + load<f64>(lv + ((a6 - base) >> 1)));
        store<f64>(o + 56, load<f64>(o + 56) + load<f64>(lv + ((a7 - base) >> 1)));
      }
      for (; j < m; j++) {
        const r0 = rows + <usize>j * rowStride;
        let a0 = base;
        for (let s = 0; s < steps; s++) {
          a0 = base + (<usize>(load<i32>(a0 + NODE_LEFT) + <i32>(load<f64>(r0 + (<usize>load<i32>(a0 + NODE_FEAT) << 3)) >= load<f64>(a0))) << 4);
        }
        const o = acc + (<usize>j << 3);
        store<f64>(o, load<f64>(o) + load<f64>(lv + ((a0 - base) >> 1)));
      }
    }
    for (let j = 0; j < m; j++) {
      store<f64>(out + (<usize>(b + j) << 3), Math.exp(load<f64>(acc + (<usize>j << 3)) * k));
    }
  }
  return OK;
}

/** Flat index (row * nFeatures + feature) of the value behind the last ERR_NOT_FINITE. Called by the facade after that status. */
export function iforest_error_index(): i32 {
  return errorIndex;
}

/** c(n), the path-length normaliser. For tests and for hosts that explain scores. */
export function iforest_c(n: f64): f64 {
  return averagePathLength(n);
}

/** Writes 5 f64: nTrees, psi, nFeatures, total nodes, c(psi). Called once after fit/restore. */
export function iforest_info(handle: i32, out: usize): i32 {
  const f = forests.get(handle);
  if (f === null) return ERR_BAD_HANDLE;
  let total: i64 = 0;
  for (let t = 0; t < f.nTrees; t++) total += unchecked(f.counts[t]);
  store<f64>(out, <f64>f.nTrees);
  store<f64>(out + 8, <f64>f.psi);
  store<f64>(out + 16, <f64>f.nFeatures);
  store<f64>(out + 24, <f64>total);
  store<f64>(out + 32, f.cPsi);
  return OK;
}

function serializedBytes(f: Forest): i32 {
  let bytes = HEADER_BYTES + 4 * f.nTrees;
  for (let t = 0; t < f.nTrees; t++) bytes += unchecked(f.counts[t]) * <i32>NODE_BYTES;
  return bytes;
}

/** Bytes `iforest_serialize` will write. Called before serialising to size the region. */
export function iforest_serialized_bytes(handle: i32): i32 {
  const f = forests.get(handle);
  if (f === null) return ERR_BAD_HANDLE;
  return serializedBytes(f);
}

/**
 * Writes the forest (header, per-tree node counts, then each tree's nodes) to
 * `out`; returns the byte count. Little-endian, exact: a restored forest scores identically.
 */
export function iforest_serialize(handle: i32, out: usize): i32 {
  const f = forests.get(handle);
  if (f === null) return ERR_BAD_HANDLE;
  store<u32>(out, MAGIC);
  store<u32>(out + 4, FOREST_VERSION);
  store<i32>(out + 8, f.nTrees);
  store<i32>(out + 12, f.psi);
  store<i32>(out + 16, f.nFeatures);
  store<i32>(out + 20, 0);
  let o = out + <usize>HEADER_BYTES;
  for (let t = 0; t < f.nTrees; t++) {
    store<i32>(o, unchecked(f.counts[t]));
    o += 4;
  }
  const nodes = changetype<usize>(f.nodes);
  for (let t = 0; t < f.nTrees; t++) {
    const c = unchecked(f.counts[t]);
    const base = nodes + <usize>t * <usize>f.maxNodes * NODE_BYTES;
    for (let i = 0; i < c; i++) {
      const a = base + (<usize>i << 4);
      const left = load<i32>(a + NODE_LEFT);
      if (left == i) {
        store<f64>(o, unchecked(f.leafVal[t * f.maxNodes + i]));
        store<i32>(o + NODE_FEAT, -1);
        store<i32>(o + NODE_LEFT, 0);
      } else {
        memory.copy(o, a, NODE_BYTES);
      }
      o += NODE_BYTES;
    }
  }
  return <i32>(o - out);
}

/**
 * Restores a forest from `len` bytes; returns its handle or ERR_CORRUPT. Every
 * node is checked (feature in range, children after their parent and inside
 * the tree), so scoring a restored forest always terminates in bounds.
 */
export function iforest_deserialize(ptr: usize, len: i32): i32 {
  if (len < HEADER_BYTES) return ERR_CORRUPT;
  if (load<u32>(ptr) != MAGIC || load<u32>(ptr + 4) != FOREST_VERSION) return ERR_CORRUPT;
  const nTrees = load<i32>(ptr + 8);
  const psi = load<i32>(ptr + 12);
  const nF = load<i32>(ptr + 16);
  if (nTrees < 1 || nTrees > MAX_TREES || psi < 2 || psi > MAX_SUBSAMPLE || nF < 1 || nF > MAX_FEATURES) return ERR_CORRUPT;
  if (<i64>len < <i64>HEADER_BYTES + 4 * <i64>nTrees) return ERR_CORRUPT;
  const maxNodes = 2 * psi - 1;
  if (<i64>nTrees * <i64>maxNodes * <i64>NODE_BYTES > MAX_FOREST_BYTES) return ERR_CORRUPT;
  let expected: i64 = <i64>HEADER_BYTES + 4 * <i64>nTrees;
  for (let t = 0; t < nTrees; t++) {
    const c = load<i32>(ptr + <usize>HEADER_BYTES + (<usize>t << 2));
    if (c < 1 || c > maxNodes) return ERR_CORRUPT;
    expected += <i64>c * <i64>NODE_BYTES;
  }
  if (expected != <i64>len) return ERR_CORRUPT;
  let o = ptr + <usize>HEADER_BYTES + (<usize>nTrees << 2);
  for (let t = 0; t < nTrees; t++) {
    const c = load<i32>(ptr + <usize>HEADER_BYTES + (<usize>t << 2));
    for (let i = 0; i < c; i++) {
      const a = o + (<usize>i << 4);
      const v = load<f64>(a);
      const q = load<i32>(a + NODE_FEAT);
      const left = load<i32>(a + NODE_LEFT);
      if (q == -1) {
        if (!isFinite(v) || v < 0) return ERR_CORRUPT;
      } else if (q < 0 || q >= nF || isNaN(v) || left <= i || left + 1 >= c) {
        return ERR_CORRUPT;
      }
    }
    o += <usize>c * NODE_BYTES;
  }
  const f = new Forest(nTrees, psi, nF);
  o = ptr + <usize>HEADER_BYTES + (<usize>nTrees << 2);
  const nodes = changetype<usize>(f.nodes);
  const depthOf = new StaticArray<i32>(maxNodes);
  for (let t = 0; t < nTrees; t++) {
    const c = load<i32>(ptr + <usize>HEADER_BYTES + (<usize>t << 2));
    unchecked((f.counts[t] = c));
    const base = nodes + <usize>t * <usize>maxNodes * NODE_BYTES;
    let maxDepth = 0;
    for (let i = 0; i < c; i++) unchecked((depthOf[i] = 0));
    for (let i = 0; i < c; i++) {
      const src = o + (<usize>i << 4);
      const d = unchecked(depthOf[i]);
      const q = load<i32>(src + NODE_FEAT);
      if (q == -1) {
        setLeaf(f, t, i, load<f64>(src));
        if (d > maxDepth) maxDepth = d;
      } else {
        memory.copy(base + (<usize>i << 4), src, NODE_BYTES);
        const left = load<i32>(src + NODE_LEFT);
        // max: a forged tree may share children; the walk must still take enough steps.
        if (unchecked(depthOf[left]) < d + 1) unchecked((depthOf[left] = d + 1));
        if (unchecked(depthOf[left + 1]) < d + 1) unchecked((depthOf[left + 1] = d + 1));
      }
    }
    unchecked((f.depth[t] = maxDepth));
    o += <usize>c * NODE_BYTES;
  }
  return forests.add(f);
}

/** Releases a forest. Called by the facade's dispose(). */
export function iforest_free(handle: i32): i32 {
  return forests.remove(handle) ? OK : ERR_BAD_HANDLE;
}
