// DDSketch: a quantile sketch with relative-error guarantees (Masson, Rim and
// Lee, VLDB 2019). A value x > 0 goes to bin floor(L(x) * multiplier), where
// L approximates log2(x) from the float's bits: the exponent plus a cubic
// polynomial of the mantissa (DDSketch's CubicallyInterpolatedMapping). No
// Math.log on the insert path. Each bin spans a ratio of at most
// gamma = (1 + alpha) / (1 - alpha), so the value reported for a bin is within
// alpha of every value in it. Negative values go to a mirrored store, values
// with magnitude below the smallest normal f64 to a zero count. Each store is
// a dense array of counts that grows on demand up to `maxBins`, past which
// the lowest bins collapse into one (DDSketch's collapsing-lowest store):
// memory stays bounded and only the lowest quantiles lose their guarantee.

import { OK, ERR_BAD_HANDLE, ERR_CORRUPT, ERR_INCOMPATIBLE, ERR_INVALID_ARGUMENT, ERR_NOT_FINITE } from "../util/status";
import { Registry } from "../util/registry";
import { ByteReader, ByteWriter, OUT, putVarint, setBadIndex } from "../util/bytes";
import { scanF64, scanMin, scanMax } from "../util/scan";

/** Default relative accuracy: 1%. */
export const DEFAULT_RELATIVE_ACCURACY: f64 = 0.01;
/** Default bound on the bins of each store (positive, negative). */
export const DEFAULT_MAX_BINS: i32 = 2048;
/** Bins a store allocates on its first value; it doubles from there. */
const INITIAL_BINS: i32 = 64;
/** Accepted relative accuracies. */
const MIN_ACCURACY: f64 = 1e-4;
const MAX_ACCURACY: f64 = 0.5;
/** Accepted bin bounds. */
const MIN_MAX_BINS: i32 = 16;
const MAX_MAX_BINS: i32 = 1 << 16;
/** Magnitudes below this (the smallest normal f64) count as zero. */
export const MIN_INDEXABLE: f64 = 2.2250738585072014e-308;
/** First byte of a serialised sketch ('D'). */
export const DDSKETCH_MAGIC: u32 = 0x44;
/** Format version of a serialised sketch. */
export const DDSKETCH_VERSION: u32 = 1;
/** Most bins a serialised store may claim (rejects absurd sizes before looping). */
const MAX_SERIAL_BINS: u64 = 1 << 20;

// Cubic interpolation of log2 on [1, 2): P(m) = A m^3 + B m^2 + C m, P(0) = 0,
// P(1) = 1. dL/d(ln x) = (1 + m) P'(m) >= C = 10/7 on [0, 1] (its minimum, at
// m = 0 and m = 2/3), so a bin of width 1/multiplier in L spans at most
// ln(gamma) in ln x when multiplier = 1 / (C ln gamma).
const CUBIC_A: f64 = 6.0 / 35.0;
const CUBIC_B: f64 = -3.0 / 5.0;
const CUBIC_C: f64 = 10.0 / 7.0;
const EXP_MASK: u64 = 0x7ff0000000000000;
const MANTISSA_MASK: u64 = 0x000fffffffffffff;
const ONE_BITS: u64 = 0x3ff0000000000000;
/** Bits of 2^52: or-ing a small integer k into them gives the double 2^52 + k. */
const MAGIC_BITS: u64 = 0x4330000000000000;
const MAGIC_PLUS_BIAS: f64 = 4503599627370496.0 + 1023.0;

/** The bin of |x| (x normal, finite): floor((exponent + P(mantissa)) * mult). */
// @ts-ignore: decorator
@inline export function cubicIndex(x: f64, mult: f64): i32 {
  const bits = reinterpret<u64>(x);
  const e = <f64>(<i32>((bits >> 52) & 0x7ff) - 1023);
  const m = reinterpret<f64>((bits & MANTISSA_MASK) | ONE_BITS) - 1.0;
  return <i32>Math.floor((e + ((CUBIC_A * m + CUBIC_B) * m + CUBIC_C) * m) * mult);
}

