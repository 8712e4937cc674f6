// `helios`: the engine on the command line. Each command is a file in
// commands/; this one parses the command word and reports errors with the
// right exit code (0 success, 1 failure, 2 bad usage or input).
import { CliError } from "./csv";

/** A CLI command: its usage text and what it runs. */
export interface Command {
  usage: string;
  run(args: string[]): Promise<void>;
}

const USAGE = `helios: anomaly detection and forecasting on the command line

usage: helios <command> [options]

commands:
  detect <input.csv>              streaming anomaly scores for every row
  forecast <input.csv> --horizon N   p10/p50/p90 for the next N steps
  eval detect --data DIR --windows FILE   NAB scores of the detector on a labelled corpus
  eval forecast --data DIR        rolling-origin backtest against peer forecasters
  model check <model.onnx> --card <card.json>   the upload checks of a window model, locally

Run "helios <command> --help" for a command's options.`;

/** Loads a command module by its words ("detect", "eval detect"). */
async function load(words: string[]): Promise<{ command: Command; rest: string[] } | undefined> {
  const [first, second, ...rest] = words;
  switch (first) {
    case "detect":
      return { command: (await import("./commands/detect")).detectCommand, rest: words.slice(1) };
    case "forecast":
      return { command: (await import("./commands/forecast")).forecastCommand, rest: words.slice(1) };
    case "eval":
      if (second === "detect") return { command: (await import("./commands/eval-detect")).evalDetectCommand, rest };
      if (second === "forecast") return { command: (await import("./commands/eval-forecast")).evalForecastCommand, rest };
      return undefined;
    case "model":
      if (second === "check") return { command: (await import("./commands/model-check")).modelCheckCommand, rest };
      return undefined;
    default:
      return undefined;
  }
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    console.log(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const found = await load(argv);
  if (!found) {
    console.error(`helios: unknown command "${argv.slice(0, 2).join(" ")}"\n\n${USAGE}`);
    return 2;
  }
  if (found.rest.includes("--help") || found.rest.includes("-h")) {
    console.log(found.command.usage);
    return 0;
  }
  try {
    await found.command.run(found.rest);
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`helios: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof TypeError && /Unknown option|Unexpected argument|argument missing/i.test(err.message)) {
      console.error(`helios: ${err.message}\n\n${found.command.usage}`);
      return 2;
    }
    console.error(`helios: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}
