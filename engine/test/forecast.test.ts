import { beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../src/index";
import { EngineError } from "../src/index";
import { loadEngine } from "../src/node";
import { rng, gauss } from "../../models/random";

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine("debug");
});

/** level + slope t + amp sin(2 pi t / m) + sd * N(0,1). */
function seasonal(n: number, m: number, opts: { level?: number; slope?: number; amp?: number; sd?: number; seed?: number }) {
  const { level = 100, slope = 0, amp = 20, sd = 0, seed = 1 } = opts;
  const r = rng(seed);
  const y = new Float64Array(n);
  for (let t = 0; t < n; t++) y[t] = level + slope * t + amp * Math.sin((2 * Math.PI * t) / m) + sd * gauss(r);
  return y;
}

describe("Holt-Winters by hand", () => {
  it("additive, m = 2, alpha = beta = gamma = 0.5, phi = 1 on [1, 3, 2, 4, 4]", () => {
    // Initial states from the first two seasons: M1 = (1+3)/2 = 2, M2 = (2+4)/2 = 3,
    // b0 = (M2-M1)/m = 0.5, l0 = M1 - b0 (m+1)/2 = 2 - 0.75 = 1.25 (the line at t = -1);
    // s_0 = ((1 - (2 - 0.25)) + (2 - (3 - 0.25)))/2 = -0.75, s_1 = +0.75 (sum 0 already).
    // t = 0..3 are fitted exactly (linear trend + season): l = 1.75, 2.25, 2.75, 3.25, b = 0.5.
    // t = 4, y = 4: base = l + b = 3.75, s = s_0 = -0.75, yhat = 3, e = 1.
    //   l = 0.5 (4 + 0.75) + 0.5 * 3.75 = 4.25
    //   b = 0.5 (4.25 - 3.25) + 0.5 * 0.5 = 0.75
    //   s_0 = 0.5 (4 - 3.75) + 0.5 (-0.75) = -0.25
    // SSE = 1, sigma2 = SSE / n = 0.2.
    // Forecasts: h = 1 uses s_1: 4.25 + 0.75 + 0.75 = 5.75; h = 2 uses s_0: 4.25 + 1.5 - 0.25 = 5.5.
    // Interval: var_1 = 0.2; c_1 = alpha (1 + beta phi) = 0.75 (no seasonal term, 1 mod 2 != 0),
    //   var_2 = 0.2 (1 + 0.75^2) = 0.3125; p90 - p50 = 1.2815515655446004 sqrt(var).
    const model = engine.forecast.fit([1, 3, 2, 4, 4], {
      season: 2,
      method: "additive",
      params: { alpha: 0.5, beta: 0.5, gamma: 0.5, phi: 1 },
    });
    expect(model.info.method).toBe("additive");
    expect(model.info.sse).toBeCloseTo(1, 12);
    expect(model.info.sigma2).toBeCloseTo(0.2, 12);
    expect(model.info.level).toBeCloseTo(4.25, 12);
    expect(model.info.trend).toBeCloseTo(0.75, 12);
    expect(model.info.intervals).toBe("analytic"); // 5 points: too few errors for quantiles
    const f = model.forecast(2);
    expect(f.p50[0]).toBeCloseTo(5.75, 12);
    expect(f.p50[1]).toBeCloseTo(5.5, 12);
    const z = 1.2815515655446004;
    expect((f.p90[0] as number) - (f.p50[0] as number)).toBeCloseTo(z * Math.sqrt(0.2), 12);
    expect((f.p50[1] as number) - (f.p10[1] as number)).toBeCloseTo(z * Math.sqrt(0.3125), 12);
    model.dispose();
    expect(() => model.forecast(1)).toThrow(EngineError);
  });

  it("Holt, alpha = 1, beta = 0 follows the last value plus the initial slope", () => {
    // Initial line through all 4 points (n < 10): y = [2, 4, 6, 9], mean 5.25, t centre 1.5,
    // slope = sum (t - 1.5)(y - 5.25) / sum (t - 1.5)^2 = (-1.5*-3.25 - 0.5*-1.25 + 0.5*0.75 + 1.5*3.75) / 5
    //       = (4.875 + 0.625 + 0.375 + 5.625) / 5 = 2.3.
    // alpha = 1: l_t = y_t; beta = 0: b stays 2.3. Forecast h: 9 + 2.3 h -> 11.3, 13.6.
    const f = engine.forecast.predict([2, 4, 6, 9], 2, { season: 0, method: "holt", params: { alpha: 1, beta: 0, gamma: 0, phi: 1 } });
    expect(f.p50[0]).toBeCloseTo(11.3, 12);
    expect(f.p50[1]).toBeCloseTo(13.6, 12);
  });

  it("baseline: mean of the window plus the median pair slope", () => {
    // Window k = 4 over [0, 10, 1, 2, 4, 7]: last 4 = [1, 2, 4, 7], mean 3.5, gap k/2 = 2,
    // slopes (4-1)/2 = 1.5, (7-2)/2 = 2.5, median 2. Forecast h: 3.5 + 2 ((4-1)/2 + h) -> h=1: 8.5, h=2: 10.5.
    const f = engine.forecast.predict([0, 10, 1, 2, 4, 7], 2, { method: "baseline", window: 4, season: 0 });
    expect(f.p50[0]).toBeCloseTo(8.5, 12);
    expect(f.p50[1]).toBeCloseTo(10.5, 12);
    expect(f.model.method).toBe("baseline");
  });
});

