import { createExecutionContext, createMessageBatch, env, getQueueResult, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type ColumnMessage, eventColumnMessages, type IngestMessage } from "../src/ingest/columns";
import type { IngestEvent } from "../src/ingest/schema";
import worker from "../src/index";
import { gunzipNdjson } from "../src/queue/archive";
import { createTestKey } from "./helpers";

const MIN = 60_000;

/** Sum of counts and errors of a tenant's 1-minute windows, per service. */
async function stored(tenant: string): Promise<Record<string, { count: number; errors: number }>> {
  const { results } = await env.DB.prepare(
    "SELECT s.name AS name, SUM(w.count) AS count, SUM(w.errors) AS errors FROM windows w JOIN series s ON s.id = w.series_id WHERE s.tenant = ? AND w.resolution = 60000 GROUP BY s.name",
  )
    .bind(tenant)
    .all<{ name: string; count: number; errors: number }>();
  return Object.fromEntries(results.map((r) => [r.name, { count: r.count, errors: r.errors }]));
}

/** A queue message as the ingest route sends it today (version 2, columns). */
function message(id: string, tenant: string, items: IngestEvent[]): ColumnMessage {
  const [one, ...more] = eventColumnMessages({ v: 2, tenant, received_at: Date.now() }, id, items, false);
  expect(more).toHaveLength(0);
  return { ...one!.body, id };
}

/** A version 1 message (items as objects), as an earlier deploy may have left on the queue. */
function messageV1(id: string, tenant: string, items: IngestEvent[]): IngestMessage<IngestEvent> {
  return { v: 1, id, tenant, kind: "events", received_at: Date.now(), items };
}

function events(n: number, service: string, t0: number, errorsEvery = 10): IngestEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    ts: t0 + ((i * 7919) % (3 * MIN)),
    service,
    level: i % errorsEvery === 0 ? ("ERROR" as const) : ("INFO" as const),
    message: "m",
    latency_ms: 10 + (i % 50),
    endpoint: `/e${i % 4}`,
  }));
}

async function deliver(batchMessages: { id: string; attempts?: number; body: unknown }[], overrides: Partial<Env> = {}) {
  const batch = createMessageBatch(
    "helios-ingest",
    batchMessages.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts ?? 1, body: m.body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...overrides }, ctx);
  return getQueueResult(batch, ctx);
}

