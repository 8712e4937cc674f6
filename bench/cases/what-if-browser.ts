// What-if in the browser: the dashboard's recomputation of forecast, replicas
// and cost for 30 days of 1-minute data (43,200 points), in the engine's Web
// Worker in headless Debian Chromium. Target: within one frame (16 ms); the
// ratio is how many times the recomputation fits in that budget.
import { join } from "node:path";
import { launchChromium } from "../../test/support/browser";
import { serveBuiltPage } from "../../test/support/built-page";
import type { BenchRow } from "../harness";

export default async function whatIfBrowserBench(): Promise<BenchRow[]> {
  const served = await serveBuiltPage(join(import.meta.dirname, "..", "browser", "index.html"));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(served.url);
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
    served.close();
  }
}
