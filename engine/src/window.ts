// Window aggregation: events and metric samples into per-(series, window)
// partial aggregates that serialise to bytes and merge in any order. The
// algorithms live in engine/assembly/window; this file validates shapes,
// moves columns in and out, and names the results.

import { check, EngineError, invalid } from "./errors";
import type { Region, Runtime } from "./runtime";

/** One minute, the base window. */
export const MINUTE_MS = 60_000;

/** A batch of events as columns of equal length. */
export interface EventBatch {
  /** Event time, ms since the epoch (finite). */
  timestamp: ArrayLike<number>;
  /** Series index (an integer >= 0 the host assigns to (tenant, service)). */
  series: ArrayLike<number>;
  /** Latency in ms (>= 0), or NaN for an event without one: it counts as an event but not in the latency statistics. */
  latencyMs: ArrayLike<number>;
  /** Non-zero (or true) for an error. */
  isError: ArrayLike<number | boolean>;
  /** 32-bit hash of the endpoint, for distinct counts. */
  endpointHash: ArrayLike<number>;
}

/** Typed-array views of an event batch in engine memory (see EventAggregator.columns). */
export interface Cols {
  timestamp: Float64Array;
  series: Int32Array;
  latencyMs: Float64Array;
  isError: Uint8Array;
  endpointHash: Int32Array;
}

/** A batch of metric samples as columns of equal length. */
export interface MetricBatch {
  timestamp: ArrayLike<number>;
  series: ArrayLike<number>;
  /** Sample values (finite; may be negative). */
  value: ArrayLike<number>;
}

/** The features of one (series, window) of events, and its mergeable serialised partial. */
export interface WindowAggregate {
  series: number;
  windowStart: number;
  windowMs: number;
  count: number;
  errorCount: number;
  errorRate: number;
  /** Latency statistics over the events that carried a latency; NaN when none did. */
  latencyMean: number;
  latencyStddev: number;
  latencyMin: number;
  latencyMax: number;
  p50: number;
  p95: number;
  p99: number;
  distinctEndpoints: number;
  /** The partial aggregate (counts, moments, DDSketch, HyperLogLog); store it and merge later. */
  bytes: Uint8Array;
}

/** Event window aggregates as columns: element i of every array describes window i. */
export interface WindowColumns {
  length: number;
  windowMs: number;
  series: Float64Array;
  windowStart: Float64Array;
  count: Float64Array;
  errorCount: Float64Array;
  errorRate: Float64Array;
  latencyMean: Float64Array;
  latencyStddev: Float64Array;
  latencyMin: Float64Array;
  latencyMax: Float64Array;
  p50: Float64Array;
  p95: Float64Array;
  p99: Float64Array;
  distinctEndpoints: Float64Array;
  /** Serialised partial of each window. */
  bytes: Uint8Array[];
}

/** The features of one (series, window) of metric samples, and its serialised partial. */
export interface MetricWindowAggregate {
  series: number;
  windowStart: number;
  windowMs: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  mean: number;
  stddev: number;
  /** Value of the latest sample (on equal timestamps, the larger value). */
  last: number;
  lastTimestamp: number;
  p50: number;
  p95: number;
  p99: number;
  bytes: Uint8Array;
}

/** Options of an aggregator. */
export interface AggregatorOptions {
  /** Slots (distinct (series, window) pairs) held before a flush is needed. */
  capacity: number;
  /** Window length in ms; default one minute. Rollups use 5 or 60 minutes. */
  windowMs?: number;
  /** Quantile sketch relative accuracy; default 0.01. */
  relativeAccuracy?: number;
  /** HyperLogLog precision (events only); default 12. */
  precision?: number;
}

/** What `add` did: `consumed` events were applied; `full` means flush, then add again from `consumed`. */
export interface AddResult {
  consumed: number;
  full: boolean;
}

const EVENT_COLUMNS = 13;
const METRIC_COLUMNS = 14;

