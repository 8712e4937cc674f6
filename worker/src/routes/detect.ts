// POST /api/v1/detect: anomaly scores on demand, computed by the engine.
//   {"metrics": {"cpu_utilization": 0.97, ...}}  each value scored against the
//      metric's stored history (1-minute means of the last 7 days)
//   {"points": [{"timestamp": ..., "value": ...}, ...]}  or
//   {"timestamps": [...], "values": [...]}  every point scored in order
import { Hono } from "hono";
import { z } from "zod";
import { findSeries, readHistory } from "../db/history";
import { getEngine } from "../engine";
import { ApiError } from "../errors";
import { requireScope } from "../middleware/auth";
import type { AppEnv } from "../types";
import { jsonOf } from "./predict";

const MINUTE_MS = 60_000;
const HISTORY_MS = 7 * 86_400_000;

const finite = z.number().refine(Number.isFinite, "must be finite");
const time = z.union([finite, z.string().datetime({ offset: true })]).transform((v) => (typeof v === "number" ? v : Date.parse(v)));
const body = z.union([
  z.object({ metrics: z.record(z.string().min(1).max(200), finite).refine((m) => Object.keys(m).length > 0 && Object.keys(m).length <= 50, "1 to 50 metrics") }),
  z.object({ points: z.array(z.object({ timestamp: time, value: finite })).min(1).max(100_000) }),
  z.object({ timestamps: z.array(time).min(1).max(100_000), values: z.array(finite).min(1).max(100_000) }).refine((b) => b.timestamps.length === b.values.length, "timestamps and values differ in length"),
]);

/** One scored point. */
export interface DetectionView {
  timestamp: string;
  value: number;
  score: number;
  expected_low: number;
  expected_high: number;
}

/** POST /api/v1/detect. */
export const detectRoute = new Hono<AppEnv>().post("/", requireScope("read"), jsonOf(body), async (c) => {
  const req = c.req.valid("json");
  const engine = await getEngine();
  const run = (ts: number[], vs: number[]) => {
    for (let i = 1; i < ts.length; i++) {
      if (ts[i]! < ts[i - 1]!) throw new ApiError(400, "validation_failed", `timestamps must not go backwards (point ${i})`, { index: i });
    }
    const d = engine.detect.streaming();
    try {
      return d.push(ts, vs);
    } finally {
      d.dispose();
    }
  };
  if ("metrics" in req) {
    const now = Date.now();
    const nowStart = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    const results: Record<string, DetectionView & { history_points: number; note?: string }> = {};
    for (const [name, value] of Object.entries(req.metrics)) {
      const s = await findSeries(c.env.DB, c.get("tenant"), "metrics", name);
      const h = s ? await readHistory(c.env.DB, s.id, "mean", MINUTE_MS, now - HISTORY_MS, nowStart) : undefined;
      const ts = h ? Array.from({ length: h.values.length }, (_, i) => h.start + i * MINUTE_MS) : [];
      const vs = h ? Array.from(h.values) : [];
      const out = run([...ts, nowStart], [...vs, value]);
      const k = ts.length;
      results[name] = {
        timestamp: new Date(nowStart).toISOString(),
        value,
        score: out.scores[k]!,
        expected_low: out.expectedLow[k]!,
        expected_high: out.expectedHigh[k]!,
        history_points: k,
        ...(k < 64 ? { note: `only ${k} minutes of history: the detector needs about an hour before its scores carry weight` } : {}),
      };
    }
    return c.json({ results });
  }
  const ts = "points" in req ? req.points.map((p) => p.timestamp) : req.timestamps;
  const vs = "points" in req ? req.points.map((p) => p.value) : req.values;
  const out = run(ts, vs);
  const points: DetectionView[] = ts.map((t, i) => ({
    timestamp: new Date(t).toISOString(),
    value: vs[i]!,
    score: out.scores[i]!,
    expected_low: out.expectedLow[i]!,
    expected_high: out.expectedHigh[i]!,
  }));
  return c.json({ points });
});
