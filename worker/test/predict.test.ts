import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { IngestSample } from "../src/ingest/schema";
import worker from "../src/index";
import { call, createTestKey } from "./helpers";

const MIN = 60_000;
const DAY = 86_400_000;
let key: string;
/** The daily cycle the stored history follows. */
const cycle = (t: number) => 0.5 + 0.2 * Math.sin((2 * Math.PI * (t % DAY)) / DAY);

/** Two days of a daily cycle for cpu_utilization, one sample a minute, through the real consumer. */
beforeAll(async () => {
  key = await createTestKey("predict-tenant");
  const now = Math.floor(Date.now() / MIN) * MIN;
  const samples: IngestSample[] = [];
  for (let i = 2 * 1440; i >= 1; i--) {
    const t = now - i * MIN;
    samples.push({ ts: t, name: "cpu_utilization", value: cycle(t), labels: { pod: "p1" } });
  }
  for (let k = 0; k < samples.length; k += 1000) {
    const id = `pred-${k}`;
    const batch = createMessageBatch("helios-ingest", [
      { id, timestamp: new Date(), attempts: 1, body: { v: 1, id, tenant: "predict-tenant", kind: "metrics", received_at: now, items: samples.slice(k, k + 1000) } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await getQueueResult(batch, ctx);
  }
});

const post = (body: unknown) =>
  call(
    new Request("http://helios.test/api/v1/predict", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );

describe("POST /api/v1/predict", () => {
  it("forecasts a named metric from its stored history, and says so when a metric has none", async () => {
    const nowMinute = Math.floor(Date.now() / MIN) * MIN;
    const res = await post({ metrics: { cpu_utilization: cycle(nowMinute), db_connections: 15 }, periods: 12 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      predictions: Record<string, { history_points: number; model: { method: string }; forecast: { p10: number; p50: number; p90: number }[]; note?: string }>;
    };
    const cpu = body.predictions.cpu_utilization!;
    expect(cpu.history_points).toBeGreaterThanOrEqual(2 * 1440);
    expect(cpu.forecast).toHaveLength(12);
    cpu.forecast.forEach((f, j) => {
      expect(f.p10).toBeLessThanOrEqual(f.p50);
      expect(f.p50).toBeLessThanOrEqual(f.p90);
      // a noiseless cycle: the next 12 minutes follow it closely (it moves at most 0.0105 a minute)
      expect(Math.abs(f.p50 - cycle(nowMinute + (j + 1) * MIN))).toBeLessThan(0.02);
    });
    const db = body.predictions.db_connections!;
    expect(db.history_points).toBe(0);
    expect(db.model.method).toBe("naive");
    expect(db.forecast.every((f) => f.p50 === 15)).toBe(true);
    expect(db.note).toContain("no stored history");
  });

  it("forecasts raw values sent in the request", async () => {
    const values = Array.from({ length: 200 }, (_, i) => 100 + 2 * i); // a clean line: 100, 102, ... 498
    const body = (await (await post({ values, step_ms: 60_000, periods: 3 })).json()) as { prediction: { forecast: { p50: number }[] } };
    // a linear trend continues: 500, 502, 504 (damped trend may bend it slightly)
    expect(body.prediction.forecast.map((f) => Math.round(f.p50))).toEqual([500, 502, 504]);
  });

  it("rejects bad bodies with 400 validation_failed and unknown series with 404", async () => {
    for (const bad of [{}, { metrics: {} }, { metrics: { cpu: "high" } }, { values: [1, 2], periods: 3 }, { metrics: { cpu: 1 }, periods: 0 }]) {
      const res = await post(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("validation_failed");
    }
    expect((await post({ series_id: 999_999 })).status).toBe(404);
  });
});

describe("stored forecasts", () => {
  it("are computed for active series by the 15-minute cron and served by GET /api/v1/forecasts", async () => {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/15 * * * *" }), env, ctx);
    const res = await call(new Request("http://helios.test/api/v1/forecasts", { headers: { authorization: `Bearer ${key}` } }));
    const body = (await res.json()) as { forecasts: { field: string; history_points: number; forecast: { timestamp: string; p50: number }[] }[] };
    expect(body.forecasts).toHaveLength(1);
    const f = body.forecasts[0]!;
    expect(f.field).toBe("mean");
    expect(f.forecast).toHaveLength(60);
    // the next hour follows the stored cycle
    for (const p of f.forecast) expect(Math.abs(p.p50 - cycle(Date.parse(p.timestamp)))).toBeLessThan(0.05);
    const other = await call(new Request("http://helios.test/api/v1/forecasts?series_id=abc", { headers: { authorization: `Bearer ${key}` } }));
    expect(other.status).toBe(400);
  });
});

describe("POST /api/v1/detect", () => {
  const detect = (body: unknown) =>
    call(new Request("http://helios.test/api/v1/detect", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) }));

  it("scores a metric's current value against its stored history", async () => {
    const nowMinute = Math.floor(Date.now() / MIN) * MIN;
    const normal = (await (await detect({ metrics: { cpu_utilization: cycle(nowMinute) } })).json()) as { results: Record<string, { score: number; history_points: number }> };
    const spike = (await (await detect({ metrics: { cpu_utilization: 5 } })).json()) as {
      results: Record<string, { score: number; expected_high: number; value: number }>;
    };
    expect(normal.results.cpu_utilization!.history_points).toBeGreaterThan(2000);
    expect(normal.results.cpu_utilization!.score).toBeLessThan(0.3);
    expect(spike.results.cpu_utilization!.score).toBeGreaterThan(0.7);
    expect(spike.results.cpu_utilization!.value).toBeGreaterThan(spike.results.cpu_utilization!.expected_high);
  });

  it("scores every point of a series sent in the request, and rejects time going backwards", async () => {
    const t0 = Date.UTC(2026, 10, 1);
    const points = Array.from({ length: 300 }, (_, i) => ({ timestamp: t0 + i * MIN, value: 100 + (i % 5) + (i === 250 ? 60 : 0) }));
    const body = (await (await detect({ points })).json()) as { points: { score: number }[] };
    const scores = body.points.map((p) => p.score);
    expect(scores.indexOf(Math.max(...scores))).toBe(250);
    const back = await detect({ timestamps: [t0 + MIN, t0], values: [1, 2] });
    expect(back.status).toBe(400);
  });
});
