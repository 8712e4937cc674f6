import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { type ColumnMessage, decodeEvents, decodeSamples, type EventColumns, type SampleColumns } from "../src/ingest/columns";
import { call, createTestKey, recordingQueue } from "./helpers";

const URL_EVENTS = "http://helios.test/api/v1/events";
const URL_METRICS = "http://helios.test/api/v1/metrics";
let key: string;
let readOnlyKey: string;

beforeAll(async () => {
  key = await createTestKey("acme");
  readOnlyKey = await createTestKey("acme", ["read"]);
});

function post(url: string, body: string, headers: Record<string, string> = {}): Request {
  return new Request(url, {
    method: "POST",
    body,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
  });
}

async function errorOf(res: Response): Promise<{ code: string; message: string; details?: unknown }> {
  const body = (await res.json()) as { error: { code: string; message: string; details?: unknown } };
  return body.error;
}

async function counter(name: string, labels: string): Promise<number> {
  const row = await env.DB.prepare("SELECT value FROM counters WHERE name = ? AND labels = ?").bind(name, labels).first();
  return Number(row?.value ?? 0);
}

/** The items of a recorded queue message, as the consumer reads them. */
const eventsOf = (body: unknown) => decodeEvents((body as ColumnMessage).columns as EventColumns);
const samplesOf = (body: unknown) => decodeSamples((body as ColumnMessage).columns as SampleColumns);

