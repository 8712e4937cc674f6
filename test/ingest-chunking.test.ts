// The ingest route sizes its column messages with a bound instead of serialising them. Here the
// bound is checked against the real structured-clone size (Node's v8.serialize writes the format
// that workerd's Queues use for contentType "v8") on generated events and samples, and the
// columns are checked to give back exactly the items, and the archive exactly their JSON lines.
import { serialize } from "node:v8";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cloneBound } from "../worker/src/ingest/clone-size";
import {
  COLUMN_MESSAGE_TARGET_BYTES,
  decodeEvents,
  decodeSamples,
  eventColumnMessages,
  type EventColumns,
  eventsNdjson,
  sampleColumnMessages,
  type SampleColumns,
  samplesNdjson,
} from "../worker/src/ingest/columns";
import type { IngestEvent, IngestSample } from "../worker/src/ingest/schema";
import { validateItems } from "../worker/src/ingest/schema";

const QUEUE_LIMIT = 128_000;
const now = Date.now();

const anyString = (ascii: boolean, maxLength: number) => (ascii ? fc.string({ unit: "binary-ascii", maxLength }) : fc.string({ unit: "grapheme", maxLength }));
const rawEvent = (ascii: boolean) =>
  fc.record(
    {
      timestamp: fc.integer({ min: now - 86_400_000, max: now }),
      service: anyString(ascii, 40).map((s) => `s${s}`),
      level: fc.constantFrom("INFO", "error", "WARNING"),
      message: anyString(ascii, 600),
      endpoint: anyString(ascii, 80),
      latency_ms: fc.double({ min: 0, max: 86_400_000, noNaN: true }),
      status: fc.integer({ min: 100, max: 599 }),
      error_code: anyString(ascii, 20),
      metadata: fc.dictionary(anyString(ascii, 10), fc.oneof(anyString(ascii, 50), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 5 })), { maxKeys: 5 }),
    },
    { requiredKeys: ["service"] },
  );

/** Items as the route has them: parsed from the request text, then validated. */
function accepted(kind: "events" | "metrics", raw: unknown[]) {
  const text = JSON.stringify(raw);
  const ascii = Buffer.byteLength(text) === text.length && !text.includes("\\u");
  return { items: validateItems<never>(kind, JSON.parse(text) as unknown[]).accepted, ascii };
}

describe("queue message sizing", () => {
  it("bounds every message's serialised size from above and keeps it under the queue limit", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.boolean().chain((ascii) => rawEvent(ascii)), { minLength: 1, maxLength: 400 }), (asciiOnly, mixed) => {
        const raw = asciiOnly ? mixed.map((e) => JSON.parse(JSON.stringify(e).replace(/[^\x20-\x7e]/g, "a")) as unknown) : mixed;
        const { items, ascii } = accepted("events", raw);
        if (items.length === 0) return;
        const messages = eventColumnMessages({ v: 2, tenant: "t", received_at: now }, "00000000-0000-0000-0000-000000000000", items as IngestEvent[], ascii);
        const columns = messages.map((m) => m.body.columns as EventColumns);
        expect(columns.flatMap(decodeEvents)).toEqual(items);
        // The archive's lines are exactly the items' JSON, key order included.
        expect(columns.map(eventsNdjson).join("")).toBe(items.map((e) => `${JSON.stringify(e)}\n`).join(""));
        for (const m of messages) {
          const actual = serialize(m.body).length;
          expect(m.bytes).toBeGreaterThanOrEqual(actual);
          expect(actual).toBeLessThan(QUEUE_LIMIT);
          expect(m.bytes).toBeLessThanOrEqual(COLUMN_MESSAGE_TARGET_BYTES);
          expect(m.body.n).toBe((m.body.columns as EventColumns).ts.length);
        }
      }),
      { numRuns: 150, seed: 20261201 },
    );
  });

  it("bounds metric samples and nested values too", () => {
    const sample = fc.record({
      name: fc.constantFrom("cpu", "http_requests_total", "mem:rss.bytes"),
      value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()),
      labels: fc.dictionary(fc.constantFrom("app", "pod", "zone", "le"), fc.string({ unit: "grapheme", maxLength: 60 }), { maxKeys: 4 }),
      timestamp: fc.integer({ min: now - 86_400_000, max: now }),
    });
    fc.assert(
      fc.property(fc.array(sample, { minLength: 1, maxLength: 2000 }), (raw) => {
        const { items, ascii } = accepted("metrics", raw);
        const messages = sampleColumnMessages({ v: 2, tenant: "t", received_at: now }, "b", items as IngestSample[], ascii);
        const columns = messages.map((m) => m.body.columns as SampleColumns);
        expect(columns.flatMap(decodeSamples)).toEqual(items);
        expect(columns.map(samplesNdjson).join("")).toBe(items.map((x) => `${JSON.stringify(x)}\n`).join(""));
        for (const m of messages) expect(m.bytes).toBeGreaterThanOrEqual(serialize(m.body).length);
      }),
      { numRuns: 50, seed: 7 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(cloneBound(v, 2)).toBeGreaterThanOrEqual(serialize(v).length - 2); // v8.serialize adds a 2-byte header
      }),
      { numRuns: 2000, seed: 11 },
    );
  });
});
