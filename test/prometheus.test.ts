// /metrics, scraped from a locally running Helios, is valid Prometheus text
// exposition (checked by promtool) and counts what was sent.
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDebianBinary } from "./support/debian";
import { type LocalHelios, startLocalHelios } from "./support/local-helios";

let helios: LocalHelios;
let promtool: string;

beforeAll(async () => {
  promtool = ensureDebianBinary("promtool", "prometheus");
  helios = await startLocalHelios();
}, 600_000);

afterAll(async () => {
  await helios?.stop();
});

describe("GET /metrics", () => {
  it("passes promtool check metrics and counts accepted and rejected items", async () => {
    const res = await fetch(`${helios.url}/api/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${helios.key}`, "content-type": "application/json" },
      body: JSON.stringify([
        { service: "api", latency_ms: 12 },
        { service: "api", latency_ms: 15 },
        { service: "api", latency_ms: "slow" },
      ]),
    });
    expect(res.status).toBe(202);
    await fetch(`${helios.url}/api/v1/events`, { method: "POST", body: "{}" }); // 401, counted as 4xx

    // Counters are written after the response (waitUntil): poll briefly.
    let text = "";
    for (let i = 0; i < 40; i++) {
      const scrape = await fetch(`${helios.url}/metrics`);
      expect(scrape.headers.get("content-type")).toContain("text/plain; version=0.0.4");
      text = await scrape.text();
      if (text.includes('helios_ingest_accepted_total{kind="events"} 2') && text.includes('status="4xx"')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(text).toContain('helios_ingest_accepted_total{kind="events"} 2');
    expect(text).toContain('helios_ingest_rejected_total{kind="events",reason="not_finite"} 1');
    expect(text).toContain('helios_http_requests_total{route="/api/v1/events",status="2xx"} 1');
    expect(text).toContain('helios_http_requests_total{route="/api/v1/events",status="4xx"} 1');

    const check = spawnSync(promtool, ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(check.stderr + check.stdout).toBe("");
    expect(check.status).toBe(0);
  });
});
