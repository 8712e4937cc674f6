import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { IngestEvent } from "../src/ingest/schema";
import worker from "../src/index";

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 22, 9, 0);

async function ingest(tenant: string, items: IngestEvent[], id: string) {
  const batch = createMessageBatch("helios-ingest", [
    { id, timestamp: new Date(), attempts: 1, body: { v: 1, id, tenant, kind: "events", received_at: T0, items } },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  await getQueueResult(batch, ctx);
}

async function tick(cron: string, at: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron }), env, ctx);
}

async function rows(tenant: string, resolution: number) {
  const { results } = await env.DB.prepare(
    "SELECT w.start, w.count, w.errors, w.min, w.max, w.closed_at FROM windows w JOIN series s ON s.id = w.series_id WHERE s.tenant = ? AND w.resolution = ? ORDER BY w.start",
  )
    .bind(tenant, resolution)
    .all<{ start: number; count: number; errors: number; min: number; max: number; closed_at: number | null }>();
  return results;
}

describe("minute cron: closing windows and rollups", () => {
  it("closes windows past the watermark and rolls them up exactly into 5-minute and 1-hour windows", async () => {
    // 12 minutes of events, 10 a minute, latency = minute index + 1, every 5th an error
    const items: IngestEvent[] = [];
    for (let m = 0; m < 12; m++) {
      for (let k = 0; k < 10; k++) items.push({ ts: T0 + m * MIN + k * 1000, service: "api", level: k % 5 === 0 ? "ERROR" : "INFO", message: "", latency_ms: m + 1 });
    }
    await ingest("cron-tenant", items, "c1");

    // At T0 + 11.5 min with 120 s lateness, windows ending by T0 + 9.5 min close: minutes 0..8.
    await tick("* * * * *", T0 + 11.5 * MIN);
    const minute = await rows("cron-tenant", 60_000);
    expect(minute.filter((r) => r.closed_at !== null).map((r) => (r.start - T0) / MIN)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);

    // 5-minute rollups of the buckets that had a window closed: [0,5) -> 50 events, 10 errors,
    // latency 1..5; [5,10) holds every stored minute of it, the still-open minute 9 included.
    let five = await rows("cron-tenant", 300_000);
    expect(five.map((r) => [(r.start - T0) / MIN, r.count, r.errors, r.min, r.max])).toEqual([
      [0, 50, 10, 1, 5],
      [5, 50, 10, 6, 10],
    ]);

    // Next tick closes the rest and rebuilds [5,10) and [10,15) from their minutes: no double counting.
    await tick("* * * * *", T0 + 20 * MIN);
    five = await rows("cron-tenant", 300_000);
    expect(five.map((r) => [(r.start - T0) / MIN, r.count, r.errors])).toEqual([
      [0, 50, 10],
      [5, 50, 10],
      [10, 20, 4],
    ]);
    const hour = await rows("cron-tenant", 3_600_000);
    expect(hour.map((r) => [r.start, r.count, r.errors, r.min, r.max])).toEqual([[T0, 120, 24, 1, 12]]);
  });

  it("applies retention: old 1-minute rows go first, rollups stay longer", async () => {
    const old = T0 - 10 * 86_400_000; // 10 days before T0: past the 8-day 1-minute retention
    await ingest("retention-tenant", [{ ts: old, service: "api", level: "INFO", message: "", latency_ms: 5 }], "r1");
    await tick("* * * * *", old + 10 * MIN);
    expect((await rows("retention-tenant", 60_000)).length).toBe(1);
    expect((await rows("retention-tenant", 300_000)).length).toBe(1);
    await tick("30 3 * * *", T0);
    expect((await rows("retention-tenant", 60_000)).length).toBe(0);
    expect((await rows("retention-tenant", 300_000)).length).toBe(1);
    expect((await rows("retention-tenant", 3_600_000)).length).toBe(1);
  });
});
