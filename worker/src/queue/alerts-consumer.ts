// The alerts consumer: anomalies become incidents with a report (R2 + D1);
// incident events become webhook notifications, retried with backoff.
import { and, eq, gte, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { chooseIncident, type GroupingConfig, type OpenIncident } from "../alerts/grouping";
import { type NarrativeAi, narrate } from "../alerts/narrative";
import { buildReport, type IncidentReport, reportMarkdown, type ScalingHint } from "../alerts/report";
import { type Anomaly, type AlertMessage, maxSeverity, SEVERITIES, type Severity } from "../alerts/types";
import { backoffSeconds, postWebhook, slackPayload } from "../alerts/webhook";
import type { Recommendation } from "../api-types";
import { type AnomalyRow, anomalies, incidents, recommendations } from "../db/schema";
import { bump } from "../telemetry/counters";

const severity = z.enum(["low", "medium", "high", "critical"]);
const alertMessage = z.discriminatedUnion("kind", [
  z.object({
    v: z.literal(1),
    kind: z.literal("anomaly"),
    anomaly: z.object({
      id: z.string().min(1),
      tenant: z.string().min(1),
      series_id: z.number().int(),
      service: z.string().min(1),
      window_start: z.number().finite(),
      score: z.number().min(0).max(1),
      severity,
      drivers: z.array(
        z.object({
          feature: z.string(),
          value: z.number(),
          expected_low: z.number(),
          expected_high: z.number(),
          contribution: z.number(),
        }),
      ),
      count: z.number().int().min(0),
      errors: z.number().int().min(0),
      fired_by: z.enum(["detector", "model", "both"]).optional(),
      model: z.object({ name: z.string(), version: z.string(), score: z.number().min(0).max(1) }).optional(),
    }),
  }),
  z.object({
    v: z.literal(1),
    kind: z.literal("notify"),
    tenant: z.string().min(1),
    incident_id: z.string().min(1),
    event: z.enum(["opened", "escalated", "resolved"]),
  }),
]);

/** Grouping settings from the Worker's vars. */
export function groupingConfig(env: Env): GroupingConfig {
  return {
    spanMs: Number(env.INCIDENT_SPAN_MINUTES || 15) * 60_000,
    correlationMs: Number(env.INCIDENT_CORRELATION_MINUTES || 5) * 60_000,
  };
}

/** R2 key of an incident's report (".json"; the Markdown rendering sits beside it as ".md"). */
export function reportKey(tenant: string, incidentId: string): string {
  return `reports/${tenant}/${incidentId}.json`;
}

function rowToAnomaly(r: AnomalyRow): Anomaly {
  return {
    id: r.id,
    tenant: r.tenant,
    series_id: r.seriesId,
    service: r.service,
    window_start: r.windowStart,
    score: r.score,
    severity: r.severity,
    drivers: JSON.parse(r.drivers) as Anomaly["drivers"],
    count: r.count,
    errors: r.errors,
  };
}

/**
 * Records an anomaly, attaches it to an incident and rewrites that incident's report. Idempotent:
 * an anomaly already attached is left alone. Returns the event to notify, if any.
 */
export async function applyAnomaly(
  env: Env,
  anomaly: Anomaly,
  now = Date.now(),
): Promise<{ incidentId: string; event?: "opened" | "escalated" } | undefined> {
  const orm = drizzle(env.DB);
  const existing = await orm.select().from(anomalies).where(eq(anomalies.id, anomaly.id)).get();
  if (existing?.incidentId) return undefined;

  const cfg = groupingConfig(env);
  const recent = await orm
    .select()
    .from(incidents)
    .where(and(eq(incidents.tenant, anomaly.tenant), eq(incidents.status, "open"), gte(incidents.lastAnomalyAt, anomaly.window_start - cfg.spanMs - cfg.correlationMs)))
    .all();
  const times =
    recent.length > 0
      ? await orm
          .select({ incidentId: anomalies.incidentId, t: anomalies.windowStart })
          .from(anomalies)
          .where(inArray(anomalies.incidentId, recent.map((r) => r.id)))
          .all()
      : [];
  const open: OpenIncident[] = recent.map((r) => ({
    id: r.id,
    services: JSON.parse(r.services) as string[],
    lastAnomalyAt: r.lastAnomalyAt,
    anomalyTimes: times.filter((t) => t.incidentId === r.id).map((t) => t.t),
  }));
  const joined = chooseIncident(open, anomaly, cfg);
  const incidentId = joined ?? `inc_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`;
  const previous = recent.find((r) => r.id === incidentId);

  const members = previous
    ? (await orm.select().from(anomalies).where(eq(anomalies.incidentId, incidentId)).all()).map(rowToAnomaly)
    : [];
  members.push(anomaly);
  const sev = members.reduce<Severity>((s, a) => maxSeverity(s, a.severity), "low");
  const scaling = await scalingHints(env.DB, anomaly.tenant, [...new Set(members.map((m) => m.service))]);
  const report = await narrate(aiOf(env), buildReport({ id: incidentId, tenant: anomaly.tenant, severity: sev }, members, scaling, now));
  const key = reportKey(anomaly.tenant, incidentId);
  await Promise.all([
    env.ARCHIVE.put(key, JSON.stringify(report, null, 2), { httpMetadata: { contentType: "application/json" } }),
    env.ARCHIVE.put(key.replace(/\.json$/, ".md"), reportMarkdown(report), { httpMetadata: { contentType: "text/markdown; charset=utf-8" } }),
  ]);

  const services = report.services.map((s) => s.service);
  const startedAt = Math.min(...members.map((a) => a.window_start));
  const lastAnomalyAt = Math.max(...members.map((a) => a.window_start));
  const row = {
    id: incidentId,
    tenant: anomaly.tenant,
    status: "open" as const,
    severity: sev,
    title: report.title,
    services: JSON.stringify(services),
    startedAt,
    lastAnomalyAt,
    resolvedAt: null,
    anomalyCount: members.length,
    report: JSON.stringify(report),
    reportKey: key,
    updatedAt: now,
  };
  await orm.batch([
    orm
      .insert(anomalies)
      .values({
        id: anomaly.id,
        tenant: anomaly.tenant,
        seriesId: anomaly.series_id,
        service: anomaly.service,
        windowStart: anomaly.window_start,
        score: anomaly.score,
        severity: anomaly.severity,
        drivers: JSON.stringify(anomaly.drivers),
        count: anomaly.count,
        errors: anomaly.errors,
        incidentId,
        firedBy: anomaly.fired_by ?? "detector",
        modelScore: anomaly.model?.score ?? null,
        model: anomaly.model ? `${anomaly.model.name}@${anomaly.model.version}` : null,
        createdAt: now,
      })
      .onConflictDoUpdate({ target: anomalies.id, set: { incidentId } }),
    orm.insert(incidents).values(row).onConflictDoUpdate({ target: incidents.id, set: row }),
  ]);
  if (!previous) return { incidentId, event: "opened" };
  if (SEVERITIES.indexOf(sev) > SEVERITIES.indexOf(previous.severity)) return { incidentId, event: "escalated" };
  return { incidentId };
}

/** Sends an incident event to the configured webhook. Returns false when none is configured. */
export async function notify(env: Env, tenant: string, incidentId: string, event: "opened" | "escalated" | "resolved"): Promise<boolean> {
  if (!env.ALERT_WEBHOOK_URL) return false;
  const row = await drizzle(env.DB)
    .select({ report: incidents.report })
    .from(incidents)
    .where(and(eq(incidents.id, incidentId), eq(incidents.tenant, tenant)))
    .get();
  if (!row) throw new Error(`incident ${incidentId} not found`);
  const report = JSON.parse(row.report) as IncidentReport;
  const link = env.PUBLIC_URL ? `${env.PUBLIC_URL.replace(/\/$/, "")}/#/incidents/${incidentId}` : undefined;
  await postWebhook(env.ALERT_WEBHOOK_URL, slackPayload(report, event, link));
  return true;
}

/** Handles a batch of the alerts queue. */
export async function handleAlertsBatch(batch: MessageBatch, env: Env): Promise<void> {
  const counts: Record<string, number> = {};
  const count = (outcome: string) => (counts[outcome] = (counts[outcome] ?? 0) + 1);
  for (const msg of batch.messages) {
    const parsed = alertMessage.safeParse(msg.body);
    if (!parsed.success) {
      await env.DEAD_LETTER_QUEUE.send({ reason: `alerts: ${parsed.error.issues[0]?.message ?? "invalid"}`, original: msg.body });
      msg.ack();
      count("poison");
      continue;
    }
    const m = parsed.data as AlertMessage;
    try {
      if (m.kind === "anomaly") {
        const result = await applyAnomaly(env, m.anomaly);
        if (result?.event) {
          await env.ALERTS_QUEUE.send({ v: 1, kind: "notify", tenant: m.anomaly.tenant, incident_id: result.incidentId, event: result.event } satisfies AlertMessage);
        }
        count(result ? "grouped" : "duplicate");
      } else {
        count((await notify(env, m.tenant, m.incident_id, m.event)) ? "notified" : "no_webhook");
      }
      msg.ack();
    } catch (err) {
      console.error(`alerts: ${m.kind} failed (attempt ${msg.attempts})`, err);
      count(m.kind === "notify" ? "webhook_retry" : "retry");
      msg.retry({ delaySeconds: backoffSeconds(msg.attempts) });
    }
  }
  await bump(
    env.DB,
    Object.entries(counts).map(([outcome, by]) => ({ name: "helios_alerts_messages_total", labels: { outcome }, by })),
  ).catch((err) => console.error("alerts counters failed", err));
}

/** Resolves open incidents with no anomaly for the configured time and queues their notification. */
export async function resolveStaleIncidents(env: Env, now = Date.now()): Promise<number> {
  const orm = drizzle(env.DB);
  const cutoff = now - Number(env.INCIDENT_RESOLVE_MINUTES || 30) * 60_000;
  const stale = await orm.select({ id: incidents.id, tenant: incidents.tenant, last: incidents.lastAnomalyAt }).from(incidents).where(eq(incidents.status, "open")).all();
  const due = stale.filter((s) => s.last < cutoff);
  for (const s of due) {
    await orm.update(incidents).set({ status: "resolved", resolvedAt: now, updatedAt: now }).where(eq(incidents.id, s.id));
    await env.ALERTS_QUEUE.send({ v: 1, kind: "notify", tenant: s.tenant, incident_id: s.id, event: "resolved" } satisfies AlertMessage);
  }
  return due.length;
}

/**
 * The latest stored recommendation of each workload named like one of the incident's services
 * (a workload's forecast reads the events series of its name), for the report's actions.
 */
async function scalingHints(db: D1Database, tenant: string, services: string[]): Promise<ScalingHint[]> {
  if (services.length === 0) return [];
  const rows = await drizzle(db)
    .select({ workload: recommendations.workload, current: recommendations.currentReplicas, recommended: recommendations.recommendedReplicas, body: recommendations.body })
    .from(recommendations)
    .where(and(eq(recommendations.tenant, tenant), inArray(recommendations.workload, services.slice(0, 90))))
    .all();
  return rows.map((r) => ({
    service: r.workload,
    current_replicas: r.current,
    recommended_replicas: r.recommended,
    reason: (JSON.parse(r.body) as Recommendation).replicas.reason,
  }));
}

/** The Workers AI binding, when wrangler.toml declares one (`[ai] binding = "AI"`); optional, so not in the generated Env. */
function aiOf(env: Env): NarrativeAi | undefined {
  return (env as Env & { AI?: NarrativeAi }).AI;
}
