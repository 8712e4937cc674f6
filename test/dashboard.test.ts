// The dashboard in a real headless Chromium against a locally running Helios:
// the key prompt, the empty state with the curl to send, the services with
// their health once events arrive, and a wrong key. Screenshots go to
// test/artifacts/ (ignored by git).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./support/browser";
import { cardFor, linearModel } from "./support/onnx-models";
import { type LocalHelios, startLocalHelios } from "./support/local-helios";

const artifacts = join(import.meta.dirname, "artifacts");
let helios: LocalHelios;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  [helios, browser] = await Promise.all([startLocalHelios({ tenant: "dash" }), launchChromium()]);
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await helios?.stop();
});

async function send(events: unknown[]): Promise<void> {
  const res = await fetch(`${helios.url}/api/v1/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${helios.key}`, "content-type": "application/json" },
    body: JSON.stringify(events),
  });
  expect(res.status).toBe(202);
}

describe("dashboard", () => {
  it("asks for the key, shows how to send the first event, then the services with their health", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(helios.url);
    await page.waitForSelector("#key-panel:not([hidden])");
    await page.fill("#key-input", helios.key);
    await page.click("#key-form button");

    // No data yet: the curl to send, with this key and this server's address.
    await page.waitForSelector("#state pre");
    const curl = await page.textContent("#state pre");
    expect(curl).toContain(`${helios.url}/api/v1/events`);
    expect(curl).toContain(helios.key);
    await page.screenshot({ path: join(artifacts, "dashboard-empty.png"), fullPage: true });

    // All within one minute, so the latest window holds them all.
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    await send([
      ...Array.from({ length: 40 }, (_, i) => ({ service: "checkout", latency_ms: 100 + i, timestamp: minute + i * 1000, status: i % 10 === 0 ? 500 : 200 })),
      ...Array.from({ length: 10 }, (_, i) => ({ service: "search", latency_ms: 20 + i, timestamp: minute + i * 1000 })),
    ]);
    // The queue consumer merges the batch; the page refreshes on reload. The consumer registers a
    // new series before it writes the series' windows, so wait until both rows show a window.
    let names: string[] = [];
    let merged = false;
    for (let i = 0; i < 40 && !merged; i++) {
      await page.reload();
      await page.waitForSelector("#overview:not([hidden]), #state pre");
      names = await page.$$eval("#services tbody tr td:first-child", (tds) => tds.map((td) => td.textContent ?? ""));
      const requests = await page.$$eval("#services tbody tr td:nth-child(3)", (tds) => tds.map((td) => td.textContent ?? ""));
      merged = names.length === 2 && requests.every((r) => r !== "–");
      if (!merged) await new Promise((r) => setTimeout(r, 250));
    }
    expect(names.sort()).toEqual(["checkout", "search"]);
    const checkout = await page.$$eval("#services tbody tr", (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")).find((cells) => cells[0] === "checkout"),
    );
    // 40 requests, every 10th a 500: 4 errors = 10%; sparkline drawn
    expect(checkout?.slice(2, 4)).toEqual(["40", "10%"]);
    expect(await page.$$eval("#services svg.spark polyline", (ls) => ls.length)).toBe(2);
    expect(await page.textContent("#incidents")).toContain("None open.");
    await page.screenshot({ path: join(artifacts, "dashboard-overview.png"), fullPage: true });

    // The explorer: a service's charts (uPlot canvases) and its anomaly legend.
    await page.click("#services a:text('checkout')");
    await page.waitForSelector("#explorer:not([hidden]) .chart canvas");
    expect(await page.$$eval("#explorer .chart canvas", (cs) => cs.length)).toBeGreaterThanOrEqual(2);
    expect(await page.textContent("#explorer h2")).toBe("checkout");
    expect(await page.textContent("#anomaly-legend")).toContain("None in the last 6 hours");
    await page.screenshot({ path: join(artifacts, "dashboard-explorer.png"), fullPage: true });
    await page.click("#explorer a[href='#/']");
    await page.waitForSelector("#overview:not([hidden])");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("says so when the key is wrong", async () => {
    const page = await browser.newPage();
    await page.goto(helios.url);
    await page.waitForSelector("#key-panel:not([hidden])");
    await page.fill("#key-input", "hel_not_a_real_key");
    await page.click("#key-form button");
    await page.waitForSelector("#key-error:not(:empty)");
    expect(await page.textContent("#key-error")).toContain("unknown or revoked");
    await page.screenshot({ path: join(artifacts, "dashboard-wrong-key.png"), fullPage: true });
    await page.close();
  });

  it("finds an injected incident through the whole pipeline and shows its report: what is abnormal, the likely cause, the actions and the timeline", async () => {
    // Three hours of steady "payments" traffic, then five minutes of slow, failing requests.
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 190 * 60_000;
    const events = [];
    for (let m = 0; m < 185; m++) {
      const bad = m >= 180;
      for (let k = 0; k < 30; k++) {
        events.push({
          service: "payments",
          timestamp: start + m * 60_000 + k * 2000,
          // pseudo-random jitter (Knuth's multiplicative hash), not a repeating pattern
          latency_ms: bad ? 800 + (((m * 30 + k) * 2654435761) % 1000) / 10 : 100 + (((m * 30 + k) * 2654435761) % 1000) / 25,
          status: bad && k % 3 === 0 ? 503 : 200,
          endpoint: `/pay/${k % 4}`,
        });
      }
    }
    await send(events);
    // Wait for the queue consumer, then fire the minute cron: windows close, are scored, anomalies go to the alerts queue.
    const auth = { authorization: `Bearer ${helios.key}` };
    for (let i = 0; i < 60; i++) {
      const series = (await (await fetch(`${helios.url}/api/v1/series?name=payments`, { headers: auth })).json()) as { series: { id: number }[] };
      const id = series.series[0]?.id;
      if (id !== undefined) {
        const w = (await (await fetch(`${helios.url}/api/v1/series/${id}/windows?from=${start}`, { headers: auth })).json()) as { windows: unknown[] };
        if (w.windows.length >= 185) break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const cron = await fetch(`${helios.url}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
    expect(cron.status).toBe(200);
    let incidentId: string | undefined;
    for (let i = 0; i < 80 && !incidentId; i++) {
      const list = (await (await fetch(`${helios.url}/api/v1/incidents?status=open`, { headers: auth })).json()) as { incidents: { id: string; services: string[] }[] };
      incidentId = list.incidents.find((x) => x.services.includes("payments"))?.id;
      if (!incidentId) await new Promise((r) => setTimeout(r, 250));
    }
    expect(incidentId).toBeDefined();

    const page = await browser.newPage();
    await page.goto(helios.url);
    await page.fill("#key-input", helios.key);
    await page.click("#key-form button");
    await page.waitForSelector(`#incidents a[href='#/incidents/${incidentId}']`);
    expect(await page.textContent("#incidents")).toContain("payments");
    await page.click(`#incidents a[href='#/incidents/${incidentId}']`);
    await page.waitForSelector("#explorer .report-summary");
    const text = (await page.textContent("#explorer")) ?? "";
    expect(text).toMatch(/payments: .*expected/);
    expect(text).toContain("the expected maximum");
    expect(text).toContain("Likely cause");
    expect(text).toContain("Recommended actions");
    expect(await page.textContent("#incident-timeline")).toContain("payments (score");
    await page.screenshot({ path: join(artifacts, "dashboard-incident.png"), fullPage: true });

    // The explorer marks the anomalies on the chart and says why they fired.
    await page.goto(`${helios.url}/#/`);
    await page.click("#services a:text('payments')");
    await page.waitForSelector("#anomaly-legend li");
    expect(await page.textContent("#anomaly-legend")).toMatch(/expected/);
    // a longer range switches to 5-minute rollups and still draws
    await page.selectOption("#range", "72");
    await page.waitForFunction(() => (document.getElementById("range") as HTMLSelectElement | null)?.value === "72" && document.querySelector("#explorer .chart canvas") !== null);
    await page.screenshot({ path: join(artifacts, "dashboard-explorer-anomalies.png"), fullPage: true });
    await page.close();
  });

  it("lists the uploaded models and marks the active one", async () => {
    // Uploaded to wrangler dev, so the deployed bundle's onnxruntime glue validates it.
    const features = ["error_rate", "latency_p99.mean_12"];
    const bytes = linearModel({ features, weights: [5, 0.001], bias: -4 });
    const card = { ...(await cardFor(bytes, { name: "error-watch", version: "3", inputs: features })), metrics: { precision: 0.91, recall: 0.8 } };
    const form = new FormData();
    form.append("model", new Blob([bytes]), "model.onnx");
    form.append("card", JSON.stringify(card));
    const auth = { authorization: `Bearer ${helios.key}` };
    const up = await fetch(`${helios.url}/api/v1/models`, { method: "POST", headers: auth, body: form });
    expect(up.status).toBe(201);
    expect((await fetch(`${helios.url}/api/v1/models/error-watch/3/activate`, { method: "POST", headers: auth })).status).toBe(200);

    const page = await browser.newPage();
    await page.goto(`${helios.url}/#/models`);
    await page.fill("#key-input", helios.key);
    await page.click("#key-form button");
    await page.waitForSelector("#models tbody tr");
    const cells = await page.$$eval("#models tbody tr td", (tds) => tds.map((td) => td.textContent ?? ""));
    expect(cells.slice(0, 5)).toEqual(["error-watch", "3", "active", "2: error_rate, latency_p99.mean_12", "precision 0.910, recall 0.800"]);
    expect(await page.textContent("#active-model")).toContain("Active: error-watch 3");
    await page.screenshot({ path: join(artifacts, "dashboard-models.png"), fullPage: true });
    await page.close();
  });

  it("lists recommendations per workload with the replicas, why, confidence and savings", async () => {
    const res = await fetch(`${helios.url}/api/v1/recommend`, {
      method: "POST",
      headers: { authorization: `Bearer ${helios.key}`, "content-type": "application/json" },
      body: JSON.stringify({ workload: "batch-worker", replicas: 4, cpu_utilization: 0.9, target_utilization: 0.6, cpu_request: "1", memory_request: "1Gi" }),
    });
    expect(res.status).toBe(200);
    const page = await browser.newPage();
    await page.goto(`${helios.url}/#/recommendations`);
    await page.fill("#key-input", helios.key);
    await page.click("#key-form button");
    await page.waitForSelector("#recommendations tbody tr");
    const cells = await page.$$eval("#recommendations tbody tr td", (tds) => tds.map((td) => td.textContent ?? ""));
    // ceil(4 * 0.9 * 1.1 headroom / 0.6) = 7 replicas; more replicas cost more: negative savings
    expect(cells.slice(0, 2)).toEqual(["batch-worker", "4 → 7"]);
    expect(cells[4]).toMatch(/^−\$/);
    expect(cells[6]).toContain("CPU utilisation");
    await page.screenshot({ path: join(artifacts, "dashboard-recommendations.png"), fullPage: true });
    await page.close();
  });

  it("what-if: moving the growth slider recomputes the forecast and raises the recommended replicas", async () => {
    // Two hours of an "orders" service: 20 requests a minute.
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const events = [];
    for (let m = 120; m >= 1; m--) for (let k = 0; k < 20; k++) events.push({ service: "orders", latency_ms: 50 + k, timestamp: now - m * 60_000 + k * 2000 });
    await send(events);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(helios.url);
    await page.fill("#key-input", helios.key);
    await page.click("#key-form button");
    // The queue consumer merges the batch within a second or two: reload until it shows.
    for (let i = 0; i < 40 && !(await page.$("#services a:text('orders')")); i++) {
      await new Promise((r) => setTimeout(r, 250));
      await page.reload();
      await page.waitForSelector("#overview:not([hidden]), #state pre");
    }
    await page.click("#services a:text('orders')");
    await page.click("#explorer a.what-if-link");
    await page.waitForSelector("#what-if-summary[data-peak]");
    const before = Number(await page.getAttribute("#what-if-summary", "data-peak"));
    expect(await page.$$eval("#explorer .chart canvas", (cs) => cs.length)).toBeGreaterThanOrEqual(2);
    // +200% traffic: the same capacity needs about three times the replicas.
    await page.$eval("input[name=growthPercent]", (el) => {
      const input = el as HTMLInputElement;
      input.value = "200";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await page.waitForFunction((b) => Number(document.querySelector("#what-if-summary")?.getAttribute("data-peak")) > b, before);
    const after = Number(await page.getAttribute("#what-if-summary", "data-peak"));
    expect(after).toBeGreaterThan(before);
    await page.screenshot({ path: join(artifacts, "dashboard-what-if.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("analyses a dropped CSV entirely in the browser, with the network blocked", async () => {
    // 5,000 five-minute points of a daily cycle with one spike at row 4,000.
    const t0 = Date.UTC(2026, 0, 1);
    const lines = ["timestamp,value"];
    for (let i = 0; i < 5000; i++) {
      const x = (i % 288) / 288;
      lines.push(`${new Date(t0 + i * 300_000).toISOString()},${(50 + 40 * x * (1 - x) + (i % 5) * 0.2 + (i === 4000 ? 90 : 0)).toFixed(3)}`);
    }
    const file = join(mkdtempSync(join(tmpdir(), "helios-offline-")), "cpu.csv");
    writeFileSync(file, lines.join("\n"));

    const page = await browser.newPage();
    await page.goto(`${helios.url}/#/offline`);
    await page.waitForFunction(() => document.getElementById("browser-engine")?.textContent?.includes("in this browser"));
    // From here on nothing may leave the page.
    const attempted: string[] = [];
    await page.route("**/*", (route) => {
      attempted.push(route.request().url());
      return route.abort();
    });
    await page.setInputFiles("#csv-file", file);
    await page.waitForFunction(() => /analysed/.test(document.getElementById("csv-status")?.textContent ?? ""), null, { timeout: 60_000 });
    expect(await page.textContent("#csv-status")).toContain("5000 rows");
    const first = await page.textContent("#csv-anomalies li");
    expect(first).toContain(new Date(t0 + 4000 * 300_000).toISOString());
    expect(await page.$$eval("#explorer .chart canvas", (cs) => cs.length)).toBeGreaterThanOrEqual(1);
    expect(attempted).toEqual([]);
    await page.screenshot({ path: join(artifacts, "dashboard-offline.png"), fullPage: true });
    await page.close();
  });

  it("analyses a million-row CSV in the worker while the page stays responsive", async () => {
    const t0 = Date.UTC(2025, 0, 1);
    const rows: string[] = ["timestamp,value"];
    for (let i = 0; i < 1_000_000; i++) rows.push(`${t0 + i * 60_000},${50 + (i % 1440) / 100 + (i % 7) * 0.1}`);
    const file = join(mkdtempSync(join(tmpdir(), "helios-offline-")), "big.csv");
    writeFileSync(file, rows.join("\n"));

    const page = await browser.newPage();
    await page.goto(`${helios.url}/#/offline`);
    await page.waitForFunction(() => document.getElementById("browser-engine")?.textContent?.includes("in this browser"));
    // Count animation frames while the file is analysed: a frozen page would paint none.
    await page.evaluate(() => {
      const w = window as unknown as { frames_: number; longest_: number };
      w.frames_ = 0;
      w.longest_ = 0;
      let last = performance.now();
      const tick = () => {
        const now = performance.now();
        w.longest_ = Math.max(w.longest_, now - last);
        last = now;
        w.frames_++;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await page.setInputFiles("#csv-file", file);
    await page.waitForFunction(() => /analysed/.test(document.getElementById("csv-status")?.textContent ?? ""), null, { timeout: 300_000 });
    expect(await page.textContent("#csv-status")).toContain("1.0M rows");
    const { frames_, longest_ } = await page.evaluate(() => {
      const w = window as unknown as { frames_: number; longest_: number };
      return { frames_: w.frames_, longest_: w.longest_ };
    });
    // The page kept painting: many frames, and no main-thread stall of a second or more.
    expect(frames_).toBeGreaterThan(30);
    expect(longest_).toBeLessThan(1000);
    await page.screenshot({ path: join(artifacts, "dashboard-offline-million.png"), fullPage: true });
    await page.close();
  }, 300_000);
});
