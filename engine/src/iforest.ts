// Isolation Forest facade: fit on window feature vectors (seeded,
// deterministic), score, serialise. The algorithm lives in
// engine/assembly/detect/iforest.ts; this file moves matrices in and out and
// turns statuses into typed errors.

import { check, EngineError, invalid } from "./errors";
import type { Region, Runtime } from "./runtime";

/**
 * A matrix of samples: either an array of rows (each `features` long), or a
 * flat row-major array with its feature count (`data[r * features + f]`).
 */
export type SampleMatrix = readonly ArrayLike<number>[] | { data: ArrayLike<number>; features: number };

/** Options for `iforest.fit`. */
export interface IsolationForestOptions {
  /** Number of trees; default 100. */
  trees?: number;
  /** Rows drawn (without replacement) per tree; default 256, capped at the sample count. */
  subsample?: number;
  /** PRNG seed (integer 0..2^32-1); the same seed and data give the same forest. Default 0. */
  seed?: number;
}

/** The shape of a fitted forest. */
export interface IsolationForestInfo {
  trees: number;
  /** Rows each tree was grown on (psi). */
  subsample: number;
  features: number;
  /** Nodes over all trees. */
  nodes: number;
  /** c(psi), the average path length that normalises scores. */
  c: number;
}

/** A fitted forest held by the engine. Call `dispose()` when done. */
export class IsolationForest {
  /** What was fitted. */
  readonly info: IsolationForestInfo;
  private handle: number;
  constructor(
    private readonly rt: Runtime,
    private readonly input: Region,
    private readonly out: Region,
    handle: number,
  ) {
    this.handle = handle;
    const ptr = out.ensure(5 * 8);
    check(rt.exports.iforest_info(handle, ptr), "iforest.info");
    const v = rt.f64(ptr, 5);
    this.info = { trees: v[0] as number, subsample: v[1] as number, features: v[2] as number, nodes: v[3] as number, c: v[4] as number };
  }

  /** Anomaly scores in [0, 1] for each row (2^(-E[h]/c(psi)); above about 0.6 is anomalous, below 0.5 normal). */
  score(samples: SampleMatrix): Float64Array {
    const h = this.live("iforest.score");
    const { ptr, rows } = writeMatrix(this.rt, this.input, "iforest.score", samples, this.info.features);
    const op = this.out.ensure(Math.max(rows, 1) * 8);
    const status: number = this.rt.exports.iforest_score(h, ptr, rows, op);
    if (status < 0) raise(this.rt, "iforest.score", status, this.info.features);
    return this.rt.f64(op, rows).slice();
  }

  /** The forest as bytes; `iforest.restore(bytes)` scores identically. */
  serialize(): Uint8Array {
    const h = this.live("iforest.serialize");
    const n = check(this.rt.exports.iforest_serialized_bytes(h), "iforest.serialize");
    const ptr = this.out.ensure(n);
    check(this.rt.exports.iforest_serialize(h, ptr), "iforest.serialize");
    return this.rt.u8(ptr, n).slice();
  }

  /** Releases the engine's forest. Further calls throw. */
  dispose(): void {
    if (this.handle >= 0) this.rt.exports.iforest_free(this.handle);
    this.handle = -1;
  }

  private live(ctx: string): number {
    if (this.handle < 0) invalid(ctx, "forest was disposed");
    return this.handle;
  }
}

/** The Isolation Forest API on `engine.iforest`. */
export interface IsolationForestApi {
  /** Fits a forest (at least 2 rows, finite values). */
  fit(samples: SampleMatrix, options?: IsolationForestOptions): IsolationForest;
  /** Restores a forest serialised by `IsolationForest.serialize`. */
  restore(bytes: Uint8Array): IsolationForest;
  /** c(n) = 2 H(n-1) - 2 (n-1)/n (c(2) = 1, c(n <= 1) = 0): the average path length normaliser. */
  c(n: number): number;
}

