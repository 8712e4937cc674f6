// POST /api/v1/recommend: a workload's state in, replicas, requests and
// savings out. The workload is remembered, and the 15-minute cron keeps its
// recommendation fresh (GET /api/v1/recommendations, /metrics).
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { Hono } from "hono";
import { recommendations, workloads } from "../db/schema";
import { getEngine } from "../engine";
import { ApiError } from "../errors";
import { requireScope } from "../middleware/auth";
import { type Recommendation, RecommendError, recommendWorkload, type WorkloadSpec, workloadSpec } from "../recommend/workload";
import type { AppEnv } from "../types";
import { jsonOf } from "./predict";

/** Stores a workload's spec and its latest recommendation. */
export async function saveRecommendation(db: D1Database, tenant: string, spec: WorkloadSpec, rec: Recommendation, now: number): Promise<void> {
  const orm = drizzle(db);
  const row = {
    tenant,
    workload: spec.workload,
    currentReplicas: spec.replicas,
    recommendedReplicas: rec.replicas.recommended,
    monthlySavings: rec.savings?.monthlySavings ?? null,
    confidence: rec.confidence,
    body: JSON.stringify(rec),
    computedAt: now,
  };
  await orm.batch([
    orm
      .insert(workloads)
      .values({ tenant, name: spec.workload, spec: JSON.stringify(spec), updatedAt: now })
      .onConflictDoUpdate({ target: [workloads.tenant, workloads.name], set: { spec: JSON.stringify(spec), updatedAt: now } }),
    orm.insert(recommendations).values(row).onConflictDoUpdate({ target: [recommendations.tenant, recommendations.workload], set: row }),
  ]);
}

/** POST /api/v1/recommend. */
export const recommendRoute = new Hono<AppEnv>().post("/", requireScope("write"), jsonOf(workloadSpec), async (c) => {
  const spec = c.req.valid("json");
  const now = Date.now();
  let rec: Recommendation;
  try {
    rec = await recommendWorkload(c.env.DB, await getEngine(), c.get("tenant"), spec, now);
  } catch (err) {
    if (err instanceof RecommendError) throw new ApiError(422, "insufficient_history", err.message);
    throw err;
  }
  await saveRecommendation(c.env.DB, c.get("tenant"), spec, rec, now);
  return c.json(rec);
});

/** GET /api/v1/recommendations: the latest recommendation of every workload of the tenant. */
export const recommendationsRoute = new Hono<AppEnv>().get("/", requireScope("read"), async (c) => {
  const rows = await drizzle(c.env.DB).select().from(recommendations).where(and(eq(recommendations.tenant, c.get("tenant")))).all();
  return c.json({ recommendations: rows.map((r) => JSON.parse(r.body) as Recommendation) });
});
