// Sketches: relative-error quantiles (DDSketch), distinct counts
// (HyperLogLog) and moments (Welford/Chan). Mergeable and serialisable; the
// algorithms live in engine/assembly/sketch, this file moves data in and out.

import { check, EngineError, invalid } from "./errors";
import type { Region, Runtime } from "./runtime";

/** Options of a quantile sketch. */
export interface QuantileSketchOptions {
  /** Relative accuracy alpha in [1e-4, 0.5]; every quantile is within alpha of a true value. Default 0.01. */
  relativeAccuracy?: number;
  /** Bound on the bins of each side (positive, negative); past it the lowest bins collapse. Default 2048. */
  maxBins?: number;
}

/** Options of a distinct-count sketch. */
export interface DistinctSketchOptions {
  /** Precision p in [4, 16]: 2^p registers, standard error 1.04 / 2^(p/2). Default 12 (1.6%). */
  precision?: number;
}

/** Moments of a stream of values. */
export interface MomentsValue {
  count: number;
  mean: number;
  /** Sum of squared deviations from the mean. */
  m2: number;
  min: number;
  max: number;
  /** Sample variance (n - 1 denominator); 0 below two values. */
  variance: number;
  /** Square root of `variance`. */
  stddev: number;
}

/** Per-facade scratch: one input region and a small output region. */
class Scratch {
  readonly input: Region;
  readonly out: Region;
  constructor(readonly rt: Runtime) {
    this.input = rt.region();
    this.out = rt.region();
  }
  /** Copies the engine's shared output buffer (`len` bytes) out of linear memory. */
  takeOut(len: number): Uint8Array {
    return this.rt.u8(this.rt.exports.out_ptr(), len).slice();
  }
  /** Checks a batch status, attaching the engine's offending index. */
  checkBatch(status: number, context: string): void {
    if (status < 0) check(status, context, { index: this.rt.exports.bad_index() });
  }
}

/**
 * What the three sketches share: the engine handle (refused once disposed, since the engine may
 * hand a freed handle to a new object), merging, serialising and freeing, through the engine's
 * `<prefix>_merge`, `<prefix>_serialize` and `<prefix>_free` exports.
 */
abstract class EngineSketch {
  private disposed = false;

  /** @internal */
  constructor(
    protected readonly s: Scratch,
    private readonly h0: number,
    private readonly prefix: "ddsketch" | "hll" | "moments",
    private readonly label: string,
  ) {}

  /** @internal The engine handle; throws bad_handle once disposed. */
  get handle(): number {
    if (this.disposed) throw new EngineError("bad_handle", "sketch used after dispose()");
    return this.h0;
  }

  /** Adds everything `other` holds (same settings, else EngineError incompatible). */
  merge(other: this): void {
    check(this.s.rt.exports[`${this.prefix}_merge`](this.handle, other.handle), `${this.label} merge`);
  }

  /** Compact bytes with a magic and version header; the matching `*From` restores them. */
  serialize(): Uint8Array {
    const len = check(this.s.rt.exports[`${this.prefix}_serialize`](this.handle), `${this.label} serialize`);
    return this.s.takeOut(len);
  }

  /** Frees the engine-side object. */
  dispose(): void {
    if (this.disposed) return;
    this.s.rt.exports[`${this.prefix}_free`](this.handle);
    this.disposed = true;
  }
}

/** A mergeable quantile sketch with relative-error guarantees (DDSketch). Call `dispose()` when done. */
export class QuantileSketch extends EngineSketch {
  /** @internal */
  constructor(s: Scratch, h0: number) {
    super(s, h0, "ddsketch", "quantile sketch");
  }

  /** Adds values; rejects the whole batch (EngineError not_finite, details.index) if one is NaN or infinite. */
  add(values: ArrayLike<number>): void {
    if (values.length === 0) return;
    const ptr = this.s.rt.putF64(this.s.input, values);
    this.s.checkBatch(this.s.rt.exports.ddsketch_add(this.handle, ptr, values.length), "quantile sketch add");
  }

  /** The value at quantile q in [0, 1]; NaN when the sketch is empty. */
  quantile(q: number): number {
    return this.quantiles([q])[0] as number;
  }

  /** Values at several quantiles in one call. */
  quantiles(qs: ArrayLike<number>): number[] {
    const rt = this.s.rt;
    const qPtr = rt.putF64(this.s.input, qs);
    const outPtr = this.s.out.ensure(qs.length * 8);
    this.s.checkBatch(rt.exports.ddsketch_quantiles(this.handle, qPtr, qs.length, outPtr), "quantile sketch quantiles");
    return Array.from(rt.f64(outPtr, qs.length));
  }

  /** Count, min, max and how many values counted as zero. */
  stats(): { count: number; min: number; max: number; zeroCount: number; relativeAccuracy: number; maxBins: number } {
    const rt = this.s.rt;
    const p = this.s.out.ensure(48);
    check(rt.exports.ddsketch_stats(this.handle, p), "quantile sketch stats");
    const v = rt.f64(p, 6);
    return { count: v[0]!, min: v[1]!, max: v[2]!, zeroCount: v[3]!, relativeAccuracy: v[4]!, maxBins: v[5]! };
  }