/** 2^e for e in the normal exponent range. */
function pow2(e: i32): f64 {
  if (e < -1022) return 0;
  if (e > 1023) return Infinity;
  return reinterpret<f64>(<u64>(e + 1023) << 52);
}

/** The smallest value of bin `index`: inverts L with Cardano's formula. Query path only. */
export function lowerBound(index: i32, mult: f64): f64 {
  const l = <f64>index / mult;
  const e = Math.floor(l);
  const A = CUBIC_A, B = CUBIC_B, C = CUBIC_C;
  const d0 = B * B - 3 * A * C;
  const d1 = 2 * B * B * B - 9 * A * B * C - 27 * A * A * (l - e);
  const cardano = Math.cbrt((d1 - Math.sqrt(d1 * d1 - 4 * d0 * d0 * d0)) / 2);
  const m = -(B + cardano + d0 / cardano) / (3 * A);
  return (1 + m) * pow2(<i32>e);
}

/** Marks a value with no positive bin (zero, tiny or negative) in an index column. */
export const NOT_INDEXED: i32 = i32.MIN_VALUE;

/**
 * Writes the positive-store bin of each of the `n` f64 at `valPtr` to the i32
 * column at `outPtr` (NOT_INDEXED for values below MIN_INDEXABLE), two at a
 * time in SIMD lanes. Aggregators call it once per batch so their per-event
 * loop only increments a bin. Values must be finite.
 */
export function indexColumn(valPtr: usize, n: i32, mult: f64, outPtr: usize): void {
  const vMin = f64x2.splat(MIN_INDEXABLE);
  const vMant = i64x2.splat(MANTISSA_MASK);
  const vOne = i64x2.splat(ONE_BITS);
  const vExpMask = i64x2.splat(0x7ff);
  const vMagic = i64x2.splat(MAGIC_BITS);
  const vMagicBias = f64x2.splat(MAGIC_PLUS_BIAS);
  const vA = f64x2.splat(CUBIC_A);
  const vB = f64x2.splat(CUBIC_B);
  const vC = f64x2.splat(CUBIC_C);
  const vMult = f64x2.splat(mult);
  const vNot = i32x4.splat(NOT_INDEXED);
  const pairs = n >> 1;
  for (let j = 0; j < pairs; j++) {
    const v = v128.load(valPtr + (<usize>j << 4));
    const e = f64x2.sub(v128.or(v128.and(i64x2.shr_u(v, 52), vExpMask), vMagic), vMagicBias);
    const m = f64x2.sub(v128.or(v128.and(v, vMant), vOne), f64x2.splat(1.0));
    const poly = f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(vA, m), vB), m), vC), m);
    const idx = i32x4.trunc_sat_f64x2_s_zero(f64x2.floor(f64x2.mul(f64x2.add(e, poly), vMult)));
    // ge gives 64-bit lane masks; narrow them to the two low 32-bit lanes.
    const ok = i8x16.shuffle(f64x2.ge(v, vMin), vNot, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23);
    const r = v128.bitselect(idx, vNot, ok);
    v128.store64_lane(outPtr + (<usize>j << 3), r, 0);
  }
  if (n & 1) {
    const x = load<f64>(valPtr + (<usize>(n - 1) << 3));
    store<i32>(outPtr + (<usize>(n - 1) << 2), x >= MIN_INDEXABLE ? cubicIndex(x, mult) : NOT_INDEXED);
  }
}

/** One side (positive or negative magnitudes) of a sketch: dense counts over [offset, offset + cap). */
// Unmanaged: lives outside the GC so hot loops carry no shadow-stack traffic; freed by dispose().
// @ts-ignore: decorator
@unmanaged export class Store {
  buf: usize = 0;
  cap: i32 = 0;
  offset: i32 = 0;
  /** True once low bins were folded: everything below `offset` belongs to bin `offset`. */
  collapsed: bool = false;

  constructor(public maxBins: i32) {}

  /** Initialises a store placed in caller-owned memory (changetype<Store>(ptr)): no allocation. */
  init(maxBins: i32): Store {
    this.buf = 0;
    this.cap = 0;
    this.offset = 0;
    this.collapsed = false;
    this.maxBins = maxBins;
    return this;
  }

