// Classification metrics for window models and the calibration that turns a
// detector's score into a probability so it can be combined with a model's.

/** Precision, recall and F1 of `score >= threshold` against 0/1 labels. */
export function confusion(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): { precision: number; recall: number; f1: number; tp: number; fp: number; fn: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const hit = scores[i]! >= threshold;
    if (labels[i]) {
      if (hit) tp++;
      else fn++;
    } else if (hit) fp++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, tp, fp, fn };
}

/** ROC AUC by the Mann-Whitney U statistic: the chance a random positive outranks a random negative, ties counting half. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && scores[idx[j]!] === scores[idx[i]!]) j++;
    const rank = (i + 1 + j) / 2; // mean 1-based rank of the tie group
    for (let k = i; k < j; k++) if (labels[idx[k]!]) {
      pos++;
      rankSum += rank;
    }
    i = j;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** A logistic calibration p = 1 / (1 + exp(-(a + b s))). */
export interface Platt {
  a: number;
  b: number;
}

export function applyPlatt(c: Platt, s: number): number {
  return 1 / (1 + Math.exp(-(c.a + c.b * s)));
}

/**
 * Platt scaling: the (a, b) maximising the likelihood of the labels under
 * p = logistic(a + b s), by Newton's method (the log-likelihood is concave).
 */
export function fitPlatt(scores: ArrayLike<number>, labels: ArrayLike<number>): Platt {
  let a = 0;
  let b = 0;
  for (let it = 0; it < 50; it++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      const p = 1 / (1 + Math.exp(-(a + b * s)));
      const r = (labels[i] ? 1 : 0) - p;
      const w = p * (1 - p);
      ga += r;
      gb += r * s;
      haa += w;
      hab += w * s;
      hbb += w * s * s;
    }
    const det = haa * hbb - hab * hab;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a += da;
    b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { a, b };
}

/** Noisy-OR: the chance at least one of two independent pieces of evidence is right that the window is anomalous. */
export function noisyOr(p: number, q: number): number {
  return 1 - (1 - p) * (1 - q);
}
