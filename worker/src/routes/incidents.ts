// Anomalies and incidents, confined to the key's tenant.
//   GET /api/v1/anomalies?from=&to=&service=&severity=&limit=
//   GET /api/v1/incidents?status=open|resolved&limit=
//   GET /api/v1/incidents/:id   (with its report and anomalies)
import { and, desc, eq, gte, inArray, lt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { Hono } from "hono";
import { z } from "zod";
import type { IncidentReport } from "../alerts/report";
import { type AnomalyDriver, SEVERITIES } from "../alerts/types";
import { type AnomalyRow, anomalies, type IncidentRow, incidents } from "../db/schema";
import { ApiError } from "../errors";
import { requireScope } from "../middleware/auth";
import { queryOf } from "../middleware/validate";
import type { AnomalyView, IncidentView } from "../api-types";
import type { AppEnv } from "../types";



const iso = (t: number) => new Date(t).toISOString();

function anomalyView(r: AnomalyRow): AnomalyView {
  return {
    id: r.id,
    series_id: r.seriesId,
    service: r.service,
    window_start: iso(r.windowStart),
    score: r.score,
    severity: r.severity,
    drivers: JSON.parse(r.drivers) as AnomalyDriver[],
    count: r.count,
    errors: r.errors,
    incident_id: r.incidentId,
    fired_by: r.firedBy,
    model: r.model,
    model_score: r.modelScore,
  };
}

export function incidentView(r: IncidentRow): IncidentView {
  return {
    id: r.id,
    status: r.status,
    severity: r.severity,
    title: r.title,
    services: JSON.parse(r.services) as string[],
    started_at: iso(r.startedAt),
    last_anomaly_at: iso(r.lastAnomalyAt),
    resolved_at: r.resolvedAt === null ? null : iso(r.resolvedAt),
    anomaly_count: r.anomalyCount,
  };
}

const time = z.string().transform((v, ctx) => {
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) {
    ctx.addIssue({ code: "custom", message: "must be epoch milliseconds or an ISO 8601 date" });
    return z.NEVER;
  }
  return t;
});

const anomaliesQuery = z.object({
  from: time.optional(),
  to: time.optional(),
  service: z.string().max(200).optional(),
  severity: z.enum(SEVERITIES as [string, ...string[]]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const incidentsQuery = z.object({
  status: z.enum(["open", "resolved"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** GET /api/v1/anomalies. */
export const anomaliesRoutes = new Hono<AppEnv>().use(requireScope("read")).get("/", queryOf(anomaliesQuery), async (c) => {
  const q = c.req.valid("query");
  const to = q.to ?? Date.now() + 60_000;
  const from = q.from ?? to - 24 * 3600 * 1000;
  const where = [eq(anomalies.tenant, c.get("tenant")), gte(anomalies.windowStart, from), lt(anomalies.windowStart, to)];
  if (q.service) where.push(eq(anomalies.service, q.service));
  if (q.severity) where.push(inArray(anomalies.severity, SEVERITIES.slice(SEVERITIES.indexOf(q.severity as never))));
  const rows = await drizzle(c.env.DB).select().from(anomalies).where(and(...where)).orderBy(desc(anomalies.windowStart)).limit(q.limit).all();
  return c.json({ anomalies: rows.map(anomalyView) });
});

/** GET /api/v1/incidents and /api/v1/incidents/:id. */
export const incidentsRoutes = new Hono<AppEnv>()
  .use(requireScope("read"))
  .get("/", queryOf(incidentsQuery), async (c) => {
    const q = c.req.valid("query");
    const where = [eq(incidents.tenant, c.get("tenant"))];
    if (q.status) where.push(eq(incidents.status, q.status));
    const rows = await drizzle(c.env.DB).select().from(incidents).where(and(...where)).orderBy(desc(incidents.lastAnomalyAt)).limit(q.limit).all();
    return c.json({ incidents: rows.map(incidentView) });
  })
  .get("/:id", async (c) => {
    const orm = drizzle(c.env.DB);
    const row = await orm
      .select()
      .from(incidents)
      .where(and(eq(incidents.id, c.req.param("id")), eq(incidents.tenant, c.get("tenant"))))
      .get();
    if (!row) throw new ApiError(404, "not_found", `no incident ${c.req.param("id")}`);
    const members = await orm.select().from(anomalies).where(eq(anomalies.incidentId, row.id)).orderBy(anomalies.windowStart).all();
    return c.json({ incident: incidentView(row), report: JSON.parse(row.report) as IncidentReport, anomalies: members.map(anomalyView) });
  });