describe("AR correction of the one-step errors", () => {
  it("residualAr on alternating +1/-1 errors: AR(1) with coefficient -0.99", () => {
    // e = 1, -1, 1, ... (100 values): g_k = (1/100) sum_{t>=k} e_t e_{t-k} = (-1)^k (100 - k)/100,
    // so g0 = 1, g1 = -0.99, g2 = 0.98.
    // p = 1: k1 = g1/g0 = -0.99, v1 = 1 - 0.99^2 = 0.0199;
    //   AICc = 100 ln 0.0199 + 2 + 2*1*2/98 = -391.70 + 2.04 = -389.66 (< 0, p = 0's 100 ln 1).
    // p = 2: k2 = (g2 - a11 g1)/v1 = (0.98 - 0.9801)/0.0199 = -0.005, v2 = v1 (1 - 2.5e-5):
    //   AICc = -391.70 - 0.0025 + 4 + 12/97 = -387.58, worse; higher orders gain as little.
    const e = Array.from({ length: 100 }, (_, t) => (t % 2 === 0 ? 1 : -1));
    const ar = engine.forecast.residualAr(e);
    expect(ar).toHaveLength(1);
    expect(ar[0]).toBeCloseTo(-0.99, 12);
    // Fewer than 100 errors, or constant zero errors: no correction.
    expect(engine.forecast.residualAr(e.slice(0, 99))).toEqual([]);
    expect(engine.forecast.residualAr(new Array(200).fill(0))).toEqual([]);
    expect(() => engine.forecast.residualAr(e, 6)).toThrow(EngineError);
  });

  it("pinned AR(1) on Holt: the expected errors feed the level, intervals use the innovations", () => {
    // As in "Holt, alpha = 1, beta = 0" above, the initial line through [2, 4, 6, 9] has
    // slope 2.3 and is -0.5 at t = -1: l0 = -0.5, b0 = 2.3 (beta = 0 keeps b = 2.3).
    // alpha = 0.5: base_t = l + b, e_t = y_t - base_t, l = 0.5 y + 0.5 base:
    //   t=0: base 1.8, e 0.2,  l 1.9;  t=1: base 4.2, e -0.2, l 4.1;
    //   t=2: base 6.4, e -0.4, l 6.2;  t=3: base 8.5, e 0.5,  l 8.75.
    // AR(1), coefficient 0.5: r1 = 0.5 e3 = 0.25, y1 = 8.75 + 2.3 + 0.25 = 11.3;
    //   l = 0.5 * 11.3 + 0.5 * 11.05 = 11.175; r2 = 0.5 r1 = 0.125, y2 = 11.175 + 2.3 + 0.125 = 13.6.
    // Innovations a_t = e_t - 0.5 e_{t-1}: -0.3, -0.3, 0.7; sigma2 = 0.67 / 3.
    // Intervals: +/- z sqrt(sigma2) at h = 1; h = 2 grows by c1 = alpha = 0.5 (kappa 1:
    // too short to calibrate): var2 = sigma2 (1 + 0.25).
    const model = engine.forecast.fit([2, 4, 6, 9], { method: "holt", params: { alpha: 0.5, beta: 0, gamma: 0, phi: 1, ar: [0.5] } });
    expect(model.info.ar).toEqual([0.5]);
    expect(model.info.sse).toBeCloseTo(0.49, 12);
    expect(model.info.sigma2).toBeCloseTo(0.67 / 3, 12);
    const f = model.forecast(2);
    expect(f.p50[0]).toBeCloseTo(11.3, 12);
    expect(f.p50[1]).toBeCloseTo(13.6, 12);
    const z = 1.2815515655446004;
    expect((f.p90[0] as number) - (f.p50[0] as number)).toBeCloseTo(z * Math.sqrt(0.67 / 3), 12);
    expect((f.p50[1] as number) - (f.p10[1] as number)).toBeCloseTo(z * Math.sqrt((0.67 / 3) * 1.25), 12);
    model.dispose();
    expect(() => engine.forecast.fit([2, 4, 6, 9], { method: "holt", params: { alpha: 0.5, beta: 0, gamma: 0, phi: 1, ar: [1, 2, 3, 4, 5, 6] } })).toThrow(
      EngineError,
    );
  });

  it("auto finds the short memory of AR(1) noise and forecasts one step better with it", () => {
    // y_t = 50 + u_t, u_t = 0.7 u_{t-1} + N(0, 1): smoothing alone cannot use u_{t-1}.
    const r = rng(7);
    const y = new Float64Array(2000);
    let u = 0;
    for (let t = 0; t < y.length; t++) {
      u = 0.7 * u + gauss(r);
      y[t] = 50 + u;
    }
    const info = engine.forecast.fit(y, { season: 0 }).info;
    expect(info.ar.length).toBeGreaterThan(0);
    const opts = { season: 0, horizon: 1, initial: 1500, stride: 10 };
    const withAr = engine.forecast.backtest(y, opts);
    const without = engine.forecast.backtest(y, { ...opts, ar: false });
    expect(withAr.mae).toBeLessThan(without.mae);
    expect(engine.forecast.fit(y, { season: 0, ar: false }).info.ar).toEqual([]);
  });
});

