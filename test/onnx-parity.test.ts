// The same ONNX files give the same scores in headless Chromium (the
// dashboard's engine Web Worker) as in Node; workerd is checked against Node
// in onnx-parity.workers.test.ts.
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEngine } from "../engine/src/node";
import { ROLLING_HISTORY } from "../models/contract";
import { getOrt } from "../models/runtime/ort-node";
import { PARITY_SCORED, PARITY_WINDOWS, parityModels, runOnnxParity } from "./fixtures/onnx-parity";
import { launchChromium } from "./support/browser";
import { type BuiltPage, serveBuiltPage } from "./support/built-page";

let served: BuiltPage;
let browser: Browser;
let url: string;

beforeAll(async () => {
  served = await serveBuiltPage(join(import.meta.dirname, "browser", "onnx-parity.html"));
  url = served.url;
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  served?.close();
});

describe("onnxruntime-web parity between Node and Chromium", () => {
  it("scores the parity windows alike to 1e-6 in the dashboard's Web Worker", async () => {
    const inNode = await runOnnxParity(getOrt(), await loadEngine("release"));
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById("out")?.textContent === "ready", null, { timeout: 60_000 });
    for (const { bytes, card } of await parityModels()) {
      const all = await page.evaluate(([b, c, w]) => window.__scoreWindows!(b, c, w), [Array.from(bytes), card, PARITY_WINDOWS] as const);
      // The browser scores every window; the parity rows are those after ROLLING_HISTORY of history.
      const inChromium = all.slice(ROLLING_HISTORY);
      expect(inChromium).toHaveLength(PARITY_SCORED);
      inNode[card.name]!.forEach((v, i) => expect(Math.abs(inChromium[i]! - v), `${card.name} row ${i}`).toBeLessThanOrEqual(1e-6));
    }
    // The stump: 0.9 on the four 60%-error windows (30-33: rows 18-21 after 12 of history), 0.2 elsewhere.
    expect(inNode["parity-tree"]).toEqual(Array.from({ length: PARITY_SCORED }, (_, i) => Math.fround(i >= 18 && i < 22 ? 0.9 : 0.2)));
    expect(errors).toEqual([]);
  }, 120_000);
});
