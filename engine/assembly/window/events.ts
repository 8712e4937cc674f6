// Window aggregation of events: columns (timestamp ms, series, latency ms,
// is_error, endpoint hash) into per-(series, window start) partial aggregates
// holding count, errors, latency moments, a latency DDSketch and an endpoint
// HyperLogLog. Partials serialise to bytes and merge (from bytes) exactly for
// counts and moments, within the sketch bounds for quantiles and distinct
// counts, whatever the order and split of the batches. Rollups to coarser
// windows are the same merge with a wider window.

import { OK, ERR_BAD_HANDLE, ERR_CAPACITY, ERR_CORRUPT, ERR_INCOMPATIBLE, ERR_INVALID_ARGUMENT, ERR_NEGATIVE, ERR_NOT_FINITE } from "../util/status";
import { Registry } from "../util/registry";
import { ByteReader, ByteWriter, OUT, setBadIndex } from "../util/bytes";
import { scanF64, scanMin } from "../util/scan";
import { Moments } from "../sketch/moments";
import { DDSketch, DEFAULT_MAX_BINS, NOT_INDEXED, Store, indexColumn } from "../sketch/ddsketch";
import { HyperLogLog, mixColumn } from "../sketch/hll";
import { KeyTable, batchScratch } from "./table";

/** First byte of a serialised window aggregate ('W'). */
export const WINDOW_MAGIC: u32 = 0x57;
/** Format version of serialised window aggregates. */
export const WINDOW_VERSION: u32 = 2;
/** Kind byte: event aggregate. */
export const KIND_EVENTS: u32 = 1;
/** Kind byte: metric aggregate. */
export const KIND_METRICS: u32 = 2;
/** Largest slot capacity an aggregator may ask for. */
export const MAX_CAPACITY: i32 = 1 << 20;
/** Columns written per slot by `ewin_read`. */
export const EVENT_COLUMNS: i32 = 13;

// Each slot's per-event state sits in one 128-byte record so that an event
// touches two adjacent cache lines plus its bin and its HLL set, instead of
// chasing pointers through several objects: latency moments (count, mean,
// M2, min, max), the event and error counts, the DDSketch's positive store
// and the endpoints' HyperLogLog are placed there with changetype. Events
// without a latency (NaN) count as events but not in the latency statistics.
const MOMENTS_AT: usize = 0;
const COUNT_AT: usize = offsetof<Moments>();
const ERRORS_AT: usize = COUNT_AT + 8;
const STORE_AT: usize = ERRORS_AT + 8;
const HLL_AT: usize = (STORE_AT + offsetof<Store>() + 7) & ~7;
/** Bytes per slot record. */
const SLOT_BYTES: usize = 128;
// @ts-ignore: compile-time check
assert(HLL_AT + offsetof<HyperLogLog>() <= SLOT_BYTES, "slot record overflow");

/** Reads the common header of a serialised window aggregate. */
export class WindowHeader {
  kind: u32 = 0;
  series: i32 = 0;
  start: f64 = 0;
  windowMs: f64 = 0;
  read(r: ByteReader): bool {
    if (r.u8() != WINDOW_MAGIC || r.u8() != WINDOW_VERSION) return false;
    this.kind = r.u8();
    const s = r.svarint();
    this.start = r.f64();
    this.windowMs = <f64>r.varint();
    if (!r.ok || s < i32.MIN_VALUE || s > i32.MAX_VALUE || s < 0) return false;
    this.series = <i32>s;
    return isFinite(this.start) && this.windowMs >= 1 && this.windowMs <= 1e12 && Math.floor(this.start / this.windowMs) * this.windowMs == this.start;
  }
}

/** Writes the common header. */
export function writeHeader(w: ByteWriter, kind: u32, series: i32, start: f64, windowMs: f64): void {
  w.u8(WINDOW_MAGIC);
  w.u8(WINDOW_VERSION);
  w.u8(kind);
  w.svarint(series);
  w.f64(start);
  w.varint(<u64>windowMs);
}

/** Checks that the grid of `src` windows nests in the grid of `dst` windows. */
export function nests(srcMs: f64, dstMs: f64): bool {
  return dstMs >= srcMs && dstMs % srcMs == 0;
}

