import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import "../../test/support/provided";
import { describeDriver, deviation } from "../src/alerts/format";
import { narrate, type NarrativeAi } from "../src/alerts/narrative";
import { chooseIncident } from "../src/alerts/grouping";
import { buildReport } from "../src/alerts/report";
import type { Anomaly, AlertMessage } from "../src/alerts/types";
import { backoffSeconds, slackPayload } from "../src/alerts/webhook";
import worker from "../src/index";
import { applyAnomaly, notify, resolveStaleIncidents } from "../src/queue/alerts-consumer";

const T0 = Date.UTC(2026, 10, 22, 9, 0);
const MIN = 60_000;

function anomaly(over: Partial<Anomaly> & Pick<Anomaly, "id" | "service" | "window_start">): Anomaly {
  return {
    tenant: "acme-alerts",
    series_id: 1,
    score: 0.99,
    severity: "high",
    drivers: [
      { feature: "latency_p99", value: 840, expected_low: 120, expected_high: 180, contribution: 0.7 },
      { feature: "error_rate", value: 0.12, expected_low: 0, expected_high: 0.01, contribution: 0.3 },
    ],
    count: 1000,
    errors: 120,
    ...over,
  };
}

describe("alert wording", () => {
  it("says what is abnormal and what was expected", () => {
    expect(describeDriver({ feature: "latency_p99", value: 840, expected_low: 120, expected_high: 180, contribution: 1 })).toBe(
      "p99 latency 840 ms, expected 120 ms-180 ms",
    );
    expect(describeDriver({ feature: "error_rate", value: 0.12, expected_low: 0, expected_high: 0.01, contribution: 1 })).toBe(
      "error rate 12%, expected 0%-1%",
    );
  });

  it("gives a ratio to a real bound, and a distance when the bound is about zero", () => {
    // 840 / 180 = 4.67 -> "4.7x".
    expect(deviation({ feature: "latency_p99", value: 840, expected_low: 120, expected_high: 180, contribution: 1 })).toBe("4.7x the expected maximum");
    // Expected at most 3e-9 (shown as 0%): 0.333 - 3e-9 = 33.3 percentage points, not a ratio of 1e8.
    expect(deviation({ feature: "error_rate", value: 0.333, expected_low: 0, expected_high: 3e-9, contribution: 1 })).toBe("33.3 percentage points above the expected maximum");
    // Traffic dropped to 0 from at least 40/min: no ratio to zero.
    expect(deviation({ feature: "count", value: 0, expected_low: 40, expected_high: 60, contribution: 1 })).toBe("40/min below the expected minimum");
    // 20/min against at least 40/min: 40 / 20 = 2.0x.
    expect(deviation({ feature: "count", value: 20, expected_low: 40, expected_high: 60, contribution: 1 })).toBe("2.0x below the expected minimum");
    expect(deviation({ feature: "count", value: 50, expected_low: 40, expected_high: 60, contribution: 1 })).toBe("");
  });
});

describe("webhook backoff", () => {
  it("doubles from 5 s per attempt and caps at 10 minutes", () => {
    expect([1, 2, 3, 4, 7, 8, 20].map(backoffSeconds)).toEqual([5, 10, 20, 40, 320, 600, 600]);
  });
});

describe("incident grouping", () => {
  const cfg = { spanMs: 15 * MIN, correlationMs: 5 * MIN };
  const open = [{ id: "a", services: ["payments"], lastAnomalyAt: T0, anomalyTimes: [T0 - 2 * MIN, T0] }];

  it("joins the same service within the span, and a different service only when close in time", () => {
    expect(chooseIncident(open, { service: "payments", window_start: T0 + 14 * MIN }, cfg)).toBe("a");
    expect(chooseIncident(open, { service: "payments", window_start: T0 + 16 * MIN }, cfg)).toBeUndefined();
    expect(chooseIncident(open, { service: "checkout", window_start: T0 + 4 * MIN }, cfg)).toBe("a");
    expect(chooseIncident(open, { service: "checkout", window_start: T0 + 6 * MIN }, cfg)).toBeUndefined();
  });
});

