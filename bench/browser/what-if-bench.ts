// Runs in headless Chromium (bench/cases/what-if-browser.ts): the dashboard's
// what-if recomputation, in the same Web Worker the page uses, on 30 days of
// 1-minute data (43,200 points), timed per slider move.
import { engineWorker } from "../../web/src/engine-client";
import type { WhatIfParams } from "../../web/src/what-if";

const STEP = 60_000;
const N = 43_200;

async function run(): Promise<void> {
  // A month of a daily request cycle with noise (seeded).
  let seed = 2026;
  const r = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
  const values = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const x = (i % 1440) / 1440;
    values[i] = 200 + 800 * x * (1 - x) * 4 * (0.9 + 0.2 * r());
  }
  const fit = await engineWorker.setSeries(values, STEP, N);
  const params: WhatIfParams = { growthPercent: 0, spikeMultiple: 2, spikeStart: 600, spikeSteps: 60, targetUtilisation: 0.7, minReplicas: 2, maxReplicas: 200, capacityPerInstance: 100, pricePerInstanceHour: 0.1 };
  const inWorker: number[] = [];
  const roundTrip: number[] = [];
  for (let i = 0; i < 60; i++) {
    params.growthPercent = (i * 7) % 200;
    const t0 = performance.now();
    const res = await engineWorker.whatIf({ ...params });
    roundTrip.push(performance.now() - t0);
    inWorker.push(res.computeMs);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const out = { points: N, fit_ms: fit.fitMs, recompute_ms_median: med(inWorker.slice(10)), round_trip_ms_median: med(roundTrip.slice(10)) };
  (window as unknown as { __bench: unknown }).__bench = out;
  document.getElementById("out")!.textContent = JSON.stringify(out);
}

run().catch((err) => {
  (window as unknown as { __bench: unknown }).__bench = { error: String(err) };
});
