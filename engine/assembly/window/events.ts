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
import { DDSketch, DEFAULT_MAX_BINS, indexColumn } from "../sketch/ddsketch";
import { HyperLogLog } from "../sketch/hll";
import { KeyTable, batchScratch } from "./table";

/** First byte of a serialised window aggregate ('W'). */
export const WINDOW_MAGIC: u32 = 0x57;
/** Format version of serialised window aggregates. */
export const WINDOW_VERSION: u32 = 1;
/** Kind byte: event aggregate. */
export const KIND_EVENTS: u32 = 1;
/** Kind byte: metric aggregate. */
export const KIND_METRICS: u32 = 2;
/** Largest slot capacity an aggregator may ask for. */
export const MAX_CAPACITY: i32 = 1 << 20;
/** Columns written per slot by `ewin_read`. */
export const EVENT_COLUMNS: i32 = 13;

/** One (series, window) partial aggregate of events. */
class EventSlot {
  count: f64 = 0;
  errors: f64 = 0;
  latency: Moments = new Moments();
  sketch: DDSketch;
  endpoints: HyperLogLog;
  constructor(alpha: f64, precision: i32) {
    this.sketch = new DDSketch(alpha, DEFAULT_MAX_BINS);
    this.endpoints = new HyperLogLog(precision);
  }
  clear(): void {
    this.count = 0;
    this.errors = 0;
    this.latency.clear();
    this.sketch.clear();
    this.endpoints.clear();
  }
}

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

/** Smallest index where the f64 column at `ptr` is negative, or `n`. */
function firstNegativeF64(ptr: usize, n: i32): i32 {
  for (let i = 0; i < n; i++) if (load<f64>(ptr + (<usize>i << 3)) < 0) return i;
  return n;
}

const tmpMoments = new Moments();

/** Per-(series, window) event aggregates in preallocated slots. */
export class EventWindows {
  keys: KeyTable;
  slots: StaticArray<EventSlot>;
  /** Events consumed by the last `add` (all of them unless it returned ERR_CAPACITY). */
  consumed: i32 = 0;

  constructor(public capacity: i32, public windowMs: f64, public alpha: f64, public precision: i32) {
    this.keys = new KeyTable(capacity);
    const slots = new StaticArray<EventSlot>(capacity);
    for (let i = 0; i < capacity; i++) unchecked((slots[i] = new EventSlot(alpha, precision)));
    this.slots = slots;
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
    const badLat = scanF64(latPtr, n);
    if (badLat >= 0 && badLat < bad) {
      bad = badLat;
      status = ERR_NOT_FINITE;
    }
    if (badLat < 0 && scanMin < 0) {
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
    const startPtr = batchScratch(<usize>n * 12 + 16);
    const idxPtr = startPtr + (<usize>n << 3);
    windowColumn(tsPtr, n, this.windowMs, startPtr);
    indexColumn(latPtr, n, this.slots.length > 0 ? unchecked(this.slots[0]).sketch.mult : 1, idxPtr);

    const keys = this.keys;
    const slots = this.slots;
    let lastSeries: i32 = -1;
    let lastStart: f64 = NaN;
    let slot: EventSlot | null = null;
    for (let i = 0; i < n; i++) {
      const series = load<i32>(seriesPtr + (<usize>i << 2));
      const start = load<f64>(startPtr + (<usize>i << 3));
      if (series != lastSeries || start != lastStart) {
        const s = keys.slotOf(series, start);
        if (s < 0) {
          this.consumed = i;
          return ERR_CAPACITY;
        }
        slot = unchecked(slots[s]);
        lastSeries = series;
        lastStart = start;
      }
      const sl = changetype<EventSlot>(slot);
      const lat = load<f64>(latPtr + (<usize>i << 3));
      sl.count += 1;
      sl.errors += load<u8>(errPtr + i) != 0 ? 1 : 0;
      sl.latency.add(lat);
      sl.sketch.addIndexed(lat, load<i32>(idxPtr + (<usize>i << 2)));
      sl.endpoints.add(load<u32>(epPtr + (<usize>i << 2)));
    }
    this.consumed = n;
    return OK;
  }

  /** Writes the EVENT_COLUMNS columns (each `used` f64 long) for all used slots at `out`. */
  read(out: usize): void {
    const n = this.keys.used;
    for (let s = 0; s < n; s++) {
      const sl = unchecked(this.slots[s]);
      const base = out + (<usize>s << 3);
      const stride = <usize>n << 3;
      store<f64>(base, <f64>this.keys.seriesOf(s));
      store<f64>(base + stride, this.keys.startOf(s));
      store<f64>(base + stride * 2, sl.count);
      store<f64>(base + stride * 3, sl.errors);
      store<f64>(base + stride * 4, sl.count > 0 ? sl.errors / sl.count : 0);
      store<f64>(base + stride * 5, sl.latency.mean);
      store<f64>(base + stride * 6, Math.sqrt(sl.latency.variance()));
      store<f64>(base + stride * 7, sl.latency.min);
      store<f64>(base + stride * 8, sl.latency.max);
      store<f64>(base + stride * 9, sl.sketch.quantile(0.5));
      store<f64>(base + stride * 10, sl.sketch.quantile(0.95));
      store<f64>(base + stride * 11, sl.sketch.quantile(0.99));
      store<f64>(base + stride * 12, sl.endpoints.estimate());
    }
  }

  /** Serialises slot `s` (header, counts, moments, sketch, HLL). */
  writeSlot(w: ByteWriter, s: i32): void {
    const sl = unchecked(this.slots[s]);
    writeHeader(w, KIND_EVENTS, this.keys.seriesOf(s), this.keys.startOf(s), this.windowMs);
    w.varint(<u64>sl.count);
    w.varint(<u64>sl.errors);
    sl.latency.write(w);
    sl.sketch.write(w);
    sl.endpoints.write(w);
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
    if (!m.read(r) || !r.ok || errors > count || m.count != count) return ERR_CORRUPT;
    const rest = r.pos;
    // Dry run over the sketches, through a scratch slot.
    const probe = probeSlot(this.alpha, this.precision);
    probe.clear();
    let st = probe.sketch.absorb(r);
    if (st != OK) return st;
    st = probe.endpoints.absorb(r);
    if (st != OK) return st;
    if (probe.sketch.count != count || r.remaining != 0) return ERR_CORRUPT;
    const end = r.pos;
    const s = this.keys.slotOf(h.series, Math.floor(h.start / this.windowMs) * this.windowMs);
    if (s < 0) return ERR_CAPACITY;
    const sl = unchecked(this.slots[s]);
    sl.count += count;
    sl.errors += errors;
    sl.latency.merge(m);
    r.pos = rest;
    sl.sketch.absorb(r);
    sl.endpoints.absorb(r);
    r.pos = end;
    return OK;
  }

  reset(): void {
    const n = this.keys.used;
    for (let s = 0; s < n; s++) unchecked(this.slots[s]).clear();
    this.keys.reset();
  }

  dispose(): void {
    for (let s = 0; s < this.slots.length; s++) {
      const sl = unchecked(this.slots[s]);
      sl.sketch.dispose();
      sl.endpoints.dispose();
    }
    this.keys.dispose();
  }
}

const header = new WindowHeader();
let probe: EventSlot | null = null;

function probeSlot(alpha: f64, precision: i32): EventSlot {
  let p = probe;
  if (p === null || p.sketch.alpha != alpha || p.endpoints.p != precision) {
    if (p !== null) {
      p.sketch.dispose();
      p.endpoints.dispose();
    }
    p = new EventSlot(alpha, precision);
    probe = p;
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
