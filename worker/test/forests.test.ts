// The daily cron fits each service's Isolation Forest on its window features;
// the minute cron then scores closed windows with it beside the streaming detectors.
import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AlertMessage } from "../src/alerts/types";
import type { IngestEvent } from "../src/ingest/schema";
import worker from "../src/index";

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 21, 0, 0);
const TENANT = "forest-tenant";
const jitter = (i: number) => ((i * 2654435761) % 1000) / 1000;

function minute(m: number, incident: boolean): IngestEvent[] {
  return Array.from({ length: 30 }, (_, k) => ({
    ts: T0 + m * MIN + k * 2000,
    service: "orders",
    level: incident && k % 3 === 0 ? ("ERROR" as const) : ("INFO" as const),
    message: "",
    latency_ms: incident ? 900 + 100 * jitter(m * 30 + k) : 80 + 40 * jitter(m * 30 + k),
    endpoint: `/o/${k % 4}`,
  }));
}

async function run(cron: string, at: number, overrides: Partial<Env> = {}) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron }), { ...env, ...overrides }, ctx);
}

describe("Isolation Forests in window scoring", () => {
  it("are refitted daily from a service's windows and join the combined score of later windows", async () => {
    for (let m = 0; m < 300; m += 50) {
      const items = Array.from({ length: 50 }, (_, k) => minute(m + k, false)).flat();
      const id = `forest-${m}`;
      const batch = createMessageBatch("helios-ingest", [{ id, timestamp: new Date(), attempts: 1, body: { v: 1, id, tenant: TENANT, kind: "events", received_at: T0, items } }]);
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      await getQueueResult(batch, ctx);
    }
    const quiet = { send: async () => {}, sendBatch: async () => {} } as unknown as Queue;
    await run("* * * * *", T0 + 305 * MIN, { ALERTS_QUEUE: quiet });
    await run("30 3 * * *", T0 + 305 * MIN);
    const forest = await env.DB.prepare("SELECT rows, features, calibration FROM forests f JOIN series s ON s.id = f.series_id WHERE s.tenant = ?").bind(TENANT).first<{ rows: number; features: string; calibration: string }>();
    expect(forest).toMatchObject({ rows: 300 });
    // Calibrated on its own 300 training windows: the tail is their top ceil(0.05 * 300) = 15 scores.
    const calibration = JSON.parse(forest!.calibration) as { n: number; k: number; u: number; median: number; beta: number };
    expect(calibration).toMatchObject({ n: 300, k: 15 });
    expect(calibration.u).toBeGreaterThan(calibration.median);
    expect(JSON.parse(forest!.features)).toEqual(["count", "error_rate", "latency_mean", "latency_p95", "latency_p99", "distinct_endpoints"]);

    // Two minutes of trouble, closed and scored: the forest is among the drivers.
    const id = "forest-incident";
    const items = [...minute(300, true), ...minute(301, true)];
    const batch = createMessageBatch("helios-ingest", [{ id, timestamp: new Date(), attempts: 1, body: { v: 1, id, tenant: TENANT, kind: "events", received_at: T0, items } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await getQueueResult(batch, ctx);
    const sent: AlertMessage[] = [];
    const capture = { send: async (b: AlertMessage) => void sent.push(b), sendBatch: async (ms: Iterable<{ body: AlertMessage }>) => void sent.push(...[...ms].map((m) => m.body)) } as unknown as Queue;
    await run("* * * * *", T0 + 310 * MIN, { ALERTS_QUEUE: capture });
    const anomalies = sent.flatMap((m) => (m.kind === "anomaly" ? [m.anomaly] : []));
    expect(anomalies.map((a) => a.window_start)).toContain(T0 + 300 * MIN);
    const drivers = anomalies.find((a) => a.window_start === T0 + 300 * MIN)!.drivers;
    const forestDriver = drivers.find((d) => d.feature === "isolation_forest");
    // the window is far from every window the forest saw: it scores above 0.5 and carries evidence
    expect(forestDriver?.contribution).toBeGreaterThan(0);
    expect(forestDriver!.value).toBeGreaterThan(0.5);
    // Its expected range ends at the forest's own top-5% training score, not a fixed 0.5.
    expect(forestDriver!.expected_high).toBe(calibration.u);
    expect(forestDriver!.value).toBeGreaterThan(calibration.u);
  });
});
