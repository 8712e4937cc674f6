// `npm run eval -- [DATA_DIR]`: the accuracy evaluations on the shared data
// (default ../shared/data next to the repository), each a `helios` command
// run in turn with its output shown. To add an evaluation, add a step to
// STEPS: a title, the path it needs under DATA_DIR, and its helios arguments
// (or, for a step that is not a helios command, the command itself).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
if (args.includes("--help") || args.length > 1) {
  console.log("usage: npm run eval -- [DATA_DIR]   (default: ../shared/data next to the repository)");
  process.exit(args.includes("--help") ? 0 : 2);
}
const data = resolve(args[0] ?? join(root, "..", "shared", "data"));

/** The evaluations, in order: what they need under DATA_DIR and the helios arguments. */
const STEPS = [
  {
    title: "Anomaly detection: NAB scoring of the streaming detector's alarm score on nab-dev",
    needs: "nab-dev/windows.json",
    args: (d) => ["eval", "detect", "--data", join(d, "nab-dev"), "--windows", join(d, "nab-dev", "windows.json")],
  },
  {
    title: "Forecasting: rolling-origin backtest on nab-dev/data/realAWSCloudwatch",
    needs: "nab-dev/data/realAWSCloudwatch",
    args: (d) => ["eval", "forecast", "--data", join(d, "nab-dev", "data", "realAWSCloudwatch")],
  },
  {
    title: "Window model: the streaming detector alone and with window-gbdt, on held-back generated services and nab-dev",
    needs: "nab-dev/windows.json",
    command: (d) => [join(root, "node_modules", ".bin", "tsx"), [join(root, "models", "window-gbdt", "train", "eval.ts"), d]],
  },
];

const bin = join(root, "engine", "cli", "bin.mjs");
let failed = 0;
for (const step of STEPS) {
  console.log(`\n## ${step.title}\n`);
  if (!existsSync(join(data, step.needs))) {
    console.error(`missing ${join(data, step.needs)}: give the shared data directory as the argument`);
    failed++;
    continue;
  }
  const [cmd, argv] = step.command ? step.command(data) : [process.execPath, [bin, ...step.args(data)]];
  const r = spawnSync(cmd, argv, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
