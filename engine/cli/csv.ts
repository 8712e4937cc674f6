// Reads time-series CSV files for the CLI with papaparse, streaming: rows are
// handed over in batches so a large file never sits in memory whole. Accepts
// CRLF line ends and a missing final newline; a bad row stops the read with
// its line number.
import { createReadStream, existsSync, statSync } from "node:fs";
import Papa from "papaparse";
import { parseTimestamp } from "./timestamp";

export { parseTimestamp } from "./timestamp";

/** A failure the CLI reports to the user with exit code 2 (bad usage or input). */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** Which columns to read. */
export interface CsvColumns {
  timeCol?: string;
  /** Value columns; default: every column except the time column. */
  valueCols?: string[];
}

/** A batch of parsed rows: timestamps (epoch ms) and one array per value column. */
export interface CsvBatch {
  timestamps: Float64Array;
  values: Float64Array[];
  /** 1-based line number of the batch's first row in the file. */
  firstLine: number;
}

/** Rows per batch handed to `onBatch`. */
export const CSV_BATCH_ROWS = 4096;

/** Streams `path` and calls `onBatch` with parsed rows; returns the header's value columns. */
export async function streamSeriesCsv(
  path: string,
  cols: CsvColumns,
  onBatch: (batch: CsvBatch, valueColumns: string[]) => void | Promise<void>,
): Promise<{ rows: number; valueColumns: string[] }> {
  if (!existsSync(path)) throw new CliError(`no such file: ${path}`);
  if (statSync(path).isDirectory()) throw new CliError(`${path} is a directory, not a CSV file`);
  if (statSync(path).size === 0) throw new CliError(`${path} is empty`);
  const timeCol = cols.timeCol ?? "timestamp";

  return new Promise((resolve, reject) => {
    let valueColumns: string[] | undefined;
    let ts = new Float64Array(CSV_BATCH_ROWS);
    let vals: Float64Array[] = [];
    let n = 0;
    let rows = 0;
    let line = 1; // the header
    let firstLine = 2;
    let failed = false;
    let chain: Promise<void> = Promise.resolve();

    const fail = (err: Error, parser?: Papa.Parser) => {
      if (failed) return;
      failed = true;
      parser?.abort();
      reject(err);
    };
    const flush = () => {
      if (n === 0 || !valueColumns) return;
      const batch: CsvBatch = { timestamps: ts.subarray(0, n), values: vals.map((v) => v.subarray(0, n)), firstLine };
      const cols = valueColumns;
      chain = chain.then(() => onBatch(batch, cols));
      ts = new Float64Array(CSV_BATCH_ROWS);
      vals = cols.map(() => new Float64Array(CSV_BATCH_ROWS));
      n = 0;
    };

    Papa.parse<Record<string, string>>(createReadStream(path, "utf8") as unknown as File, {
      header: true,
      skipEmptyLines: "greedy",
      transformHeader: (h) => h.trim(),
      step: (result, parser) => {
        if (failed) return;
        line++;
        if (!valueColumns) {
          const fields = result.meta.fields ?? [];
          if (!fields.includes(timeCol)) {
            return fail(new CliError(`${path}: no "${timeCol}" column (columns: ${fields.join(", ")}); use --time-col`), parser);
          }
          valueColumns = cols.valueCols ?? fields.filter((f) => f !== timeCol);
          const missing = valueColumns.filter((c) => !fields.includes(c));
          if (missing.length > 0 || valueColumns.length === 0) {
            const what = missing.length > 0 ? `no column ${missing.map((m) => `"${m}"`).join(", ")}` : "no value column";
            return fail(new CliError(`${path}: ${what} (columns: ${fields.join(", ")}); use --value-col`), parser);
          }
          vals = valueColumns.map(() => new Float64Array(CSV_BATCH_ROWS));
        }
        if (result.errors.length > 0) {
          return fail(new CliError(`${path}:${line}: ${result.errors[0]!.message}`), parser);
        }
        const row = result.data;
        const t = parseTimestamp(row[timeCol] ?? "");
        if (!Number.isFinite(t)) {
          return fail(new CliError(`${path}:${line}: bad timestamp ${JSON.stringify(row[timeCol])}`), parser);
        }
        if (n === 0) firstLine = line;
        ts[n] = t;
        for (let c = 0; c < valueColumns.length; c++) {
          const cell = (row[valueColumns[c]!] ?? "").trim();
          const v = cell === "" ? Number.NaN : Number(cell);
          if (cell !== "" && !Number.isFinite(v)) {
            return fail(new CliError(`${path}:${line}: "${valueColumns[c]}" is not a number: ${JSON.stringify(cell)}`), parser);
          }
          vals[c]![n] = v; // an empty cell is a missing value (NaN)
        }
        n++;
        rows++;
        if (n === CSV_BATCH_ROWS) flush();
      },
      complete: () => {
        if (failed) return;
        if (!valueColumns) return fail(new CliError(`${path} has a header but no rows`));
        if (rows === 0) return fail(new CliError(`${path} has a header but no rows`));
        flush();
        chain.then(() => resolve({ rows, valueColumns: valueColumns! }), reject);
      },
      error: (err: Error) => fail(new CliError(`${path}: ${err.message}`)),
    });
  });
}

/** Reads a whole file into columns (for evaluation, where files are small). */
export async function readSeriesCsv(path: string, cols: CsvColumns): Promise<{ timestamps: Float64Array; values: Float64Array[]; valueColumns: string[] }> {
  const ts: number[] = [];
  const vals: number[][] = [];
  const { valueColumns } = await streamSeriesCsv(path, cols, (b) => {
    for (let i = 0; i < b.timestamps.length; i++) ts.push(b.timestamps[i]!);
    b.values.forEach((v, c) => {
      vals[c] ??= [];
      for (let i = 0; i < v.length; i++) vals[c]!.push(v[i]!);
    });
  });
  return { timestamps: Float64Array.from(ts), values: vals.map((v) => Float64Array.from(v)), valueColumns };
}
