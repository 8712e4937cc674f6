// GET /metrics: Helios's own telemetry for Prometheus, Grafana and KEDA.
// Open like /health: it carries counts, not tenant data.
import { Hono } from "hono";
import { EXPOSITION_CONTENT_TYPE, renderExposition, type Sample } from "../telemetry/exposition";
import type { AppEnv } from "../types";

/** The scrape endpoint. */
export const prometheusRoute = new Hono<AppEnv>().get("/metrics", async (c) => {
  const { results } = await c.env.DB.prepare("SELECT name, labels, value FROM counters").all<Sample>();
  return c.body(renderExposition(results), 200, { "content-type": EXPOSITION_CONTENT_TYPE });
});