/** Scratch regions shared by one facade. */
class Io {
  /** The aggregator whose `columns(n)` views are live in `cols`, and their n; cleared by any other use of `cols`. */
  pending: { owner: unknown; n: number } | null = null;
  readonly cols: Region[];
  readonly out: Region;
  readonly offsets: Region;
  constructor(readonly rt: Runtime) {
    this.cols = [rt.region(), rt.region(), rt.region(), rt.region(), rt.region()];
    this.out = rt.region();
    this.offsets = rt.region();
  }
  /** Runs an engine serialise-all call and slices the shared buffer per slot. */
  blobs(used: number, call: (offsetsPtr: number) => number, what: string): Uint8Array[] {
    const offPtr = this.offsets.ensure((used + 1) * 4);
    check(call(offPtr), what);
    const offs = Int32Array.from(this.rt.i32(offPtr, used + 1));
    const all = this.rt.u8(this.rt.exports.out_ptr(), offs[used]!).slice();
    return Array.from({ length: used }, (_, i) => all.subarray(offs[i]!, offs[i + 1]!));
  }
  bytesIn(bytes: Uint8Array, what: string): number {
    if (!(bytes instanceof Uint8Array)) invalid(what, "expected a Uint8Array");
    this.pending = null;
    return this.rt.putU8(this.cols[0]!, bytes);
  }
}

function sameLength(what: string, cols: Record<string, ArrayLike<unknown>>): number {
  let n = -1;
  for (const [name, c] of Object.entries(cols)) {
    if (c == null || typeof c.length !== "number") invalid(what, `column ${name} is missing`);
    if (n < 0) n = c.length;
    else if (c.length !== n) invalid(what, `column ${name} has ${c.length} values, expected ${n}`, { column: name });
  }
  return n;
}

function checkBatch(io: Io, status: number, what: string, from: number): void {
  if (status < 0) check(status, what, { index: from + io.rt.exports.bad_index() });
}

function checkOptions(o: AggregatorOptions, what: string): void {
  if (!Number.isInteger(o.capacity) || o.capacity < 1) invalid(what, "capacity must be an integer >= 1", { capacity: o.capacity });
  if (o.windowMs !== undefined && !(Number.isInteger(o.windowMs) && o.windowMs >= 1))
    invalid(what, "windowMs must be an integer >= 1", { windowMs: o.windowMs });
}

/** Aggregates events into per-(series, window) partials. Call `dispose()` when done. */
export class EventAggregator {
  /** @internal */
  constructor(
    private readonly io: Io,
    private readonly h0: number,
    /** Window length in ms. */ readonly windowMs: number,
  ) {}

  private disposed = false;

  /** The engine handle; throws bad_handle once disposed (a freed handle may be reused by another object). */
  private get handle(): number {
    if (this.disposed) throw new EngineError("bad_handle", "aggregator used after dispose()");
    return this.h0;
  }

  /**
   * Adds events [from, length) of a batch in one pass. Bad input (NaN
   * timestamps, infinities, negative latency or series, unequal columns; a NaN
   * latency is an event without one) throws an
   * EngineError with details.index and applies nothing. When the slots run
   * out, returns `{ full: true, consumed }`: flush, then add again from `consumed`.
   */
  add(batch: EventBatch, from = 0): AddResult {
    const what = "event windows add";
    const total = sameLength(what, {
      timestamp: batch.timestamp,
      series: batch.series,
      latencyMs: batch.latencyMs,
      isError: batch.isError,
      endpointHash: batch.endpointHash,
    });
    if (!Number.isInteger(from) || from < 0 || from > total) invalid(what, "from is out of range", { from });
    const n = total - from;
    if (n === 0) return { consumed: total, full: false };
    const rt = this.io.rt;
    this.io.pending = null;
    const [c0, c1, c2, c3, c4] = this.io.cols as [Region, Region, Region, Region, Region];
    const ts = rt.putF64(c0, sub(batch.timestamp, from));
    const se = rt.putI32(c1, sub(batch.series, from));
    const la = rt.putF64(c2, sub(batch.latencyMs, from));
    let erPtr: number;
    if (batch.isError instanceof Uint8Array) erPtr = rt.putU8(c3, batch.isError.subarray(from));
    else {
      erPtr = c3.ensure(n);
      const er = rt.u8(erPtr, n);
      for (let i = 0; i < n; i++) er[i] = batch.isError[from + i] ? 1 : 0;
    }
    const ep = rt.putI32(c4, sub(batch.endpointHash, from));
    // Series must be integers: Int32Array conversion would silently truncate.
    const seriesIn = batch.series;
    if (!(seriesIn instanceof Int32Array)) {
      for (let i = from; i < total; i++) {
        const s = seriesIn[i] as number;
        if (!Number.isInteger(s) || s < 0 || s > 0x7fffffff) invalid(what, "series must be an integer >= 0", { index: i });
      }
    }
    const st = rt.exports.ewin_add(this.handle, ts, se, la, erPtr, ep, n);
    if (st === -5) return { consumed: from + rt.exports.ewin_consumed(this.handle), full: true };
    checkBatch(this.io, st, what, from);
    return { consumed: total, full: false };
  }

