// The ingest schemas moved from zod to valibot; clients see the same codes and
// reasons. The zod rules are kept as the bench peer (bench/peers), and here both
// validate the same generated batches and must answer alike, item for item.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateItems as zodValidate } from "../bench/peers/zod-ingest-schema";
import { type Rejection, validateItems } from "../worker/src/ingest/schema";

/** Both results as JSON, with timestamps of "now" made comparable (the two run a moment apart). */
function both(kind: "events" | "metrics", items: unknown[], rejected: () => Rejection[] = () => []) {
  const norm = (x: unknown) => JSON.stringify(x, (k, v: unknown) => (k === "ts" && typeof v === "number" && Math.abs(v - Date.now()) < 60_000 ? "now" : v));
  return { valibot: norm(validateItems(kind, items.slice(), rejected())), zod: norm(zodValidate(kind, items.slice(), rejected())) };
}

const now = Date.now();
const value = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom("INFO", "warn", "ERR", " 12 ", "", "1e3", "NaN", "Infinity", "2026-11-30T10:00:00Z"),
  fc.integer({ min: now - 9 * 86_400_000, max: now + 2 * 86_400_000 }),
  fc.object({ maxDepth: 1 }),
  fc.array(fc.integer(), { maxLength: 20 }),
  fc.record({ length: fc.oneof(fc.integer(), fc.constant(null), fc.string({ maxLength: 2 })) }),
  fc.string({ minLength: 120, maxLength: 300 }),
);
const eventKey = fc.constantFrom("timestamp", "service", "level", "message", "endpoint", "latency_ms", "status", "error_code", "metadata", "pod", "constructor");
const metadata = fc.dictionary(fc.constantFrom("latency_ms", "endpoint", "status", "error_code", "region"), value, { maxKeys: 4 });
const event = fc
  .tuple(fc.dictionary(eventKey, value, { maxKeys: 7 }), fc.option(metadata), fc.option(fc.constantFrom("a", " b ", "payment-service")))
  .map(([o, m, s]) => ({ ...o, ...(m ? { metadata: m } : {}), ...(s ? { service: s } : {}) }));
const labels = fc.dictionary(fc.constantFrom("app", "pod", "bad-l", "_x", "1a"), value, { maxKeys: 4 });
const sample = fc
  .tuple(fc.dictionary(fc.constantFrom("name", "value", "labels", "timestamp", "extra"), value, { maxKeys: 5 }), fc.option(labels), fc.option(fc.constantFrom("cpu", "mem:x.y", "bad name!")))
  .map(([o, l, n]) => ({ ...o, ...(l ? { labels: l } : {}), ...(n ? { name: n } : {}) }));
/** As a request body would carry them: through JSON. */
const asJson = (items: unknown[]) => JSON.parse(JSON.stringify(items)) as unknown[];

describe("ingest rejection reasons", () => {
  it("match the zod rules on generated events, also with NDJSON lines already rejected", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(event, value), { maxLength: 6 }), fc.array(fc.boolean(), { maxLength: 6 }), (raw, holes) => {
        const items = asJson(raw).map((x, i) => (holes[i] ? undefined : x));
        const rejected = () => items.flatMap((x, index) => (x === undefined ? [{ index, code: "invalid_json" as const, reason: "line is not JSON" }] : []));
        const r = both("events", items, rejected);
        expect(r.valibot).toBe(r.zod);
      }),
      { numRuns: 3000, seed: 20261201 },
    );
  });

  it("match the zod rules on generated metric samples", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(sample, value), { maxLength: 6 }), (raw) => {
        const r = both("metrics", asJson(raw));
        expect(r.valibot).toBe(r.zod);
      }),
      { numRuns: 3000, seed: 20261202 },
    );
  });

  it("words the usual rejections as the API always has", () => {
    const items = [{ level: "INFO" }, { service: "a", latency_ms: "fast" }, { service: "a", status: 99.5 }, { service: "a", timestamp: now + 2 * 86_400_000 }, { service: "x".repeat(129) }];
    expect(validateItems("events", items).rejected).toEqual([
      { index: 0, code: "missing_field", reason: "service: is required" },
      { index: 1, code: "not_finite", reason: 'latency_ms: must be a finite number, got "fast"' },
      { index: 2, code: "wrong_type", reason: "status: expected int" },
      { index: 3, code: "timestamp_in_future", reason: "timestamp: is more than 1 day in the future" },
      { index: 4, code: "too_long", reason: "service: Too big: expected string to have <=128 characters" },
    ]);
  });
});