describe("POST /api/v1/events", () => {
  it("accepts the original Helios agent's event, lifting latency and endpoint out of metadata", async () => {
    const { queue, sent } = recordingQueue();
    const res = await call(
      post(
        URL_EVENTS,
        JSON.stringify({
          service: "payment-service",
          level: "ERROR",
          message: "Database connection timeout",
          metadata: { latency_ms: 5000, error_code: "DB_TIMEOUT", endpoint: "/api/payments", region: "eu" },
          pod: "payment-7f9",
        }),
      ),
      { INGEST_QUEUE: queue },
    );
    expect(res.status).toBe(202);
    const body = (await res.json()) as { accepted: number; rejected: unknown[]; batch_id: string };
    expect(body).toMatchObject({ accepted: 1, rejected: [] });
    expect(sent).toHaveLength(1);
    const msg = sent[0]!.body as ColumnMessage;
    expect(msg).toMatchObject({ v: 2, tenant: "acme", kind: "events", id: `${body.batch_id}:0`, n: 1 });
    const ev = eventsOf(msg)[0]!;
    expect(ev).toMatchObject({
      service: "payment-service",
      level: "ERROR",
      latency_ms: 5000,
      error_code: "DB_TIMEOUT",
      endpoint: "/api/payments",
      // unknown fields are kept, in metadata
      metadata: { region: "eu", pod: "payment-7f9" },
    });
    // timestamp defaulted to the time of receipt
    expect(Math.abs(ev.ts - Date.now())).toBeLessThan(60_000);
  });

  it("accepts the valid items of a mixed array and rejects the others by index with a reason", async () => {
    const now = Date.now();
    const items = [
      { service: "api", level: "info", message: "ok", latency_ms: 12, timestamp: now },
      { level: "INFO", message: "no service" },
      { service: "api", latency_ms: "fast" },
      { service: "api", latency_ms: -1 },
      { service: "api", timestamp: now + 2 * 86_400_000 },
      { service: "api", timestamp: new Date(now - 8 * 86_400_000).toISOString() },
      { service: "x".repeat(200) },
      { service: "api", level: "LOUD" },
      "not an object",
      { service: "api", latency_ms: "OVERFLOW" },
      { service: "api", latency_ms: null },
    ];
    // JSON cannot spell Infinity, but 1e999 parses to it: send that literal.
    const text = JSON.stringify(items).replace('"OVERFLOW"', "1e999");
    const { queue, sent } = recordingQueue();
    const res = await call(post(URL_EVENTS, text), { INGEST_QUEUE: queue });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { accepted: number; rejected: { index: number; code: string; reason: string }[] };
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, "missing_field"],
      [2, "not_finite"],
      [3, "out_of_range"],
      [4, "timestamp_in_future"],
      [5, "timestamp_too_old"],
      [6, "too_long"],
      [7, "invalid_value"],
      [8, "not_object"],
      [9, "not_finite"],
      [10, "wrong_type"],
    ]);
    expect(body.rejected[0]!.reason).toContain("service");
    expect(sent.flatMap((s) => eventsOf(s.body))).toHaveLength(1);
  });

  it("accepts NDJSON and rejects a malformed line by its index", async () => {
    const ndjson = ['{"service":"a","latency_ms":1}', "{oops", '{"service":"b","latency_ms":2}'].join("\n");
    const { queue, sent } = recordingQueue();
    const res = await call(post(URL_EVENTS, ndjson, { "content-type": "application/x-ndjson" }), { INGEST_QUEUE: queue });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { accepted: number; rejected: { index: number; code: string }[] };
    expect(body.accepted).toBe(2);
    expect(body.rejected).toMatchObject([{ index: 1, code: "invalid_json" }]);
    expect(eventsOf(sent[0]!.body).map((e) => e.service)).toEqual(["a", "b"]);
  });

  it("splits a batch larger than one queue message and keeps every item once", async () => {
    // Distinct messages: a message stores each distinct string once.
    const items = Array.from({ length: 1000 }, (_, i) => ({ service: "bulk", message: `${i} ${"m".repeat(900)}`, latency_ms: i }));
    const { queue, sent } = recordingQueue();
    const res = await call(post(URL_EVENTS, JSON.stringify(items)), { INGEST_QUEUE: queue });
    expect(res.status).toBe(202);
    expect(sent.length).toBeGreaterThan(1);
    const latencies = sent.flatMap((s) => eventsOf(s.body).map((e) => e.latency_ms));
    expect(latencies).toEqual(items.map((e) => e.latency_ms));
    // Each message's strings and cells (test/ingest-chunking.test.ts checks the exact serialised size).
    for (const s of sent) {
      const c = (s.body as ColumnMessage).columns as EventColumns;
      expect(c.strings.reduce((n, x) => n + x.length + 7, 0) + 35 * c.ts.length).toBeLessThan(128_000);
    }
    const ids = sent.map((s) => (s.body as ColumnMessage).id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("derives the same message ids from the same Idempotency-Key so a retried batch is applied once", async () => {
    const a = recordingQueue();
    const b = recordingQueue();
    const req = () => post(URL_EVENTS, '{"service":"api"}', { "idempotency-key": "retry-42" });
    await call(req(), { INGEST_QUEUE: a.queue });
    await call(req(), { INGEST_QUEUE: b.queue });
    expect((a.sent[0]!.body as ColumnMessage).id).toBe((b.sent[0]!.body as ColumnMessage).id);
  });

  it("answers 503 queue_unavailable and acknowledges nothing when the queue refuses", async () => {
    const { queue, sent } = recordingQueue({ fail: true });
    const res = await call(post(URL_EVENTS, '{"service":"api"}'), { INGEST_QUEUE: queue });
    expect(res.status).toBe(503);
    expect((await errorOf(res)).code).toBe("queue_unavailable");
    expect(sent).toHaveLength(0);
  });

  it("counts accepted and rejected items by reason for /metrics", async () => {
    const before = await counter("helios_ingest_rejected_total", 'kind="events",reason="not_finite"');
    const acceptedBefore = await counter("helios_ingest_accepted_total", 'kind="events"');
    const res = await call(post(URL_EVENTS, '[{"service":"a"},{"service":"b","latency_ms":"NaN"}]'));
    expect(res.status).toBe(202);
    expect(await counter("helios_ingest_rejected_total", 'kind="events",reason="not_finite"')).toBe(before + 1);
    expect(await counter("helios_ingest_accepted_total", 'kind="events"')).toBe(acceptedBefore + 1);
  });
});

describe("POST /api/v1/metrics", () => {
  it("accepts the agent envelope and plain samples, normalising labels and numeric strings", async () => {
    const { queue, sent } = recordingQueue();
    const now = Date.now();
    const res = await call(
      post(
        URL_METRICS,
        JSON.stringify({
          agent_version: "1.4.0",
          sent_at: new Date(now).toISOString(),
          metrics: [
            { name: "cpu_utilization", value: 0.45, labels: { pod: "p1", app: "api" }, timestamp: now },
            { name: "memory_utilization", value: "0.62", labels: { app: "api" } },
            { name: "bad name!", value: 1 },
            { name: "db_connections", value: "NaN" },
          ],
        }),
      ),
      { INGEST_QUEUE: queue },
    );
    expect(res.status).toBe(202);
    const body = (await res.json()) as { accepted: number; rejected: { index: number; code: string }[] };
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r) => [r.index, r.code])).toEqual([
      [2, "invalid_format"],
      [3, "not_finite"],
    ]);
    const samples = samplesOf(sent[0]!.body);
    expect(samples[0]).toEqual({ ts: now, name: "cpu_utilization", value: 0.45, labels: { app: "api", pod: "p1" } });
    expect(Object.keys(samples[0]!.labels)).toEqual(["app", "pod"]);
    expect(samples[1]!.value).toBe(0.62);
  });
});

