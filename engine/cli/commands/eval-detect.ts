// `helios eval detect --data DIR --windows FILE`: runs the streaming detector
// over every file of a labelled corpus and scores it the way NAB does, under
// each profile, with one threshold per profile swept over the whole corpus.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { loadEngine } from "../../src/node";
import { CliError, readSeriesCsv } from "../csv";
import type { Command } from "../main";
import { type DetectedFile, listCorpus, readWindows, scoreAllProfiles } from "../nab/corpus";

const usage = `usage: helios eval detect --data DIR --windows FILE [options]

Streams every <category>/<file>.csv under DIR through the detector and
prints NAB's normalised score per profile (standard, reward_low_FP_rate,
reward_low_FN_rate), per-file detail at the standard profile's threshold and
per-category totals at each profile's threshold. The score is the alarm
score the Worker decides anomalies with (--calibrated: the calibrated score).

options:
  --data DIR          the corpus: DIR/<category>/<file>.csv or DIR/data/... (required)
  --windows FILE      labelled windows, NAB's windows.json (required)
  --out DIR           keep each file's scores as DIR/<category>/<file>.csv
  --json FILE         also write the results as JSON
  --calibrated        score the calibrated score instead of the alarm score (the default,
                      which the Worker decides anomalies with)`;

export const evalDetectCommand: Command = {
  usage,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { data: { type: "string" }, windows: { type: "string" }, out: { type: "string" }, json: { type: "string" }, calibrated: { type: "boolean" } },
    });
    if (!values.data || !values.windows) throw new CliError(`--data and --windows are required\n\n${usage}`);
    const windows = readWindows(values.windows);
    const { files } = listCorpus(values.data);
    const engine = await loadEngine();
    const detected: DetectedFile[] = [];
    const t0 = performance.now();
    let points = 0;
    for (const f of files) {
      const csv = await readSeriesCsv(f.path, {});
      // Exactly the detector the Worker runs; by default its alarm score, which decides anomalies.
      const detector = engine.detect.streaming();
      try {
        const v = csv.values[0]!;
        const missing = v.findIndex((x) => Number.isNaN(x));
        if (missing >= 0) throw new CliError(`${f.path}: row ${missing + 1} has no value`);
        const batch = detector.push(csv.timestamps, v);
        const scores = values.calibrated === true ? batch.scores : batch.alarms;
        detected.push({ name: f.name, timestamps: csv.timestamps, scores });
        points += v.length;
        if (values.out) {
          const path = join(values.out, f.name);
          mkdirSync(dirname(path), { recursive: true });
          const lines = ["timestamp,anomaly_score"];
          for (let i = 0; i < scores.length; i++) lines.push(`${new Date(csv.timestamps[i]!).toISOString()},${scores[i]}`);
          writeFileSync(path, `${lines.join("\n")}\n`);
        }
      } finally {
        detector.dispose();
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const results = scoreAllProfiles(detected, windows);
    const std = results.standard!;
    console.log(`${"file".padEnd(58)} ${"tp".padStart(3)} ${"fn".padStart(3)} ${"fp".padStart(4)} ${"raw".padStart(8)}`);
    for (const f of std.perFile) console.log(`${f.name.padEnd(58)} ${String(f.tp).padStart(3)} ${String(f.fn).padStart(3)} ${String(f.fp).padStart(4)} ${f.raw.toFixed(3).padStart(8)}`);
    // Per category at each profile's threshold: where the score is won and lost.
    console.log(`\n${"category".padEnd(24)} ${"profile".padEnd(20)} ${"tp".padStart(3)} ${"fn".padStart(3)} ${"fp".padStart(4)} ${"raw".padStart(8)}`);
    for (const [profile, r] of Object.entries(results)) {
      const cats = new Map<string, { tp: number; fn: number; fp: number; raw: number }>();
      for (const f of r.perFile) {
        const c = f.name.includes("/") ? f.name.slice(0, f.name.indexOf("/")) : ".";
        const a = cats.get(c) ?? { tp: 0, fn: 0, fp: 0, raw: 0 };
        a.tp += f.tp;
        a.fn += f.fn;
        a.fp += f.fp;
        a.raw += f.raw;
        cats.set(c, a);
      }
      for (const [c, a] of cats) console.log(`${c.padEnd(24)} ${profile.padEnd(20)} ${String(a.tp).padStart(3)} ${String(a.fn).padStart(3)} ${String(a.fp).padStart(4)} ${a.raw.toFixed(3).padStart(8)}`);
    }
    console.log(`\n${files.length} files, ${points} points in ${seconds.toFixed(2)} s`);
    for (const [profile, r] of Object.entries(results)) {
      console.log(`${profile.padEnd(20)} normalised ${r.normalised.toFixed(1).padStart(6)}   threshold ${r.threshold.toFixed(4)}`);
    }
    if (values.json) {
      writeFileSync(
        values.json,
        `${JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, r]) => [k, { normalised: r.normalised, threshold: r.threshold, raw: r.raw, perFile: r.perFile }])), null, 2)}\n`,
      );
    }
  },
};
