// Features on one series: lags, rolling mean/std/min/max, percent changes and
// calendar encodings, computed in O(1) per point from a fixed-size state.
//
// Batch and streaming share one code path (`pushPoints`): a batch is a fresh
// state fed every point, so the two are bit-identical by construction. The
// state is one flat block of FEAT_STATE_BYTES bytes at named offsets, so
// serialising it is a copy and a restored state continues exactly.
//
// Output is column-major: feature c of point i is at out[c * n + i] (f64),
// columns in the order of the COL_* constants below (the facade names them).
// Positions without enough history are NaN: lag_k and pct_change_k for the
// first k points, window-w statistics for the first w - 1 points.

import { ERR_BAD_HANDLE, ERR_CORRUPT, ERR_INVALID_ARGUMENT, ERR_NOT_FINITE, ERR_OUT_OF_ORDER, OK } from "./util/status";
import { Registry } from "./util/registry";

/** Columns, in output order. */
export const COL_LAG_1: i32 = 0;
export const COL_LAG_3: i32 = 1;
export const COL_LAG_6: i32 = 2;
export const COL_LAG_12: i32 = 3;
/** Window w block: mean, std, min, max, starting at COL_WIN + 4 * (index of w in 3, 6, 12). */
export const COL_WIN: i32 = 4;
export const COL_PCT_1: i32 = 16;
export const COL_PCT_3: i32 = 17;
export const COL_HOUR_SIN: i32 = 18;
export const COL_HOUR_COS: i32 = 19;
export const COL_DOW_SIN: i32 = 20;
export const COL_DOW_COS: i32 = 21;
export const COL_WEEKEND: i32 = 22;
/** Number of feature columns. */
export const FEAT_COLUMNS: i32 = 23;

/** Rolling window lengths (points), one block of four columns each. */
const WIN_0: i32 = 3;
const WIN_1: i32 = 6;
const WIN_2: i32 = 12;
const N_WINDOWS: i32 = 3;

/** History ring (values) and deque rings (positions): a power of two > the longest lag/window. */
const RING: i32 = 16;
const RING_MASK: i64 = 15;
/**
 * Pushes between exact recomputations (two-pass over the ring) of a window's
 * running mean and M2. The sliding Welford update is O(1) but lets rounding
 * error accumulate; resyncing bounds it at an amortised O(w / 256) per point.
 */
const RESYNC_EVERY: i32 = 256;

const DAY_MS: f64 = 86_400_000;
const TWO_PI: f64 = 6.283185307179586;

/** Serialised-state header. */
const MAGIC: u32 = 0x31544648; // "HFT1"
const STATE_VERSION: u32 = 1;

// Layout of the state block (bytes).
const OFF_MAGIC: usize = 0;
const OFF_VERSION: usize = 4;
const OFF_N: usize = 8; // i64 points pushed so far
const OFF_LAST_TS: usize = 16; // f64, -Infinity before the first point
const OFF_HIST: usize = 24; // f64[RING]: value of point p at (p & RING_MASK)
const OFF_WIN: usize = OFF_HIST + (<usize>RING << 3);
// Per-window block, at OFF_WIN + w * WIN_BYTES:
const W_MEAN: usize = 0; // f64 running mean of the window (or of the points so far)
const W_M2: usize = 8; // f64 running sum of squared deviations
const W_RESYNC: usize = 16; // i32 pushes since the last exact recomputation
const W_MIN_HEAD: usize = 20; // i32 ring index of the min deque's front
const W_MIN_LEN: usize = 24; // i32
const W_MAX_HEAD: usize = 28; // i32
const W_MAX_LEN: usize = 32; // i32
const W_MIN_POS: usize = 40; // i64[RING] positions, values increasing front to back
const W_MAX_POS: usize = W_MIN_POS + (<usize>RING << 3); // i64[RING], values decreasing
const WIN_BYTES: usize = W_MAX_POS + (<usize>RING << 3);
/** Size of one series' state, and of its serialised form. */
export const FEAT_STATE_BYTES: i32 = <i32>(OFF_WIN + WIN_BYTES * <usize>N_WINDOWS);

/** One series' streaming state. */
class FeatureState {
  buf: StaticArray<u8> = new StaticArray<u8>(FEAT_STATE_BYTES);
  constructor() {
    reset(changetype<usize>(this.buf));
  }
}

const states = new Registry<FeatureState>();
/** Reused by the batch export so a batch allocates nothing after the first. */
const batchState = new FeatureState();
/** Index of the offending point after ERR_NOT_FINITE / ERR_OUT_OF_ORDER; -1 otherwise. */
let errorIndex: i32 = -1;

