// Replica recommendations that hold a target utilisation over a forecast
// path, in the manner of the Kubernetes HPA:
//   desired_t = ceil(peak_t (1 + headroom) / (capacity_per_replica * target_utilisation)),
//   clamped to [min, max], where peak_t is the highest load in [t, t + lead]
//   (lead: steps a new replica needs to become ready);
//   tolerance: when |load_ratio - 1| <= tolerance, with
//   load_ratio = peak_t (1 + headroom) / (capacity * target * current), keep current;
//   scale up at once (desired > current -> current = desired);
//   scale down only to the largest desired value of the last `window` steps
//   (the HPA's scale-down stabilisation window). The replicas in place before
//   the path count as the recommendation for the `window` steps before it.

import { ERR_INVALID_ARGUMENT, ERR_NEGATIVE, ERR_NOT_FINITE, OK } from "../util/status";

/** ceil(x - CEIL_EPS * x) so that 6.000000000001 (rounding noise) asks for 6 replicas, not 7. */
const CEIL_EPS: f64 = 1e-9;

/**
 * Writes replicas per step (i32) for n loads at loadPtr into outPtr, using
 * 2n i32 of scratch at scratchPtr (desired values and a monotonic deque for
 * the window maximum, O(1) amortised per step). Returns OK or a status.
 * Called by the facade once per series per recommendation run.
 */
export function recommend_replicas(
  loadPtr: usize, n: i32, capacity: f64, target: f64, headroom: f64,
  minR: i32, maxR: i32, current: i32, tolerance: f64, window: i32, lead: i32,
  outPtr: usize, scratchPtr: usize,
): i32 {
  if (n < 1 || minR < 0 || maxR < minR || current < 0 || window < 0 || lead < 0) return ERR_INVALID_ARGUMENT;
  if (!(capacity > 0 && target > 0 && target <= 1 && headroom >= 0 && tolerance >= 0 && tolerance < 1)) return ERR_INVALID_ARGUMENT;
  for (let t = 0; t < n; t++) {
    const v = load<f64>(loadPtr + (<usize>t << 3));
    if (!isFinite(v)) return ERR_NOT_FINITE;
    if (v < 0) return ERR_NEGATIVE;
  }
  const desired = scratchPtr;
  const deque = scratchPtr + (<usize>n << 2);
  let head = 0;
  let tail = 0;
  const perReplica = capacity * target;
  let cur = current;
  for (let t = 0; t < n; t++) {
    let peak: f64 = 0;
    const end = min(n - 1, t + lead);
    for (let u = t; u <= end; u++) peak = max(peak, load<f64>(loadPtr + (<usize>u << 3)));
    const need = (peak * (1 + headroom)) / perReplica;
    let d: i32;
    if (cur > 0 && Math.abs(need / <f64>cur - 1) <= tolerance) {
      d = cur;
    } else {
      d = <i32>Math.ceil(need - CEIL_EPS * need);
    }
    d = min(max(d, minR), maxR);
    store<i32>(desired + (<usize>t << 2), d);
    // Window maximum over desired[t - window + 1 .. t]: a deque of indices with decreasing values.
    while (tail > head && load<i32>(desired + (<usize>load<i32>(deque + (<usize>(tail - 1) << 2)) << 2)) <= d) tail--;
    store<i32>(deque + (<usize>tail << 2), t);
    tail++;
    while (load<i32>(deque + (<usize>head << 2)) <= t - max(window, 1)) head++;
    if (d > cur) {
      cur = d;
    } else {
      let stable = load<i32>(desired + (<usize>load<i32>(deque + (<usize>head << 2)) << 2));
      if (t < window) stable = max(stable, current);
      cur = min(cur, max(stable, d));
    }
    store<i32>(outPtr + (<usize>t << 2), cur);
  }
  return OK;
}