describe("ingestion errors", () => {
  it("rejects malformed JSON with 400 invalid_json", async () => {
    const res = await call(post(URL_EVENTS, '{"service": "a",'));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("invalid_json");
  });

  it("rejects a batch where nothing is valid with 400 validation_failed and the reasons", async () => {
    const res = await call(post(URL_EVENTS, '[{"level":"INFO"},{"service":"a","status":99}]'));
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.code).toBe("validation_failed");
    expect((err.details as { rejected: unknown[] }).rejected).toHaveLength(2);
  });

  it("rejects a body over 1 MiB with 413 payload_too_large", async () => {
    const big = JSON.stringify([{ service: "a", message: "x".repeat(1024 * 1024) }]);
    const res = await call(post(URL_EVENTS, big));
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("payload_too_large");
  });

  it("rejects a streamed body (no Content-Length) once it passes 1 MiB, and accepts one just under, sent in many chunks", async () => {
    const streamed = (text: string, chunk: number) => {
      const bytes = new TextEncoder().encode(text);
      let at = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(ctrl) {
          if (at >= bytes.length) return ctrl.close();
          ctrl.enqueue(bytes.slice(at, at + chunk));
          at += chunk;
        },
      });
      return new Request(URL_EVENTS, { method: "POST", body, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" } });
    };
    const event = (n: number) => JSON.stringify([{ service: "a", message: "x".repeat(n) }]);
    const envelope = event(0).length;
    const over = await call(streamed(event(1024 * 1024 + 1 - envelope), 64 * 1024));
    expect(over.status).toBe(413);
    expect((await errorOf(over)).code).toBe("payload_too_large");
    // Exactly 1 MiB is within the limit (at most 1 MiB): the message is within its own limit too.
    const { queue, sent } = recordingQueue();
    const fits = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ service: "a", message: `${i}`.padEnd(5000, "y") })));
    const ok = await call(streamed(fits.padEnd(1024 * 1024, " "), 7919), { INGEST_QUEUE: queue });
    expect(ok.status).toBe(202);
    expect(sent.flatMap((m) => eventsOf(m.body))).toHaveLength(200);
  });

  it("rejects more than 10,000 items with 413 too_many_items", async () => {
    const res = await call(post(URL_EVENTS, JSON.stringify(Array.from({ length: 10_001 }, () => ({ service: "a" })))));
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ code: "too_many_items", details: { limit: 10_000, count: 10_001 } });
  });

  it("rejects an unsupported content type with 415", async () => {
    const res = await call(post(URL_EVENTS, "service=a", { "content-type": "application/x-www-form-urlencoded" }));
    expect(res.status).toBe(415);
    expect((await errorOf(res)).code).toBe("unsupported_media_type");
  });

  it("requires a key: missing or unknown is 401, a read-only key is 403", async () => {
    const noKey = await call(new Request(URL_EVENTS, { method: "POST", body: '{"service":"a"}' }));
    expect(noKey.status).toBe(401);
    expect((await errorOf(noKey)).code).toBe("unauthorized");
    const wrong = await call(post(URL_EVENTS, '{"service":"a"}', { authorization: "Bearer hel_not_a_key" }));
    expect(wrong.status).toBe(401);
    const viaHeader = await call(
      new Request(URL_EVENTS, { method: "POST", body: '{"service":"a"}', headers: { "x-api-key": readOnlyKey } }),
    );
    expect(viaHeader.status).toBe(403);
    expect((await errorOf(viaHeader)).code).toBe("forbidden");
  });

  it("answers unknown routes with the JSON envelope", async () => {
    const res = await call(new Request("http://helios.test/api/v1/nope"));
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("not_found");
  });
});