describe("trend or level only", () => {
  it("auto drops the trend on a flat noisy series and keeps it on a trending one", () => {
    const r = rng(11);
    const flat = Float64Array.from({ length: 1000 }, () => 100 + gauss(r) + (r() < 0.01 ? 30 : 0));
    const rising = Float64Array.from({ length: 1000 }, (_, t) => 100 + 0.5 * t + gauss(r));
    const f = engine.forecast.fit(flat, { season: 0 }).info;
    expect(f.trended).toBe(false);
    expect(f.beta).toBe(0);
    expect(f.trend).toBe(0);
    expect(engine.forecast.fit(rising, { season: 0 }).info.trended).toBe(true);
  });
});

describe("metrics by hand", () => {
  it("MAE, MAPE, sMAPE and MASE on tiny arrays", () => {
    // actual [2, 4], forecast [1, 5]: errors 1, 1 -> MAE 1.
    // MAPE = 100 * (1/2 + 1/4) / 2 = 37.5.
    // sMAPE = 100 * (2*1/(2+1) + 2*1/(4+5)) / 2 = 100 * (0.6667 + 0.2222) / 2 = 44.444...
    // MASE, no season: naive in-sample MAE of train [1, 2, 3, 5] = (1 + 1 + 2) / 3 = 4/3 -> 1 / (4/3) = 0.75.
    const m = engine.forecast.metrics([2, 4], [1, 5], [1, 2, 3, 5]);
    expect(m.mae).toBeCloseTo(1, 12);
    expect(m.mape).toBeCloseTo(37.5, 12);
    expect(m.smape).toBeCloseTo(100 * (2 / 3 + 2 / 9) / 2, 12);
    expect(m.scale).toBeCloseTo(4 / 3, 12);
    expect(m.mase).toBeCloseTo(0.75, 12);
    // Seasonal scale m = 2 on train [1, 2, 3, 5]: |3-1| + |5-2| = 5 over 2 -> 2.5, MASE = 0.4.
    expect(engine.forecast.metrics([2, 4], [1, 5], [1, 2, 3, 5], 2).mase).toBeCloseTo(0.4, 12);
  });

  it("the backtest equals refitting and scoring at each origin by hand", () => {
    const y = seasonal(24 * 10, 24, { sd: 3, slope: 0.05, seed: 7 });
    const bt = engine.forecast.backtest(y, { season: 24, horizon: 24, initial: 24 * 7, method: "additive" });
    expect(bt.origins).toBe(3);
    expect(bt.points).toBe(72);
    let mase = 0;
    let abs = 0;
    let covered = 0;
    for (let o = 24 * 7; o + 24 <= y.length; o += 24) {
      const train = y.subarray(0, o);
      const test = y.subarray(o, o + 24);
      const f = engine.forecast.predict(train, 24, { season: 24, method: "additive" });
      const m = engine.forecast.metrics(test, f.p50, train, 24);
      mase += m.mase / 3;
      abs += (m.mae * 24) / 72;
      for (let i = 0; i < 24; i++) if ((test[i] as number) >= (f.p10[i] as number) && (test[i] as number) <= (f.p90[i] as number)) covered++;
    }
    expect(bt.mase).toBeCloseTo(mase, 10);
    expect(bt.mae).toBeCloseTo(abs, 10);
    expect(bt.coverage).toBeCloseTo(covered / 72, 12);
  });
});

