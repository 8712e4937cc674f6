// Recommendations facade: replicas over a forecast path (HPA-style headroom,
// tolerance, fast scale-up, stabilised scale-down), CPU and memory requests
// from decaying usage histograms (VPA-style), and the savings at given unit
// prices. The algorithms live in engine/assembly/recommend.

import { check, EngineError, invalid } from "./errors";
import type { Forecast } from "./forecast";
import type { Runtime } from "./runtime";

/** Options for `replicas`. Loads and capacity share one unit (requests/s, cores, ...). */
export interface ReplicaOptions {
  /** Load one replica serves at 100% utilisation. */
  capacityPerReplica: number;
  /** Utilisation to hold, in (0, 1]; default 0.7. */
  targetUtilisation?: number;
  /** Extra share of load to provision for, >= 0; default 0.1. */
  headroom?: number;
  /** Bounds; default 1 and 1000. */
  min?: number;
  max?: number;
  /** Replicas running now; default `min`. */
  current?: number;
  /** Changes smaller than this share of the current replicas' need are skipped (HPA: 0.1); default 0.1. */
  tolerance?: number;
  /** Time between load points, ms. Needed unless the forecast carries timestamps. */
  stepMs?: number;
  /** Scale down only to the largest recommendation of this trailing window (HPA default 5 min); default 300000. */
  stabilisationWindowMs?: number;
  /** Time a new replica needs to become ready: each step provisions for the peak within it; default 0. */
  leadMs?: number;
  /** Which forecast band to provision for when given a Forecast; default "p90". */
  band?: "p10" | "p50" | "p90";
}

/** Replicas over a forecast path. */
export interface ReplicaPlan {
  /** Replicas at each step of the path. */
  replicas: Int32Array;
  /** The recommendation now (the first step). */
  now: number;
  /** Most replicas the path needs. */
  peak: number;
  /** Time-averaged replicas (what the path costs). */
  mean: number;
}

/** Usage samples of one container (or workload) over time. */
export interface UsageSamples {
  /** Sample times, ms. */
  timestamps: ArrayLike<number>;
  /** CPU used, cores. */
  cpu?: ArrayLike<number>;
  /** Memory used (working set or per-interval peak), bytes. */
  memory?: ArrayLike<number>;
}

/** Options for `resources`; the defaults are the VPA recommender's. */
export interface ResourceOptions {
  /** CPU percentile, 0..1; default 0.9. */
  cpuPercentile?: number;
  /** Memory percentile, 0..1, or "peak" (= 1); default 0.95. */
  memoryPercentile?: number | "peak";
  /** Safety margin added to the percentile; default 0.15. */
  safetyMargin?: number;
  /** Half-life of sample weights, ms; default 24 h. */
  halfLifeMs?: number;
  /** Smallest CPU request, cores; default 0.025. */
  minCpu?: number;
  /** Smallest memory request, bytes; default 250 MiB. */
  minMemory?: number;
  /** Histogram bucket growth; default 1.05 (5%). */
  bucketRatio?: number;
}

/** One resource's recommendation. */
export interface ResourceRecommendation {
  /** The request to set: max(percentile * (1 + margin), minimum). */
  request: number;
  /** The histogram percentile before the margin (a bucket's upper edge). */
  percentile: number;
  /** Total decayed sample weight behind it. */
  weight: number;
}

/** CPU (cores) and memory (bytes) requests; a resource without samples is absent. */
export interface ResourcesResult {
  cpu?: ResourceRecommendation;
  memory?: ResourceRecommendation;
}

/** A deployment's size, for costing. */
export interface DeploymentSize {
  /** Replicas (may be a time average). */
  replicas: number;
  /** CPU request per replica, cores. */
  cpu: number;
  /** Memory request per replica, bytes. */
  memoryBytes: number;
}

/** Unit prices. */
export interface UnitPrices {
  /** Per vCPU-hour. */
  vcpuHour: number;
  /** Per GiB-hour of memory. */
  gibHour: number;
  /** Per replica-hour (fixed overhead), default 0. */
  replicaHour?: number;
}

/** Monthly costs (730-hour month) and what the recommendation saves. */
export interface Savings {
  currentMonthly: number;
  recommendedMonthly: number;
  /** current - recommended; negative when the recommendation costs more. */
  monthlySavings: number;
  /** monthlySavings / currentMonthly (0 when current costs nothing). */
  fraction: number;
}

