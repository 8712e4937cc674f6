// The forecasters a user would otherwise pick, behind one interface, for the
// forecast evaluation and benchmark: seasonal naive, @bsull/augurs (MSTL with
// an ETS trend, AutoETS) and arima's AutoARIMA.
import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Engine } from "../../src/index";

/** A forecast path with an optional 80% interval. */
export interface PeerForecast {
  p50: ArrayLike<number>;
  p10?: ArrayLike<number>;
  p90?: ArrayLike<number>;
  /** Fit + forecast time measured inside the peer's own process, when it runs in one. */
  ms?: number;
}

/** Fits on `train` and forecasts `h` steps; `season` is the season length in steps (0: none). */
export interface Forecaster {
  name: string;
  forecast(train: Float64Array, h: number, season: number): Promise<PeerForecast>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Helios: the engine's automatic model (Holt-Winters with detected season, or damped Holt). */
export function heliosForecaster(engine: Engine, stepMs: number): Forecaster {
  return {
    name: "helios",
    async forecast(train, h) {
      const f = engine.forecast.predict(train, h, { stepMs });
      return { p50: f.p50, p10: f.p10, p90: f.p90 };
    },
  };
}

/** Seasonal naive: each step repeats the value one season earlier (lag 1 without a season). */
export const seasonalNaive: Forecaster = {
  name: "seasonal naive",
  async forecast(train, h, season) {
    const m = season > 1 && train.length >= season ? season : 1;
    const out = new Float64Array(h);
    for (let j = 0; j < h; j++) out[j] = train[train.length - m + (j % m)]!;
    return { p50: out };
  },
};

/** @bsull/augurs' MSTL and ETS modules; wasm-bindgen ESM, initialised in Node from their .wasm bytes. */
export async function loadAugurs() {
  const mstlMod = await import("@bsull/augurs/mstl");
  const etsMod = await import("@bsull/augurs/ets");
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve("@bsull/augurs/mstl"));
  mstlMod.initSync({ module: await readFile(join(dir, "mstl_bg.wasm")) });
  etsMod.initSync({ module: await readFile(join(dir, "ets_bg.wasm")) });
  return { mstlMod, etsMod };
}

/** @bsull/augurs MSTL (the season, with an ETS trend) and AutoETS. */
export async function augursForecasters(): Promise<Forecaster[]> {
  const { mstlMod, etsMod } = await loadAugurs();
  const interval = (f: { point: number[]; intervals?: { lower: number[]; upper: number[] } }): PeerForecast =>
    f.intervals ? { p50: f.point, p10: f.intervals.lower, p90: f.intervals.upper } : { p50: f.point };
  return [
    {
      name: "augurs MSTL+ETS",
      async forecast(train, h, season) {
        const m = mstlMod.MSTL.ets(season > 1 ? [season] : []);
        try {
          m.fit(train);
          return interval(m.predict(h, 0.8));
        } finally {
          m.free();
        }
      },
    },
    {
      name: "augurs AutoETS",
      async forecast(train, h, season) {
        const m = new etsMod.AutoETS(Math.max(1, season), "ZZN");
        try {
          m.fit(train);
          return interval(m.predict(h, 0.8));
        } finally {
          m.free();
        }
      },
    },
  ];
}

/** arima's AutoARIMA, in a child process: its fixed wasm heap can trap on long series and is unusable afterwards. */
export function arimaForecaster(maxTrain = 6000): Forecaster {
  return {
    name: "arima AutoARIMA",
    async forecast(train, h) {
      const ts = train.length > maxTrain ? train.subarray(train.length - maxTrain) : train;
      const child = spawnSync(process.execPath, [join(here, "arima-child.mjs")], {
        input: JSON.stringify({ ts: Array.from(ts), h }),
        encoding: "utf8",
        maxBuffer: 1 << 26,
      });
      if (child.status !== 0) throw new Error(`AutoARIMA failed: ${(child.stderr.match(/\w*Error: [^\n]*/) ?? [`exit ${child.status}`])[0]}`);
      const { pred, ms } = JSON.parse(child.stdout) as { pred: number[]; ms: number };
      return { p50: pred, ms };
    },
  };
}
