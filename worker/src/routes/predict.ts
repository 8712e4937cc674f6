// Forecasts on demand, in the request shapes users of the original Helios send.
//   POST /api/v1/predict {"metrics": {"cpu_utilization": 0.45, ...}, "periods": 12}
//   POST /api/v1/predict {"series_id": 12, "periods": 60, "field": "count"}
//   POST /api/v1/predict {"values": [...], "step_ms": 60000, "periods": 12}
// Each forecast is computed by the engine from stored history when the request
// names a metric or series (1-minute windows of the last 7 days).
import { Hono } from "hono";
import { validator } from "hono/validator";
import { z } from "zod";
import type { Engine, Forecast, ForecastModelInfo } from "../../../engine/src/index";
import { findSeries, type HistoryField, readHistory } from "../db/history";
import { getEngine } from "../engine";
import { ApiError } from "../errors";
import { requireScope } from "../middleware/auth";
import type { AppEnv } from "../types";

const MINUTE_MS = 60_000;
const HISTORY_MS = 7 * 86_400_000;

/** One forecast in a response. */
export interface PredictionView {
  current: number | null;
  history_points: number;
  model: Pick<ForecastModelInfo, "method" | "season"> | { method: "naive"; season: 0 };
  step_ms: number;
  forecast: { timestamp: string; p10: number; p50: number; p90: number }[];
  note?: string;
}

const finite = z.number().refine(Number.isFinite, "must be finite");
const periods = z.number().int().min(1).max(10_080).default(12);
const body = z.union([
  z.object({ metrics: z.record(z.string().min(1).max(200), finite).refine((m) => Object.keys(m).length > 0 && Object.keys(m).length <= 50, "1 to 50 metrics"), periods }),
  z.object({ series_id: z.number().int().min(1), field: z.enum(["count", "errors", "mean", "max", "last", "p95", "p99"]).optional(), periods }),
  z.object({ values: z.array(finite).min(3).max(100_000), step_ms: z.number().int().min(1).default(MINUTE_MS), periods }),
]);

/** Parses a JSON body with a zod schema through Hono's validator; 400 with the issues otherwise. */
export function jsonOf<T extends z.ZodType>(schema: T) {
  return validator("json", (value) => {
    const r = schema.safeParse(value);
    if (!r.success) {
      throw new ApiError(400, "validation_failed", "invalid request body", {
        issues: r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
      });
    }
    return r.data as z.output<T>;
  });
}

/** Forecasts `values` (oldest first, ending at `lastStart`) `h` steps ahead. */
export function forecastView(engine: Engine, values: Float64Array, lastStart: number, stepMs: number, h: number, current: number | null): PredictionView {
  const f: Forecast & { model: ForecastModelInfo } = engine.forecast.predict(values, h, { stepMs });
  return {
    current,
    history_points: values.length,
    model: { method: f.model.method, season: f.model.season },
    step_ms: stepMs,
    forecast: Array.from(f.p50, (p50, j) => ({ timestamp: new Date(lastStart + (j + 1) * stepMs).toISOString(), p10: f.p10[j]!, p50, p90: f.p90[j]! })),
  };
}

function naiveView(value: number, now: number, h: number): PredictionView {
  const start = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  return {
    current: value,
    history_points: 0,
    model: { method: "naive", season: 0 },
    step_ms: MINUTE_MS,
    forecast: Array.from({ length: h }, (_, j) => ({ timestamp: new Date(start + (j + 1) * MINUTE_MS).toISOString(), p10: value, p50: value, p90: value })),
    note: "no stored history for this metric: the forecast repeats the current value. Send it to /api/v1/metrics and forecasts learn its pattern.",
  };
}

/** GET /api/v1/forecasts?series_id=: the stored forecasts (next hour) of the tenant's series. */
export const forecastsRoute = new Hono<AppEnv>().get("/", requireScope("read"), async (c) => {
  const seriesId = c.req.query("series_id");
  if (seriesId !== undefined && !/^\d+$/.test(seriesId)) throw new ApiError(400, "validation_failed", "series_id must be an integer");
  const stmt = seriesId
    ? c.env.DB.prepare("SELECT series_id, field, body, computed_at FROM forecasts WHERE tenant = ? AND series_id = ?").bind(c.get("tenant"), Number(seriesId))
    : c.env.DB.prepare("SELECT series_id, field, body, computed_at FROM forecasts WHERE tenant = ?").bind(c.get("tenant"));
  const { results } = await stmt.all<{ series_id: number; field: string; body: string; computed_at: number }>();
  return c.json({
    forecasts: results.map((r) => ({ series_id: r.series_id, field: r.field, computed_at: new Date(r.computed_at).toISOString(), ...(JSON.parse(r.body) as PredictionView) })),
  });
});

/** POST /api/v1/predict. */
export const predictRoute = new Hono<AppEnv>().post("/", requireScope("read"), jsonOf(body), async (c) => {
  const req = c.req.valid("json");
  const engine = await getEngine();
  const now = Date.now();
  if ("values" in req) {
    const start = Math.floor(now / req.step_ms) * req.step_ms;
    return c.json({ periods: req.periods, prediction: forecastView(engine, Float64Array.from(req.values), start, req.step_ms, req.periods, req.values[req.values.length - 1]!) });
  }
  if ("series_id" in req) {
    const tenant = c.get("tenant");
    const row = await c.env.DB.prepare("SELECT kind FROM series WHERE id = ? AND tenant = ?").bind(req.series_id, tenant).first<{ kind: string }>();
    if (!row) throw new ApiError(404, "not_found", `no series ${req.series_id}`);
    const field: HistoryField = req.field ?? (row.kind === "events" ? "count" : "mean");
    const h = await readHistory(c.env.DB, req.series_id, field, MINUTE_MS, now - HISTORY_MS);
    if (!h || h.values.length < 3) throw new ApiError(422, "insufficient_history", `series ${req.series_id} has fewer than 3 windows of ${field}`);
    const lastStart = h.start + (h.values.length - 1) * MINUTE_MS;
    return c.json({ periods: req.periods, field, prediction: forecastView(engine, h.values, lastStart, MINUTE_MS, req.periods, h.values[h.values.length - 1]!) });
  }
  const predictions: Record<string, PredictionView> = {};
  for (const [name, value] of Object.entries(req.metrics)) {
    const s = await findSeries(c.env.DB, c.get("tenant"), "metrics", name);
    const h = s ? await readHistory(c.env.DB, s.id, "mean", MINUTE_MS, now - HISTORY_MS) : undefined;
    if (!h || h.values.length < 2) {
      predictions[name] = naiveView(value, now, req.periods);
      continue;
    }
    // The request's value is the newest point: it replaces the current minute or follows the history.
    const nowStart = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    const lastStart = h.start + (h.values.length - 1) * MINUTE_MS;
    let values: Float64Array;
    if (lastStart >= nowStart) {
      values = h.values.slice();
    } else {
      // Minutes between the last stored window and now repeat the last stored value.
      const gap = Math.round((nowStart - lastStart) / MINUTE_MS);
      values = new Float64Array(h.values.length + gap);
      values.set(h.values);
      values.fill(h.values[h.values.length - 1]!, h.values.length);
    }
    values[values.length - 1] = value;
    predictions[name] = forecastView(engine, values, Math.max(lastStart, nowStart), MINUTE_MS, req.periods, value);
  }
  return c.json({ periods: req.periods, predictions });
});