/** The recommendation API on `engine.recommend`. */
export interface RecommendApi {
  /**
   * Replicas that hold the target utilisation over a load path or forecast.
   * Loads must be finite and >= 0; a Forecast's band is clamped at 0.
   */
  replicas(load: ArrayLike<number> | Forecast, options: ReplicaOptions): ReplicaPlan;
  /** CPU and memory requests from usage samples (VPA recommender). */
  resources(samples: UsageSamples, options?: ResourceOptions): ResourcesResult;
  /** Monthly cost now vs recommended, at the given prices. */
  savings(current: DeploymentSize, recommended: DeploymentSize, prices: UnitPrices): Savings;
}

// VPA recommender constants (k8s.io/autoscaler vertical-pod-autoscaler/pkg/recommender/model).
const CPU_FIRST_BUCKET = 0.01;
const CPU_MAX = 1000;
const MEMORY_FIRST_BUCKET = 1e7;
const MEMORY_MAX = 1e12;
const GIB = 2 ** 30;
/** Replica counts cross into the engine as i32. */
const MAX_REPLICAS = 1_000_000_000;

function finite(ctx: string, name: string, v: unknown, { min = Number.NEGATIVE_INFINITY, integer = false } = {}): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new EngineError("not_finite", `${ctx}: ${name} must be a finite number`, { [name]: v });
  }
  if (integer && !Number.isInteger(v)) invalid(ctx, `${name} must be an integer`, { [name]: v });
  if (v < min) {
    throw new EngineError(min === 0 ? "negative" : "invalid_argument", `${ctx}: ${name} must be >= ${min}`, { [name]: v });
  }
  return v;
}

function column(ctx: string, name: string, values: ArrayLike<number>, n: number): void {
  if (values === null || typeof values !== "object" || values.length !== n) invalid(ctx, `${name} must have ${n} values`);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new EngineError("not_finite", `${ctx}: ${name}[${i}] is not a finite number`, { index: i });
    }
    if (v < 0) throw new EngineError("negative", `${ctx}: ${name}[${i}] is negative`, { index: i, value: v });
  }
}

