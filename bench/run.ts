// `npm run bench`: runs every case in bench/cases (or those named on the
// command line), prints a table and writes bench/results.json.
import { readdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchRow } from "./harness";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(join(here, "cases"))
  .filter((f) => f.endsWith(".ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

const rows: BenchRow[] = [];
for (const f of files) {
  console.log(`# ${basename(f, ".ts")}`);
  const mod = (await import(pathToFileURL(join(here, "cases", f)).href)) as { default: () => Promise<BenchRow[]> };
  for (const row of await mod.default()) {
    rows.push(row);
    const notes = row.notes ? `  ${JSON.stringify(row.notes)}` : "";
    console.log(
      `${row.case.padEnd(48)} helios ${fmt(row.helios)} ${row.unit}  vs ${row.peer} ${fmt(row.peer_value)}  ratio ${row.ratio.toFixed(2)}x${notes}`,
    );
  }
}
writeFileSync(join(here, "results.json"), `${JSON.stringify(rows, null, 2)}\n`);
console.log(`\nwrote bench/results.json (${rows.length} rows)`);

function fmt(v: number): string {
  return Math.abs(v) >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : Math.abs(v) >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : v.toFixed(2);
}