/** Throws the typed error for a fit/score status, with row and column for non-finite values. */
function raise(rt: Runtime, ctx: string, status: number, features: number): never {
  if (status === -2) {
    const flat: number = rt.exports.iforest_error_index();
    const row = Math.floor(flat / features);
    const column = flat - row * features;
    throw new EngineError("not_finite", `${ctx}: value at row ${row}, column ${column} is not finite`, { index: row, row, column });
  }
  check(status, ctx);
  throw new EngineError("invalid_argument", `${ctx}: unexpected status ${status}`);
}

/** Copies a sample matrix into a region row-major; `features` fixes the width when known. */
function writeMatrix(rt: Runtime, region: Region, ctx: string, m: SampleMatrix, features?: number): { ptr: number; rows: number; features: number } {
  if (Array.isArray(m)) {
    const rows = m.length;
    const nf = features ?? (rows > 0 ? (m[0] as ArrayLike<number>).length : 0);
    const ptr = region.ensure(Math.max(rows * nf, 1) * 8);
    const view = rt.f64(ptr, rows * nf);
    for (let r = 0; r < rows; r++) {
      const row = m[r] as ArrayLike<number>;
      if (row === null || typeof row !== "object" || row.length !== nf) {
        invalid(ctx, `row ${r} must have ${nf} numbers`, { index: r, row: r, length: row?.length });
      }
      for (let f = 0; f < nf; f++) view[r * nf + f] = row[f] as number;
    }
    return { ptr, rows, features: nf };
  }
  if (m === null || typeof m !== "object" || !("data" in m)) invalid(ctx, "samples must be an array of rows or { data, features }");
  const { data, features: nf } = m as { data: ArrayLike<number>; features: number };
  if (!Number.isInteger(nf) || nf < 1) invalid(ctx, "features must be a positive integer", { features: nf });
  if (features !== undefined && nf !== features) invalid(ctx, `expected ${features} features, got ${nf}`, { features: nf });
  if (data.length % nf !== 0) invalid(ctx, "data length is not a multiple of features", { length: data.length, features: nf });
  const rows = data.length / nf;
  const ptr = region.ensure(Math.max(data.length, 1) * 8);
  rt.f64(ptr, data.length).set(data);
  return { ptr, rows, features: nf };
}

/** Creates the Isolation Forest API over a loaded runtime. */
export function createIsolationForestApi(rt: Runtime): IsolationForestApi {
  const input = rt.region();
  const out = rt.region();
  return {
    fit(samples, options = {}) {
      const { trees = 100, subsample = 256, seed = 0 } = options;
      if (!Number.isInteger(trees) || trees < 1 || trees > 10_000) invalid("iforest.fit", "trees must be an integer in 1..10000", { trees });
      if (!Number.isInteger(subsample) || subsample < 2 || subsample > 65_536) {
        invalid("iforest.fit", "subsample must be an integer in 2..65536", { subsample });
      }
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) invalid("iforest.fit", "seed must be an integer in 0..2^32-1", { seed });
      const m = writeMatrix(rt, input, "iforest.fit", samples);
      if (m.rows < 2) throw new EngineError("insufficient_data", "iforest.fit: need at least 2 rows", { rows: m.rows });
      if (m.features < 1) invalid("iforest.fit", "rows must have at least one feature");
      const status: number = rt.exports.iforest_fit(m.ptr, m.rows, m.features, trees, subsample, seed | 0);
      if (status < 0) raise(rt, "iforest.fit", status, m.features);
      return new IsolationForest(rt, input, out, status);
    },
    restore(bytes) {
      if (!(bytes instanceof Uint8Array)) invalid("iforest.restore", "bytes must be a Uint8Array");
      const ptr = rt.putU8(input, bytes);
      const h = check(rt.exports.iforest_deserialize(ptr, bytes.length), "iforest.restore", { bytes: bytes.length });
      return new IsolationForest(rt, input, out, h);
    },
    c(n) {
      if (typeof n !== "number" || Number.isNaN(n)) invalid("iforest.c", "n must be a number", { n });
      return rt.exports.iforest_c(n) as number;
    },
  };
}