  /** Adds weight `w` to bin `idx`. */
  @inline add(idx: i32, w: f64): void {
    const k = idx - this.offset;
    if (<u32>k < <u32>this.cap) {
      const p = this.buf + (<usize>k << 3);
      store<f64>(p, load<f64>(p) + w);
    } else {
      this.addSlow(idx, w);
    }
  }

  /** Grows, re-centres or collapses the array so that `idx` fits, then adds. Rare: amortised over many values. */
  addSlow(idx: i32, w: f64): void {
    const maxBins = this.maxBins;
    if (this.cap == 0) {
      const cap = min(INITIAL_BINS, maxBins);
      this.buf = heap.alloc(<usize>cap << 3);
      memory.fill(this.buf, 0, <usize>cap << 3);
      this.cap = cap;
      this.offset = idx - (cap >> 1);
      store<f64>(this.buf + (<usize>(idx - this.offset) << 3), w);
      return;
    }
    if (this.collapsed && idx < this.offset) {
      store<f64>(this.buf, load<f64>(this.buf) + w);
      return;
    }
    const oldBuf = this.buf, oldCap = this.cap, oldOff = this.offset;
    let lo = idx, hi = idx;
    for (let k = 0; k < oldCap; k++) {
      if (load<f64>(oldBuf + (<usize>k << 3)) != 0) {
        lo = min(lo, oldOff + k);
        break;
      }
    }
    for (let k = oldCap - 1; k >= 0; k--) {
      if (load<f64>(oldBuf + (<usize>k << 3)) != 0) {
        hi = max(hi, oldOff + k);
        break;
      }
    }
    let collapse = false;
    if (hi - lo + 1 > maxBins) {
      lo = hi - maxBins + 1;
      collapse = true;
    }
    const span = hi - lo + 1;
    let cap = oldCap;
    while (cap < span) cap <<= 1;
    if (cap > maxBins) cap = max(maxBins, oldCap);
    const off = collapse || this.collapsed ? lo : lo - ((cap - span) >> 1);
    const buf = heap.alloc(<usize>cap << 3);
    memory.fill(buf, 0, <usize>cap << 3);
    for (let k = 0; k < oldCap; k++) {
      const c = load<f64>(oldBuf + (<usize>k << 3));
      if (c == 0) continue;
      const t = max(oldOff + k, off) - off;
      const p = buf + (<usize>t << 3);
      store<f64>(p, load<f64>(p) + c);
    }
    heap.free(oldBuf);
    this.buf = buf;
    this.cap = cap;
    this.offset = off;
    if (collapse) this.collapsed = true;
    const p = buf + (<usize>(max(idx, off) - off) << 3);
    store<f64>(p, load<f64>(p) + w);
  }

  /** Sum of all bins. */
  total(): f64 {
    let s: f64 = 0;
    for (let k = 0; k < this.cap; k++) s += load<f64>(this.buf + (<usize>k << 3));
    return s;
  }

  /** Empties the store, keeping its buffer. */
  clear(): void {
    if (this.cap > 0) memory.fill(this.buf, 0, <usize>this.cap << 3);
    this.collapsed = false;
  }

  /** Adds every bin of `o`. */
  mergeFrom(o: Store): void {
    for (let k = 0; k < o.cap; k++) {
      const c = load<f64>(o.buf + (<usize>k << 3));
      if (c != 0) this.add(o.offset + k, c);
    }
  }

  dispose(): void {
    if (this.buf != 0) heap.free(this.buf);
    this.buf = 0;
    this.cap = 0;
    this.collapsed = false;
  }

