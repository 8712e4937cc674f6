// GET /metrics: Helios's own telemetry for Prometheus, Grafana and KEDA.
// Open like /health: it carries counts, not tenant data.
import { Hono } from "hono";
import { renderLabels } from "../telemetry/counters";
import { EXPOSITION_CONTENT_TYPE, renderExposition, type Sample } from "../telemetry/exposition";
import type { AppEnv } from "../types";

/** The scrape endpoint. */
export const prometheusRoute = new Hono<AppEnv>().get("/metrics", async (c) => {
  const [counters, recs, scores] = await Promise.all([
    c.env.DB.prepare("SELECT name, labels, value FROM counters").all<Sample>(),
    c.env.DB.prepare("SELECT tenant, workload, current_replicas, recommended_replicas FROM recommendations").all<{
      tenant: string;
      workload: string;
      current_replicas: number;
      recommended_replicas: number;
    }>(),
    // The latest scored window of each series seen in the last hour.
    c.env.DB.prepare(
      `SELECT s.tenant AS tenant, s.kind AS kind, s.name AS name, w.score AS score FROM windows w JOIN series s ON s.id = w.series_id
        WHERE w.resolution = 60000 AND w.score IS NOT NULL AND w.start = (SELECT MAX(start) FROM windows x WHERE x.series_id = w.series_id AND x.resolution = 60000 AND x.score IS NOT NULL)
          AND w.start >= ?`,
    )
      .bind(Date.now() - 3_600_000)
      .all<{ tenant: string; kind: string; name: string; score: number }>(),
  ]);
  const gauges: Sample[] = recs.results.flatMap((r) => {
    const labels = renderLabels({ tenant: r.tenant, workload: r.workload });
    return [
      { name: "helios_recommended_replicas", labels, value: r.recommended_replicas },
      { name: "helios_current_replicas", labels, value: r.current_replicas },
    ];
  });
  for (const r of scores.results) {
    const labels = renderLabels(r.kind === "events" ? { tenant: r.tenant, service: r.name } : { tenant: r.tenant, metric: r.name });
    gauges.push({ name: "helios_anomaly_score", labels, value: r.score });
  }
  return c.body(renderExposition([...counters.results, ...gauges]), 200, { "content-type": EXPOSITION_CONTENT_TYPE });
});
