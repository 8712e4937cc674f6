// Property-based: thousands of generated malformed bodies never produce a 5xx,
// always answer with the documented JSON shapes, and enqueue nothing unless
// the answer is 202.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createTestKey, recordingQueue } from "./helpers";

let key: string;
beforeAll(async () => {
  key = await createTestKey("fuzz");
});

const jsonish = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  // events that are almost right: wrong types and hostile values in each field
  fc
    .record(
      {
        service: fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.constant(null)),
        level: fc.oneof(fc.constantFrom("INFO", "error", "nope", ""), fc.integer()),
        latency_ms: fc.oneof(fc.double(), fc.string({ maxLength: 8 }), fc.constant(null)),
        timestamp: fc.oneof(fc.double(), fc.string({ maxLength: 30 }), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
        status: fc.oneof(fc.integer(), fc.double()),
        metadata: fc.oneof(fc.object({ maxDepth: 2 }), fc.string(), fc.integer()),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(Array.isArray(o) ? o : [o])),
  // NDJSON with broken lines
  fc.array(fc.oneof(fc.json({ maxDepth: 2 }), fc.string({ maxLength: 40 })), { maxLength: 20 }).map((l) => l.join("\n")),
);

const contentType = fc.constantFrom("application/json", "application/x-ndjson", "text/plain", undefined, "application/xml");

describe("ingestion under generated malformed input", () => {
  for (const path of ["/api/v1/events", "/api/v1/metrics"]) {
    it(`never answers ${path} with a 5xx and never enqueues on a 4xx`, async () => {
      await fc.assert(
        fc.asyncProperty(jsonish, contentType, async (body, type) => {
          const { queue, sent } = recordingQueue();
          const headers: Record<string, string> = { authorization: `Bearer ${key}` };
          if (type) headers["content-type"] = type;
          const res = await call(new Request(`http://helios.test${path}`, { method: "POST", body, headers }), {
            INGEST_QUEUE: queue,
          });
          expect(res.status).toBeLessThan(500);
          const json = (await res.json()) as Record<string, unknown>;
          if (res.status === 202) {
            expect(typeof json.accepted).toBe("number");
            expect(sent.length).toBeGreaterThan(0);
          } else {
            expect(res.status).toBeGreaterThanOrEqual(400);
            expect(json.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
            expect(sent).toHaveLength(0);
          }
        }),
        { numRuns: 1000, seed: 20261122 },
      );
    }, 120_000);
  }
});
