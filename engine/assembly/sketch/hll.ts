// HyperLogLog distinct counting (Flajolet et al. 2007) over 32-bit hashes
// from the host, mixed again here with murmur3's finaliser (a bijection, so
// it adds no collisions). Small sets stay sparse: an exact hash set of the
// mixed values, which is what most windows hold (a handful of endpoints) and
// serialises to a few bytes. Past `m / 8` values the set converts to dense
// registers (p = 12 by default: 4096 registers, standard error
// 1.04 / sqrt(4096) = 1.6%). The dense estimate is Ertl's improved raw
// estimator ("New cardinality estimation algorithms for HyperLogLog
// sketches", 2017), unbiased over the whole range without bias tables.
// Register j = top p bits of the mixed hash; its value = 1 + leading zeros of
// the remaining q = 32 - p bits (q + 1 when they are all zero).

import { OK, ERR_BAD_HANDLE, ERR_CORRUPT, ERR_INCOMPATIBLE, ERR_INVALID_ARGUMENT } from "../util/status";
import { Registry } from "../util/registry";
import { ByteReader, ByteWriter, OUT } from "../util/bytes";

/** Default precision: 2^12 registers, 1.6% standard error. */
export const DEFAULT_PRECISION: i32 = 12;
/** Accepted precisions. */
const MIN_PRECISION: i32 = 4;
const MAX_PRECISION: i32 = 16;
/** Initial slots of the sparse hash set (power of two). */
const SPARSE_INITIAL_SLOTS: i32 = 16;
/** First byte of a serialised HLL ('H'). */
export const HLL_MAGIC: u32 = 0x48;
/** Format version of a serialised HLL. */
export const HLL_VERSION: u32 = 1;
const MODE_SPARSE: u32 = 0;
const MODE_DENSE: u32 = 1;

