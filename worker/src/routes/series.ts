// Series and their windows, confined to the key's tenant.
//   GET /api/v1/series?kind=events|metrics&name=...
//   GET /api/v1/series/:id/windows?from=&to=&resolution=1m|5m|1h
import { and, asc, eq, gte, lt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { Hono } from "hono";
import { z } from "zod";
import { series, type SeriesRow, type WindowRow, windows } from "../db/schema";
import { ApiError } from "../errors";
import { requireScope } from "../middleware/auth";
import { queryOf } from "../middleware/validate";
import type { SeriesView, WindowView } from "../api-types";
import type { AppEnv } from "../types";

/** Window lengths by name. */
export const RESOLUTIONS = { "1m": 60_000, "5m": 300_000, "1h": 3_600_000 } as const;
export type Resolution = keyof typeof RESOLUTIONS;



export function seriesView(r: SeriesRow): SeriesView {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    labels: JSON.parse(r.labels) as Record<string, string>,
    created_at: new Date(r.createdAt).toISOString(),
    last_seen_at: new Date(r.lastSeenAt).toISOString(),
  };
}

export function windowView(w: WindowRow): WindowView {
  return {
    start: new Date(w.start).toISOString(),
    count: w.count,
    errors: w.errors,
    error_rate: w.count > 0 ? w.errors / w.count : null,
    sum: w.sum,
    mean: w.mean,
    stddev: w.stddev,
    min: w.min,
    max: w.max,
    last: w.last,
    p50: w.p50,
    p95: w.p95,
    p99: w.p99,
    distinct_endpoints: w.distinctEndpoints,
    closed: w.closedAt !== null,
  };
}

const timeParam = z
  .string()
  .transform((v, ctx) => {
    const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isFinite(t)) {
      ctx.addIssue({ code: "custom", message: "must be epoch milliseconds or an ISO 8601 date" });
      return z.NEVER;
    }
    return t;
  });

const listQuery = z.object({
  kind: z.enum(["events", "metrics"]).optional(),
  name: z.string().max(200).optional(),
});

const windowsQuery = z
  .object({
    from: timeParam.optional(),
    to: timeParam.optional(),
    resolution: z.enum(["1m", "5m", "1h"]).default("1m"),
    limit: z.coerce.number().int().min(1).max(10_000).default(1440),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, { message: "from must be before to" });

/** Series routes. */
export const seriesRoutes = new Hono<AppEnv>()
  .use(requireScope("read"))
  .get("/", queryOf(listQuery), async (c) => {
    const q = c.req.valid("query");
    const conditions = [eq(series.tenant, c.get("tenant"))];
    if (q.kind) conditions.push(eq(series.kind, q.kind));
    if (q.name) conditions.push(eq(series.name, q.name));
    const rows = await drizzle(c.env.DB)
      .select()
      .from(series)
      .where(and(...conditions))
      .orderBy(asc(series.kind), asc(series.name), asc(series.labels))
      .all();
    return c.json({ series: rows.map(seriesView) });
  })
  .get("/:id{[0-9]+}/windows", queryOf(windowsQuery), async (c) => {
    const q = c.req.valid("query");
    const id = Number(c.req.param("id"));
    const orm = drizzle(c.env.DB);
    const s = await orm
      .select()
      .from(series)
      .where(and(eq(series.id, id), eq(series.tenant, c.get("tenant"))))
      .get();
    if (!s) throw new ApiError(404, "not_found", `no series ${id}`);
    const to = q.to ?? Date.now();
    const from = q.from ?? to - 24 * 3600 * 1000;
    const rows = await orm
      .select()
      .from(windows)
      .where(
        and(
          eq(windows.seriesId, id),
          eq(windows.resolution, RESOLUTIONS[q.resolution]),
          gte(windows.start, from),
          lt(windows.start, to),
        ),
      )
      .orderBy(asc(windows.start))
      .limit(q.limit)
      .all();
    return c.json({
      series: seriesView(s),
      resolution: q.resolution,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      windows: rows.map(windowView),
    });
  });
