// What-if scenarios over a forecast: traffic growth, a spike, and the
// replicas, utilisation target and instance size that serve it. Pure
// functions over the engine; the Web Worker runs them next to the page.
import type { Engine, Forecast } from "../../engine/src/index";

/** What a user can change. */
export interface WhatIfParams {
  /** Traffic growth applied to the forecast, percent (e.g. 20 for +20%). */
  growthPercent: number;
  /** A spike: extra load as a multiple of the forecast (0 for none), when it starts (step index) and for how many steps. */
  spikeMultiple: number;
  spikeStart: number;
  spikeSteps: number;
  /** Utilisation to hold, 0..1. */
  targetUtilisation: number;
  minReplicas: number;
  maxReplicas: number;
  /** Load one instance serves at 100% (requests per minute per instance for a service). */
  capacityPerInstance: number;
  /** Price of one instance per hour. */
  pricePerInstanceHour: number;
}

/** A scenario's result: the adjusted forecast, the replicas over it, and its cost. */
export interface WhatIfResult {
  p10: Float64Array;
  p50: Float64Array;
  p90: Float64Array;
  replicas: Int32Array;
  peakReplicas: number;
  meanReplicas: number;
  /** Cost of the horizon at the instance price. */
  cost: number;
  /** Milliseconds the recomputation took in the worker (not counting the fit). */
  computeMs: number;
}

/** Applies the scenario to a base forecast and plans replicas for it. Allocates only the output arrays. */
export function whatIf(engine: Engine, base: Forecast, stepMs: number, p: WhatIfParams): WhatIfResult {
  const t0 = performance.now();
  const n = base.p50.length;
  const g = 1 + p.growthPercent / 100;
  const p10 = new Float64Array(n);
  const p50 = new Float64Array(n);
  const p90 = new Float64Array(n);
  const end = p.spikeStart + p.spikeSteps;
  for (let i = 0; i < n; i++) {
    const k = i >= p.spikeStart && i < end ? g * (1 + p.spikeMultiple) : g;
    p10[i] = Math.max(0, base.p10[i]! * k);
    p50[i] = Math.max(0, base.p50[i]! * k);
    p90[i] = Math.max(0, base.p90[i]! * k);
  }
  const plan = engine.recommend.replicas(
    { p10, p50, p90 },
    {
      capacityPerReplica: p.capacityPerInstance,
      targetUtilisation: p.targetUtilisation,
      headroom: 0,
      min: p.minReplicas,
      max: p.maxReplicas,
      current: p.minReplicas,
      stepMs,
      band: "p90",
    },
  );
  const hours = (n * stepMs) / 3_600_000;
  return {
    p10,
    p50,
    p90,
    replicas: plan.replicas,
    peakReplicas: plan.peak,
    meanReplicas: plan.mean,
    cost: plan.mean * hours * p.pricePerInstanceHour,
    computeMs: performance.now() - t0,
  };
}