@inline function winLen(w: i32): i32 {
  return w == 0 ? WIN_0 : w == 1 ? WIN_1 : WIN_2;
}

function reset(s: usize): void {
  memory.fill(s, 0, <usize>FEAT_STATE_BYTES);
  store<u32>(s + OFF_MAGIC, MAGIC);
  store<u32>(s + OFF_VERSION, STATE_VERSION);
  store<f64>(s + OFF_LAST_TS, -Infinity);
}

@inline function hist(s: usize, p: i64): f64 {
  return load<f64>(s + OFF_HIST + (<usize>(p & RING_MASK) << 3));
}

/** Checks a batch before any state changes: finite values and strictly increasing timestamps. */
function validate(s: usize, ts: usize, vals: usize, n: i32): i32 {
  let prev = load<f64>(s + OFF_LAST_TS);
  for (let i = 0; i < n; i++) {
    const t = load<f64>(ts + (<usize>i << 3));
    const v = load<f64>(vals + (<usize>i << 3));
    if (!isFinite(t) || !isFinite(v)) {
      errorIndex = i;
      return ERR_NOT_FINITE;
    }
    if (!(t > prev)) {
      errorIndex = i;
      return ERR_OUT_OF_ORDER;
    }
    prev = t;
  }
  return OK;
}

/** Exact mean and M2 of the last `w` values (oldest first), for resync. */
function recompute(s: usize, wb: usize, p: i64, w: i32): void {
  let sum: f64 = 0;
  for (let k = w - 1; k >= 0; k--) sum += hist(s, p - k);
  const mean = sum / <f64>w;
  let m2: f64 = 0;
  for (let k = w - 1; k >= 0; k--) {
    const d = hist(s, p - k) - mean;
    m2 += d * d;
  }
  store<f64>(wb + W_MEAN, mean);
  store<f64>(wb + W_M2, m2);
}

/**
 * Feeds `n` validated points to state `s`, writing their features column-major
 * into `out` (column c of point i at out[(c * n + i)]). O(1) per point, no allocation.
 */