describe("season detection", () => {
  it("finds 24 on hourly data and 288 on 5-minute data", () => {
    const hourly = seasonal(24 * 30, 24, { sd: 5, slope: 0.02, seed: 3 });
    expect(engine.forecast.detectSeason(hourly, { stepMs: 3_600_000 })).toBe(24);
    const fiveMin = seasonal(288 * 14, 288, { sd: 5, seed: 4 });
    expect(engine.forecast.detectSeason(fiveMin, { stepMs: 300_000 })).toBe(288);
    // With timestamps instead of a step.
    const ts = Array.from({ length: hourly.length }, (_, i) => 1_700_000_000_000 + i * 3_600_000);
    expect(engine.forecast.detectSeason(hourly, { timestamps: ts })).toBe(24);
  });

  it("finds none on white noise or a random walk", () => {
    const r = rng(11);
    const noise = Float64Array.from({ length: 24 * 30 }, () => gauss(r));
    expect(engine.forecast.detectSeason(noise, { stepMs: 3_600_000 })).toBe(0);
    let x = 0;
    const walk = Float64Array.from({ length: 24 * 30 }, () => (x += gauss(r)));
    expect(engine.forecast.detectSeason(walk, { stepMs: 3_600_000 })).toBe(0);
    expect(engine.forecast.fit(noise, { stepMs: 3_600_000 }).info.method).toBe("holt");
  });
});