/** Window starts of the `n` timestamps at `tsPtr` into the f64 column at `outPtr`: floor(ts / w) * w. */
export function windowColumn(tsPtr: usize, n: i32, windowMs: f64, outPtr: usize): void {
  const w = f64x2.splat(windowMs);
  const pairs = n >> 1;
  for (let j = 0; j < pairs; j++) {
    const v = v128.load(tsPtr + (<usize>j << 4));
    v128.store(outPtr + (<usize>j << 4), f64x2.mul(f64x2.floor(f64x2.div(v, w)), w));
  }
  if (n & 1) {
    const t = load<f64>(tsPtr + (<usize>(n - 1) << 3));
    store<f64>(outPtr + (<usize>(n - 1) << 3), Math.floor(t / windowMs) * windowMs);
  }
}

/** Smallest index where the i32 column at `ptr` is negative, or `n`. */
export function firstNegativeI32(ptr: usize, n: i32): i32 {
  for (let i = 0; i < n; i++) if (load<i32>(ptr + (<usize>i << 2)) < 0) return i;
  return n;
}

/** Smallest index >= `from` where the f64 column at `ptr` is +/-Infinity, or -1. */
function firstInfinite(ptr: usize, n: i32, from: i32): i32 {
  for (let i = from; i < n; i++) {
    const x = load<f64>(ptr + (<usize>i << 3));
    if (x == Infinity || x == -Infinity) return i;
  }
  return -1;
}

/** Smallest index where the f64 column at `ptr` is negative, or `n`. */
function firstNegativeF64(ptr: usize, n: i32): i32 {
  for (let i = 0; i < n; i++) if (load<f64>(ptr + (<usize>i << 3)) < 0) return i;
  return n;
}

const tmpMoments = new Moments();

/** Per-(series, window) event aggregates in preallocated slot records. */
export class EventWindows {
  keys: KeyTable;
  /** Slot records, SLOT_BYTES each, and the allocation they sit in. */
  hot: usize;
  hotRaw: usize;
  /** Each slot's DDSketch (its positive store lives in the slot record). */
  sketches: StaticArray<DDSketch>;
  /** Events consumed by the last `add` (all of them unless it returned ERR_CAPACITY). */
  consumed: i32 = 0;

  constructor(public capacity: i32, public windowMs: f64, public alpha: f64, public precision: i32) {
    this.keys = new KeyTable(capacity);
    // Records aligned to 128 bytes: each is one aligned pair of cache lines,
    // which the hardware's adjacent-line prefetch fetches together.
    const raw = heap.alloc(<usize>capacity * SLOT_BYTES + SLOT_BYTES);
    this.hotRaw = raw;
    const hot = (raw + SLOT_BYTES - 1) & ~(SLOT_BYTES - 1);
    this.hot = hot;
    const sketches = new StaticArray<DDSketch>(capacity);
    for (let i = 0; i < capacity; i++) {
      const rec = hot + <usize>i * SLOT_BYTES;
      changetype<Moments>(rec + MOMENTS_AT).clear();
      store<f64>(rec + COUNT_AT, 0);
      store<f64>(rec + ERRORS_AT, 0);
      changetype<HyperLogLog>(rec + HLL_AT).init(precision);
      unchecked((sketches[i] = new DDSketch(alpha, DEFAULT_MAX_BINS, rec + STORE_AT)));
    }
    this.sketches = sketches;
  }

  @inline rec(s: i32): usize {
    return this.hot + <usize>s * SLOT_BYTES;
  }
  @inline moments(s: i32): Moments {
    return changetype<Moments>(this.rec(s) + MOMENTS_AT);
  }
  @inline count(s: i32): f64 {
    return load<f64>(this.rec(s) + COUNT_AT);
  }
  @inline errors(s: i32): f64 {
    return load<f64>(this.rec(s) + ERRORS_AT);
  }
  @inline hll(s: i32): HyperLogLog {
    return changetype<HyperLogLog>(this.rec(s) + HLL_AT);
  }
  /** Slot s's sketch with count, min and max brought up to date from the moments (the hot loop skips them). */
  sketch(s: i32): DDSketch {
    const sk = unchecked(this.sketches[s]);
    const m = this.moments(s);
    sk.count = m.count;
    sk.min = m.min;
    sk.max = m.max;
    return sk;
  }