  /**
   * Zero-copy input: views of `n` events' columns in engine memory, to fill
   * and then pass to `addColumns(n)`. Saves the copy `add` makes. The views
   * are invalid after any other engine call that may grow memory, and the
   * regions are shared by the engine's aggregators: fill them, call
   * addColumns, then ask again for the next batch.
   */
  columns(n: number): Cols {
    if (!Number.isInteger(n) || n < 0) invalid("event windows columns", "n must be an integer >= 0", { n });
    const rt = this.io.rt;
    const [c0, c1, c2, c3, c4] = this.io.cols as [Region, Region, Region, Region, Region];
    const p = [c0.ensure(n * 8), c1.ensure(n * 4), c2.ensure(n * 8), c3.ensure(n), c4.ensure(n * 4)] as const;
    this.io.pending = { owner: this, n };
    return {
      timestamp: rt.f64(p[0], n),
      series: rt.i32(p[1], n),
      latencyMs: rt.f64(p[2], n),
      isError: rt.u8(p[3], n),
      endpointHash: rt.i32(p[4], n),
    };
  }

  /** Adds the first `n` events written into the views from `columns(n)`; same contract as `add` (series are checked by the engine to be >= 0). */
  addColumns(n: number): AddResult {
    const rt = this.io.rt;
    const [c0, c1, c2, c3, c4] = this.io.cols as [Region, Region, Region, Region, Region];
    const pending = this.io.pending;
    if (!Number.isInteger(n) || n < 0 || pending?.owner !== this || n > pending.n)
      invalid("event windows add", "addColumns(n) needs n <= the n of this aggregator's last columns(n), with no windows call between", { n });
    const st = rt.exports.ewin_add(this.handle, c0.ensure(n * 8), c1.ensure(n * 4), c2.ensure(n * 8), c3.ensure(n), c4.ensure(n * 4), n);
    if (st === -5) return { consumed: rt.exports.ewin_consumed(this.handle), full: true };
    checkBatch(this.io, st, "event windows add", 0);
    return { consumed: n, full: false };
  }

  /** Merges serialised event aggregates (from any aggregator with a window that divides this one's) into the slots. */
  absorb(parts: Uint8Array[]): void {
    for (const [i, bytes] of parts.entries()) {
      const ptr = this.io.bytesIn(bytes, "event windows absorb");
      const st = this.io.rt.exports.ewin_absorb(this.handle, ptr, bytes.length);
      if (st < 0) check(st, "event windows absorb", { index: i });
    }
  }

  /** Slots in use. */
  get used(): number {
    return check(this.io.rt.exports.ewin_used(this.handle), "event windows");
  }

  /** Reads out every (series, window) aggregate as columns (one Float64Array per feature) with the serialised partials, and empties the aggregator. */
  flushColumns(): WindowColumns {
    const rt = this.io.rt;
    const used = this.used;
    const outPtr = this.io.out.ensure(Math.max(1, used) * EVENT_COLUMNS * 8);
    check(rt.exports.ewin_read(this.handle, outPtr), "event windows read");
    const v = Float64Array.from(rt.f64(outPtr, used * EVENT_COLUMNS));
    const bytes = this.io.blobs(used, (p) => rt.exports.ewin_serialize(this.handle, p), "event windows serialize");
    check(rt.exports.ewin_reset(this.handle), "event windows reset");
    const col = (c: number) => v.subarray(c * used, (c + 1) * used);
    return {
      length: used,
      windowMs: this.windowMs,
      series: col(0),
      windowStart: col(1),
      count: col(2),
      errorCount: col(3),
      errorRate: col(4),
      latencyMean: col(5),
      latencyStddev: col(6),
      latencyMin: col(7),
      latencyMax: col(8),
      p50: col(9),
      p95: col(10),
      p99: col(11),
      distinctEndpoints: col(12),
      bytes,
    };
  }

  /** Reads out every (series, window) aggregate with its serialised partial, and empties the aggregator. */
  flush(): WindowAggregate[] {
    const c = this.flushColumns();
    return c.bytes.map((bytes, i) => ({
      series: c.series[i]!,
      windowStart: c.windowStart[i]!,
      windowMs: this.windowMs,
      count: c.count[i]!,
      errorCount: c.errorCount[i]!,
      errorRate: c.errorRate[i]!,
      latencyMean: c.latencyMean[i]!,
      latencyStddev: c.latencyStddev[i]!,
      latencyMin: c.latencyMin[i]!,
      latencyMax: c.latencyMax[i]!,
      p50: c.p50[i]!,
      p95: c.p95[i]!,
      p99: c.p99[i]!,
      distinctEndpoints: c.distinctEndpoints[i]!,
      bytes,
    }));
  }

