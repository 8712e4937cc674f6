// Tenants' window models: rows in D1, files in R2, and the onnxruntime
// session of each active model loaded once per isolate and reused by every
// cron run (session creation costs far more than scoring a minute's windows).
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { ModelCard } from "../../../models/contract";
import { WindowModel } from "../../../models/runtime/score";
import { type ModelRow, models } from "../db/schema";
import { getOrt } from "./ort";

/** R2 prefix of a model version; model.onnx and card.json sit under it. */
export function modelKey(tenant: string, name: string, version: string): string {
  return `models/${tenant}/${name}/${version}`;
}

/** Sessions kept per isolate; a tenant activating a new model evicts the oldest. */
const MAX_SESSIONS = 4;
const sessions = new Map<string, Promise<WindowModel>>();

function sessionKey(r: ModelRow): string {
  // Versions are immutable (a duplicate upload is refused), so this names one file.
  return `${r.tenant}/${r.name}/${r.version}/${r.sha256}`;
}

async function loadSession(env: Env, r: ModelRow): Promise<WindowModel> {
  const obj = await env.ARCHIVE.get(`${r.key}/model.onnx`);
  if (!obj) throw new Error(`model file ${r.key}/model.onnx is missing from R2`);
  const bytes = new Uint8Array(await obj.arrayBuffer());
  return WindowModel.load(await getOrt(), JSON.parse(r.card) as ModelCard, bytes);
}

/** The session of a stored model, created on first use in this isolate. */
export function sessionFor(env: Env, r: ModelRow): Promise<WindowModel> {
  const key = sessionKey(r);
  let s = sessions.get(key);
  if (!s) {
    s = loadSession(env, r).catch((err) => {
      sessions.delete(key); // let the next run try again
      throw err;
    });
    sessions.set(key, s);
    while (sessions.size > MAX_SESSIONS) {
      const [oldest, p] = sessions.entries().next().value as [string, Promise<WindowModel>];
      sessions.delete(oldest);
      void p.then((m) => m.release()).catch(() => undefined);
    }
  }
  return s;
}

/** Each tenant's active model row, for the tenants given. */
export async function activeModels(db: D1Database, tenants: readonly string[]): Promise<Map<string, ModelRow>> {
  const orm = drizzle(db);
  const out = new Map<string, ModelRow>();
  for (const tenant of tenants) {
    const r = await orm.select().from(models).where(and(eq(models.tenant, tenant), eq(models.active, true))).get();
    if (r) out.set(tenant, r);
  }
  return out;
}