  /** Sparse encoding: bin count, then (index delta, count) pairs as varints. */
  write(w: ByteWriter): void {
    let n: u64 = 0;
    for (let k = 0; k < this.cap; k++) if (load<f64>(this.buf + (<usize>k << 3)) != 0) n++;
    // One reservation, then raw stores: at most 10 bytes per varint.
    w.ensure(10 + <usize>n * 20);
    let p = putVarint(w.ptr + w.len, n);
    let prev: i32 = 0;
    let first = true;
    for (let k = 0; k < this.cap; k++) {
      const c = load<f64>(this.buf + (<usize>k << 3));
      if (c == 0) continue;
      const idx = this.offset + k;
      if (first) p = putVarint(p, <u64>((<i64>idx << 1) ^ (<i64>idx >> 63)));
      else p = putVarint(p, <u64>(idx - prev));
      p = putVarint(p, <u64>c);
      prev = idx;
      first = false;
    }
    w.len = p - w.ptr;
  }
}

/** Reads one store's bins; adds them to `into` unless it is null (validation pass). Returns the total, or -1 when corrupt. */
function readStore(r: ByteReader, into: Store | null, maxIndex: i32): f64 {
  const n = r.varint();
  if (!r.ok || n > MAX_SERIAL_BINS || n > <u64>r.remaining) return -1;
  let idx: i64 = 0;
  let total: f64 = 0;
  for (let i: u64 = 0; i < n; i++) {
    if (i == 0) idx = r.svarint();
    else {
      const d = r.varint();
      if (d == 0 || d > <u64>(2 * maxIndex)) return -1;
      idx += <i64>d;
    }
    const c = r.varint();
    if (!r.ok || c == 0 || idx > <i64>maxIndex || idx < -<i64>maxIndex) return -1;
    total += <f64>c;
    if (into !== null) into.add(<i32>idx, <f64>c);
  }
  return total;
}

/** A relative-error quantile sketch. */
// Unmanaged: lives outside the GC so hot loops carry no shadow-stack traffic; freed by dispose().
// @ts-ignore: decorator
@unmanaged export class DDSketch {
  mult: f64;
  /** Largest bin index any finite value can reach (validates deserialised bins). */
  maxIndex: i32;
  pos: Store;
  neg: Store;
  ownsPos: bool;
  zero: f64 = 0;
  count: f64 = 0;
  min: f64 = Infinity;
  max: f64 = -Infinity;

  /** When `posAt` is not 0 the positive store lives there (an aggregator's slot record), not in its own allocation. */
  constructor(public alpha: f64, public maxBins: i32, posAt: usize = 0) {
    const mult = 1.0 / (CUBIC_C * Math.log((1 + alpha) / (1 - alpha)));
    this.mult = mult;
    this.maxIndex = <i32>Math.ceil(1100 * mult);
    this.pos = posAt != 0 ? changetype<Store>(posAt).init(maxBins) : new Store(maxBins);
    this.neg = new Store(maxBins);
    this.ownsPos = posAt == 0;
  }

  /** Adds a finite value whose positive bin `idx` was precomputed by `indexColumn` (NOT_INDEXED otherwise). */
  @inline addIndexed(x: f64, idx: i32): void {
    this.count += 1;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (idx != NOT_INDEXED) this.pos.add(idx, 1);
    else if (x <= -MIN_INDEXABLE) this.neg.add(cubicIndex(x, this.mult), 1);
    else this.zero += 1;
  }

  /** Adds one finite value. For aggregators that validated their batch. */
  @inline addOne(x: f64): void {
    this.count += 1;
    this.min = Math.min(this.min, x);
    this.max = Math.max(this.max, x);
    if (x >= MIN_INDEXABLE) this.pos.add(cubicIndex(x, this.mult), 1);
    else if (x <= -MIN_INDEXABLE) this.neg.add(cubicIndex(x, this.mult), 1);
    else this.zero += 1;
  }