describe("incident report", () => {
  it("names the worst feature, the cause, the impact and the actions", () => {
    const r = buildReport({ id: "inc_1", tenant: "t", severity: "high" }, [
      anomaly({ id: "1:60000:a", service: "payments", window_start: T0 }),
      anomaly({
        id: "2:60000:b",
        service: "checkout",
        series_id: 2,
        window_start: T0 + 2 * MIN,
        drivers: [{ feature: "latency_p99", value: 400, expected_low: 100, expected_high: 200, contribution: 1 }],
        count: 500,
        errors: 5,
      }),
    ]);
    expect(r.title).toBe("payments: p99 latency 840 ms, expected 120 ms-180 ms");
    expect(r.abnormal[0]).toMatchObject({ service: "payments", feature: "latency_p99", deviation: "4.7x the expected maximum" });
    expect(r.likely_cause).toContain("Errors and latency rose together");
    expect(r.likely_cause).toContain("payments went anomalous first");
    // impact: 1000 + 500 requests, 120 + 5 errors, windows 09:00 and 09:02 -> 3 minutes
    expect(r.impact).toEqual({ requests: 1500, errors: 125, error_rate: 125 / 1500, duration_minutes: 3, windows: 2 });
    expect(r.services.map((s) => s.service)).toEqual(["payments", "checkout"]);
    expect(r.actions.some((a) => a.includes("recent deploys"))).toBe(true);
    const slack = slackPayload(r, "opened");
    expect(slack.text).toContain("Incident opened (high): payments: p99 latency 840 ms");
  });
});

describe("incident narrative (optional Workers AI)", () => {
  // Workers AI needs a Cloudflare account, so these stand-ins answer as its text-generation models do ({ response }).
  const answering = (response: string): NarrativeAi & { prompts: string[] } => {
    const prompts: string[] = [];
    return { prompts, run: async (_m, input) => (prompts.push(input.messages[1]!.content), { response }) };
  };
  const report = () => buildReport({ id: "inc_n", tenant: "t", severity: "high" }, [anomaly({ id: "1:60000:n", service: "payments", window_start: T0 })], [], T0);

  it("keeps the template without a binding", async () => {
    const r = report();
    expect(await narrate(undefined, r)).toEqual(r);
  });

  it("takes the model's summary when it states only the report's numbers", async () => {
    const ai = answering("Payments is in a high-severity incident: p99 latency reached 840 ms against an expected 120 ms-180 ms, with 120 errors in 1000 requests.");
    const r = await narrate(ai, report());
    expect(r.narrative_source).toBe("workers-ai");
    expect(r.summary).toContain("840 ms");
    // The facts the model was given carry the engine's numbers.
    expect(ai.prompts[0]).toContain("p99 latency 840 ms, expected 120 ms-180 ms");
  });

  it("keeps the template when the model invents a number, fails, or answers nothing", async () => {
    const r = report();
    expect(await narrate(answering("Latency reached 910 ms."), r)).toEqual(r);
    expect(await narrate({ run: async () => { throw new Error("AI unavailable"); } }, r)).toEqual(r);
    expect(await narrate(answering("   "), r)).toEqual(r);
  });
});

