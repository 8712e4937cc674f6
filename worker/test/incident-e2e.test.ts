// End to end: normal traffic, then a latency spike and error burst on one
// service -> windows closed and scored by the minute cron -> an anomaly ->
// an incident with a report in R2 and D1 -> a webhook call to a local endpoint.
import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import "../../test/support/provided";
import type { AlertMessage } from "../src/alerts/types";
import type { IngestEvent } from "../src/ingest/schema";
import worker from "../src/index";

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 20, 6, 0);
const TENANT = "incident-e2e";

/** Deterministic jitter in [0, 1). */
const jitter = (i: number) => ((i * 2654435761) % 1000) / 1000;

function minuteOfTraffic(service: string, minute: number, incident: boolean): IngestEvent[] {
  return Array.from({ length: 60 }, (_, k) => {
    const i = minute * 60 + k;
    const error = incident ? k % 10 < 3 : k === 0 && minute % 2 === 0; // 30% vs about 1%
    return {
      ts: T0 + minute * MIN + k * 1000,
      service,
      level: error ? ("ERROR" as const) : ("INFO" as const),
      message: error ? "upstream timeout" : "ok",
      latency_ms: incident ? 800 + 100 * jitter(i) : 100 + 40 * jitter(i),
      endpoint: `/api/${k % 5}`,
    };
  });
}

async function deliver(id: string, items: IngestEvent[]) {
  const batch = createMessageBatch("helios-ingest", [{ id, timestamp: new Date(), attempts: 1, body: { v: 1, id, tenant: TENANT, kind: "events", received_at: T0, items } }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  const r = await getQueueResult(batch, ctx);
  expect(r.explicitAcks).toEqual([id]);
}

describe("an injected incident, end to end", () => {
  it("becomes an anomaly, an incident with a report, and a webhook call", async () => {
    // 3 hours of normal traffic on payments and search, then 5 minutes of trouble on payments.
    for (let m = 0; m < 185; m += 20) {
      const items: IngestEvent[] = [];
      for (let k = m; k < Math.min(m + 20, 185); k++) {
        items.push(...minuteOfTraffic("payments", k, k >= 180), ...minuteOfTraffic("search", k, false));
      }
      await deliver(`inc-${m}`, items);
    }

    // The minute cron after the last window is past the watermark: close, roll up, score.
    const sent: AlertMessage[] = [];
    const captureAlerts = {
      send: async (b: AlertMessage) => void sent.push(b),
      sendBatch: async (msgs: Iterable<MessageSendRequest<AlertMessage>>) => void sent.push(...[...msgs].map((m) => m.body)),
    } as unknown as Queue;
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: T0 + 190 * MIN, cron: "* * * * *" }), { ...env, ALERTS_QUEUE: captureAlerts }, ctx);

    const anomalies = sent.filter((m): m is Extract<AlertMessage, { kind: "anomaly" }> => m.kind === "anomaly").map((m) => m.anomaly);
    // The trouble on payments is found; search's normal traffic is not.
    expect(anomalies.length).toBeGreaterThan(0);
    expect(new Set(anomalies.map((a) => a.service))).toEqual(new Set(["payments"]));
    expect(anomalies.every((a) => a.window_start >= T0 + 180 * MIN)).toBe(true);
    const first = anomalies.sort((a, b) => a.window_start - b.window_start)[0]!;
    expect(first.window_start).toBe(T0 + 180 * MIN);
    const top = first.drivers[0]!;
    expect(["latency_mean", "latency_p95", "latency_p99", "error_rate"]).toContain(top.feature);
    expect(top.value).toBeGreaterThan(top.expected_high);

    // The alerts consumer groups them into one incident, writes the report and notifies the webhook.
    const channel = `e2e${Date.now()}`;
    const hookEnv = { ...env, ALERTS_QUEUE: captureAlerts, ALERT_WEBHOOK_URL: `${inject("webhookBase")}/hook/${channel}` };
    const before = sent.length;
    const batch = createMessageBatch("helios-alerts", sent.map((body, i) => ({ id: `a${i}`, timestamp: new Date(), attempts: 1, body })));
    const ctx2 = createExecutionContext();
    await worker.queue(batch, hookEnv, ctx2);
    await getQueueResult(batch, ctx2);
    const notifications = sent.slice(before);
    expect(notifications.map((n) => n.kind)).toContain("notify");
    const nb = createMessageBatch("helios-alerts", notifications.map((body, i) => ({ id: `n${i}`, timestamp: new Date(), attempts: 1, body })));
    const ctx3 = createExecutionContext();
    await worker.queue(nb, hookEnv, ctx3);
    await getQueueResult(nb, ctx3);

    const incidents = await env.DB.prepare("SELECT * FROM incidents WHERE tenant = ?").bind(TENANT).all<Record<string, unknown>>();
    expect(incidents.results).toHaveLength(1);
    const incident = incidents.results[0]!;
    expect(JSON.parse(String(incident.services))).toEqual(["payments"]);
    const report = (await (await env.ARCHIVE.get(String(incident.report_key)))!.json()) as { title: string; summary: string; likely_cause: string; actions: string[] };
    expect(report.title).toMatch(/^payments: /);
    expect(report.summary).toContain("expected");
    expect(report.actions.length).toBeGreaterThan(0);

    const received = (await (await fetch(`${inject("webhookBase")}/received/${channel}`)).json()) as { text: string }[];
    expect(received.length).toBeGreaterThanOrEqual(1);
    expect(received[0]!.text).toContain("Incident opened");
    expect(received[0]!.text).toContain("payments");

    // /metrics carries the anomaly count and each service's current score.
    const metrics = await (await worker.fetch(new Request("http://helios.test/metrics"), env, createExecutionContext())).text();
    expect(metrics).toMatch(/helios_anomalies_total\{severity="(medium|high|critical)"\} \d+/);
  });
});
