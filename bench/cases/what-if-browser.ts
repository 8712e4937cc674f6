// What-if in the browser: the dashboard's recomputation of forecast, replicas
// and cost for 30 days of 1-minute data (43,200 points), in the engine's Web
// Worker in headless Debian Chromium. Target: within one frame (16 ms); the
// ratio is how many times the recomputation fits in that budget.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { build } from "vite";
import { launchChromium } from "../../test/support/browser";
import type { BenchRow } from "../harness";

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };

export default async function whatIfBrowserBench(): Promise<BenchRow[]> {
  const outDir = mkdtempSync(join(tmpdir(), "helios-bench-web-"));
  await build({ root: join(import.meta.dirname, "..", "browser"), logLevel: "warn", build: { outDir, emptyOutDir: true, target: "es2022" }, worker: { format: "es" }, configFile: false });
  const server = createServer(async (req, res) => {
    try {
      const path = join(outDir, req.url === "/" ? "index.html" : (req.url ?? "").split("?")[0]!);
      const body = await readFile(path);
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => (window as unknown as { __bench?: unknown }).__bench !== undefined, null, { timeout: 120_000 });
    const r = (await page.evaluate(() => (window as unknown as { __bench: Record<string, number | string> }).__bench)) as Record<string, number>;
    if ("error" in r) throw new Error(String(r.error));
    const row: BenchRow = {
      case: "what-if recompute, 43,200 points (browser Web Worker)",
      unit: "ms",
      helios: r.recompute_ms_median!,
      // No library does this job to compare with: the yardstick is the frame budget.
      peer: "one frame at 60 Hz (budget)",
      peer_value: 16,
      ratio: 16 / r.recompute_ms_median!,
      notes: { round_trip_ms_median: Number(r.round_trip_ms_median!.toFixed(2)), fit_ms_once_per_series: Number(r.fit_ms!.toFixed(1)) },
    };
    return [row];
  } finally {
    await browser.close();
    server.close();
  }
}