  /**
   * Adds a batch. Validates it whole first (nothing is applied when an event
   * is bad: the status names the problem, bad_index() the event). Stops at
   * the first event that needs a new slot when all are taken: returns
   * ERR_CAPACITY with `consumed` events applied.
   */
  add(tsPtr: usize, seriesPtr: usize, latPtr: usize, errPtr: usize, epPtr: usize, n: i32): i32 {
    this.consumed = 0;
    let bad = n;
    let status = OK;
    const badTs = scanF64(tsPtr, n);
    if (badTs >= 0) {
      bad = badTs;
      status = ERR_NOT_FINITE;
    }
    // NaN latency means "no latency"; only infinities are errors.
    let badLat = scanF64(latPtr, n);
    if (badLat >= 0) badLat = firstInfinite(latPtr, n, badLat);
    if (badLat >= 0 && badLat < bad) {
      bad = badLat;
      status = ERR_NOT_FINITE;
    }
    if (badLat < 0) {
      const neg = firstNegativeF64(latPtr, n);
      if (neg < bad) {
        bad = neg;
        status = ERR_NEGATIVE;
      }
    }
    const negSeries = firstNegativeI32(seriesPtr, n);
    if (negSeries < bad) {
      bad = negSeries;
      status = ERR_INVALID_ARGUMENT;
    }
    if (status != OK) {
      setBadIndex(bad);
      return status;
    }
    // Per-batch columns: window starts and latency bins, computed in SIMD.
    const startPtr = batchScratch(<usize>n * 16 + 32);
    const idxPtr = startPtr + (<usize>n << 3);
    const mixPtr = (idxPtr + (<usize>n << 2) + 15) & ~15;
    windowColumn(tsPtr, n, this.windowMs, startPtr);
    indexColumn(latPtr, n, unchecked(this.sketches[0]).mult, idxPtr);
    mixColumn(epPtr, n, mixPtr);

    const keys = this.keys;
    const hot = this.hot;
    let lastSeries: i32 = -1;
    let lastStart: f64 = NaN;
    let s: i32 = 0;
    let rec: usize = 0;
    for (let i = 0; i < n; i++) {
      const series = load<i32>(seriesPtr + (<usize>i << 2));
      const start = load<f64>(startPtr + (<usize>i << 3));
      if (series != lastSeries || start != lastStart) {
        s = keys.slotOf(series, start);
        if (s < 0) {
          this.consumed = i;
          return ERR_CAPACITY;
        }
        rec = hot + <usize>s * SLOT_BYTES;
        lastSeries = series;
        lastStart = start;
      }
      const lat = load<f64>(latPtr + (<usize>i << 3));
      store<f64>(rec + COUNT_AT, load<f64>(rec + COUNT_AT) + 1.0);
      store<f64>(rec + ERRORS_AT, load<f64>(rec + ERRORS_AT) + (load<u8>(errPtr + i) != 0 ? 1.0 : 0.0));
      if (lat == lat) {
        changetype<Moments>(rec + MOMENTS_AT).add(lat);
        const idx = load<i32>(idxPtr + (<usize>i << 2));
        if (idx != NOT_INDEXED) {
          const st = changetype<Store>(rec + STORE_AT);
          const k = idx - st.offset;
          if (<u32>k < <u32>st.cap) {
            const p = st.buf + (<usize>k << 3);
            store<f64>(p, load<f64>(p) + 1.0);
          } else {
            st.addSlow(idx, 1.0);
          }
        } else {
          unchecked(this.sketches[s]).zero += 1;
        }
      }
      changetype<HyperLogLog>(rec + HLL_AT).addMixedFast(load<u32>(mixPtr + (<usize>i << 2)));
    }
    this.consumed = n;
    return OK;
  }

