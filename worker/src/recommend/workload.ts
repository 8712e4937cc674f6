// Recommendations for a workload: replicas over the forecast of its request
// rate (or of its CPU utilisation), CPU and memory requests from its usage
// history (VPA-style), and what the change saves at given prices. The numbers
// come from the engine; this file gathers history and explains the result.
import { z } from "zod";
import type { Engine, ReplicaPlan, ResourcesResult } from "../../../engine/src/index";
import type { Recommendation } from "../api-types";
import { findSeries, readHistory } from "../db/history";

const MINUTE_MS = 60_000;
const HISTORY_MS = 7 * 86_400_000;
const GIB = 1024 ** 3;

/** Kubernetes quantities: "512Mi", "1Gi", "500m" (CPU) or plain numbers. */
const quantity = z.union([z.number().finite().min(0), z.string().regex(/^\d+(\.\d+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/, "a number or a Kubernetes quantity like 512Mi or 500m")]);

/** Parses a Kubernetes quantity to a number (cores for CPU, bytes for memory). */
export function parseQuantity(q: number | string): number {
  if (typeof q === "number") return q;
  const m = /^(\d+(?:\.\d+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/.exec(q)!;
  const v = Number(m[1]);
  const unit: Record<string, number> = { m: 1e-3, k: 1e3, Ki: 1024, M: 1e6, Mi: 1024 ** 2, G: 1e9, Gi: GIB, T: 1e12, Ti: 1024 ** 4 };
  return m[2] ? v * unit[m[2]]! : v;
}

/** A workload's current state and settings, as POST /api/v1/recommend takes them. */
export const workloadSpec = z
  .object({
    workload: z.string().min(1).max(200),
    replicas: z.number().int().min(0).max(100_000),
    cpu_request: quantity.optional(),
    memory_request: quantity.optional(),
    cpu_limit: quantity.optional(),
    memory_limit: quantity.optional(),
    target_utilization: z.number().gt(0).max(1).default(0.7),
    /** Requests per second one replica serves at 100% utilisation. */
    capacity_per_replica: z.number().positive().optional(),
    /** Current average CPU utilisation of the requests, 0..1+. */
    cpu_utilization: z.number().min(0).max(10).optional(),
    min_replicas: z.number().int().min(0).default(1),
    max_replicas: z.number().int().min(1).default(100),
    horizon_minutes: z.number().int().min(1).max(7 * 1440).default(60),
    headroom: z.number().min(0).max(10).default(0.1),
    prices: z.object({ vcpu_hour: z.number().min(0), gib_hour: z.number().min(0), replica_hour: z.number().min(0).optional() }).optional(),
  })
  .refine((w) => w.min_replicas <= w.max_replicas, { message: "min_replicas must not exceed max_replicas", path: ["min_replicas"] });

export type WorkloadSpec = z.output<typeof workloadSpec>;
export type { Recommendation } from "../api-types";

/** On-demand list prices of a general-purpose cloud VM, per vCPU-hour and GiB-hour; override with "prices". */
export const DEFAULT_PRICES = { vcpu_hour: 0.0316, gib_hour: 0.0042 };

/** Computes a workload's recommendation from its stored history. */
export async function recommendWorkload(db: D1Database, engine: Engine, tenant: string, spec: WorkloadSpec, now = Date.now()): Promise<Recommendation> {
  const notes: string[] = [];
  const h = spec.horizon_minutes;
  const events = await findSeries(db, tenant, "events", spec.workload);
  const history = events ? await readHistory(db, events.id, "count", MINUTE_MS, now - HISTORY_MS) : undefined;
  const bounds = { min: spec.min_replicas, max: spec.max_replicas, current: spec.replicas, targetUtilisation: spec.target_utilization, headroom: spec.headroom, stepMs: MINUTE_MS };

  // `plan` is the path from the current replicas (fast scale-up, stabilised scale-down, like the
  // HPA); `needed` is what the load alone needs over the horizon: the recommendation.
  let plan: ReplicaPlan;
  let needed: number;
  let reason: string;
  let confidence: number;
  if (history && history.values.length >= 30) {
    // Requests per second from requests per minute.
    const rps = history.values.map((c) => c / 60);
    const currentRps = mean(rps.subarray(Math.max(0, rps.length - 5)));
    let capacity = spec.capacity_per_replica;
    if (capacity === undefined && spec.cpu_utilization !== undefined && spec.cpu_utilization > 0 && spec.replicas > 0) {
      capacity = currentRps / (spec.replicas * spec.cpu_utilization);
      notes.push(`capacity per replica estimated from the current load: ${round(currentRps)} req/s on ${spec.replicas} replicas at ${Math.round(spec.cpu_utilization * 100)}% CPU = ${round(capacity)} req/s per replica at 100%`);
    }
    if (capacity === undefined || !(capacity > 0)) {
      throw new RecommendError("give capacity_per_replica (req/s one replica serves at 100%) or cpu_utilization, so load can be turned into replicas");
    }
    const forecast = engine.forecast.predict(rps, h, { stepMs: MINUTE_MS });
    plan = engine.recommend.replicas(forecast, { ...bounds, capacityPerReplica: capacity });
    needed = engine.recommend.replicas(forecast, { ...bounds, current: spec.min_replicas, capacityPerReplica: capacity }).peak;
    const peakRps = Math.max(...forecast.p90);
    reason = `request rate forecast (p90) peaks at ${round(peakRps)} req/s in the next ${h} min; at ${round(capacity)} req/s per replica and ${Math.round(spec.target_utilization * 100)}% target utilisation with ${Math.round(spec.headroom * 100)}% headroom that needs ${needed} replicas (${forecast.model.method} model${forecast.model.season ? `, season ${forecast.model.season} min` : ""})`;
    const width = mean(forecast.p90.map((hi, j) => (hi - forecast.p10[j]!) / Math.max(1e-9, Math.abs(forecast.p50[j]!))));
    confidence = clamp01(Math.min(1, history.stored / (3 * 1440)) * (1 - Math.min(0.8, width / 2)));
  } else if (spec.cpu_utilization !== undefined) {
    // No request history: the HPA's own rule on the current utilisation.
    const load = spec.replicas * spec.cpu_utilization;
    plan = engine.recommend.replicas(new Float64Array(h).fill(load), { ...bounds, capacityPerReplica: 1 });
    needed = engine.recommend.replicas(new Float64Array(h).fill(load), { ...bounds, current: spec.min_replicas, capacityPerReplica: 1 }).peak;
    reason = `no request history for ${spec.workload}: from current CPU utilisation, ${spec.replicas} replicas at ${Math.round(spec.cpu_utilization * 100)}% hold ${Math.round(spec.target_utilization * 100)}% (with ${Math.round(spec.headroom * 100)}% headroom) with ${needed} replicas`;
    confidence = 0.3;
    notes.push(`send ${spec.workload}'s request events to /api/v1/events so replicas follow its forecast demand`);
  } else {
    throw new RecommendError(`no request history for ${spec.workload} and no cpu_utilization: send its events or give cpu_utilization`);
  }

  const resources = await usageRecommendation(db, engine, tenant, spec.workload, now);
  if (!resources) notes.push(`no cpu_usage / memory_usage metrics labelled workload="${spec.workload}": CPU and memory requests are not sized`);
  const cpuReq = spec.cpu_request !== undefined ? parseQuantity(spec.cpu_request) : undefined;
  const memReq = spec.memory_request !== undefined ? parseQuantity(spec.memory_request) : undefined;
  let savings: Recommendation["savings"] = null;
  if (cpuReq !== undefined && memReq !== undefined) {
    const prices = spec.prices ?? DEFAULT_PRICES;
    const s = engine.recommend.savings(
      { replicas: spec.replicas, cpu: cpuReq, memoryBytes: memReq },
      { replicas: needed, cpu: resources?.cpu?.request ?? cpuReq, memoryBytes: resources?.memory?.request ?? memReq },
      { vcpuHour: prices.vcpu_hour, gibHour: prices.gib_hour, replicaHour: spec.prices?.replica_hour ?? 0 },
    );
    savings = { ...s, prices: { vcpu_hour: prices.vcpu_hour, gib_hour: prices.gib_hour } };
  } else {
    notes.push("give cpu_request and memory_request to see the cost and savings");
  }
  const start = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  return {
    workload: spec.workload,
    computed_at: new Date(now).toISOString(),
    replicas: {
      current: spec.replicas,
      recommended: needed,
      peak: plan.peak,
      mean: plan.mean,
      path: Array.from(plan.replicas, (r, j) => ({ timestamp: new Date(start + (j + 1) * MINUTE_MS).toISOString(), replicas: r })),
      reason,
    },
    resources: resources
      ? {
          ...(resources.cpu ? { cpu: { request: resources.cpu.request, percentile: resources.cpu.percentile } } : {}),
          ...(resources.memory ? { memory: { request_bytes: resources.memory.request, percentile_bytes: resources.memory.percentile } } : {}),
        }
      : null,
    savings,
    confidence: round(confidence, 3),
    notes,
  };
}

/** VPA-style requests from the workload's cpu_usage (cores) and memory_usage (bytes) metrics. */
async function usageRecommendation(db: D1Database, engine: Engine, tenant: string, workload: string, now: number): Promise<ResourcesResult | undefined> {
  const series = await db
    .prepare("SELECT id, name FROM series WHERE tenant = ? AND kind = 'metrics' AND name IN ('cpu_usage', 'memory_usage') AND json_extract(labels, '$.workload') = ?")
    .bind(tenant, workload)
    .all<{ id: number; name: string }>();
  if (series.results.length === 0) return undefined;
  const read = async (name: string) => {
    const s = series.results.find((r) => r.name === name);
    return s ? readHistory(db, s.id, name === "memory_usage" ? "max" : "mean", MINUTE_MS, now - HISTORY_MS) : undefined;
  };
  const [cpu, mem] = await Promise.all([read("cpu_usage"), read("memory_usage")]);
  if (!cpu && !mem) return undefined;
  const out: ResourcesResult = {};
  if (cpu) Object.assign(out, { cpu: engine.recommend.resources({ timestamps: ts(cpu), cpu: cpu.values }).cpu });
  if (mem) Object.assign(out, { memory: engine.recommend.resources({ timestamps: ts(mem), memory: mem.values }, { memoryPercentile: "peak" }).memory });
  return out;
}

function ts(h: { start: number; stepMs: number; values: Float64Array }): Float64Array {
  return Float64Array.from({ length: h.values.length }, (_, i) => h.start + i * h.stepMs);
}

/** A recommendation that cannot be made from what was given: a 422 with this message. */
export class RecommendError extends Error {}

const mean = (xs: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return xs.length ? s / xs.length : 0;
};
const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;
const clamp01 = (v: number) => Math.max(0, Math.min(1, v));
