// Every 15 minutes: forecast the next hour of every series seen in the last
// day (request rate for services, mean for metrics) and store it.
import type { Engine } from "../../../engine/src/index";
import { readHistory } from "../db/history";
import { forecastView } from "../routes/predict";

const MINUTE_MS = 60_000;
/** Steps forecast: the next hour. */
export const FORECAST_STEPS = 60;
/** History the forecasts learn from. */
const HISTORY_MS = 7 * 86_400_000;
/** Fewest windows a series needs before it is forecast. */
const MIN_POINTS = 30;

/** Forecasts every active series; returns how many were stored. */
export async function refreshForecasts(env: Env, engine: Engine, now = Date.now()): Promise<number> {
  const { results } = await env.DB.prepare("SELECT id, tenant, kind FROM series WHERE last_seen_at >= ?").bind(now - 86_400_000).all<{ id: number; tenant: string; kind: string }>();
  const writes: D1PreparedStatement[] = [];
  for (const s of results) {
    const field = s.kind === "events" ? "count" : "mean";
    const h = await readHistory(env.DB, s.id, field, MINUTE_MS, now - HISTORY_MS, Math.floor(now / MINUTE_MS) * MINUTE_MS);
    if (!h || h.values.length < MIN_POINTS) continue;
    const lastStart = h.start + (h.values.length - 1) * MINUTE_MS;
    try {
      const view = forecastView(engine, h.values, lastStart, MINUTE_MS, FORECAST_STEPS, h.values[h.values.length - 1]!);
      writes.push(
        env.DB.prepare("INSERT OR REPLACE INTO forecasts (series_id, tenant, field, body, computed_at) VALUES (?, ?, ?, ?, ?)").bind(s.id, s.tenant, field, JSON.stringify(view), now),
      );
    } catch (err) {
      console.error(`forecast of series ${s.id} failed`, err);
    }
  }
  for (let i = 0; i < writes.length; i += 100) await env.DB.batch(writes.slice(i, i + 100));
  return writes.length;
}
