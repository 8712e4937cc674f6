// The tenant's active window model, next to the streaming detector: for the
// closed 1-minute windows of each service, the model's features are computed
// by the contract's scoringFeatures (the function the trainer and
// `npm run eval:model` use) from the window and the ROLLING_HISTORY minutes
// before it, a minute without a stored window being an empty one; they are
// scored in one onnxruntime run per tenant and stored in windows.model_score.
// A model that fails is logged and skipped: the detector alone still decides.
import { MODEL_THRESHOLD, ROLLING_HISTORY, scoringFeatures, type WindowSummary } from "../../../models/contract";
import type { Engine } from "../../../engine/src/index";
import type { ModelRow } from "../db/schema";
import { activeModels, sessionFor } from "../models/registry";
import type { ClosedWindow } from "./close-windows";

const MINUTE = 60_000;

/** The active models' verdicts on one run's closed windows. */
export interface ModelVerdicts {
  /** Probability threshold (MODEL_THRESHOLD) at which a model alone makes a window anomalous. */
  threshold: number;
  /** The model's probability for a window; undefined without an active model or a usable score. */
  score(seriesId: number, start: number): number | undefined;
  /** The model that scored a series' windows. */
  model(seriesId: number): { name: string; version: string } | undefined;
}

type Row = { series_id: number; start: number; count: number; errors: number; mean: number | null; stddev: number | null; p50: number | null; p95: number | null; p99: number | null; distinct_endpoints: number | null };

/** The series' stored windows from `from` to `to` (scoringFeatures treats the minutes between as empty). */
async function history(db: D1Database, seriesId: number, from: number, to: number): Promise<WindowSummary[]> {
  const { results } = await db
    .prepare("SELECT series_id, start, count, errors, mean, stddev, p50, p95, p99, distinct_endpoints FROM windows WHERE series_id = ? AND resolution = 60000 AND start >= ? AND start <= ? ORDER BY start")
    .bind(seriesId, from, to)
    .all<Row>();
  return results.map((r) => ({
    start: r.start,
    count: r.count,
    errors: r.errors,
    latencyMean: r.mean ?? Number.NaN,
    latencyStddev: r.stddev ?? Number.NaN,
    latencyP50: r.p50 ?? Number.NaN,
    latencyP95: r.p95 ?? Number.NaN,
    latencyP99: r.p99 ?? Number.NaN,
    distinctEndpoints: r.distinct_endpoints ?? 0,
  }));
}

async function scoreTenant(env: Env, engine: Engine, row: ModelRow, closed: ClosedWindow[], scores: Map<string, number>): Promise<void> {
  const model = await sessionFor(env, row);
  const names = model.card.inputs;
  const bySeries = new Map<number, number[]>();
  for (const w of closed) {
    const starts = bySeries.get(w.seriesId);
    if (starts) starts.push(w.start);
    else bySeries.set(w.seriesId, [w.start]);
  }
  const keys: string[] = [];
  const parts: Float32Array[] = [];
  for (const [seriesId, starts] of bySeries) {
    const windows = await history(env.DB, seriesId, Math.min(...starts) - ROLLING_HISTORY * MINUTE, Math.max(...starts));
    parts.push(scoringFeatures(engine, windows, starts, names, MINUTE));
    for (const s of starts) keys.push(`${seriesId}:${s}`);
  }
  const features = new Float32Array(keys.length * names.length);
  let at = 0;
  for (const p of parts) {
    features.set(p, at);
    at += p.length;
  }
  const out = await model.score(features, keys.length);
  keys.forEach((k, i) => {
    if (!Number.isNaN(out[i]!)) scores.set(k, out[i]!);
  });
}

/** Scores the closed event windows of every tenant with an active model; stores windows.model_score. */
export async function scoreWithModels(env: Env, engine: Engine, closed: ClosedWindow[]): Promise<ModelVerdicts> {
  const threshold = Number(env.MODEL_THRESHOLD || MODEL_THRESHOLD);
  const events = closed.filter((w) => w.kind === "events");
  const actives = events.length > 0 ? await activeModels(env.DB, [...new Set(events.map((w) => w.tenant))]) : new Map<string, ModelRow>();
  const scores = new Map<string, number>();
  const modelOf = new Map<number, { name: string; version: string }>();
  for (const [tenant, row] of actives) {
    const mine = events.filter((w) => w.tenant === tenant);
    try {
      await scoreTenant(env, engine, row, mine, scores);
      for (const w of mine) modelOf.set(w.seriesId, { name: row.name, version: row.version });
    } catch (err) {
      console.error(`model ${row.name}@${row.version} of tenant ${tenant} failed; its windows are scored by the detector alone`, err);
    }
  }
  const writes = [...scores].map(([k, v]) => {
    const [seriesId, start] = k.split(":").map(Number);
    return env.DB.prepare("UPDATE windows SET model_score = ? WHERE series_id = ? AND resolution = 60000 AND start = ?").bind(v, seriesId, start);
  });
  for (let i = 0; i < writes.length; i += 200) await env.DB.batch(writes.slice(i, i + 200));
  return {
    threshold,
    score: (seriesId, start) => scores.get(`${seriesId}:${start}`),
    model: (seriesId) => modelOf.get(seriesId),
  };
}