describe("ingest consumer", () => {
  it("stores exactly the events sent over HTTP, through the real local queue", async () => {
    const key = await createTestKey("e2e-ingest");
    const t0 = Math.floor(Date.now() / MIN) * MIN - 10 * MIN;
    const batchA = events(700, "checkout", t0);
    const batchB = events(300, "search", t0, 5);
    for (const b of [batchA, batchB]) {
      const res = await SELF.fetch("http://helios.test/api/v1/events", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(b.map((e) => ({ ...e, timestamp: e.ts, ts: undefined }))),
      });
      expect(res.status).toBe(202);
    }
    let got: Record<string, { count: number; errors: number }> = {};
    for (let i = 0; i < 100; i++) {
      got = await stored("e2e-ingest");
      if (got.checkout?.count === 700 && got.search?.count === 300) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // errors: every 10th of 700 -> 70; every 5th of 300 -> 60
    expect(got).toEqual({ checkout: { count: 700, errors: 70 }, search: { count: 300, errors: 60 } });
  });

  it("merges windows exactly across messages of both versions and archives each message's items to R2", async () => {
    const t0 = Date.UTC(2026, 10, 22, 8, 0);
    const a = events(400, "api", t0);
    const b = events(600, "api", t0 + 30_000);
    const result = await deliver([
      { id: "q1", body: messageV1("m-a", "merge-tenant", a) },
      { id: "q2", body: message("m-b", "merge-tenant", b) },
    ]);
    expect(result.explicitAcks.sort()).toEqual(["q1", "q2"]);
    expect(await stored("merge-tenant")).toEqual({ api: { count: 1000, errors: 100 } });

    const { results } = await env.DB.prepare(
      "SELECT w.start, w.count, w.min, w.max FROM windows w JOIN series s ON s.id = w.series_id WHERE s.tenant = 'merge-tenant' ORDER BY w.start",
    ).all<{ start: number; count: number; min: number; max: number }>();
    // per-window counts equal a direct count of the events by minute
    const expected = new Map<number, number>();
    for (const e of [...a, ...b]) expected.set(Math.floor(e.ts / MIN) * MIN, (expected.get(Math.floor(e.ts / MIN) * MIN) ?? 0) + 1);
    expect(results.map((r) => [r.start, r.count])).toEqual([...expected.entries()].sort((x, y) => x[0] - y[0]));
    expect(results.every((r) => r.min === 10 && r.max === 59)).toBe(true);

    const archived = await env.ARCHIVE.list({ prefix: "archive/merge-tenant/" });
    expect(archived.objects.map((o) => o.key.split("/").pop()).sort()).toEqual(["m-a.ndjson.gz", "m-b.ndjson.gz"]);
    // Each archive holds its message's items, one a line, whichever version the message came in.
    for (const o of archived.objects) {
      const back = await gunzipNdjson(await (await env.ARCHIVE.get(o.key))!.arrayBuffer());
      expect(back).toEqual(o.key.endsWith("m-a.ndjson.gz") ? a : b);
    }
  });

  it("counts events without a latency in counts and errors, not in latency statistics", async () => {
    const t0 = Date.UTC(2026, 10, 22, 8, 0);
    const items: IngestEvent[] = [
      { ts: t0, service: "logs", level: "ERROR", message: "Database connection timeout" },
      { ts: t0 + 1000, service: "logs", level: "INFO", message: "ok", latency_ms: 40 },
    ];
    await deliver([{ id: "nl1", body: message("no-lat", "nolat-tenant", items) }]);
    const row = await env.DB.prepare(
      "SELECT w.count, w.errors, w.mean, w.p99 FROM windows w JOIN series s ON s.id = w.series_id WHERE s.tenant = 'nolat-tenant'",
    ).first();
    expect(row).toMatchObject({ count: 2, errors: 1, mean: 40 });
  });

  it("counts a redelivered message once", async () => {
    const m = message("dup-1", "dup-tenant", events(250, "api", Date.UTC(2026, 10, 22, 8, 0)));
    await deliver([{ id: "x1", body: m }]);
    const again = await deliver([{ id: "x2", attempts: 2, body: m }]);
    expect(again.explicitAcks).toEqual(["x2"]);
    // the same ledger id twice within one batch is applied once too
    const m2 = message("dup-2", "dup-tenant", events(50, "api", Date.UTC(2026, 10, 22, 8, 0)));
    await deliver([
      { id: "y1", body: m2 },
      { id: "y2", body: m2 },
    ]);
    expect(await stored("dup-tenant")).toEqual({ api: { count: 300, errors: 30 } });
  });

  it("rolls back and retries when D1 fails mid-batch, then ends with exact counts", async () => {
    const m = message("fail-1", "fail-tenant", events(500, "api", Date.UTC(2026, 10, 22, 8, 0)));
    const failing = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === "batch") return async () => Promise.reject(new Error("D1 unavailable (injected)"));
        const v = Reflect.get(target, prop);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    const first = await deliver([{ id: "f1", body: m }], { DB: failing });
    expect(first.retryMessages.map((r: { msgId: string }) => r.msgId)).toEqual(["f1"]);
    expect(await stored("fail-tenant")).toEqual({});
    const second = await deliver([{ id: "f1", attempts: 2, body: m }]);
    expect(second.explicitAcks).toEqual(["f1"]);
    expect(await stored("fail-tenant")).toEqual({ api: { count: 500, errors: 50 } });
  });

  it("sends a poison message to the dead-letter queue instead of retrying it", async () => {
    const sent: unknown[] = [];
    const dlq = { send: async (b: unknown) => void sent.push(b), sendBatch: async () => {} } as unknown as Queue;
    const result = await deliver([{ id: "p1", body: { v: 9, garbage: true } }], { DEAD_LETTER_QUEUE: dlq });
    expect(result.explicitAcks).toEqual(["p1"]);
    expect(result.retryMessages).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ message_id: "p1", original: { v: 9, garbage: true } });

    // A well-formed envelope with a bad item is poison too, and the reason names the item.
    const bad = { v: 1, id: "b", tenant: "poison-tenant", kind: "events", received_at: 0, items: [{ ts: 1, service: "a", level: "INFO", message: "" }, { ts: "yesterday" }] };
    await deliver([{ id: "p2", body: bad }], { DEAD_LETTER_QUEUE: dlq });
    expect(sent[1]).toMatchObject({ reason: "ingest: items.1.ts: expected a finite number" });

    // And so is a column message whose columns do not line up.
    const cols = message("c", "poison-tenant", events(3, "api", Date.UTC(2026, 10, 22, 8, 0)));
    const torn = { ...cols, columns: { ...cols.columns, ts: new Float64Array(2) } };
    await deliver([{ id: "p3", body: torn }], { DEAD_LETTER_QUEUE: dlq });
    expect(sent[2]).toMatchObject({ reason: "ingest: columns: ts and latency must be Float64Array of n" });
    expect(await stored("poison-tenant")).toEqual({});
  });
});

