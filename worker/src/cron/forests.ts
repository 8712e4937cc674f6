// Isolation Forests per service: refitted daily on the last week of window
// features, and kept per isolate so the minute cron scores windows against
// them without reading the forest from D1 every minute.
import type { Engine, IsolationEvidence, IsolationForest } from "../../../engine/src/index";
import { fitIsolationCalibration, type IsolationCalibration, isolationSurprise } from "./forest-calibration";

/** The window features a service's forest sees, in column order. */
export const FOREST_FEATURES = ["count", "error_rate", "latency_mean", "latency_p95", "latency_p99", "distinct_endpoints"] as const;
/** Fewest complete windows a forest is fitted on. */
const MIN_ROWS = 256;
const TREES = 100;
const SUBSAMPLE = 256;
const HISTORY_MS = 7 * 86_400_000;

/** Refits the forest of every service seen in the last day; returns how many were stored. */
export async function refitForests(env: Env, engine: Engine, now = Date.now()): Promise<number> {
  const { results: services } = await env.DB.prepare("SELECT id, tenant FROM series WHERE kind = 'events' AND last_seen_at >= ?")
    .bind(now - 86_400_000)
    .all<{ id: number; tenant: string }>();
  let stored = 0;
  for (const s of services) {
    const { results } = await env.DB.prepare(
      "SELECT count, errors, mean, p95, p99, distinct_endpoints FROM windows WHERE series_id = ? AND resolution = 60000 AND start >= ? AND mean IS NOT NULL",
    )
      .bind(s.id, now - HISTORY_MS)
      .all<{ count: number; errors: number; mean: number; p95: number; p99: number; distinct_endpoints: number }>();
    if (results.length < MIN_ROWS) continue;
    const rows = results.map((r) => [r.count, r.count > 0 ? r.errors / r.count : 0, r.mean, r.p95, r.p99, r.distinct_endpoints ?? 0]);
    const forest = engine.iforest.fit(rows, { trees: TREES, subsample: SUBSAMPLE, seed: s.id });
    try {
      // Its scores on the week it learned calibrate its evidence (see forest-calibration.ts).
      const calibration = fitIsolationCalibration(forest.score(rows));
      await env.DB.prepare("INSERT OR REPLACE INTO forests (series_id, tenant, features, bytes, rows, calibration, fitted_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(s.id, s.tenant, JSON.stringify(FOREST_FEATURES), forest.serialize(), rows.length, JSON.stringify(calibration), now)
        .run();
      stored++;
    } finally {
      forest.dispose();
    }
  }
  return stored;
}

/** A service's current forest and the calibration of its scores (absent for forests fitted before calibration). */
export interface ServiceForest {
  forest: IsolationForest;
  calibration?: IsolationCalibration;
}

/** The forest's evidence for one window's feature vector: calibrated when the forest has a calibration. */
export function isolationEvidence(f: ServiceForest, vector: number[]): IsolationEvidence {
  const score = f.forest.score([vector])[0]!;
  if (!f.calibration) return score;
  return { score, surprise: isolationSurprise(f.calibration, score), expectedHigh: f.calibration.u };
}

/** Forests restored in this isolate, by series, with the fit they came from. */
const cache = new Map<number, { fittedAt: number } & ServiceForest>();

/** The current forests of the given series (absent when none has been fitted yet). */
export async function forestsFor(db: D1Database, engine: Engine, seriesIds: number[]): Promise<Map<number, ServiceForest>> {
  const out = new Map<number, ServiceForest>();
  for (let i = 0; i < seriesIds.length; i += 90) {
    const chunk = seriesIds.slice(i, i + 90);
    const { results } = await db
      .prepare(`SELECT series_id, fitted_at FROM forests WHERE series_id IN (${chunk.map(() => "?").join(",")})`)
      .bind(...chunk)
      .all<{ series_id: number; fitted_at: number }>();
    for (const r of results) {
      let hit = cache.get(r.series_id);
      if (!hit || hit.fittedAt !== r.fitted_at) {
        const row = await db.prepare("SELECT bytes, calibration FROM forests WHERE series_id = ?").bind(r.series_id).first<{ bytes: ArrayBuffer | number[]; calibration: string | null }>();
        if (!row) continue;
        hit?.forest.dispose();
        const bytes = row.bytes instanceof ArrayBuffer ? new Uint8Array(row.bytes) : Uint8Array.from(row.bytes);
        const calibration = row.calibration ? (JSON.parse(row.calibration) as IsolationCalibration) : undefined;
        hit = { fittedAt: r.fitted_at, forest: engine.iforest.restore(bytes), ...(calibration ? { calibration } : {}) };
        cache.set(r.series_id, hit);
      }
      out.set(r.series_id, hit);
    }
  }
  return out;
}