  /** Adds `n` f64 values at `ptr`; rejects the whole batch when one is NaN or infinite. */
  addBatch(ptr: usize, n: i32): i32 {
    const bad = scanF64(ptr, n);
    if (bad >= 0) {
      setBadIndex(bad);
      return ERR_NOT_FINITE;
    }
    const mult = this.mult;
    const pos = this.pos;
    let buf = pos.buf;
    let off = pos.offset;
    let cap = pos.cap;
    let zero: f64 = 0;
    // Two values at a time: the index arithmetic in SIMD lanes, the two bin
    // increments scalar. A pair that is not all positive-normal, or that
    // lands outside the current array, takes the scalar path below.
    const pairs = n >> 1;
    const vMin = f64x2.splat(MIN_INDEXABLE);
    const vMant = i64x2.splat(MANTISSA_MASK);
    const vOne = i64x2.splat(ONE_BITS);
    const vExpMask = i64x2.splat(0x7ff);
    const vMagic = i64x2.splat(MAGIC_BITS);
    const vMagicBias = f64x2.splat(MAGIC_PLUS_BIAS);
    const vA = f64x2.splat(CUBIC_A);
    const vB = f64x2.splat(CUBIC_B);
    const vC = f64x2.splat(CUBIC_C);
    const vMult = f64x2.splat(mult);
    let i = 0;
    for (let j = 0; j < pairs; j++) {
      const v = v128.load(ptr + (<usize>j << 4));
      if (!i64x2.all_true(f64x2.ge(v, vMin))) {
        for (let t = 0; t < 2; t++) {
          const x = load<f64>(ptr + (<usize>(2 * j + t) << 3));
          if (x >= MIN_INDEXABLE) pos.add(cubicIndex(x, mult), 1.0);
          else if (x <= -MIN_INDEXABLE) this.neg.add(cubicIndex(x, mult), 1.0);
          else zero += 1;
        }
        buf = pos.buf;
        off = pos.offset;
        cap = pos.cap;
        continue;
      }
      // e + 2^52 + 1023 exactly, from the exponent bits or-ed into 2^52's bits.
      const e = f64x2.sub(v128.or(v128.and(i64x2.shr_u(v, 52), vExpMask), vMagic), vMagicBias);
      const m = f64x2.sub(v128.or(v128.and(v, vMant), vOne), f64x2.splat(1.0));
      const poly = f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(vA, m), vB), m), vC), m);
      const idx = i32x4.trunc_sat_f64x2_s_zero(f64x2.floor(f64x2.mul(f64x2.add(e, poly), vMult)));
      const k0 = i32x4.extract_lane(idx, 0) - off;
      const k1 = i32x4.extract_lane(idx, 1) - off;
      if (<u32>k0 < <u32>cap && <u32>k1 < <u32>cap) {
        const p0 = buf + (<usize>k0 << 3);
        store<f64>(p0, load<f64>(p0) + 1.0);
        const p1 = buf + (<usize>k1 << 3);
        store<f64>(p1, load<f64>(p1) + 1.0);
      } else {
        pos.add(k0 + off, 1.0);
        pos.add(k1 + off, 1.0);
        buf = pos.buf;
        off = pos.offset;
        cap = pos.cap;
      }
    }
    i = pairs << 1;
    for (; i < n; i++) {
      const x = load<f64>(ptr + (<usize>i << 3));
      if (x >= MIN_INDEXABLE) {
        const k = cubicIndex(x, mult) - off;
        if (<u32>k < <u32>cap) {
          const p = buf + (<usize>k << 3);
          store<f64>(p, load<f64>(p) + 1.0);
        } else {
          pos.addSlow(k + off, 1.0);
          buf = pos.buf;
          off = pos.offset;
          cap = pos.cap;
        }
      } else if (x <= -MIN_INDEXABLE) {
        this.neg.add(cubicIndex(x, mult), 1.0);
      } else {
        zero += 1;
      }
    }
    this.zero += zero;
    this.count += <f64>n;
    if (n > 0) {
      this.min = Math.min(this.min, scanMin);
      this.max = Math.max(this.max, scanMax);
    }
    return OK;
  }

  /** Adds every value of `o`; both must have the same accuracy. */
  merge(o: DDSketch): i32 {
    if (o.alpha != this.alpha) return ERR_INCOMPATIBLE;
    this.pos.mergeFrom(o.pos);
    this.neg.mergeFrom(o.neg);
    this.zero += o.zero;
    this.count += o.count;
    this.min = Math.min(this.min, o.min);
    this.max = Math.max(this.max, o.max);
    return OK;
  }

  /** The value at quantile q in [0, 1] (rank q (count - 1)), clamped to [min, max]; exact min and max at 0 and 1; NaN when empty. */
  quantile(q: f64): f64 {
    if (this.count == 0) return NaN;
    if (q <= 0) return this.min;
    if (q >= 1) return this.max;
    const rank = q * (this.count - 1);
    let cum: f64 = 0;
    const neg = this.neg;
    for (let k = neg.cap - 1; k >= 0; k--) {
      cum += load<f64>(neg.buf + (<usize>k << 3));
      if (cum > rank) return this.clamp(-this.value(neg.offset + k));
    }
    cum += this.zero;
    if (cum > rank) return this.clamp(0);
    const pos = this.pos;
    for (let k = 0; k < pos.cap; k++) {
      cum += load<f64>(pos.buf + (<usize>k << 3));
      if (cum > rank) return this.clamp(this.value(pos.offset + k));
    }
    return this.max;
  }

  /** The representative of a bin: lower bound times (1 + alpha), within alpha of all its values. */
  value(index: i32): f64 {
    return lowerBound(index, this.mult) * (1 + this.alpha);
  }

  @inline private clamp(v: f64): f64 {
    return Math.max(this.min, Math.min(this.max, v));
  }

  clear(): void {
    this.pos.clear();
    this.neg.clear();
    this.zero = 0;
    this.count = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  /** Frees the stores' buffers. The sketch stays usable (they regrow). */
  dispose(): void {
    this.pos.dispose();
    this.neg.dispose();
  }

  /** Frees the buffers and the sketch itself (it is unmanaged). */
  destroy(): void {
    this.dispose();
    heap.free(changetype<usize>(this.neg));
    if (this.ownsPos) heap.free(changetype<usize>(this.pos));
    heap.free(changetype<usize>(this));
  }

  /** Appends the serialised sketch: header, zero count, min, max, then the sparse stores. */
  write(w: ByteWriter): void {
    w.u8(DDSKETCH_MAGIC);
    w.u8(DDSKETCH_VERSION);
    w.f64(this.alpha);
    w.varint(<u64>this.maxBins);
    w.varint(<u64>this.zero);
    w.f64(this.min);
    w.f64(this.max);
    this.pos.write(w);
    this.neg.write(w);
  }

  /**
   * Adds the serialised sketch at the reader's position into this one (which
   * must have the same accuracy). Validates everything before changing
   * anything: returns OK, ERR_CORRUPT or ERR_INCOMPATIBLE.
   */
  absorb(r: ByteReader): i32 {
    const start = r.pos;
    const st = readSketch(r, null);
    if (st != OK) return st;
    if (readHeaderAlpha(start) != this.alpha) return ERR_INCOMPATIBLE;
    const end = r.pos;
    r.pos = start;
    readSketch(r, this);
    r.pos = end;
    return OK;
  }
}

