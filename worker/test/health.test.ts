import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call } from "./helpers";

describe("GET /health", () => {
  it("answers with the version the loaded engine computes", async () => {
    const res = await SELF.fetch("http://helios.test/health");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; engine: { version: string } };
    expect(body.status).toBe("ok");
    // engine/assembly/version.ts packs 0.1.0; the facade unpacks it.
    expect(body.engine.version).toBe("0.1.0");
  });
});

describe("GET /ready", () => {
  it("is ready when the engine, D1, R2 and the queue binding answer", async () => {
    const res = await SELF.fetch("http://helios.test/ready");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(body.status).toBe("ready");
    expect(Object.keys(body.checks).sort()).toEqual(["d1", "engine", "ingest_queue", "r2"]);
  });

  it("is not ready (503) and names the failing check when D1 does not answer", async () => {
    const brokenDb = {
      prepare() {
        throw new Error("D1 unavailable (injected)");
      },
    } as unknown as D1Database;
    const res = await call(new Request("http://helios.test/ready"), { DB: brokenDb });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean; error?: string }> };
    expect(body.status).toBe("not_ready");
    expect(body.checks.d1).toMatchObject({ ok: false });
    expect(body.checks.r2!.ok).toBe(true);
  });
});
