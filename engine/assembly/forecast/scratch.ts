// Scratch buffers shared by the forecasting code. Each grows only when a
// larger series or season than any before it arrives, so repeated fits of the
// same shape allocate nothing; the smoothing loops index them with unchecked().

let seasonA = new StaticArray<f64>(0);
let seasonB = new StaticArray<f64>(0);
let small = new StaticArray<f64>(0);

/** Working seasonal states for one filter pass (length >= m). Called once per fit. */
export function seasonWork(m: i32): StaticArray<f64> {
  if (seasonA.length < m) seasonA = new StaticArray<f64>(m);
  return seasonA;
}

/** Initial seasonal states, copied into `seasonWork` at the start of each pass. */
export function seasonInit(m: i32): StaticArray<f64> {
  if (seasonB.length < m) seasonB = new StaticArray<f64>(m);
  return seasonB;
}

/** General scratch (slopes for the baseline's median, forecast paths in backtests). */
export function smallWork(n: i32): StaticArray<f64> {
  if (small.length < n) small = new StaticArray<f64>(n);
  return small;
}

/** The k-th smallest of a[0..n) (0-based), by quickselect; reorders a. O(n) on average. */
export function selectKth(a: StaticArray<f64>, n: i32, k: i32): f64 {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = unchecked(a[(lo + hi) >>> 1]);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (unchecked(a[i]) < pivot) i++;
      while (unchecked(a[j]) > pivot) j--;
      if (i <= j) {
        const t = unchecked(a[i]);
        unchecked((a[i] = a[j]));
        unchecked((a[j] = t));
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return unchecked(a[k]);
}

/** Median of a[0..n) (mean of the two middle values when n is even); reorders a. */
export function median(a: StaticArray<f64>, n: i32): f64 {
  const hiMid = selectKth(a, n, n >> 1);
  if (n & 1) return hiMid;
  // The lower middle is the largest value left of the upper middle after selection.
  let lo = -Infinity;
  for (let i = 0; i < n >> 1; i++) lo = max(lo, unchecked(a[i]));
  return (lo + hiMid) * 0.5;
}

let resid = new StaticArray<f64>(0);

/** One-step residuals of the final filter pass (length >= n). Called once per fit. */
export function residualWork(n: i32): StaticArray<f64> {
  if (resid.length < n) resid = new StaticArray<f64>(n);
  return resid;
}

/** Quantile p of a[0..n) with linear interpolation between order statistics (type 7); reorders a. */
export function quantile(a: StaticArray<f64>, n: i32, p: f64): f64 {
  const h = <f64>(n - 1) * p;
  const k = <i32>Math.floor(h);
  const v = selectKth(a, n, k);
  const frac = h - <f64>k;
  if (frac == 0 || k + 1 >= n) return v;
  // After selection everything right of k is >= v; the next order statistic is their minimum.
  let next = Infinity;
  for (let i = k + 1; i < n; i++) next = min(next, unchecked(a[i]));
  return v + frac * (next - v);
}

let cal = new StaticArray<f64>(0);

/** Per-horizon sums of squared in-sample errors for interval calibration (length >= h). */
export function calibrationWork(h: i32): StaticArray<f64> {
  if (cal.length < h) cal = new StaticArray<f64>(h);
  return cal;
}

let pathSeason = new StaticArray<f64>(0);
const pathHist = new StaticArray<f64>(8);

/** Season states a forecast path with an AR correction updates (length >= m). */
export function pathSeasonWork(m: i32): StaticArray<f64> {
  if (pathSeason.length < m) pathSeason = new StaticArray<f64>(m);
  return pathSeason;
}

/** Recent one-step errors a forecast path with an AR correction updates (8 >= AR_MAX_ORDER). */
export function pathHistWork(): StaticArray<f64> {
  return pathHist;
}

let calPath = new StaticArray<f64>(0);

/** One in-sample forecast path of the interval calibration (length >= h; not shared with smallWork's callers). */
export function calibrationPathWork(h: i32): StaticArray<f64> {
  if (calPath.length < h) calPath = new StaticArray<f64>(h);
  return calPath;
}