function readHeaderAlpha(start: usize): f64 {
  return load<f64>(start + 2);
}

/** Parses a serialised sketch; when `into` is not null adds it there. Returns OK or ERR_CORRUPT. */
export function readSketch(r: ByteReader, into: DDSketch | null): i32 {
  if (r.u8() != DDSKETCH_MAGIC || r.u8() != DDSKETCH_VERSION) return ERR_CORRUPT;
  const alpha = r.f64();
  const maxBins = r.varint();
  if (!r.ok || !(alpha >= MIN_ACCURACY && alpha <= MAX_ACCURACY)) return ERR_CORRUPT;
  if (maxBins < <u64>MIN_MAX_BINS || maxBins > <u64>MAX_MAX_BINS) return ERR_CORRUPT;
  const zero = <f64>r.varint();
  const mn = r.f64();
  const mx = r.f64();
  if (!r.ok) return ERR_CORRUPT;
  const maxIndex = into !== null ? into.maxIndex : <i32>Math.ceil(1100 / (CUBIC_C * Math.log((1 + alpha) / (1 - alpha))));
  const p = readStore(r, into !== null ? into.pos : null, maxIndex);
  if (p < 0) return ERR_CORRUPT;
  const q = readStore(r, into !== null ? into.neg : null, maxIndex);
  if (q < 0) return ERR_CORRUPT;
  const count = p + q + zero;
  if (count == 0) {
    if (mn != Infinity || mx != -Infinity) return ERR_CORRUPT;
  } else if (!(isFinite(mn) && isFinite(mx) && mn <= mx)) return ERR_CORRUPT;
  if (into !== null) {
    into.zero += zero;
    into.count += count;
    into.min = Math.min(into.min, mn);
    into.max = Math.max(into.max, mx);
  }
  return OK;
}