/** Creates the recommendation API over a loaded runtime. */
export function createRecommendApi(rt: Runtime): RecommendApi {
  const input = rt.region();
  const scratch = rt.region();
  const out = rt.region();
  const ex = rt.exports;

  function resource(ctx: string, ts: number, vals: ArrayLike<number>, n: number, kind: "cpu" | "memory", o: ResourceOptions, pct: number) {
    const margin = finite(ctx, "safetyMargin", o.safetyMargin ?? 0.15, { min: 0 });
    const half = finite(ctx, "halfLifeMs", o.halfLifeMs ?? 86_400_000, { min: Number.MIN_VALUE });
    const ratio = finite(ctx, "bucketRatio", o.bucketRatio ?? 1.05, { min: 1.000001 });
    const minimum = kind === "cpu" ? finite(ctx, "minCpu", o.minCpu ?? 0.025, { min: 0 }) : finite(ctx, "minMemory", o.minMemory ?? 250 * 2 ** 20, { min: 0 });
    const vptr = rt.putF64(scratch, vals);
    const optr = out.ensure(24);
    check(
      ex.recommend_resource(ts, vptr, n, kind === "cpu" ? CPU_FIRST_BUCKET : MEMORY_FIRST_BUCKET, ratio, kind === "cpu" ? CPU_MAX : MEMORY_MAX, half, pct, margin, minimum, optr),
      `${ctx} (${kind})`,
    );
    const v = rt.f64(optr, 3);
    return { request: v[0] as number, percentile: v[1] as number, weight: v[2] as number };
  }

  return {
    replicas(load, o) {
      const ctx = "recommend.replicas";
      let values: ArrayLike<number>;
      let stepMs = o.stepMs;
      if (load !== null && typeof load === "object" && "p50" in load) {
        const band = o.band ?? "p90";
        if (!(band === "p10" || band === "p50" || band === "p90")) invalid(ctx, "band must be p10, p50 or p90", { band });
        // A forecast band may dip below zero on a quiet series: no load, not an error.
        values = Float64Array.from(load[band], (v) => (v < 0 ? 0 : v));
        stepMs ??= load.stepMs;
      } else {
        values = load as ArrayLike<number>;
      }
      const n = values?.length ?? 0;
      if (n < 1) invalid(ctx, "load must have at least one value");
      column(ctx, "load", values, n);
      const capacity = finite(ctx, "capacityPerReplica", o.capacityPerReplica, { min: Number.MIN_VALUE });
      const target = finite(ctx, "targetUtilisation", o.targetUtilisation ?? 0.7, { min: Number.MIN_VALUE });
      if (target > 1) invalid(ctx, "targetUtilisation must be in (0, 1]", { targetUtilisation: target });
      const headroom = finite(ctx, "headroom", o.headroom ?? 0.1, { min: 0 });
      const minR = finite(ctx, "min", o.min ?? 1, { min: 0, integer: true });
      const maxR = finite(ctx, "max", o.max ?? 1000, { min: minR, integer: true });
      const current = finite(ctx, "current", o.current ?? minR, { min: 0, integer: true });
      if (maxR > MAX_REPLICAS || current > MAX_REPLICAS) invalid(ctx, `replica counts must be <= ${MAX_REPLICAS}`, { max: maxR, current });
      const tolerance = finite(ctx, "tolerance", o.tolerance ?? 0.1, { min: 0 });
      if (tolerance >= 1) invalid(ctx, "tolerance must be < 1", { tolerance });
      const windowMs = finite(ctx, "stabilisationWindowMs", o.stabilisationWindowMs ?? 300_000, { min: 0 });
      const leadMs = finite(ctx, "leadMs", o.leadMs ?? 0, { min: 0 });
      let window = 0;
      let lead = 0;
      if (windowMs > 0 || leadMs > 0) {
        if (stepMs === undefined) invalid(ctx, "stepMs is needed to turn the window and lead into steps");
        finite(ctx, "stepMs", stepMs, { min: Number.MIN_VALUE });
        // Beyond the path's length a longer window or lead changes nothing; capping keeps them in i32.
        window = Math.min(Math.ceil(windowMs / stepMs), n + 1);
        lead = Math.min(Math.ceil(leadMs / stepMs), n + 1);
      }
      const lptr = rt.putF64(input, values);
      const base = scratch.ensure(n * 12);
      check(ex.recommend_replicas(lptr, n, capacity, target, headroom, minR, maxR, current, tolerance, window, lead, base, base + n * 4), ctx);
      const replicas = rt.i32(base, n).slice();
      let peak = 0;
      let sum = 0;
      for (const r of replicas) {
        peak = Math.max(peak, r);
        sum += r;
      }
      return { replicas, now: replicas[0] as number, peak, mean: sum / n };
    },

    resources(samples, o = {}) {
      const ctx = "recommend.resources";
      const n = samples?.timestamps?.length ?? 0;
      if (n < 1) throw new EngineError("insufficient_data", `${ctx}: no samples`);
      const ts = samples.timestamps;
      for (let i = 0; i < n; i++) {
        if (typeof ts[i] !== "number" || !Number.isFinite(ts[i])) {
          throw new EngineError("not_finite", `${ctx}: timestamps[${i}] is not a finite number`, { index: i });
        }
      }
      if (samples.cpu === undefined && samples.memory === undefined) invalid(ctx, "give cpu or memory samples");
      const cpuPct = finite(ctx, "cpuPercentile", o.cpuPercentile ?? 0.9, { min: 0 });
      const memPct = o.memoryPercentile === "peak" ? 1 : finite(ctx, "memoryPercentile", o.memoryPercentile ?? 0.95, { min: 0 });
      if (cpuPct > 1 || memPct > 1) invalid(ctx, "percentiles must be in [0, 1]");
      const result: ResourcesResult = {};
      const tptr = rt.putF64(input, ts);
      if (samples.cpu !== undefined) {
        column(ctx, "cpu", samples.cpu, n);
        result.cpu = resource(ctx, tptr, samples.cpu, n, "cpu", o, cpuPct);
      }
      if (samples.memory !== undefined) {
        column(ctx, "memory", samples.memory, n);
        result.memory = resource(ctx, tptr, samples.memory, n, "memory", o, memPct);
      }
      return result;
    },

    savings(current, recommended, prices) {
      const ctx = "recommend.savings";
      const vals = [
        current?.replicas,
        current?.cpu,
        (current?.memoryBytes ?? Number.NaN) / GIB,
        recommended?.replicas,
        recommended?.cpu,
        (recommended?.memoryBytes ?? Number.NaN) / GIB,
        prices?.vcpuHour,
        prices?.gibHour,
        prices?.replicaHour ?? 0,
      ];
      const names = ["current.replicas", "current.cpu", "current.memoryBytes", "recommended.replicas", "recommended.cpu", "recommended.memoryBytes", "prices.vcpuHour", "prices.gibHour", "prices.replicaHour"];
      vals.forEach((v, i) => finite(ctx, names[i] as string, v, { min: 0 }));
      const iptr = rt.putF64(input, vals as number[]);
      const optr = out.ensure(32);
      check(ex.recommend_savings(iptr, optr), ctx);
      const v = rt.f64(optr, 4);
      return { currentMonthly: v[0] as number, recommendedMonthly: v[1] as number, monthlySavings: v[2] as number, fraction: v[3] as number };
    },
  };
}
