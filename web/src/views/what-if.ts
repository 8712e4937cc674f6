// What-if: choose traffic growth, a spike, the utilisation target, replica
// bounds and instance size; the engine in the Web Worker recomputes the
// forecast, the replicas over time and the cost while a slider moves.
import uPlot from "uplot";
import { fetchWindows } from "../api";
import { timeChart } from "../charts/time-chart";
import { engineWorker } from "../engine-client";
import { formatNumber } from "../format";
import type { WhatIfParams, WhatIfResult } from "../what-if";

const HISTORY_HOURS = 72;
const HORIZON = 1440; // a day of 1-minute steps
const STEP_MS = 60_000;

interface Slider {
  key: keyof WhatIfParams;
  label: string;
  min: number;
  max: number;
  step: number;
  value: number;
  unit?: string;
}

/** Renders the what-if page for series `id` into `root`. */
export async function renderWhatIf(root: HTMLElement, key: string, id: number): Promise<void> {
  root.replaceChildren(Object.assign(document.createElement("p"), { textContent: "Loading history…" }));
  // 1-minute windows: the forecast and replicas step by the minute (3 days fit the API's limit).
  const { series, windows } = await fetchWindows(key, id, HISTORY_HOURS, "1m");
  if (windows.length < 30) {
    root.replaceChildren(Object.assign(document.createElement("p"), { textContent: `What-if needs at least 30 minutes of ${series.name}'s history; it has ${windows.length}.` }));
    return;
  }
  // Evenly spaced per-minute counts (0 where a minute had no events).
  const start = Date.parse(windows[0]!.start);
  const last = Date.parse(windows[windows.length - 1]!.start);
  const values = new Float64Array(Math.round((last - start) / STEP_MS) + 1);
  for (const w of windows) values[Math.round((Date.parse(w.start) - start) / STEP_MS)] = series.kind === "events" ? w.count : (w.mean ?? 0);
  const fit = await engineWorker.setSeries(values, STEP_MS, HORIZON);

  const peak = Math.max(...values);
  const sliders: Slider[] = [
    { key: "growthPercent", label: "Traffic growth", min: -50, max: 300, step: 5, value: 0, unit: "%" },
    { key: "spikeMultiple", label: "Spike size (x forecast)", min: 0, max: 10, step: 0.5, value: 0 },
    { key: "spikeStart", label: "Spike starts after (min)", min: 0, max: HORIZON - 1, step: 10, value: 60 },
    { key: "spikeSteps", label: "Spike lasts (min)", min: 1, max: 240, step: 1, value: 30 },
    { key: "targetUtilisation", label: "Target utilisation", min: 0.3, max: 0.95, step: 0.05, value: 0.7 },
    { key: "minReplicas", label: "Min replicas", min: 1, max: 50, step: 1, value: 2 },
    { key: "maxReplicas", label: "Max replicas", min: 1, max: 500, step: 1, value: 100 },
    { key: "capacityPerInstance", label: "Instance capacity (per min)", min: 1, max: Math.max(100, Math.ceil(peak)), step: 1, value: Math.max(1, Math.ceil(peak / 4)) },
    { key: "pricePerInstanceHour", label: "Instance price ($/h)", min: 0.01, max: 2, step: 0.01, value: 0.1 },
  ];
  const params = Object.fromEntries(sliders.map((s) => [s.key, s.value])) as unknown as WhatIfParams;

  const back = Object.assign(document.createElement("a"), { href: `#/series/${id}`, textContent: `← ${series.name}` });
  const h2 = Object.assign(document.createElement("h2"), { textContent: `What if: ${series.name}` });
  const info = Object.assign(document.createElement("p"), {
    className: "muted",
    textContent: `${values.length} minutes of history; ${fit.method} model${fit.season ? `, season ${fit.season} min` : ""}, fitted in the browser in ${fit.fitMs.toFixed(0)} ms. Forecast: the next ${HORIZON / 60} hours.`,
  });
  const form = document.createElement("form");
  form.id = "what-if-controls";
  form.className = "controls";
  for (const s of sliders) {
    const label = document.createElement("label");
    const input = Object.assign(document.createElement("input"), { type: "range", min: String(s.min), max: String(s.max), step: String(s.step), value: String(s.value), name: s.key });
    const out = Object.assign(document.createElement("output"), { textContent: `${s.value}${s.unit ?? ""}` });
    input.addEventListener("input", () => {
      params[s.key] = Number(input.value);
      out.textContent = `${input.value}${s.unit ?? ""}`;
      schedule();
    });
    label.append(`${s.label} `, input, out);
    form.append(label);
  }
  const summary = Object.assign(document.createElement("p"), { id: "what-if-summary" });
  const loadChart = Object.assign(document.createElement("div"), { className: "chart" });
  const replicaChart = Object.assign(document.createElement("div"), { className: "chart" });
  root.replaceChildren(back, h2, info, form, summary, loadChart, replicaChart);

  const xs = Array.from({ length: HORIZON }, (_, i) => last + (i + 1) * STEP_MS);
  const range: [number, number] = [xs[0]!, xs[xs.length - 1]!];
  let charts: { load: uPlot; replicas: uPlot } | undefined;
  const draw = (r: WhatIfResult) => {
    const loadData: uPlot.AlignedData = [xs.map((t) => t / 1000), Array.from(r.p10), Array.from(r.p50), Array.from(r.p90)];
    const repData: uPlot.AlignedData = [xs.map((t) => t / 1000), Array.from(r.replicas)];
    if (!charts) {
      charts = {
        load: timeChart(loadChart, "Forecast load with the scenario (p10-p90)", xs, [
          { label: "p10", values: Array.from(r.p10), color: "#93c5fd", dash: [4, 4] },
          { label: "p50", values: Array.from(r.p50), color: "#3b82f6" },
          { label: "p90", values: Array.from(r.p90), color: "#93c5fd", dash: [4, 4] },
        ], range, [3, 1]),
        replicas: timeChart(replicaChart, "Replicas over time", xs, [{ label: "replicas", values: Array.from(r.replicas), color: "#16a34a" }], range),
      };
    } else {
      charts.load.setData(loadData);
      charts.replicas.setData(repData);
    }
    summary.textContent = `Peak ${r.peakReplicas} replicas, mean ${r.meanReplicas.toFixed(1)}, cost $${formatNumber(r.cost)} for the next ${HORIZON / 60} h (recomputed in ${r.computeMs.toFixed(1)} ms in the Web Worker).`;
    summary.dataset.peak = String(r.peakReplicas);
  };

  // Slider moves are coalesced to one recomputation per frame.
  let pending = false;
  let running = false;
  function schedule(): void {
    if (running) {
      pending = true;
      return;
    }
    running = true;
    void engineWorker.whatIf({ ...params }).then((r) => {
      draw(r);
      running = false;
      if (pending) {
        pending = false;
        schedule();
      }
    });
  }
  schedule();
}