describe("forecast quality", () => {
  it("forecasts a clean seasonal series almost exactly", () => {
    // No trend: any damping leaves the (zero) trend at zero.
    const y = seasonal(24 * 10, 24, { amp: 30 });
    const f = engine.forecast.predict(y.subarray(0, 24 * 8), 48, { stepMs: 3_600_000 });
    expect(f.model.season).toBe(24);
    for (let i = 0; i < 48; i++) expect(f.p50[i]).toBeCloseTo(y[24 * 8 + i] as number, 6);
    // With a linear trend and an undamped model.
    const z = seasonal(24 * 10, 24, { amp: 30, slope: 0.5 });
    const g = engine.forecast.predict(z.subarray(0, 24 * 8), 48, { season: 24, method: "additive", damped: false });
    for (let i = 0; i < 48; i++) expect(g.p50[i]).toBeCloseTo(z[24 * 8 + i] as number, 6);
  });

  it("forecasts a clean multiplicative series almost exactly", () => {
    // y = (50 + t/10) * (1 + 0.3 sin(2 pi t / 12)).
    const y = Float64Array.from({ length: 12 * 10 }, (_, t) => (50 + t / 10) * (1 + 0.3 * Math.sin((2 * Math.PI * t) / 12)));
    const f = engine.forecast.predict(y.subarray(0, 96), 24, { season: 12, method: "multiplicative", damped: false });
    // The initial seasonal indices divide by the trend line, exact for this series; allow 1e-3 relative.
    for (let i = 0; i < 24; i++) expect(Math.abs((f.p50[i] as number) / (y[96 + i] as number) - 1)).toBeLessThan(1e-3);
  });

  it("beats the seasonal naive forecast on noisy seasonal data (MASE < 1)", () => {
    const y = seasonal(24 * 21, 24, { sd: 4, slope: 0.05, seed: 5 });
    const bt = engine.forecast.backtest(y, { stepMs: 3_600_000, horizon: 24 });
    expect(bt.season).toBe(24);
    expect(bt.mase).toBeLessThan(1);
  });

  it("p10-p90 intervals cover about 80% of held-out points on noisy data", () => {
    // 40 series (seeded) of 14 days hourly with N(0, 5^2) noise; 24-step forecasts -> 960 points.
    // For a calibrated 80% interval the pooled coverage has sd sqrt(0.8*0.2/960) ~ 0.013 if
    // points were independent (they are not quite: one fit per series), so accept 0.72..0.88.
    let covered = 0;
    let total = 0;
    for (let s = 0; s < 40; s++) {
      const y = seasonal(24 * 15, 24, { sd: 5, slope: 0.03, seed: 100 + s });
      const f = engine.forecast.predict(y.subarray(0, 24 * 14), 24, { stepMs: 3_600_000 });
      for (let i = 0; i < 24; i++) {
        const v = y[24 * 14 + i] as number;
        if (v >= (f.p10[i] as number) && v <= (f.p90[i] as number)) covered++;
        total++;
      }
    }
    expect(covered / total).toBeGreaterThan(0.72);
    expect(covered / total).toBeLessThan(0.88);
  });

  it("interval growth with the horizon follows the in-sample h-step errors", () => {
    // A fixed season plus iid noise: forecast errors barely grow with h, while the ETS variance
    // (which treats the smoothed level as a random walk) grows by alpha^2 (1 + beta ..)^2 per step,
    // so the fitted scale kappa is well below 1.
    const flat = engine.forecast.fit(seasonal(24 * 20, 24, { sd: 5, seed: 31 }), { season: 24, method: "additive" });
    expect(flat.info.growth).toBeLessThan(0.5);
    // A random walk under a fitted Holt model (alpha -> 1, beta -> 0): the h-step variance of a
    // random walk is h sigma^2 = sigma^2 (1 + S(h)) with c_j = 1, just what the model says -> kappa
    // near 1 (in-sample fits run a little under: 0.73..1.0 over five seeds when this was written).
    const r = rng(32);
    let x = 100;
    const walk = Float64Array.from({ length: 2000 }, () => (x += gauss(r)));
    const holt = engine.forecast.fit(walk, { season: 0, method: "holt" });
    expect(holt.info.alpha).toBeGreaterThan(0.9);
    expect(holt.info.growth).toBeGreaterThan(0.6);
    expect(holt.info.growth).toBeLessThan(1.4);
    flat.dispose();
    holt.dispose();
  });

  it("a constant series forecasts the constant with zero-width intervals", () => {
    const f = engine.forecast.predict(new Float64Array(500).fill(42), 5, { stepMs: 3_600_000 });
    expect(f.model.season).toBe(0); // nothing to correlate after detrending
    for (let i = 0; i < 5; i++) {
      expect(f.p50[i]).toBeCloseTo(42, 9);
      expect(f.p10[i]).toBeCloseTo(42, 9);
      expect(f.p90[i]).toBeCloseTo(42, 9);
    }
  });

  it("auto picks a multiplicative model when the season's amplitude grows with the level", () => {
    // y = (50 + t/2) (1 + 0.4 sin(2 pi t / 24)) (1 + 0.02 N(0,1)): the swing grows from +/-20 to +/-116.
    const r = rng(61);
    const y = Float64Array.from({ length: 24 * 12 }, (_, t) => (50 + t / 2) * (1 + 0.4 * Math.sin((2 * Math.PI * t) / 24)) * (1 + 0.02 * gauss(r)));
    expect(engine.forecast.fit(y, { stepMs: 3_600_000 }).info.method).toBe("multiplicative");
    const z = seasonal(24 * 12, 24, { sd: 1, slope: 0.5, amp: 30, seed: 62 });
    expect(engine.forecast.fit(z, { stepMs: 3_600_000 }).info.method).toBe("additive");
  });

  it("timestamps of forecast steps follow the fit's step", () => {
    const ts = [0, 60_000, 120_000, 180_000, 240_000];
    const f = engine.forecast.predict([1, 2, 3, 4, 5], 2, { timestamps: ts, season: 0 });
    expect(Array.from(f.timestamps ?? [])).toEqual([300_000, 360_000]);
  });
});