function pushPoints(s: usize, ts: usize, vals: usize, n: i32, out: usize): void {
  const stride = <usize>n << 3;
  let p = load<i64>(s + OFF_N);
  for (let i = 0; i < n; i++) {
    const t = load<f64>(ts + (<usize>i << 3));
    const x = load<f64>(vals + (<usize>i << 3));
    const o = out + (<usize>i << 3);
    store<f64>(s + OFF_HIST + (<usize>(p & RING_MASK) << 3), x);

    // Lags: x[p - k].
    store<f64>(o + <usize>COL_LAG_1 * stride, p >= 1 ? hist(s, p - 1) : NaN);
    store<f64>(o + <usize>COL_LAG_3 * stride, p >= 3 ? hist(s, p - 3) : NaN);
    store<f64>(o + <usize>COL_LAG_6 * stride, p >= 6 ? hist(s, p - 6) : NaN);
    store<f64>(o + <usize>COL_LAG_12 * stride, p >= 12 ? hist(s, p - 12) : NaN);

    // Rolling windows over x[p - w + 1 .. p].
    for (let wi = 0; wi < N_WINDOWS; wi++) {
      const w = winLen(wi);
      const wb = s + OFF_WIN + <usize>wi * WIN_BYTES;
      let mean = load<f64>(wb + W_MEAN);
      let m2 = load<f64>(wb + W_M2);
      if (p < <i64>w) {
        // Welford add while the window fills.
        const d = x - mean;
        mean += d / <f64>(p + 1);
        m2 += d * (x - mean);
        store<f64>(wb + W_MEAN, mean);
        store<f64>(wb + W_M2, m2);
      } else {
        const resync = load<i32>(wb + W_RESYNC) + 1;
        if (resync >= RESYNC_EVERY) {
          recompute(s, wb, p, w);
          store<i32>(wb + W_RESYNC, 0);
        } else {
          // Sliding Welford: replace the oldest value by x.
          const old = hist(s, p - <i64>w);
          const d = x - old;
          const newMean = mean + d / <f64>w;
          m2 += d * (x - newMean + old - mean);
          store<f64>(wb + W_MEAN, newMean);
          store<f64>(wb + W_M2, m2);
          store<i32>(wb + W_RESYNC, resync);
        }
      }

      // Monotonic deques of positions: min values increase front to back, max values decrease.
      const expired = p - <i64>w; // positions <= this have left the window
      let head = load<i32>(wb + W_MIN_HEAD);
      let len = load<i32>(wb + W_MIN_LEN);
      while (len > 0 && hist(s, load<i64>(wb + W_MIN_POS + (<usize>((head + len - 1) & (RING - 1)) << 3))) >= x) len--;
      store<i64>(wb + W_MIN_POS + (<usize>((head + len) & (RING - 1)) << 3), p);
      len++;
      while (len > 0 && load<i64>(wb + W_MIN_POS + (<usize>head << 3)) <= expired) {
        head = (head + 1) & (RING - 1);
        len--;
      }
      store<i32>(wb + W_MIN_HEAD, head);
      store<i32>(wb + W_MIN_LEN, len);
      const minV = hist(s, load<i64>(wb + W_MIN_POS + (<usize>head << 3)));

      head = load<i32>(wb + W_MAX_HEAD);
      len = load<i32>(wb + W_MAX_LEN);
      while (len > 0 && hist(s, load<i64>(wb + W_MAX_POS + (<usize>((head + len - 1) & (RING - 1)) << 3))) <= x) len--;
      store<i64>(wb + W_MAX_POS + (<usize>((head + len) & (RING - 1)) << 3), p);
      len++;
      while (len > 0 && load<i64>(wb + W_MAX_POS + (<usize>head << 3)) <= expired) {
        head = (head + 1) & (RING - 1);
        len--;
      }
      store<i32>(wb + W_MAX_HEAD, head);
      store<i32>(wb + W_MAX_LEN, len);
      const maxV = hist(s, load<i64>(wb + W_MAX_POS + (<usize>head << 3)));

      const col = <usize>(COL_WIN + 4 * wi);
      const full = p >= <i64>(w - 1);
      if (full && minV == maxV) {
        // A constant window: its mean and M2 are known exactly, so drop any rounding residue.
        store<f64>(wb + W_MEAN, x);
        store<f64>(wb + W_M2, 0);
      }
      const m2w = load<f64>(wb + W_M2);
      store<f64>(o + col * stride, full ? load<f64>(wb + W_MEAN) : NaN);
      // Sample standard deviation (divisor w - 1); M2 clamped at 0 against rounding.
      store<f64>(o + (col + 1) * stride, full ? Math.sqrt((m2w > 0 ? m2w : 0) / <f64>(w - 1)) : NaN);
      store<f64>(o + (col + 2) * stride, full ? minV : NaN);
      store<f64>(o + (col + 3) * stride, full ? maxV : NaN);
    }

    // Percent changes (x - x[p-k]) / x[p-k]; NaN when x[p-k] is 0.
    let pc1: f64 = NaN;
    if (p >= 1) {
      const prev = hist(s, p - 1);
      if (prev != 0) pc1 = (x - prev) / prev;
    }
    let pc3: f64 = NaN;
    if (p >= 3) {
      const prev = hist(s, p - 3);
      if (prev != 0) pc3 = (x - prev) / prev;
    }
    store<f64>(o + <usize>COL_PCT_1 * stride, pc1);
    store<f64>(o + <usize>COL_PCT_3 * stride, pc3);

    // Calendar (UTC): fractional hour of day, day of week Monday = 0 (1970-01-01 was a Thursday).
    const day = Math.floor(t / DAY_MS);
    const dayFrac = (t - day * DAY_MS) / DAY_MS; // hour / 24
    let dow = (<i64>day + 3) % 7;
    if (dow < 0) dow += 7;
    const hourAngle = TWO_PI * dayFrac;
    const dowAngle = (TWO_PI * <f64>dow) / 7;
    store<f64>(o + <usize>COL_HOUR_SIN * stride, Math.sin(hourAngle));
    store<f64>(o + <usize>COL_HOUR_COS * stride, Math.cos(hourAngle));
    store<f64>(o + <usize>COL_DOW_SIN * stride, Math.sin(dowAngle));
    store<f64>(o + <usize>COL_DOW_COS * stride, Math.cos(dowAngle));
    store<f64>(o + <usize>COL_WEEKEND * stride, dow >= 5 ? 1.0 : 0.0);

    store<f64>(s + OFF_LAST_TS, t);
    p++;
  }
  store<i64>(s + OFF_N, p);
}

/** Number of feature columns. Called once by the facade at set-up. */
export function features_columns(): i32 {
  return FEAT_COLUMNS;
}

/** Bytes of one serialised streaming state. Called by the facade before serialising. */
export function features_state_bytes(): i32 {
  return FEAT_STATE_BYTES;
}

/** Index of the point that caused the last ERR_NOT_FINITE / ERR_OUT_OF_ORDER. Called by the facade after such a status. */
export function features_error_index(): i32 {
  return errorIndex;
}

/**
 * Features of a whole series: timestamps and values (n f64 each) in, n x
 * FEAT_COLUMNS column-major f64 out. Called once per series batch; allocates nothing.
 */
