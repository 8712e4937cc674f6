// Window aggregation of metric samples: columns (timestamp ms, series, value)
// into per-(series, window start) partials with count, sum, moments (min,
// max, mean, M2), the last value by timestamp, and a DDSketch that takes
// negative values too. Ties for "last" resolve to the larger value, so the
// result does not depend on the order of samples or batches.

import { OK, ERR_BAD_HANDLE, ERR_CAPACITY, ERR_CORRUPT, ERR_INCOMPATIBLE, ERR_INVALID_ARGUMENT, ERR_NOT_FINITE } from "../util/status";
import { Registry } from "../util/registry";
import { ByteReader, ByteWriter, OUT, setBadIndex } from "../util/bytes";
import { scanF64 } from "../util/scan";
import { Moments } from "../sketch/moments";
import { DDSketch, DEFAULT_MAX_BINS, indexColumn } from "../sketch/ddsketch";
import { KeyTable, batchScratch } from "./table";
import { KIND_METRICS, MAX_CAPACITY, WindowHeader, firstNegativeI32, nests, windowColumn, writeHeader } from "./events";

/** Columns written per slot by `mwin_read`. */
export const METRIC_COLUMNS: i32 = 14;

/** One (series, window) partial aggregate of samples. */
// Unmanaged: lives outside the GC so hot loops carry no shadow-stack traffic; freed by dispose().
// @ts-ignore: decorator
@unmanaged class MetricSlot {
  sum: f64 = 0;
  values: Moments = new Moments();
  lastTs: f64 = -Infinity;
  lastValue: f64 = NaN;
  sketch: DDSketch;
  constructor(alpha: f64) {
    this.sketch = new DDSketch(alpha, DEFAULT_MAX_BINS);
  }
  /** Keeps the later sample; on equal timestamps the larger value (order-independent). */
  @inline takeLast(ts: f64, v: f64): void {
    if (ts > this.lastTs || (ts == this.lastTs && v > this.lastValue)) {
      this.lastTs = ts;
      this.lastValue = v;
    }
  }
  clear(): void {
    this.sum = 0;
    this.values.clear();
    this.lastTs = -Infinity;
    this.lastValue = NaN;
    this.sketch.clear();
  }
}

const tmpMoments = new Moments();
const header = new WindowHeader();

/** Per-(series, window) metric aggregates in preallocated slots. */
export class MetricWindows {
  keys: KeyTable;
  slots: StaticArray<MetricSlot>;
  consumed: i32 = 0;
  probe: DDSketch;

  constructor(public capacity: i32, public windowMs: f64, public alpha: f64) {
    this.keys = new KeyTable(capacity);
    const slots = new StaticArray<MetricSlot>(capacity);
    for (let i = 0; i < capacity; i++) unchecked((slots[i] = new MetricSlot(alpha)));
    this.slots = slots;
    this.probe = new DDSketch(alpha, DEFAULT_MAX_BINS);
  }

