import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";

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