  /** Frees the engine-side aggregator. */
  dispose(): void {
    if (this.disposed) return;
    this.io.rt.exports.ewin_free(this.handle);
    this.disposed = true;
  }
}

/** Aggregates metric samples into per-(series, window) partials. Call `dispose()` when done. */
export class MetricAggregator {
  /** @internal */
  constructor(
    private readonly io: Io,
    private readonly h0: number,
    /** Window length in ms. */ readonly windowMs: number,
  ) {}

  private disposed = false;

  /** The engine handle; throws bad_handle once disposed (a freed handle may be reused by another object). */
  private get handle(): number {
    if (this.disposed) throw new EngineError("bad_handle", "aggregator used after dispose()");
    return this.h0;
  }

  /** Adds samples [from, length); same contract as EventAggregator.add. */
  add(batch: MetricBatch, from = 0): AddResult {
    const what = "metric windows add";
    const total = sameLength(what, { timestamp: batch.timestamp, series: batch.series, value: batch.value });
    if (!Number.isInteger(from) || from < 0 || from > total) invalid(what, "from is out of range", { from });
    const n = total - from;
    if (n === 0) return { consumed: total, full: false };
    const rt = this.io.rt;
    this.io.pending = null;
    const [c0, c1, c2] = this.io.cols as [Region, Region, Region];
    const seriesIn = batch.series;
    if (!(seriesIn instanceof Int32Array)) {
      for (let i = from; i < total; i++) {
        const s = seriesIn[i] as number;
        if (!Number.isInteger(s) || s < 0 || s > 0x7fffffff) invalid(what, "series must be an integer >= 0", { index: i });
      }
    }
    const ts = rt.putF64(c0, sub(batch.timestamp, from));
    const se = rt.putI32(c1, sub(batch.series, from));
    const va = rt.putF64(c2, sub(batch.value, from));
    const st = rt.exports.mwin_add(this.handle, ts, se, va, n);
    if (st === -5) return { consumed: from + rt.exports.mwin_consumed(this.handle), full: true };
    checkBatch(this.io, st, what, from);
    return { consumed: total, full: false };
  }

  /** Merges serialised metric aggregates into the slots. */
  absorb(parts: Uint8Array[]): void {
    for (const [i, bytes] of parts.entries()) {
      const ptr = this.io.bytesIn(bytes, "metric windows absorb");
      const st = this.io.rt.exports.mwin_absorb(this.handle, ptr, bytes.length);
      if (st < 0) check(st, "metric windows absorb", { index: i });
    }
  }

  /** Slots in use. */
  get used(): number {
    return check(this.io.rt.exports.mwin_used(this.handle), "metric windows");
  }

  /** Reads out every aggregate with its serialised partial, and empties the aggregator. */
  flush(): MetricWindowAggregate[] {
    const rt = this.io.rt;
    const used = this.used;
    if (used === 0) return [];
    const outPtr = this.io.out.ensure(used * METRIC_COLUMNS * 8);
    check(rt.exports.mwin_read(this.handle, outPtr), "metric windows read");
    const v = Float64Array.from(rt.f64(outPtr, used * METRIC_COLUMNS));
    const blobs = this.io.blobs(used, (p) => rt.exports.mwin_serialize(this.handle, p), "metric windows serialize");
    check(rt.exports.mwin_reset(this.handle), "metric windows reset");
    const col = (c: number, i: number) => v[c * used + i]!;
    return blobs.map((bytes, i) => ({
      series: col(0, i),
      windowStart: col(1, i),
      windowMs: this.windowMs,
      count: col(2, i),
      sum: col(3, i),
      min: col(4, i),
      max: col(5, i),
      mean: col(6, i),
      stddev: col(7, i),
      last: col(8, i),
      lastTimestamp: col(9, i),
      p50: col(10, i),
      p95: col(11, i),
      p99: col(12, i),
      bytes,
    }));
  }

  /** Frees the engine-side aggregator. */
  dispose(): void {
    if (this.disposed) return;
    this.io.rt.exports.mwin_free(this.handle);
    this.disposed = true;
  }
}

