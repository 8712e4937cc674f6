// Every 15 minutes: recompute the recommendation of every workload a tenant
// asked about, from its latest history.
import type { Engine } from "../../../engine/src/index";
import { RecommendError, recommendWorkload, type WorkloadSpec, workloadSpec } from "../recommend/workload";
import { saveRecommendation } from "../routes/recommend";

/** Refreshes all stored workloads; returns how many were recomputed. */
export async function refreshRecommendations(env: Env, engine: Engine, now = Date.now()): Promise<number> {
  const { results } = await env.DB.prepare("SELECT tenant, spec FROM workloads").all<{ tenant: string; spec: string }>();
  let done = 0;
  for (const w of results) {
    const parsed = workloadSpec.safeParse(JSON.parse(w.spec));
    if (!parsed.success) continue;
    const spec: WorkloadSpec = parsed.data;
    try {
      await saveRecommendation(env.DB, w.tenant, spec, await recommendWorkload(env.DB, engine, w.tenant, spec, now), now);
      done++;
    } catch (err) {
      if (!(err instanceof RecommendError)) console.error(`recommendation of ${w.tenant}/${spec.workload} failed`, err);
    }
  }
  return done;
}
