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

/** sin and cos of 2 pi d / 7 for d = 0..6, computed once: two trig calls fewer per point. */
const DOW_SIN = new StaticArray<f64>(7);
const DOW_COS = new StaticArray<f64>(7);
for (let d = 0; d < 7; d++) {
  unchecked((DOW_SIN[d] = Math.sin((TWO_PI * <f64>d) / 7)));
  unchecked((DOW_COS[d] = Math.cos((TWO_PI * <f64>d) / 7)));
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

/**
 * History followed by the batch: RING slots for the points before the batch,
 * then the batch's values, so every lookup is one load with no branch. Grown
 * (never shrunk) when a batch is larger than any before it.
 */
let ext = new StaticArray<f64>(RING + 1024);

/** Value of point `pos` (p0 - RING <= pos < p0 + n), given `e` = address of the batch's first value in `ext`. */
@inline function valueAt(e: usize, p0: i64, pos: i64): f64 {
  return load<f64>(e + (<usize>(<i32>(pos - p0)) << 3));
}

/** lag_k column: x[p - k], NaN before point k. */
function lagColumn(vals: usize, n: i32, p0: i64, k: i64, col: usize): void {
  for (let i = 0; i < n; i++) {
    const pos = p0 + <i64>i - k;
    store<f64>(col + (<usize>i << 3), pos >= 0 ? valueAt(vals, p0, pos) : NaN);
  }
}

/** pct_change_k column: (x - x[p-k]) / x[p-k]; NaN before point k and when x[p-k] is 0. */
function pctColumn(vals: usize, n: i32, p0: i64, k: i64, col: usize): void {
  for (let i = 0; i < n; i++) {
    const pos = p0 + <i64>i - k;
    let v: f64 = NaN;
    if (pos >= 0) {
      const prev = valueAt(vals, p0, pos);
      if (prev != 0) v = (load<f64>(vals + (<usize>i << 3)) - prev) / prev;
    }
    store<f64>(col + (<usize>i << 3), v);
  }
}

/**
 * The four columns of window `wi` (mean, std, min, max) for a batch. The
 * window's running state lives in locals for the whole batch and is written
 * back at the end.
 */
function windowColumns(vals: usize, wi: i32, s: usize, n: i32, p0: i64, out: usize, stride: usize): void {
  const w = winLen(wi);
  const wl = <i64>w;
  const wf = <f64>w;
  const wb = s + OFF_WIN + <usize>wi * WIN_BYTES;
  let mean = load<f64>(wb + W_MEAN);
  let m2 = load<f64>(wb + W_M2);
  let resync = load<i32>(wb + W_RESYNC);
  let minHead = load<i32>(wb + W_MIN_HEAD);
  let minLen = load<i32>(wb + W_MIN_LEN);
  let maxHead = load<i32>(wb + W_MAX_HEAD);
  let maxLen = load<i32>(wb + W_MAX_LEN);
  const minPos = wb + W_MIN_POS;
  const maxPos = wb + W_MAX_POS;
  const colMean = out + <usize>(COL_WIN + 4 * wi) * stride;
  const colStd = colMean + stride;
  const colMin = colStd + stride;
  const colMax = colMin + stride;
  const mask = RING - 1;
  for (let i = 0; i < n; i++) {
    const p = p0 + <i64>i;
    const x = load<f64>(vals + (<usize>i << 3));
    if (p < wl) {
      // Welford add while the window fills.
      const d = x - mean;
      mean += d / <f64>(p + 1);
      m2 += d * (x - mean);
    } else if (++resync >= RESYNC_EVERY) {
      // Exact two-pass recomputation over the window, oldest first.
      let sum: f64 = 0;
      for (let k = w - 1; k >= 0; k--) sum += valueAt(vals, p0, p - <i64>k);
      mean = sum / wf;
      m2 = 0;
      for (let k = w - 1; k >= 0; k--) {
        const d = valueAt(vals, p0, p - <i64>k) - mean;
        m2 += d * d;
      }
      resync = 0;
    } else {
      // Sliding Welford: replace the oldest value by x.
      const old = valueAt(vals, p0, p - wl);
      const d = x - old;
      const newMean = mean + d / wf;
      m2 += d * (x - newMean + old - mean);
      mean = newMean;
    }

    // Monotonic deques of positions: min values increase front to back, max values decrease.
    const expired = p - wl; // positions <= this have left the window
    while (minLen > 0 && valueAt(vals, p0, load<i64>(minPos + (<usize>((minHead + minLen - 1) & mask) << 3))) >= x) minLen--;
    store<i64>(minPos + (<usize>((minHead + minLen) & mask) << 3), p);
    minLen++;
    while (load<i64>(minPos + (<usize>minHead << 3)) <= expired) {
      minHead = (minHead + 1) & mask;
      minLen--;
    }
    const minV = valueAt(vals, p0, load<i64>(minPos + (<usize>minHead << 3)));
    while (maxLen > 0 && valueAt(vals, p0, load<i64>(maxPos + (<usize>((maxHead + maxLen - 1) & mask) << 3))) <= x) maxLen--;
    store<i64>(maxPos + (<usize>((maxHead + maxLen) & mask) << 3), p);
    maxLen++;
    while (load<i64>(maxPos + (<usize>maxHead << 3)) <= expired) {
      maxHead = (maxHead + 1) & mask;
      maxLen--;
    }
    const maxV = valueAt(vals, p0, load<i64>(maxPos + (<usize>maxHead << 3)));

    const o = <usize>i << 3;
    if (p >= wl - 1) {
      if (minV == maxV) {
        // A constant window: its mean and M2 are known exactly, so drop any rounding residue.
        mean = x;
        m2 = 0;
      }
      store<f64>(colMean + o, mean);
      // Sample standard deviation (divisor w - 1); M2 clamped at 0 against rounding.
      store<f64>(colStd + o, Math.sqrt((m2 > 0 ? m2 : 0) / (wf - 1)));
      store<f64>(colMin + o, minV);
      store<f64>(colMax + o, maxV);
    } else {
      store<f64>(colMean + o, NaN);
      store<f64>(colStd + o, NaN);
      store<f64>(colMin + o, NaN);
      store<f64>(colMax + o, NaN);
    }
  }
  store<f64>(wb + W_MEAN, mean);
  store<f64>(wb + W_M2, m2);
  store<i32>(wb + W_RESYNC, resync);
  store<i32>(wb + W_MIN_HEAD, minHead);
  store<i32>(wb + W_MIN_LEN, minLen);
  store<i32>(wb + W_MAX_HEAD, maxHead);
  store<i32>(wb + W_MAX_LEN, maxLen);
}

/** Calendar columns (UTC): fractional hour of day, day of week Monday = 0 (1970-01-01 was a Thursday). */
function calendarColumns(ts: usize, n: i32, out: usize, stride: usize): void {
  const hs = out + <usize>COL_HOUR_SIN * stride;
  const hc = out + <usize>COL_HOUR_COS * stride;
  const ds = out + <usize>COL_DOW_SIN * stride;
  const dc = out + <usize>COL_DOW_COS * stride;
  const we = out + <usize>COL_WEEKEND * stride;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    const t = load<f64>(ts + o);
    const day = Math.floor(t / DAY_MS);
    const hourAngle = TWO_PI * ((t - day * DAY_MS) / DAY_MS);
    // day + 3 is an integer-valued f64 far below 2^50, so this is its exact residue mod 7 (no i64 division).
    const k = day + 3;
    const dow = <i32>(k - 7 * Math.floor(k / 7));
    // One range reduction for both sine and cosine (musl sincos, same kernels as sin and cos).
    Math.sincos(hourAngle);
    store<f64>(hs + o, Math.sincos_sin);
    store<f64>(hc + o, Math.sincos_cos);
    store<f64>(ds + o, unchecked(DOW_SIN[dow]));
    store<f64>(dc + o, unchecked(DOW_COS[dow]));
    store<f64>(we + o, dow >= 5 ? 1.0 : 0.0);
  }
}

