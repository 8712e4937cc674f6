// The Numenta Anomaly Benchmark's scoring, as ../shared/data/README.md
// states it: probation, scaled-sigmoid window weights, one threshold per
// profile swept over the whole corpus, and normalisation against the null
// and perfect detectors.

/** A NAB cost profile. */
export interface CostProfile {
  tpWeight: number;
  fnWeight: number;
  fpWeight: number;
}

/** The three NAB profiles (../shared/data/nab-dev/profiles.json). */
export const NAB_PROFILES: Record<string, CostProfile> = {
  standard: { tpWeight: 1, fnWeight: 1, fpWeight: 0.11 },
  reward_low_FP_rate: { tpWeight: 1, fnWeight: 1, fpWeight: 0.22 },
  reward_low_FN_rate: { tpWeight: 1, fnWeight: 2, fpWeight: 0.11 },
};

/** One file to score: a score per row and its labelled windows as inclusive row ranges. */
export interface ScoredFile {
  name: string;
  scores: ArrayLike<number>;
  /** [firstRow, lastRow] of each window, inclusive, in time order. */
  windows: [number, number][];
}

/** NAB's scaled sigmoid: 2 / (1 + e^(5x)) - 1, and -1 beyond x = 3. */
export function scaledSigmoid(x: number): number {
  if (x > 3) return -1;
  return 2 / (1 + Math.exp(5 * x)) - 1;
}

/** Rows at the start of a file that are not scored: min(floor(0.15 n), 750). */
export function probationRows(n: number): number {
  return Math.min(Math.floor(0.15 * n), 750);
}

/**
 * Per-row weights of a file under a profile: for a row inside window k, `window[i] = k` and
 * `weight[i]` is the true-positive reward tp(i); outside, `window[i] = -1` and `weight[i]` is the
 * (negative) false-positive cost fp(i).
 */
export function rowWeights(n: number, windows: [number, number][], p: CostProfile): { window: Int32Array; weight: Float64Array } {
  const window = new Int32Array(n).fill(-1);
  const weight = new Float64Array(n);
  const sigMinus1 = scaledSigmoid(-1);
  windows.forEach(([start, end], k) => {
    const w = end - start + 1;
    for (let i = start; i <= end; i++) {
      window[i] = k;
      weight[i] = (p.tpWeight * scaledSigmoid(-(end - i + 1) / w)) / sigMinus1;
    }
  });
  let prev = -1; // index of the closest window ending before row i
  for (let i = 0; i < n; i++) {
    while (prev + 1 < windows.length && windows[prev + 1]![1] < i) prev++;
    if (window[i] !== -1) continue;
    if (prev < 0) {
      weight[i] = -p.fpWeight;
    } else {
      const [start, end] = windows[prev]!;
      const w = end - start + 1;
      // w = 1 makes the distance infinite: the full cost.
      weight[i] = p.fpWeight * scaledSigmoid(w > 1 ? Math.abs(end - i) / (w - 1) : Number.POSITIVE_INFINITY);
    }
  }
  return { window, weight };
}

/** A file's outcome at one threshold. */
export interface FileOutcome {
  name: string;
  raw: number;
  tp: number;
  fn: number;
  fp: number;
}

/** Raw score of one file at threshold `t`: best tp per window (or -fnWeight) plus every fp. */
export function scoreFile(file: ScoredFile, t: number, p: CostProfile): FileOutcome {
  const n = file.scores.length;
  const { window, weight } = rowWeights(n, file.windows, p);
  const best = new Array<number | undefined>(file.windows.length).fill(undefined);
  let fpSum = 0;
  let fp = 0;
  for (let i = probationRows(n); i < n; i++) {
    if (!(file.scores[i]! >= t)) continue;
    const k = window[i]!;
    if (k >= 0) best[k] = Math.max(best[k] ?? Number.NEGATIVE_INFINITY, weight[i]!);
    else {
      fpSum += weight[i]!;
      fp++;
    }
  }
  const tp = best.filter((b) => b !== undefined).length;
  const raw = best.reduce<number>((s, b) => s + (b ?? -p.fnWeight), 0) + fpSum;
  return { name: file.name, raw, tp, fn: file.windows.length - tp, fp };
}

/** The corpus result for one profile. */
export interface CorpusScore {
  /** The threshold that maximised the summed raw score (Infinity: detecting nothing was best). */
  threshold: number;
  raw: number;
  normalised: number;
  perFile: FileOutcome[];
}

/**
 * Sweeps every distinct score value as the threshold over the whole corpus and keeps the best,
 * then normalises: 100 (S - S_null) / (S_perfect - S_null). Ties in score enter together.
 */
export function scoreCorpus(files: ScoredFile[], p: CostProfile): CorpusScore {
  type Row = { score: number; file: number; window: number; weight: number };
  const rows: Row[] = [];
  const windowBase: number[] = [];
  let nWindows = 0;
  files.forEach((f, fi) => {
    windowBase.push(nWindows);
    const n = f.scores.length;
    const { window, weight } = rowWeights(n, f.windows, p);
    for (let i = probationRows(n); i < n; i++) {
      const s = f.scores[i]!;
      if (Number.isNaN(s)) continue;
      rows.push({ score: s, file: fi, window: window[i]! >= 0 ? nWindows + window[i]! : -1, weight: weight[i]! });
    }
    nWindows += f.windows.length;
  });
  rows.sort((a, b) => b.score - a.score);

  const sNull = -p.fnWeight * nWindows;
  const sPerfect = p.tpWeight * nWindows;
  const best = new Float64Array(nWindows).fill(Number.NaN);
  let total = sNull;
  let bestTotal = sNull;
  let bestThreshold = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rows.length; ) {
    const score = rows[i]!.score;
    for (; i < rows.length && rows[i]!.score === score; i++) {
      const r = rows[i]!;
      if (r.window < 0) {
        total += r.weight;
      } else {
        const old = best[r.window]!;
        if (Number.isNaN(old)) {
          total += r.weight + p.fnWeight;
          best[r.window] = r.weight;
        } else if (r.weight > old) {
          total += r.weight - old;
          best[r.window] = r.weight;
        }
      }
    }
    if (total > bestTotal + 1e-12) {
      bestTotal = total;
      bestThreshold = score;
    }
  }
  const perFile = files.map((f) => scoreFile(f, bestThreshold, p));
  const raw = perFile.reduce((s, f) => s + f.raw, 0);
  const normalised = sPerfect === sNull ? 0 : (100 * (raw - sNull)) / (sPerfect - sNull);
  return { threshold: bestThreshold, raw, normalised, perFile };
}

/** Maps labelled windows given as timestamps onto inclusive row ranges of a file's timestamps (ms). */
export function windowsToRows(timestamps: ArrayLike<number>, windows: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [start, end] of windows) {
    let first = -1;
    let last = -1;
    for (let i = 0; i < timestamps.length; i++) {
      const t = timestamps[i]!;
      if (t >= start && first < 0) first = i;
      if (t <= end) last = i;
    }
    if (first >= 0 && last >= first) out.push([first, last]);
  }
  return out;
}
