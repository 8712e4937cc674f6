// Forecasting: fit + forecast on 8,640 points (30 days at 5 minutes, daily
// season 288) of seeded synthetic load, the last day held back. Helios
// (Holt-Winters with detected season, model kind chosen automatically) vs
// @bsull/augurs (MSTL with an ETS trend; AutoETS non-seasonal and with the
// seasonal search) and vs arima (AutoARIMA).
// Every forecaster gets the same 29 training days and is scored with the same
// MASE on the held-back day (scale: in-sample seasonal naive MAE, m = 288).
import { arimaForecaster, loadAugurs } from "../../engine/cli/peers/forecasters";
import { loadEngine } from "../../engine/src/node";
import { type BenchRow, lowerIsBetter, seededRandom, timeMs } from "../harness";

const STEP_MS = 300_000;
const SEASON = 288;
const DAYS = 30;
/** Points AutoARIMA trains on: its heap traps on the full training series. */
const ARIMA_POINTS = 6000;

/** Request rate of a service: business-day hump, evening peak, quieter weekends, slow growth, 6% noise, rare spikes. */
export function syntheticLoad(seed: number, n = DAYS * SEASON): Float64Array {
  const r = seededRandom(seed);
  const gauss = () => {
    let u = 0;
    while (u === 0) u = r();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  };
  const y = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const day = Math.floor(t / SEASON);
    const tod = (t % SEASON) / SEASON;
    const hump = 60 * Math.max(0, Math.sin(Math.PI * 2 * (tod - 0.3))) ** 1.5;
    const evening = 25 * Math.exp(-((tod - 0.85) ** 2) / 0.003);
    const weekend = day % 7 >= 5 ? 0.7 : 1;
    const growth = 1 + (0.1 * t) / n;
    const spike = r() < 0.002 ? 40 * r() : 0;
    y[t] = (80 + (hump + evening) * weekend) * growth * (1 + 0.06 * gauss()) + spike;
  }
  return y;
}

export default async function forecastBench(): Promise<BenchRow[]> {
  const engine = await loadEngine("release");
  const y = syntheticLoad(2026);
  const train = y.slice(0, y.length - SEASON);
  const test = y.slice(y.length - SEASON);
  const mase = (pred: ArrayLike<number>) => engine.forecast.metrics(test, pred, train, SEASON).mase;

  // Warm up on a small odd-length input first (see harness.warmUp).
  const small = syntheticLoad(1, SEASON * 3 + 7);
  for (let i = 0; i < 5; i++) engine.forecast.predict(small, 10, { stepMs: STEP_MS });

  let helios: Float64Array = new Float64Array(0);
  let coverage = 0;
  let model = "";
  const heliosMs = await timeMs(() => {
    const f = engine.forecast.predict(train, SEASON, { stepMs: STEP_MS });
    helios = f.p50;
    coverage = test.filter((v, i) => v >= (f.p10[i] as number) && v <= (f.p90[i] as number)).length / SEASON;
    model = `${f.model.method} m=${f.model.season}`;
  }, 7);
  const heliosMase = mase(helios);
  const rows: BenchRow[] = [];
  const row = (peer: string, ms: number, pred: ArrayLike<number>) => {
    const r = lowerIsBetter("forecast fit+forecast 8640 pts (30d @5m, h=288)", "ms", heliosMs, peer, ms);
    r.notes = { helios_mase: round(heliosMase), peer_mase: round(mase(pred)), helios_model: model, helios_p10_p90_coverage: round(coverage) };
    rows.push(r);
  };

  const { mstlMod, etsMod } = await loadAugurs();
  let mstlPred: number[] = [];
  const mstlMs = await timeMs(() => {
    const m = mstlMod.MSTL.ets([SEASON]);
    m.fit(train);
    mstlPred = m.predict(SEASON).point;
    m.free();
  }, 3);
  row("@bsull/augurs MSTL(288)+ETS", mstlMs, mstlPred);

  let etsPred: number[] = [];
  const etsMs = await timeMs(() => {
    const m = new etsMod.AutoETS(SEASON, "ZZN");
    m.fit(train);
    etsPred = m.predict(SEASON).point;
    m.free();
  }, 3);
  row("@bsull/augurs AutoETS(ZZN)", etsMs, etsPred);

  // AutoETS searching seasonal models too (seconds): once.
  let etsSeasonalPred: number[] = [];
  const etsSeasonalMs = await timeMs(() => {
    const m = new etsMod.AutoETS(SEASON, "ZZZ");
    m.fit(train);
    etsSeasonalPred = m.predict(SEASON).point;
    m.free();
  }, 1);
  row("@bsull/augurs AutoETS(ZZZ, 288)", etsSeasonalMs, etsSeasonalPred);
  if (etsSeasonalPred.every((v, i) => v === etsPred[i])) {
    // Seen here: the search settles on a non-seasonal model (augurs' "AAA" finds "no model").
    (rows[rows.length - 1] as BenchRow).notes = { ...rows[rows.length - 1]?.notes, augurs: "chose a non-seasonal model (same forecast as ZZN)" };
  }

  // arima: AutoARIMA is slow (seconds): once, in a child process, on the most
  // recent ARIMA_POINTS points (its fixed wasm heap traps on the full 8,352).
  const arima = arimaForecaster(ARIMA_POINTS);
  try {
    // Timed inside the child, so process start-up does not count against it.
    const f = await arima.forecast(train, SEASON, SEASON);
    row("arima AutoARIMA", f.ms ?? Number.NaN, f.p50);
    (rows[rows.length - 1] as BenchRow).notes = { ...rows[rows.length - 1]?.notes, arima: `trained on the last ${ARIMA_POINTS} of ${train.length} points` };
  } catch (err) {
    console.log(`arima AutoARIMA failed: ${(err as Error).message}`);
  }
  return rows;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
