// CPU and memory request recommendations from a decaying usage histogram, as
// the Kubernetes Vertical Pod Autoscaler's recommender computes them:
// - exponential buckets: bucket b starts at first * (ratio^b - 1) / (ratio - 1)
//   (VPA: CPU first = 0.01 cores, memory first = 1e7 bytes, ratio 1.05);
// - a sample at time t weighs 2^((t - t_last) / halfLife) (VPA: 24 h), so a day-old
//   sample counts half as much as the newest;
// - percentile p: the first bucket where the cumulative weight reaches p * total,
//   reported as that bucket's end (the next bucket's start; the last bucket's start);
// - recommendation = max(percentile * (1 + margin), minimum) (VPA: margin 15%,
//   minimum 0.025 cores and 250 MiB).

import { ERR_INSUFFICIENT_DATA, ERR_INVALID_ARGUMENT, ERR_NEGATIVE, ERR_NOT_FINITE } from "../util/status";

/** Most buckets a histogram may have (VPA's 1000 cores at 0.01 and 1.05 needs 176). */
export const MAX_BUCKETS: i32 = 4096;
/** Number of f64 recommend_resource writes: recommendation, percentile value, total weight. */
export const RESOURCE_LEN: i32 = 3;

const weights = new StaticArray<f64>(MAX_BUCKETS);

/** Start of bucket b. */
@inline function bucketStart(first: f64, ratio: f64, b: i32): f64 {
  return (first * (Math.pow(ratio, <f64>b) - 1)) / (ratio - 1);
}

/**
 * Builds the decaying histogram of n (timestamp ms, value) samples and writes
 * RESOURCE_LEN f64 into out (see above). Buckets: first size `first`, growth
 * `ratio`, covering up to `maxValue`. Called per container and resource by the
 * recommendation run; the histogram buffer is allocated once.
 */
export function recommend_resource(
  tsPtr: usize, valPtr: usize, n: i32, first: f64, ratio: f64, maxValue: f64,
  halfLifeMs: f64, percentile: f64, margin: f64, minimum: f64, out: usize,
): i32 {
  if (n < 0 || !(first > 0 && ratio > 1 && maxValue > first && halfLifeMs > 0)) return ERR_INVALID_ARGUMENT;
  if (!(percentile >= 0 && percentile <= 1 && margin >= 0 && minimum >= 0)) return ERR_INVALID_ARGUMENT;
  if (n == 0) return ERR_INSUFFICIENT_DATA;
  const logRatio = Math.log(ratio);
  const buckets = <i32>Math.ceil(Math.log((maxValue * (ratio - 1)) / first + 1) / logRatio) + 1;
  if (buckets > MAX_BUCKETS) return ERR_INVALID_ARGUMENT;
  let tLast = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = load<f64>(tsPtr + (<usize>i << 3));
    const v = load<f64>(valPtr + (<usize>i << 3));
    if (!isFinite(t) || !isFinite(v)) return ERR_NOT_FINITE;
    if (v < 0) return ERR_NEGATIVE;
    tLast = max(tLast, t);
  }
  for (let b = 0; b < buckets; b++) unchecked((weights[b] = 0));
  let total: f64 = 0;
  for (let i = 0; i < n; i++) {
    const t = load<f64>(tsPtr + (<usize>i << 3));
    const v = load<f64>(valPtr + (<usize>i << 3));
    let b = v < first ? 0 : <i32>Math.floor(Math.log((v * (ratio - 1)) / first + 1) / logRatio);
    if (b >= buckets) b = buckets - 1;
    const w = Math.pow(2, (t - tLast) / halfLifeMs);
    unchecked((weights[b] += w));
    total += w;
  }
  if (!(total > 0)) return ERR_INSUFFICIENT_DATA;
  const threshold = percentile * total;
  let partial: f64 = 0;
  let b = 0;
  for (; b < buckets - 1; b++) {
    partial += unchecked(weights[b]);
    if (partial >= threshold && partial > 0) break;
  }
  const value = b < buckets - 1 ? bucketStart(first, ratio, b + 1) : bucketStart(first, ratio, b);
  store<f64>(out, max(value * (1 + margin), minimum));
  store<f64>(out + 8, value);
  store<f64>(out + 16, total);
  return RESOURCE_LEN;
}
