// One SIMD pass over an f64 column before a batch is applied: finds the first
// NaN or infinity (so a batch can be rejected whole, with the offending index)
// and the column's min and max (so hot loops need not track them).

const EXP_MASK: u64 = 0x7ff0000000000000;

/** Min of the last scanned column. */
export let scanMin: f64 = Infinity;
/** Max of the last scanned column. */
export let scanMax: f64 = -Infinity;

/** Index of the first non-finite value in the `n` f64 at `ptr`, or -1; sets scanMin/scanMax when all are finite. */
export function scanF64(ptr: usize, n: i32): i32 {
  const mask = i64x2.splat(EXP_MASK);
  let bad = i64x2.splat(0);
  let mn = f64x2.splat(Infinity);
  let mx = f64x2.splat(-Infinity);
  const pairs = n >> 1;
  for (let i = 0; i < pairs; i++) {
    const v = v128.load(ptr + (<usize>i << 4));
    bad = v128.or(bad, i64x2.eq(v128.and(v, mask), mask));
    mn = f64x2.pmin(mn, v);
    mx = f64x2.pmax(mx, v);
  }
  let lo = Math.min(f64x2.extract_lane(mn, 0), f64x2.extract_lane(mn, 1));
  let hi = Math.max(f64x2.extract_lane(mx, 0), f64x2.extract_lane(mx, 1));
  let anyBad = v128.any_true(bad);
  if (n & 1) {
    const x = load<f64>(ptr + (<usize>(n - 1) << 3));
    if ((reinterpret<u64>(x) & EXP_MASK) == EXP_MASK) anyBad = true;
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  if (anyBad) {
    for (let i = 0; i < n; i++) {
      if ((load<u64>(ptr + (<usize>i << 3)) & EXP_MASK) == EXP_MASK) return i;
    }
  }
  scanMin = lo;
  scanMax = hi;
  return -1;
}
