// Liveness and readiness. /health answers while the isolate runs and the
// engine loads; /ready also checks that D1, R2 and the queue bindings answer.
import { Hono } from "hono";
import { getEngine } from "../engine";
import type { AppEnv } from "../types";

/** Open endpoints for load balancers and orchestrators. */
export const healthRoutes = new Hono<AppEnv>()
  .get("/health", async (c) => {
    const engine = await getEngine();
    return c.json({ status: "ok", engine: { version: engine.version } });
  })
  .get("/ready", async (c) => {
    const checks: Record<string, { ok: boolean; error?: string }> = {};
    const run = async (name: string, probe: () => Promise<unknown>) => {
      try {
        await probe();
        checks[name] = { ok: true };
      } catch (err) {
        checks[name] = { ok: false, error: String(err) };
      }
    };
    await Promise.all([
      run("engine", () => getEngine()),
      run("d1", () => c.env.DB.prepare("SELECT 1").first()),
      run("r2", () => c.env.ARCHIVE.head("readiness-probe")),
      run("ingest_queue", async () => {
        if (typeof c.env.INGEST_QUEUE?.send !== "function") throw new Error("INGEST_QUEUE binding missing");
      }),
    ]);
    const ready = Object.values(checks).every((ch) => ch.ok);
    return c.json({ status: ready ? "ready" : "not_ready", checks }, ready ? 200 : 503);
  });