describe("bad input", () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(EngineError);
      return (e as EngineError).code;
    }
    return "no error";
  };
  it("gives typed errors and never traps", () => {
    expect(code(() => engine.forecast.fit([1, 2, Number.NaN, 4, 5]))).toBe("not_finite");
    expect(code(() => engine.forecast.fit([1, 2, Number.POSITIVE_INFINITY, 4, 5]))).toBe("not_finite");
    expect(code(() => engine.forecast.fit([1, 2, 3], { season: 0 }))).toBe("insufficient_data");
    expect(code(() => engine.forecast.fit([1, 2, 1e200, 4, 5], { season: 0 }))).toBe("invalid_argument");
    // The engine checks too, whatever the host sends (the facade's check is bypassed here).
    const rt = engine.runtime;
    const ptr = rt.exports.alloc(5 * 8);
    rt.f64(ptr, 5).set([1, 2, 1e200, 4, 5]);
    expect(rt.exports.forecast_fit(ptr, 5, 0, 0, 1)).toBe(-1);
    expect(rt.exports.forecast_fit_baseline(ptr, 5, 4)).toBe(-1);
    rt.f64(ptr, 5).set([1, 2, Number.NaN, 4, 5]);
    expect(rt.exports.forecast_fit(ptr, 5, 0, 0, 1)).toBe(-2);
    rt.exports.free(ptr);
    expect(code(() => engine.forecast.fit([1, 2, 3, 4, 5, 6], { season: 4, method: "additive" }))).toBe("insufficient_data");
    expect(code(() => engine.forecast.fit([1, -2, 3, 4, 5, 6], { season: 2, method: "multiplicative" }))).toBe("negative");
    expect(code(() => engine.forecast.fit([1, 2, 3, 4, 5], { timestamps: [0, 2, 1, 3, 4] }))).toBe("out_of_order");
    expect(code(() => engine.forecast.fit([1, 2, 3, 4, 5], { timestamps: [0, 1, 2] }))).toBe("invalid_argument");
    expect(code(() => engine.forecast.fit([1, 2, 3, 4, 5], { stepMs: -5 }))).toBe("invalid_argument");
    expect(code(() => engine.forecast.fit([1, 2, 3, 4, 5], { season: 1.5 }))).toBe("invalid_argument");
    expect(code(() => engine.forecast.fit([1, 2, 3, 4, 5], { season: 0, method: "additive" }))).toBe("invalid_argument");
    expect(code(() => engine.forecast.predict([1, 2, 3, 4, 5], 0, { season: 0 }))).toBe("invalid_argument");
    expect(code(() => engine.forecast.fit([1, 2, 3, 4, 5], { method: "holt", params: { alpha: 2, beta: 0, gamma: 0, phi: 1 } }))).toBe(
      "invalid_argument",
    );
    expect(code(() => engine.forecast.metrics([1], [1, 2], [1, 2]))).toBe("invalid_argument");
    expect(code(() => engine.forecast.backtest([1, 2, 3, 4, 5], { season: 0, horizon: 10 }))).toBe("insufficient_data");
    // Still usable afterwards.
    expect(engine.forecast.predict([1, 2, 3, 4, 5], 1, { season: 0 }).p50.length).toBe(1);
  });
});

