// `helios detect <input.csv>`: streams the file through the engine's
// streaming detector, row by row (each score uses only that row and earlier
// ones), and writes timestamp,anomaly_score for every input row, in order.
// The score is the detector's alarm score (what the Worker decides anomalies
// with); --calibrated writes the calibrated score instead.
import { parseArgs } from "node:util";
import { loadEngine } from "../../src/node";
import { CliError, streamSeriesCsv } from "../csv";
import type { Command } from "../main";
import { openOutput } from "../output";

const usage = `usage: helios detect <input.csv> [options]

Scores every row with the engine's streaming detector (robust seasonal
baseline, level-shift aware; each score uses only that row and the rows
before it) and writes timestamp,anomaly_score in input order. The score is
the alarm score: high once, at the onset of what is news for the series
(0.7 and above is an anomaly, as in the Worker; a further one within four
hours of the last is the same incident and scores 0). A row without a value
scores 0 and does not update the detector.

options:
  --out FILE          write the scores here (default: standard output)
  --time-col NAME     timestamp column (default: timestamp)
  --value-col NAME    value column (default: the first other column)
  --calibrated        write the calibrated score (-log10 p / 8 of the point under
                      the model) instead of the alarm score`;

export const detectCommand: Command = {
  usage,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { out: { type: "string" }, "time-col": { type: "string" }, "value-col": { type: "string" }, calibrated: { type: "boolean" } },
    });
    if (positionals.length !== 1) throw new CliError(`give exactly one input file\n\n${usage}`);
    const input = positionals[0]!;
    const engine = await loadEngine();
    const detector = engine.detect.streaming();
    const pick = (b: { scores: Float64Array; alarms: Float64Array }) => (values.calibrated === true ? b.scores : b.alarms);
    const out = openOutput(values.out);
    let header = false;
    let lastTs = Number.NEGATIVE_INFINITY;
    try {
      await streamSeriesCsv(
        input,
        { timeCol: values["time-col"], valueCols: values["value-col"] ? [values["value-col"]] : undefined },
        async (batch) => {
          if (!header) {
            await out.write("timestamp,anomaly_score");
            header = true;
          }
          const ts = batch.timestamps;
          const v = batch.values[0]!;
          for (let i = 0; i < ts.length; i++) {
            if (ts[i]! < lastTs) throw new CliError(`${input}:${batch.firstLine + i}: timestamp goes back in time`);
            lastTs = ts[i]!;
          }
          // Rows without a value are scored 0 and skipped by the detector.
          const keep: number[] = [];
          for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i]!)) keep.push(i);
          const scores = new Float64Array(v.length);
          if (keep.length === v.length) scores.set(pick(detector.push(ts, v)));
          else if (keep.length > 0) {
            const s = pick(
              detector.push(
                keep.map((i) => ts[i]!),
                keep.map((i) => v[i]!),
              ),
            );
            keep.forEach((i, k) => (scores[i] = s[k]!));
          }
          for (let i = 0; i < ts.length; i++) await out.write(`${new Date(ts[i]!).toISOString()},${scores[i]}`);
        },
      );
    } finally {
      detector.dispose();
      await out.close();
    }
  },
};