  /** Number of values added. */
  get count(): number {
    return this.stats().count;
  }
}

/** A mergeable distinct-count sketch (HyperLogLog, exact while small). Call `dispose()` when done. */
export class DistinctSketch extends EngineSketch {
  /** @internal */
  constructor(s: Scratch, h0: number) {
    super(s, h0, "hll", "distinct sketch");
  }

  /** Adds 32-bit hashes of the items (any integers; only the low 32 bits count). */
  add(hashes: ArrayLike<number>): void {
    if (hashes.length === 0) return;
    const ptr = this.s.rt.putI32(this.s.input, hashes);
    check(this.s.rt.exports.hll_add(this.handle, ptr, hashes.length), "distinct sketch add");
  }

  /** Estimated number of distinct hashes (exact while the sketch is sparse). */
  estimate(): number {
    return this.s.rt.exports.hll_estimate(this.handle);
  }

  /** True once the sketch has switched from its exact sparse set to dense registers. */
  get dense(): boolean {
    return check(this.s.rt.exports.hll_is_dense(this.handle), "distinct sketch") === 1;
  }
}

/** Mergeable moments: count, mean, M2, min, max. Call `dispose()` when done. */
export class MomentsSketch extends EngineSketch {
  /** @internal */
  constructor(s: Scratch, h0: number) {
    super(s, h0, "moments", "moments");
  }

  /** Adds values; rejects the whole batch (not_finite, details.index) if one is NaN or infinite. */
  add(values: ArrayLike<number>): void {
    if (values.length === 0) return;
    const ptr = this.s.rt.putF64(this.s.input, values);
    this.s.checkBatch(this.s.rt.exports.moments_add(this.handle, ptr, values.length), "moments add");
  }

  /** The current moments. */
  read(): MomentsValue {
    const rt = this.s.rt;
    const p = this.s.out.ensure(48);
    check(rt.exports.moments_read(this.handle, p), "moments read");
    const v = rt.f64(p, 6);
    return { count: v[0]!, mean: v[1]!, m2: v[2]!, min: v[3]!, max: v[4]!, variance: v[5]!, stddev: Math.sqrt(v[5]!) };
  }
}

/** Creates and restores sketches. */
export interface SketchApi {
  /** A new empty quantile sketch. */
  quantiles(options?: QuantileSketchOptions): QuantileSketch;
  /** A new empty distinct-count sketch. */
  distinct(options?: DistinctSketchOptions): DistinctSketch;
  /** New empty moments. */
  moments(): MomentsSketch;
  /** Restores a quantile sketch; EngineError corrupt for bad, truncated or foreign bytes. */
  quantilesFrom(bytes: Uint8Array): QuantileSketch;
  /** Restores a distinct-count sketch; EngineError corrupt for bad bytes. */
  distinctFrom(bytes: Uint8Array): DistinctSketch;
  /** Restores moments; EngineError corrupt for bad bytes. */
  momentsFrom(bytes: Uint8Array): MomentsSketch;
}

/** Builds the sketch API over a loaded runtime. */
export function createSketchApi(rt: Runtime): SketchApi {
  const s = new Scratch(rt);
  const x = rt.exports;
  const fromBytes = (bytes: Uint8Array, fn: (ptr: number, len: number) => number, what: string): number => {
    if (!(bytes instanceof Uint8Array)) invalid(what, "expected a Uint8Array");
    const ptr = rt.putU8(s.input, bytes);
    return check(fn(ptr, bytes.length), what);
  };
  return {
    quantiles({ relativeAccuracy = 0.01, maxBins = 2048 } = {}) {
      if (!Number.isInteger(maxBins)) invalid("quantile sketch", "maxBins must be an integer", { maxBins });
      return new QuantileSketch(s, check(x.ddsketch_create(relativeAccuracy, maxBins), "quantile sketch create"));
    },
    distinct({ precision = 12 } = {}) {
      if (!Number.isInteger(precision)) invalid("distinct sketch", "precision must be an integer", { precision });
      return new DistinctSketch(s, check(x.hll_create(precision), "distinct sketch create"));
    },
    moments() {
      return new MomentsSketch(s, check(x.moments_create(), "moments create"));
    },
    quantilesFrom(bytes) {
      return new QuantileSketch(s, fromBytes(bytes, x.ddsketch_deserialize, "quantile sketch deserialize"));
    },
    distinctFrom(bytes) {
      return new DistinctSketch(s, fromBytes(bytes, x.hll_deserialize, "distinct sketch deserialize"));
    },
    momentsFrom(bytes) {
      return new MomentsSketch(s, fromBytes(bytes, x.moments_deserialize, "moments deserialize"));
    },
  };
}