  /** Writes the EVENT_COLUMNS columns (each `used` f64 long) for all used slots at `out`. */
  read(out: usize): void {
    const n = this.keys.used;
    const stride = <usize>n << 3;
    for (let s = 0; s < n; s++) {
      const m = this.moments(s);
      const sk = this.sketch(s);
      const errors = this.errors(s);
      const base = out + (<usize>s << 3);
      store<f64>(base, <f64>this.keys.seriesOf(s));
      store<f64>(base + stride, this.keys.startOf(s));
      const count = this.count(s);
      // No event of the window carried a latency: its latency statistics are NaN.
      const lat = m.count > 0;
      store<f64>(base + stride * 2, count);
      store<f64>(base + stride * 3, errors);
      store<f64>(base + stride * 4, count > 0 ? errors / count : 0);
      store<f64>(base + stride * 5, lat ? m.mean : NaN);
      store<f64>(base + stride * 6, lat ? Math.sqrt(m.variance()) : NaN);
      store<f64>(base + stride * 7, lat ? m.min : NaN);
      store<f64>(base + stride * 8, lat ? m.max : NaN);
      store<f64>(base + stride * 9, lat ? sk.quantile(0.5) : NaN);
      store<f64>(base + stride * 10, lat ? sk.quantile(0.95) : NaN);
      store<f64>(base + stride * 11, lat ? sk.quantile(0.99) : NaN);
      store<f64>(base + stride * 12, this.hll(s).estimate());
    }
  }

  /** Serialises slot `s` (header, counts, moments, sketch, HLL). */
  writeSlot(w: ByteWriter, s: i32): void {
    const m = this.moments(s);
    writeHeader(w, KIND_EVENTS, this.keys.seriesOf(s), this.keys.startOf(s), this.windowMs);
    w.varint(<u64>this.count(s));
    w.varint(<u64>this.errors(s));
    m.write(w);
    this.sketch(s).write(w);
    this.hll(s).write(w);
  }

  /**
   * Merges one serialised event aggregate (all the reader's bytes) into the
   * slot of its (series, coarser window). Validates all of it before changing anything.
   */
  absorb(r: ByteReader): i32 {
    const h = header;
    if (!h.read(r) || h.kind != KIND_EVENTS) return ERR_CORRUPT;
    if (!nests(h.windowMs, this.windowMs)) return ERR_INCOMPATIBLE;
    const count = <f64>r.varint();
    const errors = <f64>r.varint();
    const m = tmpMoments;
    if (!m.read(r) || !r.ok || errors > count || m.count > count) return ERR_CORRUPT;
    const rest = r.pos;
    // Dry run over the sketches, into scratch sketches.
    const probe = probeSketch(this.alpha);
    probe.clear();
    let st = probe.absorb(r);
    if (st != OK) return st;
    const hp = probeHll(this.precision);
    hp.clear();
    st = hp.absorb(r);
    if (st != OK) return st;
    if (probe.count != m.count || r.remaining != 0) return ERR_CORRUPT;
    const end = r.pos;
    const s = this.keys.slotOf(h.series, Math.floor(h.start / this.windowMs) * this.windowMs);
    if (s < 0) return ERR_CAPACITY;
    const sk = this.sketch(s);
    this.moments(s).merge(m);
    store<f64>(this.rec(s) + COUNT_AT, this.count(s) + count);
    store<f64>(this.rec(s) + ERRORS_AT, this.errors(s) + errors);
    r.pos = rest;
    sk.absorb(r);
    this.hll(s).absorb(r);
    r.pos = end;
    return OK;
  }

  reset(): void {
    const n = this.keys.used;
    for (let s = 0; s < n; s++) {
      this.moments(s).clear();
      store<f64>(this.rec(s) + COUNT_AT, 0);
      store<f64>(this.rec(s) + ERRORS_AT, 0);
      unchecked(this.sketches[s]).clear();
      this.hll(s).clear();
    }
    this.keys.reset();
  }

  dispose(): void {
    for (let s = 0; s < this.capacity; s++) {
      unchecked(this.sketches[s]).destroy();
      this.hll(s).dispose();
    }
    heap.free(this.hotRaw);
    this.keys.dispose();
    heap.free(changetype<usize>(this.keys));
  }
}

const header = new WindowHeader();
let probeSk: DDSketch | null = null;
let probeH: HyperLogLog | null = null;