export function features_compute(ts: usize, vals: usize, n: i32, out: usize): i32 {
  if (n < 0) return ERR_INVALID_ARGUMENT;
  const s = changetype<usize>(batchState.buf);
  reset(s);
  errorIndex = -1;
  const st = validate(s, ts, vals, n);
  if (st != OK) return st;
  pushPoints(s, ts, vals, n, out);
  return OK;
}

/** Creates an empty streaming state and returns its handle. Called once per series. */
export function features_create(): i32 {
  return states.add(new FeatureState());
}

/**
 * Pushes n points to a streaming state and writes their features like
 * features_compute (column-major, stride n). The batch is validated first
 * (against the state's last timestamp too); on error the state is unchanged.
 * Called by the Worker per series batch.
 */
export function features_push(handle: i32, ts: usize, vals: usize, n: i32, out: usize): i32 {
  const st = states.get(handle);
  if (st === null) return ERR_BAD_HANDLE;
  if (n < 0) return ERR_INVALID_ARGUMENT;
  const s = changetype<usize>(st.buf);
  errorIndex = -1;
  const v = validate(s, ts, vals, n);
  if (v != OK) return v;
  pushPoints(s, ts, vals, n, out);
  return OK;
}

/** Points pushed so far to a state (as f64), or a negative status. */
export function features_count(handle: i32): f64 {
  const st = states.get(handle);
  if (st === null) return <f64>ERR_BAD_HANDLE;
  return <f64>load<i64>(changetype<usize>(st.buf) + OFF_N);
}

/** Writes the state's FEAT_STATE_BYTES bytes to `out`. Called when the Worker persists a series. */
export function features_serialize(handle: i32, out: usize): i32 {
  const st = states.get(handle);
  if (st === null) return ERR_BAD_HANDLE;
  memory.copy(out, changetype<usize>(st.buf), <usize>FEAT_STATE_BYTES);
  return FEAT_STATE_BYTES;
}

/** Restores a state from `len` serialised bytes; returns its handle or ERR_CORRUPT. Called when the Worker loads a series. */
export function features_deserialize(ptr: usize, len: i32): i32 {
  if (len != FEAT_STATE_BYTES) return ERR_CORRUPT;
  if (load<u32>(ptr + OFF_MAGIC) != MAGIC || load<u32>(ptr + OFF_VERSION) != STATE_VERSION) return ERR_CORRUPT;
  const n = load<i64>(ptr + OFF_N);
  const lastTs = load<f64>(ptr + OFF_LAST_TS);
  if (n < 0) return ERR_CORRUPT;
  if (n == 0 ? lastTs != -Infinity : !isFinite(lastTs)) return ERR_CORRUPT;
  for (let wi = 0; wi < N_WINDOWS; wi++) {
    const wb = ptr + OFF_WIN + <usize>wi * WIN_BYTES;
    const w = winLen(wi);
    const resync = load<i32>(wb + W_RESYNC);
    const minHead = load<i32>(wb + W_MIN_HEAD);
    const minLen = load<i32>(wb + W_MIN_LEN);
    const maxHead = load<i32>(wb + W_MAX_HEAD);
    const maxLen = load<i32>(wb + W_MAX_LEN);
    if (<u32>resync >= <u32>RESYNC_EVERY) return ERR_CORRUPT;
    if (<u32>minHead >= <u32>RING || <u32>maxHead >= <u32>RING) return ERR_CORRUPT;
    if (<u32>minLen > <u32>w || <u32>maxLen > <u32>w) return ERR_CORRUPT;
    if (n > 0 && (minLen == 0 || maxLen == 0)) return ERR_CORRUPT;
    if (!isFinite(load<f64>(wb + W_MEAN)) || !isFinite(load<f64>(wb + W_M2))) return ERR_CORRUPT;
    // Deque positions must lie in the live window, so lookups read real history.
    for (let k = 0; k < minLen; k++) {
      const pos = load<i64>(wb + W_MIN_POS + (<usize>((minHead + k) & (RING - 1)) << 3));
      if (pos >= n || pos < n - <i64>w) return ERR_CORRUPT;
    }
    for (let k = 0; k < maxLen; k++) {
      const pos = load<i64>(wb + W_MAX_POS + (<usize>((maxHead + k) & (RING - 1)) << 3));
      if (pos >= n || pos < n - <i64>w) return ERR_CORRUPT;
    }
  }
  const st = new FeatureState();
  memory.copy(changetype<usize>(st.buf), ptr, <usize>FEAT_STATE_BYTES);
  return states.add(st);
}

/** Releases a streaming state. Called when the Worker evicts a series. */
export function features_free(handle: i32): i32 {
  return states.remove(handle) ? OK : ERR_BAD_HANDLE;
}
