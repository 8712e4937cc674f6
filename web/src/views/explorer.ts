// The series explorer: a service's (or metric's) windows over the last hours,
// its forecast with the p10-p90 band, anomalies marked on the chart, and a
// legend that says why each fired.
import { describeDriver } from "../../../worker/src/alerts/format";
import type { AnomalyView, WindowView } from "../../../worker/src/api-types";
import { fetchAnomalies, fetchForecast, fetchWindows, type ForecastPoint } from "../api";
import { timeChart } from "../charts/time-chart";

/** Time ranges the explorer offers, in hours. */
const RANGES = [1, 6, 24, 72, 168];

/** Renders the explorer for series `id` over the last `HOURS` hours into `root`. */
export async function renderExplorer(root: HTMLElement, key: string, id: number, HOURS = 6): Promise<void> {
  root.replaceChildren(Object.assign(document.createElement("p"), { textContent: "Loading…" }));
  const { series, windows, resolution } = await fetchWindows(key, id, HOURS);
  const bucketMs = resolution === "1m" ? 60_000 : 300_000;
  const [{ anomalies }, { forecasts }] = await Promise.all([
    series.kind === "events" ? fetchAnomalies(key, series.name, HOURS) : Promise.resolve({ anomalies: [] as AnomalyView[] }),
    fetchForecast(key, id),
  ]);
  const forecast: ForecastPoint[] = forecasts[0]?.forecast ?? [];

  const back = Object.assign(document.createElement("a"), { href: "#/", textContent: "← all services" });
  const whatIfLink = Object.assign(document.createElement("a"), { href: `#/what-if/${id}`, textContent: "What if…", className: "what-if-link" });
  const rangePicker = document.createElement("select");
  rangePicker.id = "range";
  for (const h of RANGES) rangePicker.append(new Option(h < 24 ? `last ${h} h` : `last ${h / 24} d`, String(h), false, h === HOURS));
  rangePicker.addEventListener("change", () => void renderExplorer(root, key, id, Number(rangePicker.value)));
  const h2 = Object.assign(document.createElement("h2"), { textContent: series.kind === "events" ? series.name : `${series.name} ${JSON.stringify(series.labels)}` });
  const main = document.createElement("div");
  main.className = "chart";
  const second = document.createElement("div");
  second.className = "chart";
  const legend = document.createElement("ul");
  legend.id = "anomaly-legend";
  root.replaceChildren(back, " · ", whatIfLink, " · ", rangePicker, h2, main, second, Object.assign(document.createElement("h3"), { textContent: "Anomalies" }), legend);

  if (windows.length === 0) {
    main.textContent = `No windows in the last ${HOURS} hours.`;
    return;
  }
  const range: [number, number] = [Date.now() - HOURS * 3_600_000, Math.max(Date.now(), ...forecast.map((f) => Date.parse(f.timestamp)))];
  // Columns: the windows, then the forecast steps after them.
  const xs = [...windows.map((w) => Date.parse(w.start)), ...forecast.map((f) => Date.parse(f.timestamp))];
  const pad = <T>(vs: T[], before: number, after: number) => [...new Array<null>(before).fill(null), ...vs, ...new Array<null>(after).fill(null)];
  const n = windows.length;
  const m = forecast.length;
  const value = (w: WindowView) => (series.kind === "events" ? w.count : w.mean);
  // Anomalies are found on 1-minute windows: mark the window (or rollup) that holds each.
  const anomalyAt = new Map(anomalies.map((a) => [Math.floor(Date.parse(a.window_start) / bucketMs) * bucketMs, a]));
  timeChart(
    main,
    series.kind === "events" ? "Requests per minute, forecast and anomalies" : "Value (mean per minute), forecast and anomalies",
    xs,
    [
      { label: series.kind === "events" ? "requests/min" : "mean", values: pad(windows.map(value), 0, m), color: "#1f2937" },
      { label: "forecast p10", values: pad(forecast.map((f) => f.p10), n, 0), color: "#93c5fd", dash: [4, 4] },
      { label: "forecast p50", values: pad(forecast.map((f) => f.p50), n, 0), color: "#3b82f6", dash: [6, 3] },
      { label: "forecast p90", values: pad(forecast.map((f) => f.p90), n, 0), color: "#93c5fd", dash: [4, 4] },
      { label: "anomaly", values: pad(windows.map((w) => (anomalyAt.has(Date.parse(w.start)) ? value(w) : null)), 0, m), color: "#dc2626", points: true },
    ],
    range,
    [4, 2],
  );
  if (series.kind === "events") {
    const wx = windows.map((w) => Date.parse(w.start));
    timeChart(second, "Latency and error rate", wx, [
      { label: "p50 ms", values: windows.map((w) => w.p50), color: "#16a34a" },
      { label: "p95 ms", values: windows.map((w) => w.p95), color: "#ca8a04" },
      { label: "p99 ms", values: windows.map((w) => w.p99), color: "#dc2626" },
      { label: "error rate", values: windows.map((w) => w.error_rate), color: "#7c3aed", right: true },
    ], range);
  }
  if (anomalies.length === 0) {
    legend.append(Object.assign(document.createElement("li"), { textContent: `None in the last ${HOURS} hours.` }));
  } else {
    for (const a of anomalies) {
      const li = document.createElement("li");
      li.className = `sev-${a.severity}`;
      const why = a.drivers.filter((d) => d.contribution > 0).slice(0, 3).map(describeDriver).join("; ");
      li.textContent = `${new Date(a.window_start).toLocaleTimeString()} · ${a.severity} (score ${a.score.toFixed(2)}): ${why}`;
      legend.append(li);
    }
  }
}
