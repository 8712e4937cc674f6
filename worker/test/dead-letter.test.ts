import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../src/index";

describe("dead-letter consumer", () => {
  it("keeps every dead-lettered message in R2, counts it, and acknowledges it", async () => {
    const before = await env.DB.prepare("SELECT value FROM counters WHERE name = 'helios_dead_lettered_total'").first();
    const batch = createMessageBatch("helios-ingest-dlq", [
      { id: "m-poison", timestamp: new Date(), attempts: 1, body: { reason: "items.0.ts: expected number", original: { v: 9 } } },
      { id: "m-exhausted", timestamp: new Date(), attempts: 6, body: { v: 1, id: "b:0", tenant: "acme", kind: "events", items: [] } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["m-exhausted", "m-poison"]);
    expect(result.retryMessages).toEqual([]);

    const listed = await env.ARCHIVE.list({ prefix: "dead-letter/helios-ingest-dlq/" });
    const stored = await Promise.all(listed.objects.map(async (o) => (await env.ARCHIVE.get(o.key))!.json()));
    const byId = Object.fromEntries(stored.map((s) => [(s as { id: string }).id, s as { reason: string }]));
    expect(byId["m-poison"]!.reason).toBe("items.0.ts: expected number");
    expect(byId["m-exhausted"]!.reason).toBe("retries_exhausted");

    const after = await env.DB.prepare("SELECT value FROM counters WHERE name = 'helios_dead_lettered_total'").first();
    expect(Number(after!.value) - Number(before?.value ?? 0)).toBe(2);
  });
});