  /** Adds a batch; validates it whole first; ERR_CAPACITY with `consumed` applied when slots run out. */
  add(tsPtr: usize, seriesPtr: usize, valPtr: usize, n: i32): i32 {
    this.consumed = 0;
    let bad = n;
    let status = OK;
    const badTs = scanF64(tsPtr, n);
    if (badTs >= 0) {
      bad = badTs;
      status = ERR_NOT_FINITE;
    }
    const badV = scanF64(valPtr, n);
    if (badV >= 0 && badV < bad) {
      bad = badV;
      status = ERR_NOT_FINITE;
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
    const startPtr = batchScratch(<usize>n * 12 + 16);
    const idxPtr = startPtr + (<usize>n << 3);
    windowColumn(tsPtr, n, this.windowMs, startPtr);
    indexColumn(valPtr, n, this.probe.mult, idxPtr);
    const keys = this.keys;
    let lastSeries: i32 = -1;
    let lastStart: f64 = NaN;
    let slot: MetricSlot | null = null;
    for (let i = 0; i < n; i++) {
      const series = load<i32>(seriesPtr + (<usize>i << 2));
      const start = load<f64>(startPtr + (<usize>i << 3));
      if (series != lastSeries || start != lastStart) {
        const s = keys.slotOf(series, start);
        if (s < 0) {
          this.consumed = i;
          return ERR_CAPACITY;
        }
        slot = unchecked(this.slots[s]);
        lastSeries = series;
        lastStart = start;
      }
      const sl = changetype<MetricSlot>(slot);
      const v = load<f64>(valPtr + (<usize>i << 3));
      sl.sum += v;
      sl.values.add(v);
      sl.takeLast(load<f64>(tsPtr + (<usize>i << 3)), v);
      sl.sketch.addIndexed(v, load<i32>(idxPtr + (<usize>i << 2)));
    }
    this.consumed = n;
    return OK;
  }

  /** Writes METRIC_COLUMNS column-major f64 columns for the used slots at `out`. */
  read(out: usize): void {
    const n = this.keys.used;
    const stride = <usize>n << 3;
    for (let s = 0; s < n; s++) {
      const sl = unchecked(this.slots[s]);
      const base = out + (<usize>s << 3);
      store<f64>(base, <f64>this.keys.seriesOf(s));
      store<f64>(base + stride, this.keys.startOf(s));
      store<f64>(base + stride * 2, sl.values.count);
      store<f64>(base + stride * 3, sl.sum);
      store<f64>(base + stride * 4, sl.values.min);
      store<f64>(base + stride * 5, sl.values.max);
      store<f64>(base + stride * 6, sl.values.mean);
      store<f64>(base + stride * 7, Math.sqrt(sl.values.variance()));
      store<f64>(base + stride * 8, sl.lastValue);
      store<f64>(base + stride * 9, sl.lastTs);
      store<f64>(base + stride * 10, sl.sketch.quantile(0.5));
      store<f64>(base + stride * 11, sl.sketch.quantile(0.95));
      store<f64>(base + stride * 12, sl.sketch.quantile(0.99));
      store<f64>(base + stride * 13, sl.values.m2);
    }
  }

  writeSlot(w: ByteWriter, s: i32): void {
    const sl = unchecked(this.slots[s]);
    writeHeader(w, KIND_METRICS, this.keys.seriesOf(s), this.keys.startOf(s), this.windowMs);
    w.f64(sl.sum);
    sl.values.write(w);
    w.f64(sl.lastTs);
    w.f64(sl.lastValue);
    sl.sketch.write(w);
  }

  /** Merges one serialised metric aggregate (all the reader's bytes) into its slot; validates first. */
  absorb(r: ByteReader): i32 {
    const h = header;
    if (!h.read(r) || h.kind != KIND_METRICS) return ERR_CORRUPT;
    if (!nests(h.windowMs, this.windowMs)) return ERR_INCOMPATIBLE;
    const sum = r.f64();
    const m = tmpMoments;
    if (!m.read(r)) return ERR_CORRUPT;
    const lastTs = r.f64();
    const lastValue = r.f64();
    if (!r.ok || !isFinite(sum) || m.count == 0 || !isFinite(lastTs) || !isFinite(lastValue)) return ERR_CORRUPT;
    const rest = r.pos;
    this.probe.clear();
    const st = this.probe.absorb(r);
    if (st != OK) return st;
    if (this.probe.count != m.count || r.remaining != 0) return ERR_CORRUPT;
    const s = this.keys.slotOf(h.series, Math.floor(h.start / this.windowMs) * this.windowMs);
    if (s < 0) return ERR_CAPACITY;
    const sl = unchecked(this.slots[s]);
    sl.sum += sum;
    sl.values.merge(m);
    sl.takeLast(lastTs, lastValue);
    r.pos = rest;
    sl.sketch.absorb(r);
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
      sl.sketch.destroy();
      heap.free(changetype<usize>(sl.values));
      heap.free(changetype<usize>(sl));
    }
    this.probe.destroy();
    this.keys.dispose();
    heap.free(changetype<usize>(this.keys));
  }
}

const aggs = new Registry<MetricWindows>();
const reader = new ByteReader();

/** Creates a metric aggregator with `capacity` slots; returns a handle. Called once per aggregator. */
export function mwin_create(capacity: i32, windowMs: f64, alpha: f64): i32 {
  if (capacity < 1 || capacity > MAX_CAPACITY) return ERR_INVALID_ARGUMENT;
  if (!(windowMs >= 1 && windowMs <= 1e12) || Math.floor(windowMs) != windowMs) return ERR_INVALID_ARGUMENT;
  if (!(alpha >= 1e-4 && alpha <= 0.5)) return ERR_INVALID_ARGUMENT;
  return aggs.add(new MetricWindows(capacity, windowMs, alpha));
}

/** Releases a metric aggregator. */
export function mwin_free(h: i32): i32 {
  const a = aggs.get(h);
  if (a === null) return ERR_BAD_HANDLE;
  a.dispose();
  aggs.remove(h);
  return OK;
}

/** Adds `n` samples from three columns. Called once per batch. */
export function mwin_add(h: i32, tsPtr: usize, seriesPtr: usize, valPtr: usize, n: i32): i32 {
  const a = aggs.get(h);
  if (a === null) return ERR_BAD_HANDLE;
  if (n < 0) return ERR_INVALID_ARGUMENT;
  return a.add(tsPtr, seriesPtr, valPtr, n);
}

/** Samples applied by the last add. */
export function mwin_consumed(h: i32): i32 {
  const a = aggs.get(h);
  return a === null ? ERR_BAD_HANDLE : a.consumed;
}

/** Number of slots in use. */
export function mwin_used(h: i32): i32 {
  const a = aggs.get(h);
  return a === null ? ERR_BAD_HANDLE : a.keys.used;
}

/** Writes METRIC_COLUMNS column-major f64 columns at `out`. */
export function mwin_read(h: i32, out: usize): i32 {
  const a = aggs.get(h);
  if (a === null) return ERR_BAD_HANDLE;
  a.read(out);
  return OK;
}

/** Serialises every used slot into the shared output buffer with used + 1 offsets at `offsets`; returns the total length. */
export function mwin_serialize(h: i32, offsets: usize): i32 {
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

/** Merges one serialised metric aggregate into the matching slot. */
export function mwin_absorb(h: i32, ptr: usize, len: usize): i32 {
  const a = aggs.get(h);
  if (a === null) return ERR_BAD_HANDLE;
  return a.absorb(reader.reset(ptr, len));
}

/** Empties every slot. */
export function mwin_reset(h: i32): i32 {
  const a = aggs.get(h);
  if (a === null) return ERR_BAD_HANDLE;
  a.reset();
  return OK;
}