/** Straightforward Holt-Winters from the equations in holt-winters.ts, for differential tests. */
function referenceHW(
  y: Float64Array,
  m: number,
  kind: "additive" | "multiplicative",
  a: number,
  b: number,
  g: number,
  p: number,
  h: number,
  residuals: number[] = [],
) {
  const mul = kind === "multiplicative";
  const mean = (from: number) => y.slice(from, from + m).reduce((s, v) => s + v, 0) / m;
  const m1 = mean(0);
  const m2 = mean(m);
  const b0 = (m2 - m1) / m;
  const s: number[] = [];
  for (let i = 0; i < m; i++) {
    const d = b0 * (i - (m - 1) / 2);
    const y1 = y[i] as number;
    const y2 = y[i + m] as number;
    s.push(mul ? (y1 / (m1 + d) + y2 / (m2 + d)) / 2 : (y1 - (m1 + d) + (y2 - (m2 + d))) / 2);
  }
  const c = s.reduce((x, v) => x + v, 0) / m;
  for (let i = 0; i < m; i++) s[i] = mul ? (s[i] as number) / c : (s[i] as number) - c;
  let l = m1 - (b0 * (m + 1)) / 2;
  let tr = b0;
  for (let t = 0; t < y.length; t++) {
    const v = y[t] as number;
    const base = l + p * tr;
    const st = s[t % m] as number;
    const yhat = mul ? base * st : base + st;
    residuals.push(mul ? (v - yhat) / yhat : v - yhat);
    const nl = mul ? a * (v / st) + (1 - a) * base : a * (v - st) + (1 - a) * base;
    tr = b * (nl - l) + (1 - b) * p * tr;
    s[t % m] = mul ? g * (v / base) + (1 - g) * st : g * (v - base) + (1 - g) * st;
    l = nl;
  }
  const out: number[] = [];
  let damp = 0;
  for (let j = 1; j <= h; j++) {
    damp += p ** j;
    const st = s[(y.length - 1 + j) % m] as number;
    out.push(mul ? (l + damp * tr) * st : l + damp * tr + st);
  }
  return out;
}

