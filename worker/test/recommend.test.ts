import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { IngestEvent, IngestSample } from "../src/ingest/schema";
import worker from "../src/index";
import { call, createTestKey } from "./helpers";

const MIN = 60_000;
const TENANT = "recommend-tenant";
let key: string;

async function deliver(id: string, kind: "events" | "metrics", items: (IngestEvent | IngestSample)[]) {
  const batch = createMessageBatch("helios-ingest", [{ id, timestamp: new Date(), attempts: 1, body: { v: 1, id, tenant: TENANT, kind, received_at: Date.now(), items } }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  await getQueueResult(batch, ctx);
}

/** 6 hours of checkout traffic at a steady 120 requests a minute (2 req/s), with its CPU and memory usage. */
beforeAll(async () => {
  key = await createTestKey(TENANT);
  const now = Math.floor(Date.now() / MIN) * MIN;
  const events: IngestEvent[] = [];
  const samples: IngestSample[] = [];
  for (let m = 360; m >= 1; m--) {
    const t = now - m * MIN;
    for (let k = 0; k < 120; k++) events.push({ ts: t + k * 500, service: "checkout", level: "INFO", message: "", latency_ms: 20 });
    samples.push({ ts: t, name: "cpu_usage", value: 0.25, labels: { workload: "checkout" } });
    samples.push({ ts: t, name: "memory_usage", value: 300 * 1024 ** 2, labels: { workload: "checkout" } });
  }
  for (let i = 0; i < events.length; i += 5000) await deliver(`rec-e-${i}`, "events", events.slice(i, i + 5000));
  await deliver("rec-m", "metrics", samples);
});

const post = (body: unknown) =>
  call(
    new Request("http://helios.test/api/v1/recommend", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );

describe("POST /api/v1/recommend", () => {
  it("sizes replicas from the forecast request rate and requests from usage, with the savings", async () => {
    const res = await post({
      workload: "checkout",
      replicas: 6,
      cpu_request: "1",
      memory_request: "1Gi",
      capacity_per_replica: 1,
      target_utilization: 0.5,
      headroom: 0,
      horizon_minutes: 30,
    });
    expect(res.status).toBe(200);
    const rec = (await res.json()) as {
      replicas: { current: number; recommended: number; peak: number; reason: string; path: { replicas: number }[] };
      resources: { cpu: { request: number }; memory: { request_bytes: number } };
      savings: { currentMonthly: number; recommendedMonthly: number; monthlySavings: number };
      confidence: number;
    };
    // steady 2 req/s, 1 req/s per replica at 100%, 50% target, no headroom: ceil(2 / (1 * 0.5)) = 4
    expect(rec.replicas).toMatchObject({ current: 6, recommended: 4 });
    // the path from 6 holds 6 through the 5-minute scale-down stabilisation window, then drops to 4
    expect(rec.replicas.peak).toBe(6);
    expect(rec.replicas.path).toHaveLength(30);
    expect(rec.replicas.path.map((p) => p.replicas).slice(-5)).toEqual([4, 4, 4, 4, 4]);
    expect(rec.replicas.reason).toContain("req/s");
    // VPA: p90 of a constant 0.25 cores (a bucket edge within 5% above it) plus the 15% margin
    expect(rec.resources.cpu.request).toBeGreaterThanOrEqual(0.25 * 1.15);
    expect(rec.resources.cpu.request).toBeLessThanOrEqual(0.25 * 1.05 * 1.15 + 1e-9);
    expect(rec.resources.memory.request_bytes).toBeGreaterThanOrEqual(300 * 1024 ** 2 * 1.15);
    expect(rec.savings.monthlySavings).toBeCloseTo(rec.savings.currentMonthly - rec.savings.recommendedMonthly, 6);
    expect(rec.savings.monthlySavings).toBeGreaterThan(0);
    expect(rec.confidence).toBeGreaterThan(0);
    expect(rec.confidence).toBeLessThanOrEqual(1);
  });

  it("keeps the recommendation, refreshes it every 15 minutes and exposes it to Prometheus", async () => {
    const res = await post({ workload: "checkout", replicas: 6, capacity_per_replica: 1, target_utilization: 0.5, headroom: 0 });
    expect(res.status).toBe(200);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/15 * * * *" }), env, ctx);
    const list = (await (await call(new Request("http://helios.test/api/v1/recommendations", { headers: { authorization: `Bearer ${key}` } }))).json()) as {
      recommendations: { workload: string; replicas: { recommended: number } }[];
    };
    expect(list.recommendations.map((r) => [r.workload, r.replicas.recommended])).toEqual([["checkout", 4]]);
    const metrics = await (await call(new Request("http://helios.test/metrics"))).text();
    expect(metrics).toContain(`helios_recommended_replicas{tenant="${TENANT}",workload="checkout"} 4`);
  });

  it("falls back to the HPA rule on CPU utilisation without request history, and says what is missing otherwise", async () => {
    const res = await post({ workload: "batch-worker", replicas: 4, cpu_utilization: 0.9, target_utilization: 0.6 });
    const rec = (await res.json()) as { replicas: { recommended: number }; notes: string[] };
    // ceil(4 * 0.9 * (1 + 0.1 headroom) / 0.6) = ceil(6.6) = 7
    expect(rec.replicas.recommended).toBe(7);
    expect(rec.notes.join(" ")).toContain("send batch-worker's request events");
    const missing = await post({ workload: "unknown", replicas: 2 });
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("insufficient_history");
    const bad = await post({ workload: "x", replicas: -1 });
    expect(bad.status).toBe(400);
  });
});
