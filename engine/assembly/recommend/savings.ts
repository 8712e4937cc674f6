// Monthly cost of a deployment and the savings of a recommendation, from unit
// prices: cost per hour = replicas * (cpu * per_vcpu_hour + memory_gib * per_gib_hour
// + per_replica_hour); a month is HOURS_PER_MONTH hours.

import { ERR_INVALID_ARGUMENT, ERR_NEGATIVE, ERR_NOT_FINITE } from "../util/status";

/** 365 * 24 / 12: the hours in an average month, as cloud price sheets use. */
export const HOURS_PER_MONTH: f64 = 730;
/** Inputs: current replicas, cpu, GiB; recommended replicas, cpu, GiB; prices per vCPU-h, GiB-h, replica-h. */
export const SAVINGS_IN: i32 = 9;
/** Outputs: current per month, recommended per month, savings per month, savings as a fraction of current. */
export const SAVINGS_OUT: i32 = 4;

@inline function monthly(replicas: f64, cpu: f64, gib: f64, pCpu: f64, pGib: f64, pReplica: f64): f64 {
  return replicas * (cpu * pCpu + gib * pGib + pReplica) * HOURS_PER_MONTH;
}

/**
 * Reads SAVINGS_IN f64 at inPtr and writes SAVINGS_OUT f64 at out. Replicas
 * may be fractional (a time-averaged count). Called once per recommendation.
 */
export function recommend_savings(inPtr: usize, out: usize): i32 {
  for (let i = 0; i < SAVINGS_IN; i++) {
    const v = load<f64>(inPtr + (<usize>i << 3));
    if (!isFinite(v)) return ERR_NOT_FINITE;
    if (v < 0) return ERR_NEGATIVE;
  }
  const pCpu = load<f64>(inPtr + 48);
  const pGib = load<f64>(inPtr + 56);
  const pRep = load<f64>(inPtr + 64);
  if (pCpu + pGib + pRep <= 0) return ERR_INVALID_ARGUMENT;
  const now = monthly(load<f64>(inPtr), load<f64>(inPtr + 8), load<f64>(inPtr + 16), pCpu, pGib, pRep);
  const rec = monthly(load<f64>(inPtr + 24), load<f64>(inPtr + 32), load<f64>(inPtr + 40), pCpu, pGib, pRep);
  store<f64>(out, now);
  store<f64>(out + 8, rec);
  store<f64>(out + 16, now - rec);
  store<f64>(out + 24, now > 0 ? (now - rec) / now : 0);
  return SAVINGS_OUT;
}