/**
 * Feeds `n` validated points to state `s`, writing their features column-major
 * into `out` (column c of point i at out[c * n + i]). Column by column, each
 * O(1) per point; no allocation. The history ring is updated last, so every
 * column reads the same history.
 */
function pushPoints(s: usize, ts: usize, vals: usize, n: i32, out: usize): void {
  if (n == 0) return;
  const stride = <usize>n << 3;
  const p0 = load<i64>(s + OFF_N);
  if (ext.length < n + RING) ext = new StaticArray<f64>(n + RING > 2 * ext.length ? n + RING : 2 * ext.length);
  const e0 = changetype<usize>(ext);
  for (let j = 0; j < RING; j++) {
    store<f64>(e0 + (<usize>j << 3), load<f64>(s + OFF_HIST + (<usize>((p0 - <i64>RING + <i64>j) & RING_MASK) << 3)));
  }
  const e = e0 + (<usize>RING << 3);
  memory.copy(e, vals, stride);
  lagColumn(e, n, p0, 1, out + <usize>COL_LAG_1 * stride);
  lagColumn(e, n, p0, 3, out + <usize>COL_LAG_3 * stride);
  lagColumn(e, n, p0, 6, out + <usize>COL_LAG_6 * stride);
  lagColumn(e, n, p0, 12, out + <usize>COL_LAG_12 * stride);
  for (let wi = 0; wi < N_WINDOWS; wi++) windowColumns(e, wi, s, n, p0, out, stride);
  pctColumn(e, n, p0, 1, out + <usize>COL_PCT_1 * stride);
  pctColumn(e, n, p0, 3, out + <usize>COL_PCT_3 * stride);
  calendarColumns(ts, n, out, stride);
  const first = n > RING ? n - RING : 0;
  for (let i = first; i < n; i++) {
    store<f64>(s + OFF_HIST + (<usize>((p0 + <i64>i) & RING_MASK) << 3), load<f64>(vals + (<usize>i << 3)));
  }
  store<i64>(s + OFF_N, p0 + <i64>n);
  store<f64>(s + OFF_LAST_TS, load<f64>(ts + (<usize>(n - 1) << 3)));
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