/** A scratch sketch for validating serialised bytes before they are applied. */
function probeSketch(alpha: f64): DDSketch {
  let p = probeSk;
  if (p === null || p.alpha != alpha) {
    if (p !== null) p.destroy();
    p = new DDSketch(alpha, DEFAULT_MAX_BINS);
    probeSk = p;
  }
  return p;
}

function probeHll(precision: i32): HyperLogLog {
  let p = probeH;
  if (p === null || p.p != precision) {
    if (p !== null) {
      p.dispose();
      heap.free(changetype<usize>(p));
    }
    p = new HyperLogLog(precision);
    probeH = p;
  }
  return p;
}

const aggs = new Registry<EventWindows>();
const reader = new ByteReader();

/** Creates an event aggregator with `capacity` slots; returns a handle. Called by the facade once per aggregator. */
export function ewin_create(capacity: i32, windowMs: f64, alpha: f64, precision: i32): i32 {
  if (capacity < 1 || capacity > MAX_CAPACITY) return ERR_INVALID_ARGUMENT;
  if (!(windowMs >= 1 && windowMs <= 1e12) || Math.floor(windowMs) != windowMs) return ERR_INVALID_ARGUMENT;
  if (!(alpha >= 1e-4 && alpha <= 0.5) || precision < 4 || precision > 16) return ERR_INVALID_ARGUMENT;
  return aggs.add(new EventWindows(capacity, windowMs, alpha, precision));
}

/** Releases an aggregator and all its slots' buffers. */
export function ewin_free(h: i32): i32 {
  const a = aggs.get(h);
  if (a === null) return ERR_BAD_HANDLE;
  a.dispose();
  aggs.remove(h);
  return OK;
}

/** Adds a batch of `n` events from five columns. Called once per batch; the hot loop. */
export function ewin_add(h: i32, tsPtr: usize, seriesPtr: usize, latPtr: usize, errPtr: usize, epPtr: usize, n: i32): i32 {
  const a = aggs.get(h);
  if (a === null) return ERR_BAD_HANDLE;
  if (n < 0) return ERR_INVALID_ARGUMENT;
  return a.add(tsPtr, seriesPtr, latPtr, errPtr, epPtr, n);
}

/** Events applied by the last add (use after ERR_CAPACITY to flush and continue). */
export function ewin_consumed(h: i32): i32 {
  const a = aggs.get(h);
  return a === null ? ERR_BAD_HANDLE : a.consumed;
}

/** Number of slots in use. */
export function ewin_used(h: i32): i32 {
  const a = aggs.get(h);
  return a === null ? ERR_BAD_HANDLE : a.keys.used;
}

/** Writes EVENT_COLUMNS column-major f64 columns of `used` rows at `out`. */
export function ewin_read(h: i32, out: usize): i32 {
  const a = aggs.get(h);
  if (a === null) return ERR_BAD_HANDLE;
  a.read(out);
  return OK;
}

/** Serialises every used slot into the shared output buffer, writing used + 1 byte offsets (i32) at `offsets`; returns the total length. */
export function ewin_serialize(h: i32, offsets: usize): i32 {
  const a = aggs.get(h);
  if (a === null) return ERR_BAD_HANDLE;
  OUT.reset();
  const n = a.keys.used;
  for (let s = 0; s < n; s++) {
    store<i32>(offsets + (<usize>s << 2), <i32>OUT.len);
    a.writeSlot(OUT, s);
  }
  store<i32>(offsets + (<usize>n << 2), <i32>OUT.len);
  return <i32>OUT.len;
}

/** Merges one serialised event aggregate (`len` bytes at `ptr`) into the aggregator's matching slot. */
export function ewin_absorb(h: i32, ptr: usize, len: usize): i32 {
  const a = aggs.get(h);
  if (a === null) return ERR_BAD_HANDLE;
  return a.absorb(reader.reset(ptr, len));
}

/** Empties every slot (keeps their buffers). Called after each flush. */
export function ewin_reset(h: i32): i32 {
  const a = aggs.get(h);
  if (a === null) return ERR_BAD_HANDLE;
  a.reset();
  return OK;
}

