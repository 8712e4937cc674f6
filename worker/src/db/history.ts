// Series history for forecasts and recommendations: one value per window,
// evenly spaced (gaps carry the last value forward, since the forecaster
// needs a regular step).
import { and, desc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { series, type SeriesRow } from "./schema";

/** Which window field a history reads: events count per window, or metric mean/max/last. */
export type HistoryField = "count" | "errors" | "mean" | "max" | "last" | "p95" | "p99";

/** An evenly spaced history. */
export interface History {
  seriesId: number;
  values: Float64Array;
  /** Start of the first window, ms. */
  start: number;
  stepMs: number;
  /** Windows actually stored (the rest were gaps filled forward). */
  stored: number;
}

/** The tenant's series of `kind` and `name`; with several label sets, the most recently seen. */
export async function findSeries(db: D1Database, tenant: string, kind: "events" | "metrics", name: string): Promise<SeriesRow | undefined> {
  return drizzle(db)
    .select()
    .from(series)
    .where(and(eq(series.tenant, tenant), eq(series.kind, kind), eq(series.name, name)))
    .orderBy(desc(series.lastSeenAt))
    .get();
}

/** Reads `field` of a series' windows at `stepMs` resolution since `since`, gap-filled. */
export async function readHistory(db: D1Database, seriesId: number, field: HistoryField, stepMs: number, since: number, until = Number.MAX_SAFE_INTEGER): Promise<History | undefined> {
  const { results } = await db
    .prepare(`SELECT start, ${field} AS v FROM windows WHERE series_id = ? AND resolution = ? AND start >= ? AND start < ? ORDER BY start`)
    .bind(seriesId, stepMs, since, until)
    .all<{ start: number; v: number | null }>();
  const rows = results.filter((r) => r.v !== null && Number.isFinite(r.v));
  if (rows.length === 0) return undefined;
  const start = rows[0]!.start;
  const n = Math.round((rows[rows.length - 1]!.start - start) / stepMs) + 1;
  const values = new Float64Array(n);
  let j = 0;
  let last = rows[0]!.v as number;
  for (let i = 0; i < n; i++) {
    const t = start + i * stepMs;
    if (j < rows.length && rows[j]!.start === t) last = rows[j++]!.v as number;
    values[i] = field === "count" || field === "errors" ? (rows[j - 1]?.start === t ? last : 0) : last;
  }
  return { seriesId, values, start, stepMs, stored: rows.length };
}
