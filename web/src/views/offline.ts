// Offline analysis: drop a CSV (timestamp,value) and get anomalies and a
// forecast computed entirely in this browser. The file is read and analysed
// in the engine's Web Worker, so even a million rows leave the page responsive.
import * as Comlink from "comlink";
import { timeChart } from "../charts/time-chart";
import { engineWorker } from "../engine-client";
import { formatNumber } from "../format";

/** Renders the offline analysis page into `root`. */
export function renderOffline(root: HTMLElement): void {
  const h2 = Object.assign(document.createElement("h2"), { textContent: "Offline analysis" });
  const intro = Object.assign(document.createElement("p"), {
    textContent: "Drop a CSV with a timestamp column and a value column. It is parsed and analysed in this browser; nothing is uploaded.",
  });
  const drop = Object.assign(document.createElement("label"), { className: "drop", id: "csv-drop" });
  const input = Object.assign(document.createElement("input"), { type: "file", accept: ".csv,text/csv", id: "csv-file" });
  drop.append("Drop a CSV here or choose one: ", input);
  const progress = Object.assign(document.createElement("progress"), { id: "csv-progress", max: 1, value: 0, hidden: true });
  const status = Object.assign(document.createElement("p"), { id: "csv-status" });
  const chart = Object.assign(document.createElement("div"), { className: "chart" });
  const list = Object.assign(document.createElement("ol"), { id: "csv-anomalies" });
  root.replaceChildren(h2, intro, drop, progress, status, chart, list);

  const analyse = async (file: File) => {
    progress.hidden = false;
    progress.value = 0;
    status.textContent = `Analysing ${file.name}…`;
    list.replaceChildren();
    try {
      const r = await engineWorker.analyse(file, Comlink.proxy((f: number) => (progress.value = f)));
      status.textContent = `${formatNumber(r.rows)} rows of "${r.column}" analysed in ${(r.ms / 1000).toFixed(1)} s${r.skipped ? ` (${r.skipped} rows skipped)` : ""}: ${r.anomalies.length} ${r.anomalies.length === 1 ? "anomaly" : "anomalies"}.${r.forecast ? ` Forecast: ${r.forecast.method}.` : ""}`;
      const f = r.forecast;
      const xs = [...r.chart.x, ...(f?.x ?? [])];
      const pad = (vs: (number | null)[], before: number, after: number) => [...new Array<null>(before).fill(null), ...vs, ...new Array<null>(after).fill(null)];
      const marks = new Map(r.anomalies.map((a) => [a.timestamp, a.value]));
      const n = r.chart.x.length;
      const m = f?.x.length ?? 0;
      timeChart(
        chart,
        "Series, forecast and anomalies",
        xs,
        [
          { label: r.column, values: pad(r.chart.y, 0, m), color: "#1f2937" },
          { label: "forecast p10", values: pad(f?.p10 ?? [], n, 0), color: "#93c5fd", dash: [4, 4] },
          { label: "forecast p50", values: pad(f?.p50 ?? [], n, 0), color: "#3b82f6", dash: [6, 3] },
          { label: "forecast p90", values: pad(f?.p90 ?? [], n, 0), color: "#93c5fd", dash: [4, 4] },
          { label: "anomaly", values: pad(r.chart.x.map((x) => marks.get(x) ?? null), 0, m), color: "#dc2626", points: true },
        ],
        [xs[0]!, xs[xs.length - 1]!],
        [4, 2],
      );
      for (const a of r.anomalies.slice(0, 20)) {
        const li = document.createElement("li");
        li.textContent = `${new Date(a.timestamp).toISOString()} (row ${a.row + 1}): ${formatNumber(a.value)}, expected ${formatNumber(a.expectedLow)}–${formatNumber(a.expectedHigh)}, alarm ${a.alarm.toFixed(2)}, score ${a.score.toFixed(2)}`;
        list.append(li);
      }
    } catch (err) {
      status.textContent = `Could not analyse ${file.name}: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      progress.hidden = true;
    }
  };
  input.addEventListener("change", () => {
    if (input.files?.[0]) void analyse(input.files[0]);
  });
  drop.addEventListener("dragover", (e) => e.preventDefault());
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files[0];
    if (file) void analyse(file);
  });
}
