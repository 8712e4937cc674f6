// GET /metrics: Helios's own telemetry for Prometheus, Grafana and KEDA.
// Open like /health: it carries counts, not tenant data.
import { Hono } from "hono";
import { renderLabels } from "../telemetry/counters";
import { EXPOSITION_CONTENT_TYPE, renderExposition, type Sample } from "../telemetry/exposition";
import type { AppEnv } from "../types";

/** The scrape endpoint. */
export const prometheusRoute = new Hono<AppEnv>().get("/metrics", async (c) => {
  const [counters, recs] = await Promise.all([
    c.env.DB.prepare("SELECT name, labels, value FROM counters").all<Sample>(),
    c.env.DB.prepare("SELECT tenant, workload, current_replicas, recommended_replicas FROM recommendations").all<{
      tenant: string;
      workload: string;
      current_replicas: number;
      recommended_replicas: number;
    }>(),
  ]);
  const gauges: Sample[] = recs.results.flatMap((r) => {
    const labels = renderLabels({ tenant: r.tenant, workload: r.workload });
    return [
      { name: "helios_recommended_replicas", labels, value: r.recommended_replicas },
      { name: "helios_current_replicas", labels, value: r.current_replicas },
    ];
  });
  return c.body(renderExposition([...counters.results, ...gauges]), 200, { "content-type": EXPOSITION_CONTENT_TYPE });
});