describe("alerts consumer", () => {
  it("groups anomalies into one incident with a report in R2 and D1, and notifies the webhook", async () => {
    const channel = `c${Date.now()}`;
    const hookEnv = { ...env, ALERT_WEBHOOK_URL: `${inject("webhookBase")}/hook/${channel}` };
    const a1 = anomaly({ id: "1:60000:t0", service: "payments", window_start: T0 });
    const a2 = anomaly({ id: "7:60000:t1", service: "checkout", series_id: 7, window_start: T0 + MIN, severity: "critical", score: 0.999 });
    const first = await applyAnomaly(hookEnv, a1);
    expect(first?.event).toBe("opened");
    const second = await applyAnomaly(hookEnv, a2);
    expect(second).toEqual({ incidentId: first!.incidentId, event: "escalated" });
    // re-delivery of an attached anomaly changes nothing
    expect(await applyAnomaly(hookEnv, a1)).toBeUndefined();

    const row = await env.DB.prepare("SELECT * FROM incidents WHERE id = ?").bind(first!.incidentId).first<Record<string, unknown>>();
    expect(row).toMatchObject({ status: "open", severity: "critical", anomaly_count: 2, services: '["payments","checkout"]' });
    const stored = await env.ARCHIVE.get(String(row!.report_key));
    const report = (await stored!.json()) as { title: string; impact: { requests: number } };
    expect(report.impact.requests).toBe(2000);
    expect(await env.ARCHIVE.get(String(row!.report_key).replace(".json", ".md"))).not.toBeNull();

    expect(await notify(hookEnv, "acme-alerts", first!.incidentId, "opened")).toBe(true);
    const received = (await (await fetch(`${inject("webhookBase")}/received/${channel}`)).json()) as { text: string }[];
    expect(received).toHaveLength(1);
    expect(received[0]!.text).toContain("Incident opened (critical)");
  });

  it("cites the stored scaling recommendation of an affected workload in the report's actions", async () => {
    const tenant = "acme-scaling";
    const body = { workload: "orders", replicas: { current: 4, recommended: 7, reason: "forecast peak 320 req/min at 70% target utilisation" } };
    await env.DB.prepare("INSERT INTO recommendations (tenant, workload, current_replicas, recommended_replicas, monthly_savings, confidence, body, computed_at) VALUES (?, 'orders', 4, 7, NULL, 0.8, ?, ?)")
      .bind(tenant, JSON.stringify(body), T0)
      .run();
    const a = anomaly({ id: "21:60000:s", tenant, series_id: 21, service: "orders", window_start: T0 });
    const { incidentId } = (await applyAnomaly(env, a))!;
    const row = await env.DB.prepare("SELECT report FROM incidents WHERE id = ?").bind(incidentId).first<{ report: string }>();
    const report = JSON.parse(row!.report) as { actions: string[] };
    expect(report.actions[0]).toBe("Scale orders from 4 to 7 replicas (forecast peak 320 req/min at 70% target utilisation).");
    // Another tenant's workload of the same name is not cited.
    const other = anomaly({ id: "22:60000:s", tenant: "acme-other", series_id: 22, service: "orders", window_start: T0 });
    const o = (await applyAnomaly(env, other))!;
    const orow = await env.DB.prepare("SELECT report FROM incidents WHERE id = ?").bind(o.incidentId).first<{ report: string }>();
    expect((JSON.parse(orow!.report) as { actions: string[] }).actions.some((x) => x.startsWith("Scale"))).toBe(false);
  });

  it("retries a failing webhook with backoff and acknowledges once it answers", async () => {
    const channel = `r${Date.now()}`;
    const base = inject("webhookBase");
    await fetch(`${base}/fail/${channel}?times=1`, { method: "POST" });
    const hookEnv = { ...env, ALERT_WEBHOOK_URL: `${base}/hook/${channel}` };
    const a = anomaly({ id: "9:60000:r", tenant: "retry-tenant", service: "search", window_start: T0 });
    const { incidentId } = (await applyAnomaly(hookEnv, a))!;
    const msg: AlertMessage = { v: 1, kind: "notify", tenant: "retry-tenant", incident_id: incidentId, event: "opened" };

    const first = createMessageBatch("helios-alerts", [{ id: "n1", timestamp: new Date(), attempts: 1, body: msg }]);
    const ctx1 = createExecutionContext();
    await worker.queue(first, hookEnv, ctx1);
    const r1 = await getQueueResult(first, ctx1);
    // (the test pool records which messages were retried, not their delay: backoff is checked below)
    expect(r1.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(["n1"]);
    expect(r1.explicitAcks).toEqual([]);

    const second = createMessageBatch("helios-alerts", [{ id: "n1", timestamp: new Date(), attempts: 2, body: msg }]);
    const ctx2 = createExecutionContext();
    await worker.queue(second, hookEnv, ctx2);
    const r2 = await getQueueResult(second, ctx2);
    expect(r2.explicitAcks).toEqual(["n1"]);
    const received = (await (await fetch(`${base}/received/${channel}`)).json()) as unknown[];
    expect(received).toHaveLength(1);
  });

  it("resolves incidents that have been quiet for the configured time", async () => {
    const a = anomaly({ id: "11:60000:q", tenant: "quiet-tenant", service: "auth", window_start: T0 });
    const { incidentId } = (await applyAnomaly(env, a))!;
    await resolveStaleIncidents(env, T0 + 29 * MIN);
    expect((await env.DB.prepare("SELECT status FROM incidents WHERE id = ?").bind(incidentId).first())!.status).toBe("open");
    await resolveStaleIncidents(env, T0 + 31 * MIN);
    expect((await env.DB.prepare("SELECT status FROM incidents WHERE id = ?").bind(incidentId).first())!.status).toBe("resolved");
  });
});

describe("incidents and anomalies API", () => {
  it("lists the tenant's incidents and anomalies and shows one incident with its report; other tenants see nothing", async () => {
    const { call, createTestKey } = await import("./helpers");
    const key = await createTestKey("api-incidents");
    const otherKey = await createTestKey("api-other");
    const { incidentId } = (await applyAnomaly(env, anomaly({ id: "21:60000:api", tenant: "api-incidents", service: "payments", window_start: Date.now() - 5 * MIN })))!;
    const get = (path: string, k: string) => call(new Request(`http://helios.test${path}`, { headers: { authorization: `Bearer ${k}` } }));

    const list = (await (await get("/api/v1/incidents?status=open", key)).json()) as { incidents: { id: string; services: string[] }[] };
    expect(list.incidents.map((i) => [i.id, i.services])).toEqual([[incidentId, ["payments"]]]);
    const one = (await (await get(`/api/v1/incidents/${incidentId}`, key)).json()) as {
      report: { title: string; actions: string[] };
      anomalies: { id: string; drivers: { feature: string }[] }[];
    };
    expect(one.report.title).toBe("payments: p99 latency 840 ms, expected 120 ms-180 ms");
    expect(one.anomalies.map((a) => a.id)).toEqual(["21:60000:api"]);
    const anomaliesRes = (await (await get("/api/v1/anomalies?severity=high", key)).json()) as { anomalies: { id: string }[] };
    expect(anomaliesRes.anomalies.map((a) => a.id)).toEqual(["21:60000:api"]);

    expect((await get(`/api/v1/incidents/${incidentId}`, otherKey)).status).toBe(404);
    expect(((await (await get("/api/v1/incidents", otherKey)).json()) as { incidents: unknown[] }).incidents).toEqual([]);
    expect((await get("/api/v1/anomalies?severity=extreme", key)).status).toBe(400);
  });
});

describe("alert wording at the edges", () => {
  it("clamps impossible negative expectations and says 'about' when the range rounds to one value", () => {
    // an error rate that was always 0: the detector's range is a hair around 0
    expect(describeDriver({ feature: "error_rate", value: 0.333, expected_low: -3e-9, expected_high: 3e-9, contribution: 1 })).toBe("error rate 33.3%, expected about 0%");
    expect(describeDriver({ feature: "latency_p99", value: 50, expected_low: -20, expected_high: 30, contribution: 1 })).toBe("p99 latency 50 ms, expected 0 ms-30 ms");
  });
});