/** murmur3's 32-bit finaliser: full avalanche, and a bijection. */
// @ts-ignore: decorator
@inline export function fmix32(h: u32): u32 {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

/** Mixes the `n` u32 hashes at `src` with fmix32 into `dst`, four at a time in SIMD lanes. Aggregators call it once per batch. */
export function mixColumn(src: usize, n: i32, dst: usize): void {
  const c1 = i32x4.splat(0x85ebca6b);
  const c2 = i32x4.splat(0xc2b2ae35);
  const quads = n >> 2;
  for (let j = 0; j < quads; j++) {
    let h = v128.load(src + (<usize>j << 4));
    h = v128.xor(h, i32x4.shr_u(h, 16));
    h = i32x4.mul(h, c1);
    h = v128.xor(h, i32x4.shr_u(h, 13));
    h = i32x4.mul(h, c2);
    h = v128.xor(h, i32x4.shr_u(h, 16));
    v128.store(dst + (<usize>j << 4), h);
  }
  for (let i = quads << 2; i < n; i++) store<u32>(dst + (<usize>i << 2), fmix32(load<u32>(src + (<usize>i << 2))));
}

/** A HyperLogLog sketch, sparse until it holds m / 8 distinct hashes. */
// Unmanaged: lives outside the GC so hot loops carry no shadow-stack traffic; freed by dispose().
// @ts-ignore: decorator
@unmanaged export class HyperLogLog {
  p: i32 = 0;
  m: i32 = 0;
  q: i32 = 0;
  /** Dense registers (m bytes) once converted, else 0. */
  dense: usize = 0;
  /** Sparse open-addressing set of mixed hashes (0 marks an empty slot). */
  sparse: usize = 0;
  slots: i32 = 0;
  /** Distinct non-zero hashes in the sparse set. */
  sparseCount: i32 = 0;
  /** The mixed hash 0 (which cannot be stored in the set) was seen. */
  hasZero: bool = false;
  sparseMax: i32 = 0;

  constructor(p: i32) {
    this.init(p);
  }

  /** Initialises an HLL (also one placed in caller-owned memory with changetype): empty and sparse. */
  init(p: i32): HyperLogLog {
    this.p = p;
    this.m = 1 << p;
    this.q = 32 - p;
    this.dense = 0;
    this.sparse = 0;
    this.slots = 0;
    this.sparseCount = 0;
    this.hasZero = false;
    this.sparseMax = this.m >> 3;
    return this;
  }

  /** Adds a host hash. */
  @inline add(hash: u32): void {
    this.addMixed(fmix32(hash));
  }

  /** Adds an already-mixed hash; the common cases (dense, or already in the sparse set at its home slot) inline. */
  @inline addMixedFast(h: u32): void {
    const dense = this.dense;
    if (dense != 0) {
      const w = h << this.p;
      const rho = w == 0 ? this.q + 1 : <i32>clz(w) + 1;
      const ptr = dense + (h >> this.q);
      if (rho > <i32>load<u8>(ptr)) store<u8>(ptr, <u8>rho);
    } else if (this.slots == 0 || load<u32>(this.sparse + (<usize>(h & (<u32>this.slots - 1)) << 2)) != h || h == 0) {
      this.addMixed(h);
    }
  }

  /** Adds an already-mixed hash. */
  addMixed(h: u32): void {
    if (this.dense != 0) {
      const j = h >> this.q;
      const w = h << this.p;
      const rho = w == 0 ? this.q + 1 : <i32>clz(w) + 1;
      const ptr = this.dense + j;
      if (rho > <i32>load<u8>(ptr)) store<u8>(ptr, <u8>rho);
      return;
    }
    if (h == 0) {
      this.hasZero = true;
      return;
    }
    if (this.slots == 0) {
      this.slots = SPARSE_INITIAL_SLOTS;
      this.sparse = heap.alloc(<usize>this.slots << 2);
      memory.fill(this.sparse, 0, <usize>this.slots << 2);
    }
    const mask = <u32>this.slots - 1;
    let s = h & mask;
    while (true) {
      const v = load<u32>(this.sparse + (<usize>s << 2));
      if (v == h) return;
      if (v == 0) break;
      s = (s + 1) & mask;
    }
    store<u32>(this.sparse + (<usize>s << 2), h);
    this.sparseCount++;
    if (this.sparseCount + (this.hasZero ? 1 : 0) > this.sparseMax) this.toDense();
    else if (this.sparseCount * 2 > this.slots) this.growSparse();
  }

  private growSparse(): void {
    const old = this.sparse, oldSlots = this.slots;
    this.slots = oldSlots << 1;
    this.sparse = heap.alloc(<usize>this.slots << 2);
    memory.fill(this.sparse, 0, <usize>this.slots << 2);
    const mask = <u32>this.slots - 1;
    for (let i = 0; i < oldSlots; i++) {
      const h = load<u32>(old + (<usize>i << 2));
      if (h == 0) continue;
      let s = h & mask;
      while (load<u32>(this.sparse + (<usize>s << 2)) != 0) s = (s + 1) & mask;
      store<u32>(this.sparse + (<usize>s << 2), h);
    }
    heap.free(old);
  }

  /** Moves the sparse set into dense registers. */
  toDense(): void {
    if (this.dense != 0) return;
    this.dense = heap.alloc(<usize>this.m);
    memory.fill(this.dense, 0, <usize>this.m);
    const sp = this.sparse, slots = this.slots, zero = this.hasZero;
    this.sparse = 0;
    this.slots = 0;
    this.sparseCount = 0;
    this.hasZero = false;
    if (zero) this.addMixed(0);
    for (let i = 0; i < slots; i++) {
      const h = load<u32>(sp + (<usize>i << 2));
      if (h != 0) this.addMixed(h);
    }
    if (sp != 0) heap.free(sp);
  }

  /** Estimated number of distinct hashes: exact while sparse. */
  estimate(): f64 {
    if (this.dense == 0) return <f64>(this.sparseCount + (this.hasZero ? 1 : 0));
    // Register histogram C[k], k = 0 .. q + 1 (q + 1 <= 29).
    const hist = changetype<usize>(histogram);
    memory.fill(hist, 0, 32 << 3);
    for (let j = 0; j < this.m; j++) {
      const p = hist + (<usize>load<u8>(this.dense + j) << 3);
      store<f64>(p, load<f64>(p) + 1);
    }
    const m = <f64>this.m;
    const q = this.q;
    let z = m * tau(1 - load<f64>(hist + (<usize>(q + 1) << 3)) / m);
    for (let k = q; k >= 1; k--) z = 0.5 * (z + load<f64>(hist + (<usize>k << 3)));
    z += m * sigma(load<f64>(hist) / m);
    return ALPHA_INF * m * m / z;
  }

  /** Adds every element of `o`; both must have the same precision. */
  merge(o: HyperLogLog): i32 {
    if (o.p != this.p) return ERR_INCOMPATIBLE;
    if (o.dense != 0) {
      this.toDense();
      for (let j = 0; j < this.m; j++) {
        const v = load<u8>(o.dense + j);
        if (v > load<u8>(this.dense + j)) store<u8>(this.dense + j, v);
      }
      return OK;
    }
    if (o.hasZero) this.addMixed(0);
    for (let i = 0; i < o.slots; i++) {
      const h = load<u32>(o.sparse + (<usize>i << 2));
      if (h != 0) this.addMixed(h);
    }
    return OK;
  }

  /** Back to an empty sparse set; keeps the sparse buffer, frees dense registers. */
  clear(): void {
    if (this.dense != 0) heap.free(this.dense);
    this.dense = 0;
    if (this.slots > 0) memory.fill(this.sparse, 0, <usize>this.slots << 2);
    this.sparseCount = 0;
    this.hasZero = false;
  }

  dispose(): void {
    this.clear();
    if (this.sparse != 0) heap.free(this.sparse);
    this.sparse = 0;
    this.slots = 0;
  }

  /**
   * Appends the serialised sketch: magic, version, p, mode; sparse: count and
   * the sorted mixed hashes as varint deltas; dense: the m register bytes.
   */
  write(w: ByteWriter): void {
    w.u8(HLL_MAGIC);
    w.u8(HLL_VERSION);
    w.u8(<u32>this.p);
    if (this.dense != 0) {
      w.u8(MODE_DENSE);
      w.bytes(this.dense, <usize>this.m);
      return;
    }
    w.u8(MODE_SPARSE);
    const n = this.sparseCount + (this.hasZero ? 1 : 0);
    w.varint(<u64>n);
    // Sort a copy of the set (at most m / 8 entries: insertion sort is enough).
    const tmp = sortScratch(n);
    let k = 0;
    if (this.hasZero) store<u32>(tmp, 0), k++;
    for (let i = 0; i < this.slots; i++) {
      const h = load<u32>(this.sparse + (<usize>i << 2));
      if (h == 0) continue;
      let j = k;
      while (j > 0 && load<u32>(tmp + (<usize>(j - 1) << 2)) > h) {
        store<u32>(tmp + (<usize>j << 2), load<u32>(tmp + (<usize>(j - 1) << 2)));
        j--;
      }
      store<u32>(tmp + (<usize>j << 2), h);
      k++;
    }
    let prev: u32 = 0;
    for (let i = 0; i < n; i++) {
      const h = load<u32>(tmp + (<usize>i << 2));
      w.varint(<u64>(h - prev));
      prev = h;
    }
  }

  /** Adds the serialised HLL at the reader into this one; validates fully before changing anything. */
  absorb(r: ByteReader): i32 {
    const start = r.pos;
    const st = readHll(r, null);
    if (st != OK) return st;
    if (<i32>load<u8>(start + 2) != this.p) return ERR_INCOMPATIBLE;
    const end = r.pos;
    r.pos = start;
    readHll(r, this);
    r.pos = end;
    return OK;
  }
}

/** Parses a serialised HLL; adds it to `into` unless null. Returns OK or ERR_CORRUPT. */
function readHll(r: ByteReader, into: HyperLogLog | null): i32 {
  if (r.u8() != HLL_MAGIC || r.u8() != HLL_VERSION) return ERR_CORRUPT;
  const p = <i32>r.u8();
  const mode = r.u8();
  if (!r.ok || p < MIN_PRECISION || p > MAX_PRECISION) return ERR_CORRUPT;
  const m = 1 << p;
  if (mode == MODE_DENSE) {
    const ptr = r.skip(<usize>m);
    if (!r.ok) return ERR_CORRUPT;
    const top = 32 - p + 1;
    for (let j = 0; j < m; j++) if (<i32>load<u8>(ptr + j) > top) return ERR_CORRUPT;
    if (into !== null) {
      into.toDense();
      for (let j = 0; j < m; j++) {
        const v = load<u8>(ptr + j);
        if (v > load<u8>(into.dense + j)) store<u8>(into.dense + j, v);
      }
    }
    return OK;
  }
  if (mode != MODE_SPARSE) return ERR_CORRUPT;
  const n = r.varint();
  if (!r.ok || n > <u64>(m >> 3)) return ERR_CORRUPT;
  let h: u64 = 0;
  for (let i: u64 = 0; i < n; i++) {
    const d = r.varint();
    if (!r.ok || (i > 0 && d == 0)) return ERR_CORRUPT;
    h += d;
    if (h > 0xffffffff) return ERR_CORRUPT;
    if (into !== null) into.addMixed(<u32>h);
  }
  return OK;
}

/** alpha_inf = 1 / (2 ln 2). */
const ALPHA_INF: f64 = 0.7213475204444817;
/** Histogram scratch for `estimate` (q + 2 <= 30 entries). */
const histogram = new StaticArray<f64>(32);
let sortBuf: usize = 0;
let sortCap: i32 = 0;

function sortScratch(n: i32): usize {
  if (n > sortCap) {
    if (sortBuf != 0) heap.free(sortBuf);
    sortCap = max(n, 64);
    sortBuf = heap.alloc(<usize>sortCap << 2);
  }
  return sortBuf;
}

/** Ertl's sigma(x) = x + sum_k x^(2^k) 2^(k-1). */
function sigma(x: f64): f64 {
  if (x == 1) return Infinity;
  let y: f64 = 1;
  let z = x;
  let zp: f64;
  do {
    x *= x;
    zp = z;
    z += x * y;
    y += y;
  } while (zp != z);
  return z;
}

/** Ertl's tau(x) = (1 - x - sum_k (1 - x^(2^-k))^2 2^-k) / 3. */
function tau(x: f64): f64 {
  if (x == 0 || x == 1) return 0;
  let y: f64 = 1;
  let z = 1 - x;
  let zp: f64;
  do {
    x = Math.sqrt(x);
    zp = z;
    y *= 0.5;
    const t = 1 - x;
    z -= t * t * y;
  } while (zp != z);
  return z / 3;
}

const hlls = new Registry<HyperLogLog>();
const reader = new ByteReader();

/** Creates an empty HLL with precision p (4..16); returns a handle. Called by the facade per sketch. */
export function hll_create(p: i32): i32 {
  if (p < MIN_PRECISION || p > MAX_PRECISION) return ERR_INVALID_ARGUMENT;
  return hlls.add(new HyperLogLog(p));
}

/** Releases an HLL and its buffers. */
export function hll_free(h: i32): i32 {
  const s = hlls.get(h);
  if (s === null) return ERR_BAD_HANDLE;
  s.dispose();
  hlls.remove(h);
  heap.free(changetype<usize>(s));
  return OK;
}

/** Adds `n` 32-bit hashes at `ptr`. Called once per batch. */
export function hll_add(h: i32, ptr: usize, n: i32): i32 {
  const s = hlls.get(h);
  if (s === null) return ERR_BAD_HANDLE;
  if (n < 0) return ERR_INVALID_ARGUMENT;
  for (let i = 0; i < n; i++) s.add(load<u32>(ptr + (<usize>i << 2)));
  return OK;
}

/** Merges `src` into `dst`. */
export function hll_merge(dst: i32, src: i32): i32 {
  const a = hlls.get(dst);
  const b = hlls.get(src);
  if (a === null || b === null) return ERR_BAD_HANDLE;
  return a.merge(b);
}

/** The distinct-count estimate (NaN for a bad handle). */
export function hll_estimate(h: i32): f64 {
  const s = hlls.get(h);
  if (s === null) return NaN;
  return s.estimate();
}

/** 1 when the HLL is dense, 0 when sparse, or ERR_BAD_HANDLE. */
export function hll_is_dense(h: i32): i32 {
  const s = hlls.get(h);
  if (s === null) return ERR_BAD_HANDLE;
  return s.dense != 0 ? 1 : 0;
}

/** Serialises into the shared output buffer; returns the byte length. */
export function hll_serialize(h: i32): i32 {
  const s = hlls.get(h);
  if (s === null) return ERR_BAD_HANDLE;
  OUT.reset();
  s.write(OUT);
  return <i32>OUT.len;
}

/** Creates an HLL from serialised bytes; returns a handle or ERR_CORRUPT. */
export function hll_deserialize(ptr: usize, len: usize): i32 {
  const r = reader.reset(ptr, len);
  if (readHll(r, null) != OK || r.remaining != 0) return ERR_CORRUPT;
  const s = new HyperLogLog(<i32>load<u8>(ptr + 2));
  readHll(reader.reset(ptr, len), s);
  return hlls.add(s);
}
