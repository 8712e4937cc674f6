// Host entry points on fitted models: forecast, describe, release.

import { ERR_BAD_HANDLE, ERR_INVALID_ARGUMENT, OK } from "../util/status";
import { INFO_LEN, models, predictInto } from "./model";

/** Largest horizon one call may ask for. */
export const MAX_HORIZON: i32 = 1 << 20;

/**
 * Writes h steps of p10, p50 and p90 (f64 each) for model `handle` into three
 * regions the facade allocated. Called once per forecast request; allocates nothing.
 */
export function forecast_predict(handle: i32, h: i32, p10: usize, p50: usize, p90: usize): i32 {
  const md = models.get(handle);
  if (md === null) return ERR_BAD_HANDLE;
  if (h < 1 || h > MAX_HORIZON) return ERR_INVALID_ARGUMENT;
  predictInto(md, h, p10, p50, p90);
  return OK;
}

/**
 * Writes INFO_LEN f64 describing the model: kind, season, n, alpha, beta,
 * gamma, phi, sigma2, sse, aic, level, trend, empirical intervals (1/0),
 * interval growth scale kappa, AR order p of the error correction, trend
 * (1/0), then p AR coefficients (so the host reserves INFO_LEN + AR_MAX_ORDER).
 * Called once after a fit.
 */
export function forecast_info(handle: i32, out: usize): i32 {
  const md = models.get(handle);
  if (md === null) return ERR_BAD_HANDLE;
  store<f64>(out, <f64>md.kind);
  store<f64>(out + 8, <f64>md.m);
  store<f64>(out + 16, <f64>md.n);
  store<f64>(out + 24, md.alpha);
  store<f64>(out + 32, md.beta);
  store<f64>(out + 40, md.gamma);
  store<f64>(out + 48, md.phi);
  store<f64>(out + 56, md.sigma2);
  store<f64>(out + 64, md.sse);
  store<f64>(out + 72, md.aic);
  store<f64>(out + 80, md.level);
  store<f64>(out + 88, md.trend);
  store<f64>(out + 96, md.empirical ? 1 : 0);
  store<f64>(out + 104, md.growth);
  store<f64>(out + 112, <f64>md.arP);
  store<f64>(out + 120, md.trended ? 1 : 0);
  // Then the arP AR coefficients (the host reserves AR_MAX_ORDER slots).
  for (let i = 0; i < md.arP; i++) store<f64>(out + (<usize>(INFO_LEN + i) << 3), unchecked(md.arCoef[i]));
  return INFO_LEN;
}

/** Releases a model. Called by the facade's dispose(). */
export function forecast_free(handle: i32): i32 {
  return models.remove(handle) ? OK : ERR_BAD_HANDLE;
}
