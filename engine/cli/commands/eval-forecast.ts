// `helios eval forecast --data DIR`: rolling-origin backtest of the engine's
// forecaster and its peers on every file, at horizons 1, 12 and 288 steps:
// MASE, sMAPE and 80% interval coverage per file and overall.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadEngine } from "../../src/node";
import { CliError, readSeriesCsv } from "../csv";
import type { Command } from "../main";
import { listCorpus } from "../nab/corpus";
import { arimaForecaster, augursForecasters, type Forecaster, heliosForecaster, seasonalNaive } from "../peers/forecasters";

const usage = `usage: helios eval forecast --data DIR [options]

Rolling-origin backtest: from each origin every forecaster is fitted on the
data before it and forecasts the longest horizon once; the error at horizon H
pools steps 1..H. MASE is scaled by the in-sample seasonal naive MAE of each
training window (lag = the season, a day at the file's step).

options:
  --data DIR          CSV files (timestamp,value), or <category>/<file>.csv under DIR (required)
  --horizons LIST     comma-separated horizons in steps (default: 1,12,288)
  --origins N         origins per file (default: 4)
  --peers LIST        forecasters besides helios: naive,augurs,arima or none (default: naive,augurs,arima)
  --json FILE         also write the results as JSON`;

/** Accuracy of one forecaster on one file at one horizon. */
interface Cell {
  mase: number;
  smape: number;
  coverage: number | null;
}

function filesOf(dir: string): { name: string; path: string }[] {
  try {
    const direct = readdirSync(dir).filter((f) => f.endsWith(".csv") && statSync(join(dir, f)).isFile());
    if (direct.length > 0) return direct.sort().map((f) => ({ name: f, path: join(dir, f) }));
  } catch {
    throw new CliError(`no such directory: ${dir}`);
  }
  return listCorpus(dir).files;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const fmt = (v: number | null) => (v === null || Number.isNaN(v) ? "-" : v.toFixed(3));

export const evalForecastCommand: Command = {
  usage,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        data: { type: "string" },
        horizons: { type: "string", default: "1,12,288" },
        origins: { type: "string", default: "4" },
        peers: { type: "string", default: "naive,augurs,arima" },
        json: { type: "string" },
      },
    });
    if (!values.data) throw new CliError(`--data is required\n\n${usage}`);
    const horizons = values.horizons!.split(",").map(Number);
    if (horizons.some((h) => !Number.isInteger(h) || h < 1)) throw new CliError("--horizons must be positive integers");
    const originsPerFile = Number(values.origins);
    if (!Number.isInteger(originsPerFile) || originsPerFile < 1) throw new CliError("--origins must be a positive integer");
    const peerNames = values.peers === "none" ? [] : values.peers!.split(",");
    const unknownPeer = peerNames.find((p) => !["naive", "augurs", "arima"].includes(p));
    if (unknownPeer) throw new CliError(`unknown peer "${unknownPeer}" (naive, augurs, arima, none)`);

    const engine = await loadEngine();
    const maxH = Math.max(...horizons);
    const results: Record<string, Record<string, Record<number, Cell>>> = {};
    for (const file of filesOf(values.data)) {
      const csv = await readSeriesCsv(file.path, {});
      const y = csv.values[0]!;
      if (y.some((v) => Number.isNaN(v))) throw new CliError(`${file.path} has empty values; the backtest needs every step`);
      const stepMs = Math.round((csv.timestamps[csv.timestamps.length - 1]! - csv.timestamps[0]!) / (csv.timestamps.length - 1));
      const season = Math.round(86_400_000 / stepMs);
      const forecasters: Forecaster[] = [heliosForecaster(engine, stepMs)];
      if (peerNames.includes("naive")) forecasters.push(seasonalNaive);
      if (peerNames.includes("augurs")) forecasters.push(...(await augursForecasters()));
      if (peerNames.includes("arima")) forecasters.push(arimaForecaster());

      // Origins spread over the last part of the file, each leaving maxH points to score.
      const minTrain = Math.max(2 * season, 50);
      const last = y.length - maxH;
      if (last < minTrain) {
        console.error(`helios: skipping ${file.name}: ${y.length} points are too few for horizon ${maxH}`);
        continue;
      }
      const stride = Math.max(1, Math.floor((last - minTrain) / originsPerFile));
      const origins = Array.from({ length: originsPerFile }, (_, k) => last - k * stride).filter((o) => o >= minTrain);
      results[file.name] = {};
      for (const f of forecasters) {
        const perH: Record<number, { mase: number[]; smape: number[]; inside: number; total: number; hasInterval: boolean }> = {};
        for (const h of horizons) perH[h] = { mase: [], smape: [], inside: 0, total: 0, hasInterval: false };
        for (const origin of origins) {
          const train = y.subarray(0, origin);
          let fc;
          try {
            fc = await f.forecast(train, maxH, season);
          } catch (err) {
            console.error(`helios: ${f.name} failed on ${file.name} at origin ${origin}: ${(err as Error).message}`);
            continue;
          }
          for (const h of horizons) {
            const actual = y.subarray(origin, origin + h);
            const pred = Array.from(fc.p50).slice(0, h);
            const m = engine.forecast.metrics(actual, pred, train, season);
            perH[h]!.mase.push(m.mase);
            perH[h]!.smape.push(m.smape);
            if (fc.p10 && fc.p90) {
              perH[h]!.hasInterval = true;
              for (let j = 0; j < h; j++) {
                perH[h]!.total++;
                if (actual[j]! >= fc.p10[j]! && actual[j]! <= fc.p90[j]!) perH[h]!.inside++;
              }
            }
          }
        }
        results[file.name]![f.name] = Object.fromEntries(
          horizons.map((h) => {
            const c = perH[h]!;
            return [h, { mase: mean(c.mase), smape: mean(c.smape), coverage: c.hasInterval ? c.inside / c.total : null }];
          }),
        );
      }
      const line = Object.entries(results[file.name]!)
        .map(([name, byH]) => `${name} MASE@${horizons.join("/")}=${horizons.map((h) => fmt(byH[h]!.mase)).join("/")}`)
        .join("  ");
      console.log(`${file.name}: ${line}`);
    }

    // Overall: mean over files, per forecaster and horizon.
    const names = [...new Set(Object.values(results).flatMap((r) => Object.keys(r)))];
    console.log(`\noverall (mean over ${Object.keys(results).length} files)`);
    console.log(["forecaster".padEnd(20), ...horizons.flatMap((h) => [`MASE@${h}`.padStart(10), `sMAPE@${h}`.padStart(10), `cov@${h}`.padStart(8)])].join(""));
    const overall: Record<string, Record<number, Cell>> = {};
    for (const name of names) {
      overall[name] = {};
      const cells = horizons.map((h) => {
        const rows = Object.values(results).map((r) => r[name]?.[h]).filter((c): c is Cell => !!c);
        const cov = rows.filter((c) => c.coverage !== null).map((c) => c.coverage as number);
        const cell: Cell = { mase: mean(rows.map((c) => c.mase)), smape: mean(rows.map((c) => c.smape)), coverage: cov.length ? mean(cov) : null };
        overall[name]![h] = cell;
        return [fmt(cell.mase).padStart(10), fmt(cell.smape).padStart(10), fmt(cell.coverage).padStart(8)];
      });
      console.log([name.padEnd(20), ...cells.flat()].join(""));
    }
    if (values.json) {
      const { writeFileSync } = await import("node:fs");
      writeFileSync(values.json, `${JSON.stringify({ horizons, overall, files: results }, null, 2)}\n`);
    }
  },
};
