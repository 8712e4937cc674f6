// `helios forecast <input.csv> --horizon N`: fits the engine's forecaster and
// writes p10/p50/p90 for the next N steps.
import { parseArgs } from "node:util";
import { loadEngine } from "../../src/node";
import { CliError, readSeriesCsv } from "../csv";
import type { Command } from "../main";
import { openOutput } from "../output";

const usage = `usage: helios forecast <input.csv> --horizon N [options]

Fits the engine's forecaster (Holt-Winters with a detected season, or Holt's
damped trend) and writes timestamp,p10,p50,p90 for the next N steps.

options:
  --horizon N         steps to forecast (required)
  --out FILE          write the forecast here (default: standard output)
  --time-col NAME     timestamp column (default: timestamp)
  --value-col NAME    value column (default: the first other column)
  --season auto|N     season length in steps (default: auto; 0 for none)
  --method NAME       auto, holt, additive, multiplicative or baseline (default: auto)`;

export const forecastCommand: Command = {
  usage,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        horizon: { type: "string" },
        out: { type: "string" },
        "time-col": { type: "string" },
        "value-col": { type: "string" },
        season: { type: "string", default: "auto" },
        method: { type: "string", default: "auto" },
      },
    });
    if (positionals.length !== 1) throw new CliError(`give exactly one input file\n\n${usage}`);
    const horizon = Number(values.horizon);
    if (!values.horizon || !Number.isInteger(horizon) || horizon < 1) throw new CliError("--horizon must be a positive integer");
    const season = values.season === "auto" ? "auto" : Number(values.season);
    if (season !== "auto" && !(Number.isInteger(season) && season >= 0)) throw new CliError("--season must be auto or a non-negative integer");
    const methods = ["auto", "holt", "additive", "multiplicative", "baseline"] as const;
    const method = methods.find((m) => m === values.method);
    if (!method) throw new CliError(`--method must be one of ${methods.join(", ")}`);

    const input = positionals[0]!;
    const csv = await readSeriesCsv(input, { timeCol: values["time-col"], valueCols: values["value-col"] ? [values["value-col"]] : undefined });
    const series = csv.values[0]!;
    const missing = series.findIndex((v) => Number.isNaN(v));
    if (missing >= 0) throw new CliError(`${input}: row ${missing + 1} has no value; the forecaster needs every step`);
    for (let i = 1; i < csv.timestamps.length; i++) {
      if (csv.timestamps[i]! <= csv.timestamps[i - 1]!) throw new CliError(`${input}: row ${i + 1} is not after the row before it`);
    }
    const engine = await loadEngine();
    const result = engine.forecast.predict(series, horizon, { timestamps: csv.timestamps, season, method });
    const out = openOutput(values.out);
    await out.write("timestamp,p10,p50,p90");
    for (let j = 0; j < horizon; j++) {
      const t = result.timestamps ? new Date(result.timestamps[j]!).toISOString() : String(j + 1);
      await out.write(`${t},${result.p10[j]},${result.p50[j]},${result.p90[j]}`);
    }
    await out.close();
    const m = result.model;
    console.error(`helios: ${m.method} model, season ${m.season}, fitted on ${m.n} points`);
  },
};