function sub<T>(col: ArrayLike<T>, from: number): ArrayLike<T> {
  if (from === 0) return col;
  if (ArrayBuffer.isView(col)) return (col as unknown as { subarray(a: number): ArrayLike<T> }).subarray(from);
  return Array.prototype.slice.call(col, from) as T[];
}

/** Window aggregation of events and metric samples. */
export interface WindowsApi {
  /** A new event aggregator. */
  events(options: AggregatorOptions): EventAggregator;
  /** A new metric aggregator. */
  metrics(options: Omit<AggregatorOptions, "precision">): MetricAggregator;
  /**
   * Merges two serialised partials of the same kind, series and window into
   * one (what the queue consumer does to a stored row). EngineError
   * incompatible for different keys, corrupt for bad bytes.
   */
  merge(a: Uint8Array, b: Uint8Array): Uint8Array;
  /** Merges serialised event partials into windows of `windowMs` (5 or 60 minutes): rollups. */
  rollupEvents(parts: Uint8Array[], windowMs: number, options?: Omit<AggregatorOptions, "capacity" | "windowMs">): WindowAggregate[];
  /** Merges serialised metric partials into windows of `windowMs`. */
  rollupMetrics(parts: Uint8Array[], windowMs: number, options?: { relativeAccuracy?: number }): MetricWindowAggregate[];
  /** Decodes one serialised event partial into its features. */
  decodeEvents(bytes: Uint8Array): WindowAggregate;
  /** Decodes one serialised metric partial into its features. */
  decodeMetrics(bytes: Uint8Array): MetricWindowAggregate;
}

/** Builds the windows API over a loaded runtime. */
export function createWindowsApi(rt: Runtime): WindowsApi {
  const io = new Io(rt);
  const x = rt.exports;
  const headerOf = (bytes: Uint8Array, kind: number, what: string) => {
    const ptr = io.bytesIn(bytes, what);
    const out = io.out.ensure(32);
    check(x.window_header(ptr, bytes.length, out), what);
    const v = rt.f64(out, 4);
    if (v[0] !== kind) throw new EngineError("corrupt", `${what}: corrupt (another kind of aggregate)`);
    return { series: v[1]!, windowStart: v[2]!, windowMs: v[3]! };
  };
  const api: WindowsApi = {
    events(o) {
      checkOptions(o, "event windows");
      const windowMs = o.windowMs ?? MINUTE_MS;
      const h = check(x.ewin_create(o.capacity, windowMs, o.relativeAccuracy ?? 0.01, o.precision ?? 12), "event windows create");
      return new EventAggregator(io, h, windowMs);
    },
    metrics(o) {
      checkOptions(o, "metric windows");
      const windowMs = o.windowMs ?? MINUTE_MS;
      const h = check(x.mwin_create(o.capacity, windowMs, o.relativeAccuracy ?? 0.01), "metric windows create");
      return new MetricAggregator(io, h, windowMs);
    },
    merge(a, b) {
      if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) invalid("window merge", "expected two Uint8Arrays");
      io.pending = null;
      const pa = rt.putU8(io.cols[0]!, a);
      const pb = rt.putU8(io.cols[1]!, b);
      const len = check(x.window_merge(pa, a.length, pb, b.length), "window merge");
      return rt.u8(x.out_ptr(), len).slice();
    },
    rollupEvents(parts, windowMs, options = {}) {
      const agg = api.events({ ...options, capacity: Math.max(1, parts.length), windowMs });
      try {
        agg.absorb(parts);
        return agg.flush();
      } finally {
        agg.dispose();
      }
    },
    rollupMetrics(parts, windowMs, options = {}) {
      const agg = api.metrics({ ...options, capacity: Math.max(1, parts.length), windowMs });
      try {
        agg.absorb(parts);
        return agg.flush();
      } finally {
        agg.dispose();
      }
    },
    decodeEvents(bytes) {
      const r = api.rollupEvents([bytes], headerOf(bytes, 1, "event aggregate decode").windowMs);
      if (r.length !== 1) throw new EngineError("corrupt", "event aggregate decode: corrupt");
      return r[0]!;
    },
    decodeMetrics(bytes) {
      const r = api.rollupMetrics([bytes], headerOf(bytes, 2, "metric aggregate decode").windowMs);
      if (r.length !== 1) throw new EngineError("corrupt", "metric aggregate decode: corrupt");
      return r[0]!;
    },
  };
  return api;
}