const sketches = new Registry<DDSketch>();
const reader = new ByteReader();

/** Creates an empty sketch; returns a handle or ERR_INVALID_ARGUMENT. Called by the facade per sketch. */
export function ddsketch_create(alpha: f64, maxBins: i32): i32 {
  if (!(alpha >= MIN_ACCURACY && alpha <= MAX_ACCURACY)) return ERR_INVALID_ARGUMENT;
  if (maxBins < MIN_MAX_BINS || maxBins > MAX_MAX_BINS) return ERR_INVALID_ARGUMENT;
  return sketches.add(new DDSketch(alpha, maxBins));
}

/** Releases a sketch and its buffers. */
export function ddsketch_free(h: i32): i32 {
  const s = sketches.get(h);
  if (s === null) return ERR_BAD_HANDLE;
  sketches.remove(h);
  s.destroy();
  return OK;
}

/** Adds `n` f64 values at `ptr`. Called once per batch; the hot loop. */
export function ddsketch_add(h: i32, ptr: usize, n: i32): i32 {
  const s = sketches.get(h);
  if (s === null) return ERR_BAD_HANDLE;
  if (n < 0) return ERR_INVALID_ARGUMENT;
  return s.addBatch(ptr, n);
}

/** Merges sketch `src` into `dst`. */
export function ddsketch_merge(dst: i32, src: i32): i32 {
  const a = sketches.get(dst);
  const b = sketches.get(src);
  if (a === null || b === null) return ERR_BAD_HANDLE;
  return a.merge(b);
}

/** Writes the quantiles for the `n` q values at `qPtr` to `outPtr` (NaN when empty). */
export function ddsketch_quantiles(h: i32, qPtr: usize, n: i32, outPtr: usize): i32 {
  const s = sketches.get(h);
  if (s === null) return ERR_BAD_HANDLE;
  for (let i = 0; i < n; i++) {
    const q = load<f64>(qPtr + (<usize>i << 3));
    if (!(q >= 0 && q <= 1)) {
      setBadIndex(i);
      return ERR_INVALID_ARGUMENT;
    }
  }
  for (let i = 0; i < n; i++) store<f64>(outPtr + (<usize>i << 3), s.quantile(load<f64>(qPtr + (<usize>i << 3))));
  return OK;
}

/** Writes count, min, max, zero count, alpha, maxBins as six f64 at `out`. */
export function ddsketch_stats(h: i32, out: usize): i32 {
  const s = sketches.get(h);
  if (s === null) return ERR_BAD_HANDLE;
  store<f64>(out, s.count);
  store<f64>(out, s.min, 8);
  store<f64>(out, s.max, 16);
  store<f64>(out, s.zero, 24);
  store<f64>(out, s.alpha, 32);
  store<f64>(out, <f64>s.maxBins, 40);
  return OK;
}

/** Serialises into the shared output buffer; returns the byte length. */
export function ddsketch_serialize(h: i32): i32 {
  const s = sketches.get(h);
  if (s === null) return ERR_BAD_HANDLE;
  OUT.reset();
  s.write(OUT);
  return <i32>OUT.len;
}

/** Creates a sketch from serialised bytes at `ptr`; returns a handle or ERR_CORRUPT. */
export function ddsketch_deserialize(ptr: usize, len: usize): i32 {
  const r = reader.reset(ptr, len);
  const st = readSketch(r, null);
  if (st != OK || r.remaining != 0) return ERR_CORRUPT;
  const alpha = load<f64>(ptr + 2);
  r.reset(ptr + 10, len - 10);
  const maxBins = <i32>r.varint();
  const s = new DDSketch(alpha, maxBins);
  readSketch(reader.reset(ptr, len), s);
  return sketches.add(s);
}
