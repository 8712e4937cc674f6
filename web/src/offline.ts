// Offline analysis of a CSV file entirely in the browser's Web Worker:
// papaparse reads the file in chunks, the engine's streaming detector scores
// every row as it goes, and the forecaster projects the end of the series.
// Nothing is uploaded.
import Papa from "papaparse";
import { ALARM_THRESHOLD, type Engine } from "../../engine/src/index";
import { parseTimestamp } from "../../engine/cli/timestamp";

/** One flagged row. */
export interface OfflineAnomaly {
  row: number;
  timestamp: number;
  value: number;
  /** The alarm that flagged the row (what the Worker decides anomalies with). */
  alarm: number;
  /** The calibrated score in [0, 1] (-log10 p / 8), as shown for a window's severity. */
  score: number;
  expectedLow: number;
  expectedHigh: number;
}

/** The result of analysing a file. */
export interface OfflineResult {
  rows: number;
  column: string;
  /** Rows skipped: unparseable timestamps or values, or time going backwards. */
  skipped: number;
  /** The rows whose alarm reaches ALARM_THRESHOLD, as the Worker would flag them; strongest alarm first (at most 50). */
  anomalies: OfflineAnomaly[];
  /** Decimated series for the chart: x (ms) and y, at most about 2,000 points. */
  chart: { x: number[]; y: number[] };
  forecast: { x: number[]; p10: number[]; p50: number[]; p90: number[]; method: string } | null;
  ms: number;
}

const CHART_POINTS = 2000;
const FORECAST_TAIL = 20_000;

/** Analyses `file` with `engine`, reporting progress in [0, 1]. */
export function analyseCsv(engine: Engine, file: File, onProgress: (fraction: number) => void): Promise<OfflineResult> {
  const t0 = performance.now();
  const detector = engine.detect.streaming();
  let column = "";
  let timeCol = "timestamp";
  const ts: number[] = [];
  const vs: number[] = [];
  const top: OfflineAnomaly[] = [];
  let skipped = 0;
  let last = Number.NEGATIVE_INFINITY;
  return new Promise((resolve, reject) => {
    Papa.parse<Record<string, string>>(file, {
      header: true,
      skipEmptyLines: "greedy",
      chunkSize: 1 << 20,
      chunk: (results) => {
        const fields = results.meta.fields ?? [];
        if (!column) {
          timeCol = fields.find((f) => /^(timestamp|time|ts|date)$/i.test(f.trim())) ?? fields[0] ?? "timestamp";
          column = fields.find((f) => f !== timeCol) ?? "";
          if (!column) return reject(new Error("the file needs a timestamp column and a value column"));
        }
        const cts: number[] = [];
        const cvs: number[] = [];
        for (const row of results.data) {
          const t = parseTimestamp(row[timeCol] ?? "");
          const v = Number(row[column]);
          if (!Number.isFinite(t) || !Number.isFinite(v) || t < last) {
            skipped++;
            continue;
          }
          last = t;
          cts.push(t);
          cvs.push(v);
        }
        if (cts.length > 0) {
          const out = detector.push(cts, cvs);
          for (let i = 0; i < cts.length; i++) {
            const a = out.alarms[i]!;
            if (a >= ALARM_THRESHOLD && (top.length < 50 || a > top[top.length - 1]!.alarm)) {
              top.push({ row: ts.length + i, timestamp: cts[i]!, value: cvs[i]!, alarm: a, score: out.scores[i]!, expectedLow: out.expectedLow[i]!, expectedHigh: out.expectedHigh[i]! });
              top.sort((x, y) => y.alarm - x.alarm);
              if (top.length > 50) top.pop();
            }
          }
          for (let i = 0; i < cts.length; i++) {
            ts.push(cts[i]!);
            vs.push(cvs[i]!);
          }
        }
        onProgress(Math.min(1, results.meta.cursor / Math.max(1, file.size)));
      },
      complete: () => {
        detector.dispose();
        if (ts.length === 0) return reject(new Error("no rows with a timestamp and a number"));
        const stride = Math.max(1, Math.ceil(ts.length / CHART_POINTS));
        const chart = { x: [] as number[], y: [] as number[] };
        for (let i = 0; i < ts.length; i += stride) {
          // Keep each block's largest value, so spikes survive the decimation.
          let j = i;
          for (let k = i; k < Math.min(ts.length, i + stride); k++) if (vs[k]! > vs[j]!) j = k;
          chart.x.push(ts[j]!);
          chart.y.push(vs[j]!);
        }
        let forecast: OfflineResult["forecast"] = null;
        if (ts.length >= 30) {
          const from = Math.max(0, ts.length - FORECAST_TAIL);
          const tail = Float64Array.from(vs.slice(from));
          const stepMs = (ts[ts.length - 1]! - ts[from]!) / Math.max(1, tail.length - 1);
          if (stepMs > 0) {
            const h = Math.min(288, Math.max(10, Math.floor(tail.length / 10)));
            const f = engine.forecast.predict(tail, h, { stepMs });
            forecast = {
              x: Array.from({ length: h }, (_, k) => ts[ts.length - 1]! + (k + 1) * stepMs),
              p10: Array.from(f.p10),
              p50: Array.from(f.p50),
              p90: Array.from(f.p90),
              method: f.model.method,
            };
          }
        }
        onProgress(1);
        resolve({ rows: ts.length, column, skipped, anomalies: top, chart, forecast, ms: performance.now() - t0 });
      },
      error: (err) => {
        detector.dispose();
        reject(err);
      },
    });
  });
}
