// Merging two serialised window aggregates of the same (series, window) into
// one: what the Worker's queue consumer does to fold a new partial into the
// row it stored in D1. Both are validated before anything is merged.

import { OK, ERR_CAPACITY, ERR_CORRUPT, ERR_INCOMPATIBLE } from "../util/status";
import { ByteReader, OUT } from "../util/bytes";
import { Moments } from "../sketch/moments";
import { readSketch } from "../sketch/ddsketch";
import { EventWindows, KIND_EVENTS, KIND_METRICS, WindowHeader } from "./events";
import { MetricWindows } from "./metrics";

const reader = new ByteReader();
const header = new WindowHeader();
const moments = new Moments();
let events: EventWindows | null = null;
let metrics: MetricWindows | null = null;

/** Scratch event aggregator of one slot for these parameters (rebuilt only when they change). */
function eventScratch(windowMs: f64, alpha: f64, precision: i32): EventWindows {
  let e = events;
  if (e === null || e.windowMs != windowMs || e.alpha != alpha || e.precision != precision) {
    if (e !== null) e.dispose();
    e = new EventWindows(1, windowMs, alpha, precision);
    events = e;
  }
  e.reset();
  return e;
}

function metricScratch(windowMs: f64, alpha: f64): MetricWindows {
  let m = metrics;
  if (m === null || m.windowMs != windowMs || m.alpha != alpha) {
    if (m !== null) m.dispose();
    m = new MetricWindows(1, windowMs, alpha);
    metrics = m;
  }
  m.reset();
  return m;
}

/**
 * Merges serialised aggregates a and b (same kind, series and window length
 * and start) into the shared output buffer; returns its length, or
 * ERR_CORRUPT / ERR_INCOMPATIBLE. Called once per stored-row update.
 */
export function window_merge(aPtr: usize, aLen: usize, bPtr: usize, bLen: usize): i32 {
  const r = reader.reset(aPtr, aLen);
  if (!header.read(r)) return ERR_CORRUPT;
  const kind = header.kind;
  const windowMs = header.windowMs;
  let st: i32;
  if (kind == KIND_EVENTS) {
    r.varint();
    r.varint();
    if (!moments.read(r) || r.remaining < 10) return ERR_CORRUPT;
    const alpha = load<f64>(r.pos + 2);
    if (readSketch(r, null) != OK || r.remaining < 3) return ERR_CORRUPT;
    const precision = <i32>load<u8>(r.pos + 2);
    if (!(alpha >= 1e-4 && alpha <= 0.5) || precision < 4 || precision > 16) return ERR_CORRUPT;
    const agg = eventScratch(windowMs, alpha, precision);
    st = agg.absorb(reader.reset(aPtr, aLen));
    if (st == OK) st = agg.absorb(reader.reset(bPtr, bLen));
    if (st == OK && agg.keys.used != 1) st = ERR_CORRUPT;
    if (st == OK) {
      OUT.reset();
      agg.writeSlot(OUT, 0);
    }
    agg.reset();
  } else if (kind == KIND_METRICS) {
    r.f64();
    if (!moments.read(r)) return ERR_CORRUPT;
    r.f64();
    r.f64();
    if (!r.ok || r.remaining < 10) return ERR_CORRUPT;
    const alpha = load<f64>(r.pos + 2);
    if (!(alpha >= 1e-4 && alpha <= 0.5)) return ERR_CORRUPT;
    const agg = metricScratch(windowMs, alpha);
    st = agg.absorb(reader.reset(aPtr, aLen));
    if (st == OK) st = agg.absorb(reader.reset(bPtr, bLen));
    if (st == OK && agg.keys.used != 1) st = ERR_CORRUPT;
    if (st == OK) {
      OUT.reset();
      agg.writeSlot(OUT, 0);
    }
    agg.reset();
  } else {
    return ERR_CORRUPT;
  }
  // A second key in a one-slot aggregator means a different series or window.
  if (st == ERR_CAPACITY) return ERR_INCOMPATIBLE;
  return st == OK ? <i32>OUT.len : st;
}

/** Writes kind, series, window start and window length (four f64) of a serialised aggregate at `out`; ERR_CORRUPT when the header is bad. */
export function window_header(ptr: usize, len: usize, out: usize): i32 {
  if (!header.read(reader.reset(ptr, len))) return ERR_CORRUPT;
  store<f64>(out, <f64>header.kind);
  store<f64>(out, <f64>header.series, 8);
  store<f64>(out, header.start, 16);
  store<f64>(out, header.windowMs, 24);
  return OK;
}
