// Moments: count, mean, M2 (sum of squared deviations), min and max, updated
// with Welford's recurrence and merged exactly (up to rounding) with Chan et
// al.'s parallel formula, so partial aggregates combine in any order.

import { OK, ERR_BAD_HANDLE, ERR_CORRUPT, ERR_NOT_FINITE } from "../util/status";
import { Registry } from "../util/registry";
import { ByteReader, ByteWriter, OUT, setBadIndex } from "../util/bytes";

/** First byte of serialised moments ('M'). */
export const MOMENTS_MAGIC: u32 = 0x4d;
/** Format version of serialised moments. */
export const MOMENTS_VERSION: u32 = 1;

/** Running moments of a stream of values. */
// Unmanaged: lives outside the GC so hot loops carry no shadow-stack traffic; freed by dispose().
// @ts-ignore: decorator
@unmanaged export class Moments {
  count: f64 = 0;
  mean: f64 = 0;
  m2: f64 = 0;
  min: f64 = Infinity;
  max: f64 = -Infinity;

  /** Welford's update for one value (finite: callers validate their batch). */
  @inline add(x: f64): void {
    const n = this.count + 1;
    const d = x - this.mean;
    const mean = this.mean + d / n;
    this.m2 += d * (x - mean);
    this.mean = mean;
    this.count = n;
    // Compare-and-select: cheaper than Math.min's NaN and -0 handling, and x is finite.
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  /** Chan et al.: combines two partial results as if all values were seen by one. */
  merge(o: Moments): void {
    if (o.count == 0) return;
    if (this.count == 0) {
      this.copyFrom(o);
      return;
    }
    const n = this.count + o.count;
    const d = o.mean - this.mean;
    this.mean += d * (o.count / n);
    this.m2 += o.m2 + d * d * ((this.count * o.count) / n);
    this.count = n;
    this.min = Math.min(this.min, o.min);
    this.max = Math.max(this.max, o.max);
  }

  copyFrom(o: Moments): void {
    this.count = o.count;
    this.mean = o.mean;
    this.m2 = o.m2;
    this.min = o.min;
    this.max = o.max;
  }

  clear(): void {
    this.count = 0;
    this.mean = 0;
    this.m2 = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  /** Sample variance (n - 1 denominator); 0 for fewer than two values. */
  variance(): f64 {
    return this.count > 1 ? this.m2 / (this.count - 1) : 0;
  }

  /** Writes the five fields (count as a varint, the rest as raw f64). */
  write(w: ByteWriter): void {
    w.varint(<u64>this.count);
    w.f64(this.mean);
    w.f64(this.m2);
    w.f64(this.min);
    w.f64(this.max);
  }

  /** Reads what `write` wrote; returns false on impossible values. */
  read(r: ByteReader): bool {
    this.count = <f64>r.varint();
    this.mean = r.f64();
    this.m2 = r.f64();
    this.min = r.f64();
    this.max = r.f64();
    if (!r.ok) return false;
    if (this.count == 0) return this.mean == 0 && this.m2 == 0 && this.min == Infinity && this.max == -Infinity;
    return isFinite(this.mean) && isFinite(this.m2) && this.m2 >= 0 && isFinite(this.min) && isFinite(this.max) && this.min <= this.max;
  }
}

const momentsReg = new Registry<Moments>();
const reader = new ByteReader();

/** Creates empty moments and returns a handle. Called by the facade once per sketch. */
export function moments_create(): i32 {
  return momentsReg.add(new Moments());
}

/** Releases a moments handle. */
export function moments_free(h: i32): i32 {
  const m = momentsReg.get(h);
  if (m === null) return ERR_BAD_HANDLE;
  momentsReg.remove(h);
  heap.free(changetype<usize>(m));
  return OK;
}

/** Adds `n` f64 values at `ptr`; rejects the whole batch if one is NaN or infinite. Called once per batch. */
export function moments_add(h: i32, ptr: usize, n: i32): i32 {
  const m = momentsReg.get(h);
  if (m === null) return ERR_BAD_HANDLE;
  for (let i = 0; i < n; i++) {
    if (!isFinite(load<f64>(ptr + (<usize>i << 3)))) {
      setBadIndex(i);
      return ERR_NOT_FINITE;
    }
  }
  for (let i = 0; i < n; i++) m.add(load<f64>(ptr + (<usize>i << 3)));
  return OK;
}

/** Merges `src` into `dst`. */
export function moments_merge(dst: i32, src: i32): i32 {
  const a = momentsReg.get(dst);
  const b = momentsReg.get(src);
  if (a === null || b === null) return ERR_BAD_HANDLE;
  a.merge(b);
  return OK;
}

/** Writes count, mean, M2, min, max, variance as six f64 at `out`. Called per read. */
export function moments_read(h: i32, out: usize): i32 {
  const m = momentsReg.get(h);
  if (m === null) return ERR_BAD_HANDLE;
  store<f64>(out, m.count);
  store<f64>(out, m.mean, 8);
  store<f64>(out, m.m2, 16);
  store<f64>(out, m.min, 24);
  store<f64>(out, m.max, 32);
  store<f64>(out, m.variance(), 40);
  return OK;
}

/** Serialises into the shared output buffer; returns the byte length. */
export function moments_serialize(h: i32): i32 {
  const m = momentsReg.get(h);
  if (m === null) return ERR_BAD_HANDLE;
  OUT.reset();
  OUT.u8(MOMENTS_MAGIC);
  OUT.u8(MOMENTS_VERSION);
  m.write(OUT);
  return <i32>OUT.len;
}

/** Creates moments from serialised bytes; returns a handle or ERR_CORRUPT. */
export function moments_deserialize(ptr: usize, len: usize): i32 {
  const r = reader.reset(ptr, len);
  if (r.u8() != MOMENTS_MAGIC || r.u8() != MOMENTS_VERSION) return ERR_CORRUPT;
  const m = new Moments();
  if (!m.read(r) || r.remaining != 0) return ERR_CORRUPT;
  return momentsReg.add(m);
}
