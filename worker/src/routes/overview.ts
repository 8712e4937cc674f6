// GET /api/v1/overview: every active service and metric of the tenant with
// its latest window, current anomaly score and an hour of counts for a
// sparkline, plus the open incidents. One request for the dashboard's home.
import { and, desc, eq, gte } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { Hono } from "hono";
import type { OverviewItem, OverviewView } from "../api-types";
import { incidents, series, type WindowRow, windows } from "../db/schema";
import { requireScope } from "../middleware/auth";
import type { AppEnv } from "../types";
import { incidentView } from "./incidents";
import { seriesView, windowView } from "./series";

const MINUTE_MS = 60_000;
const SPARK_MINUTES = 60;

/** The overview route. */
export const overviewRoute = new Hono<AppEnv>().get("/", requireScope("read"), async (c) => {
  const tenant = c.get("tenant");
  const now = Date.now();
  const orm = drizzle(c.env.DB);
  const since = Math.floor(now / MINUTE_MS) * MINUTE_MS - (SPARK_MINUTES - 1) * MINUTE_MS;
  const [active, recent, open] = await Promise.all([
    orm.select().from(series).where(and(eq(series.tenant, tenant), gte(series.lastSeenAt, now - 86_400_000))).all(),
    orm
      .select({ w: windows })
      .from(windows)
      .innerJoin(series, eq(series.id, windows.seriesId))
      .where(and(eq(series.tenant, tenant), eq(windows.resolution, MINUTE_MS), gte(windows.start, since)))
      .all(),
    orm.select().from(incidents).where(and(eq(incidents.tenant, tenant), eq(incidents.status, "open"))).orderBy(desc(incidents.lastAnomalyAt)).all(),
  ]);
  const bySeries = new Map<number, WindowRow[]>();
  for (const { w } of recent) {
    const list = bySeries.get(w.seriesId) ?? [];
    list.push(w);
    bySeries.set(w.seriesId, list);
  }
  const items: OverviewItem[] = active
    .map((s) => {
      const ws = (bySeries.get(s.id) ?? []).sort((a, b) => a.start - b.start);
      const latest = ws[ws.length - 1];
      const scored = [...ws].reverse().find((w) => w.score !== null);
      const spark = new Array<number>(SPARK_MINUTES).fill(0);
      for (const w of ws) spark[Math.round((w.start - since) / MINUTE_MS)] = s.kind === "events" ? w.count : (w.mean ?? 0);
      return { series: seriesView(s), latest: latest ? windowView(latest) : null, score: scored?.score ?? null, spark };
    })
    .sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || a.series.name.localeCompare(b.series.name));
  const body: OverviewView = { generated_at: new Date(now).toISOString(), items, open_incidents: open.map(incidentView) };
  return c.json(body);
});