describe("differential: engine vs a straightforward implementation", () => {
  it("Holt-Winters with pinned parameters matches on random seasonal series", () => {
    const r = rng(99);
    for (let k = 0; k < 30; k++) {
      const m = 2 + Math.floor(r() * 30);
      const n = 2 * m + Math.floor(r() * 200);
      const y = seasonal(n, m, { level: 200, slope: r() - 0.5, amp: 50 * r(), sd: 10 * r(), seed: 1000 + k });
      const kind = r() < 0.5 ? "additive" : "multiplicative";
      const a = r();
      const b = r();
      const g = r() * (1 - a);
      const p = 0.8 + 0.2 * r();
      const f = engine.forecast.predict(y, 2 * m, { season: m, method: kind, params: { alpha: a, beta: b, gamma: g, phi: p } });
      const ref = referenceHW(y, m, kind, a, b, g, p, 2 * m);
      for (let j = 0; j < 2 * m; j++) expect(f.p50[j]).toBeCloseTo(ref[j] as number, 8);
    }
  });

  it("intervals use the empirical 10%/90% one-step error quantiles once there are >= 100 errors", () => {
    // m = 12, n = 24 * 12 = 288: errors after the 2 initialisation seasons = 264 >= 100.
    // At h = 1 there is no growth factor, so p10 = p50 + q10 and p90 = p50 + q90, where q are
    // type-7 quantiles (linear between order statistics) of the errors e_24..e_287.
    const y = seasonal(288, 12, { sd: 3, slope: 0.1, seed: 77 });
    const res: number[] = [];
    referenceHW(y, 12, "additive", 0.3, 0.1, 0.2, 0.95, 1, res);
    const e = res.slice(24).sort((u, v) => u - v);
    const q = (p: number) => {
      const h = (e.length - 1) * p;
      const k = Math.floor(h);
      return (e[k] as number) + (h - k) * ((e[Math.min(k + 1, e.length - 1)] as number) - (e[k] as number));
    };
    const f = engine.forecast.predict(y, 1, { season: 12, method: "additive", params: { alpha: 0.3, beta: 0.1, gamma: 0.2, phi: 0.95 } });
    expect((f.p10[0] as number) - (f.p50[0] as number)).toBeCloseTo(q(0.1), 9);
    expect((f.p90[0] as number) - (f.p50[0] as number)).toBeCloseTo(q(0.9), 9);
    expect(f.model.intervals).toBe("empirical");
  });

  it("the baseline's median slope matches a sort-based median on random windows", () => {
    const r = rng(5);
    for (let k = 0; k < 50; k++) {
      const n = 4 + Math.floor(r() * 80);
      const y = Float64Array.from({ length: n + 3 }, () => Math.round(r() * 20));
      const w = 4 + Math.floor(r() * (n - 3));
      const win = y.slice(y.length - w);
      const gap = w >> 1;
      const slopes = Array.from({ length: w - gap }, (_, i) => ((win[i + gap] as number) - (win[i] as number)) / gap).sort((u, v) => u - v);
      const mid = slopes.length >> 1;
      const med = slopes.length % 2 ? (slopes[mid] as number) : ((slopes[mid - 1] as number) + (slopes[mid] as number)) / 2;
      const mean = win.reduce((s, v) => s + v, 0) / w;
      const f = engine.forecast.predict(y, 1, { method: "baseline", window: w, season: 0 });
      expect(f.model.trend).toBeCloseTo(med, 12);
      expect(f.p50[0]).toBeCloseTo(mean + med * ((w - 1) / 2 + 1), 10);
    }
  });
});

describe("never traps", () => {
  it("random series and options give a forecast or a typed EngineError (not a trap)", () => {
    const r = rng(404);
    const methods = ["auto", "holt", "additive", "multiplicative", "baseline"] as const;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;
    for (let k = 0; k < 300; k++) {
      const n = Math.floor(r() ** 2 * 200);
      const scale = pick([0, 1e-300, 1, 1e6, 1e150]);
      const y = Array.from({ length: n }, () => (r() < 0.3 ? 0 : (r() - 0.2) * scale));
      const opts = {
        season: pick(["auto", 0, 2, 3, 7, 24, 500] as const),
        method: pick(methods),
        stepMs: pick([undefined, 60_000, 3_600_000]),
        damped: r() < 0.5,
        window: pick([undefined, 4, 10, 300]),
      };
      try {
        const f = engine.forecast.predict(y, 1 + Math.floor(r() * 50), opts);
        expect(f.p50.length).toBeGreaterThan(0);
      } catch (e) {
        expect(e).toBeInstanceOf(EngineError);
        expect((e as EngineError).code).not.toBe("trap");
      }
      try {
        engine.forecast.backtest(y, { ...opts, horizon: 1 + Math.floor(r() * 10) });
      } catch (e) {
        expect(e).toBeInstanceOf(EngineError);
        expect((e as EngineError).code).not.toBe("trap");
      }
    }
    // Still answers correctly afterwards.
    expect(engine.forecast.metrics([2, 4], [1, 5], [1, 2, 3, 5]).mase).toBeCloseTo(0.75, 12);
  });
});
