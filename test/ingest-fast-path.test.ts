// The ingest fast path (ajv validators generated from canonical-schema.ts) must change nothing a
// client sees: validateItems, which builds canonical items directly, gives exactly the result of
// the valibot path alone, on generated batches that sit on both sides of every canonical rule.
// The clock is frozen so that timestamps can sit on the window's edges to the millisecond.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { generateValidators, OUTPUT } from "../scripts/gen-ingest-validators";
import { isCanonicalEvent, isCanonicalSample } from "../worker/src/ingest/canonical-validators";
import { LIMITS, metadataBound, type Rejection, validateItems, validateItemsWithValibot } from "../worker/src/ingest/schema";

const NOW = Date.UTC(2026, 11, 1, 9, 0, 0);
beforeAll(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});
afterAll(() => {
  vi.useRealTimers();
});

/** Both paths on the same items (each gets its own copy of the array and of `rejected`). */
function bothPaths(kind: "events" | "metrics", items: unknown[], rejected: () => Rejection[] = () => []) {
  return { fast: validateItems(kind, items.slice(), rejected()), valibot: validateItemsWithValibot(kind, items.slice(), rejected()) };
}

/** A string of exactly `n` UTF-16 code units built from `unit` (a surrogate pair counts two). */
const ofLength = (n: number, unit: string) => unit.repeat(Math.floor(n / unit.length)) + "a".repeat(n % unit.length);
/** Strings at, just under and just over a length limit, in ASCII, Latin-1 and astral characters. */
const atLimit = (max: number) => fc.tuple(fc.constantFrom(max - 1, max, max + 1), fc.constantFrom("a", "é", "😀", "中")).map(([n, u]) => ofLength(n, u));

const WS = ["", " ", "\t", "\n", "\u00a0", "\u2028", "\ufeff", "\u3000", "\u180e", "\u200b"];
const padded = (inner: fc.Arbitrary<string>) => fc.tuple(fc.constantFrom(...WS), inner, fc.constantFrom(...WS)).map(([a, s, b]) => a + s + b);
const junk = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 6 }), fc.array(fc.integer(), { maxLength: 3 }), fc.object({ maxDepth: 1 }));

const timestamp = fc.oneof(
  fc.integer({ min: NOW - LIMITS.pastMs, max: NOW + LIMITS.futureMs }),
  fc.double({ min: NOW - LIMITS.pastMs, max: NOW + LIMITS.futureMs, noNaN: true }),
  // the window's edges, to the millisecond and by fractions of one
  fc.constantFrom(-1, -0.5, -0.4, 0, 0.4, 0.5, 1).chain((d) => fc.constantFrom(NOW + LIMITS.futureMs + d, NOW - LIMITS.pastMs + d)),
  fc.constantFrom(0, -0, 1e300, -1e300, NOW / 1000, 2 ** 53 + 2),
  fc.integer({ min: NOW - 9 * 86_400_000, max: NOW + 2 * 86_400_000 }).chain((t) => fc.constantFrom(String(t), new Date(t).toISOString())),
  fc.constantFrom("2026-11-30T10:00:00Z", "", "soon", " 1796115530597 "),
  junk,
);
const service = fc.oneof(
  fc.constantFrom("checkout", "payments", "a", "payment-service", "svc with spaces", "x"),
  padded(fc.constantFrom("checkout", "a b", "😀")),
  fc.string({ unit: "binary", minLength: 1, maxLength: 8 }),
  atLimit(LIMITS.service),
  padded(atLimit(LIMITS.service)),
  fc.constantFrom("", " ", "\t\n"),
  junk,
);
const level = fc.oneof(
  fc.constantFrom("DEBUG", "INFO", "WARN", "ERROR", "CRITICAL"),
  fc.constantFrom("info", "Warn", " ERROR", "CRITICAL ", "WARNING", "FATAL", "TRACE", "ERR", "err", "", "NOTICE", "x".repeat(17)),
  junk,
);
const text = (max: number) => fc.oneof(fc.string({ unit: "grapheme", maxLength: 12 }), padded(fc.constantFrom("/api/a", "E42")), atLimit(max), junk);
const latency = fc.oneof(
  fc.double({ min: 0, max: LIMITS.latencyMs, noNaN: true }),
  fc.constantFrom(0, -0, LIMITS.latencyMs, LIMITS.latencyMs + 0.5, LIMITS.latencyMs + 1, -1, -1e-9, 1e308, 12.5),
  fc.constantFrom("12", " 12 ", "1e3", "fast", "", "NaN", "Infinity"),
  junk,
);
const status = fc.oneof(
  fc.integer({ min: 100, max: 599 }),
  fc.constantFrom(99, 100, 599, 600, 200.5, 99.5, 599.5, -200, 1e20, 2 ** 53 + 2, 0),
  fc.constantFrom("200", "200.0", " 404 ", "ok"),
  junk,
);
/** Metadata: plain, empty, carrying lifted fields, odd shapes, and sizes around the 16 KB limit. */
const metadata = fc.oneof(
  fc.dictionary(fc.constantFrom("region", "pod", "trace_id", "constructor", "PROTO"), fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null)), { maxKeys: 3 }),
  fc.dictionary(fc.constantFrom("region", "latency_ms", "endpoint", "status", "error_code"), fc.oneof(latency, status, text(20)), { minKeys: 1, maxKeys: 3 }),
  // {"blob":"..."} is 11 characters of JSON around the string
  fc.constantFrom(-1, 0, 1).map((d) => ({ blob: "x".repeat(LIMITS.metadataBytes - 11 + d) })),
  // each "\n" is 2 characters of JSON: 8186 of them make 16,383, 8187 make 16,385
  fc.constantFrom(-1, 0, 1).map((d) => ({ blob: "\n".repeat(Math.floor((LIMITS.metadataBytes - 11) / 2) + d) })),
  fc.constantFrom([], "meta", 3, null, { nested: { latency_ms: 5 } }),
);
const eventField = { timestamp, service, level, message: text(LIMITS.message), endpoint: text(LIMITS.endpoint), latency_ms: latency, status, error_code: text(LIMITS.errorCode), metadata };
const canonicalEvent = fc.record(
  {
    timestamp: fc.integer({ min: NOW - LIMITS.pastMs, max: NOW + LIMITS.futureMs }),
    service: fc.constantFrom("checkout", "payments", "😀svc"),
    level: fc.constantFrom("DEBUG", "INFO", "WARN", "ERROR", "CRITICAL"),
    message: fc.string({ maxLength: 12 }),
    endpoint: fc.constantFrom("/", "/api/a"),
    latency_ms: fc.double({ min: 0, max: 1000, noNaN: true }),
    status: fc.integer({ min: 100, max: 599 }),
    error_code: fc.constantFrom("E1", ""),
    metadata: fc.oneof(
      { weight: 3, arbitrary: fc.dictionary(fc.constantFrom("region", "pod"), fc.string({ maxLength: 8 }), { maxKeys: 2 }) },
      // well-formed lifted fields, which valibot moves to the top level (when not set there)
      { weight: 1, arbitrary: fc.dictionary(fc.constantFrom("region", "latency_ms", "endpoint", "status", "error_code"), fc.constantFrom(5, 503, "/x", "E1"), { minKeys: 1, maxKeys: 2 }) },
    ),
  },
  { requiredKeys: ["service"] },
);
/** One time in five a value, else null. */
const rarely = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: a });
/**
 * Near-canonical items: a canonical one with one or two fields replaced by anything from their
 * generator in `fields` (or removed), perhaps plus one of `extras` holding junk.
 */
function near(canonical: fc.Arbitrary<object>, fields: Record<string, fc.Arbitrary<unknown>>, extras: string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(canonical, fc.record(fields, { requiredKeys: [] }), fc.subarray(Object.keys(fields), { minLength: 1, maxLength: 2 }), rarely(fc.constantFrom(...extras)), junk)
    .map(([base, alt, swap, extra, x]) => {
      const o: Record<string, unknown> = { ...base };
      for (const k of swap) {
        if (k in alt) o[k] = (alt as Record<string, unknown>)[k];
        else delete o[k];
      }
      if (extra) o[extra] = x;
      return o;
    });
}
const nearEvent = near(canonicalEvent, eventField, ["pod", "constructor", "PROTO", "ts", "Service"]);
const event = fc.oneof({ weight: 1, arbitrary: canonicalEvent }, { weight: 2, arbitrary: nearEvent });

const metricName = fc.oneof(fc.constantFrom("cpu", "mem:x.y", "http_requests_total", "_a", ":b", "bad name!", "1a", "", " cpu", "cpu "), atLimit(LIMITS.metricName).map((s) => s.replace(/[^a]/g, "b")), atLimit(LIMITS.metricName), junk);
const labelName = fc.constantFrom("app", "pod", "b", "a", "_x", "bad-l", "1a", "constructor", "prototype", "PROTO", "toString", "");
const labelValue = fc.oneof(fc.string({ unit: "grapheme", maxLength: 8 }), atLimit(LIMITS.labelValue), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant({}));
const labels = fc.oneof(
  fc.dictionary(labelName, labelValue, { maxKeys: 5 }),
  fc.dictionary(fc.constantFrom("app", "pod", "b", "a", "zone", "_x"), fc.string({ maxLength: 6 }), { maxKeys: 6 }),
  // around the count limit, in and out of order
  fc.tuple(fc.constantFrom(LIMITS.labels - 1, LIMITS.labels, LIMITS.labels + 1), fc.boolean()).map(([n, rev]) => {
    const names = Array.from({ length: n }, (_, i) => `l${String(i).padStart(2, "0")}`);
    return Object.fromEntries((rev ? names.reverse() : names).map((k) => [k, k]));
  }),
  fc.constantFrom([], "app=x", 1, null),
);
const sampleField = { name: metricName, value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom("12", " 1e3 ", "", "NaN", "x"), junk), labels, timestamp };
const canonicalSample = fc.record(
  {
    name: fc.constantFrom("cpu", "mem:x.y"),
    value: fc.double({ noNaN: true, noDefaultInfinity: true }),
    // now and then a name valibot's record skips
    labels: fc.dictionary(fc.constantFrom("app", "pod", "zone", "a", "constructor", "prototype", "PROTO"), fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 6 }) }, { weight: 1, arbitrary: atLimit(LIMITS.labelValue) }), { maxKeys: 3 }),
    timestamp: fc.integer({ min: NOW - 1000, max: NOW }),
  },
  { requiredKeys: ["name", "value"] },
);
const nearSample = near(canonicalSample, sampleField, ["extra", "constructor", "PROTO"]);
const sample = fc.oneof({ weight: 1, arbitrary: canonicalSample }, { weight: 2, arbitrary: nearSample });

/** As a request body would carry them: through JSON, where "__proto__" is an ordinary own key. */
const asJson = (items: unknown[]) => JSON.parse(JSON.stringify(items).replaceAll('"PROTO"', '"__proto__"')) as unknown[];

/** Runs the equivalence property and counts how often each side of the fast path was taken. */
function equivalence(kind: "events" | "metrics", item: fc.Arbitrary<unknown>, seed: number) {
  const canonical = kind === "events" ? isCanonicalEvent : isCanonicalSample;
  const seen = { items: 0, canonical: 0, accepted: 0, rejected: 0 };
  fc.assert(
    fc.property(fc.array(fc.oneof({ weight: 8, arbitrary: item }, { weight: 1, arbitrary: junk }), { maxLength: 8 }), fc.array(fc.boolean(), { maxLength: 8 }), (raw, holes) => {
      const items = asJson(raw).map((x, i) => (holes[i] ? undefined : x));
      const rejected = () => items.flatMap((x, index) => (x === undefined ? [{ index, code: "invalid_json" as const, reason: "line is not JSON" }] : []));
      const r = bothPaths(kind, items, rejected);
      // Same values (Object.is, so -0 is not 0) and the same key order.
      expect(r.fast).toStrictEqual(r.valibot);
      expect(JSON.stringify(r.fast)).toBe(JSON.stringify(r.valibot));
      for (const x of items) {
        if (x === undefined) continue;
        seen.items++;
        if (canonical(x)) seen.canonical++;
      }
      seen.accepted += r.valibot.accepted.length;
      seen.rejected += r.valibot.rejected.length;
    }),
    { numRuns: 2500, seed },
  );
  return seen;
}

describe("ingest fast path", () => {
  it("is the module the generator writes (regenerate with `npx tsx scripts/gen-ingest-validators.ts`)", () => {
    expect(generateValidators()).toBe(readFileSync(OUTPUT, "utf8"));
  });

  it("imports nothing: the generated module is self-contained for workerd", () => {
    expect(readFileSync(OUTPUT, "utf8")).not.toMatch(/\bimport\b|\brequire\(/);
  });

  it("treats as whitespace exactly what String#trim removes (the service pattern relies on it)", () => {
    // By definition: trim strips WhiteSpace and LineTerminator, the set \s matches. Checked over every code unit.
    const differ: number[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      if (/^\s$/.test(ch) !== (ch.trim() === "")) differ.push(c);
    }
    expect(differ).toEqual([]);
  });

  it("builds canonical events as valibot normalises them", () => {
    const items = asJson([
      { timestamp: NOW - 1000.4, service: "checkout", level: "WARN", metadata: { region: "eu" } },
      { service: "a", message: "m", status: 200, latency_ms: 0, metadata: {} },
    ]);
    // NOW - 1000.4 rounds to NOW - 1000; an absent level is INFO, an absent message "", empty metadata dropped.
    const expected = [
      { ts: NOW - 1000, service: "checkout", level: "WARN", message: "", metadata: { region: "eu" } },
      { ts: NOW, service: "a", level: "INFO", message: "m", latency_ms: 0, status: 200 },
    ];
    expect(items.every(isCanonicalEvent)).toBe(true);
    expect(validateItems("events", items)).toStrictEqual({ accepted: expected, rejected: [] });
    expect(validateItemsWithValibot("events", items)).toStrictEqual({ accepted: expected, rejected: [] });
  });

  it("leaves to valibot what it must normalise: aliases, padding, numeric strings, lifted metadata", () => {
    const items = [{ service: " a ", level: "warning", latency_ms: "12", metadata: { status: 503 } }, { name: "cpu", value: "1", labels: { b: "x", a: 2 } }];
    expect(isCanonicalEvent(items[0])).toBe(false);
    expect(isCanonicalSample(items[1])).toBe(false);
    expect(validateItems("events", [items[0]]).accepted).toStrictEqual([{ ts: NOW, service: "a", level: "WARN", message: "", latency_ms: 12, status: 503 }]);
    // Labels come out sorted by name, numbers as strings.
    expect(validateItems("metrics", [items[1]]).accepted).toStrictEqual([{ ts: NOW, name: "cpu", value: 1, labels: { a: "2", b: "x" } }]);
  });

  it("bounds metadata's JSON length from above, so only metadata near the limit is serialised", () => {
    // {"k":"v"} is 9 characters; the bound allows 2 + (6*1 + 4) + (6*1 + 2) = 20.
    expect(metadataBound({ k: "v" })).toBe(20);
    expect(metadataBound({ k: { nested: 1 } })).toBe(Number.POSITIVE_INFINITY);
    // The longest a number serialises to: a sign, "0.00000" and 17 significant digits (decimals below 1e-6 get an exponent).
    expect(JSON.stringify(-1.2345678901234567e-6)).toHaveLength(25);
    expect(metadataBound({ k: -1.2345678901234567e-6 })).toBe(2 + 10 + 25);
    const flat = fc.dictionary(
      fc.string({ unit: "binary", maxLength: 6 }),
      fc.oneof(fc.string({ unit: "binary", maxLength: 20 }), fc.string({ unit: fc.constantFrom("\u0000", "\n", '"', "\\", "\ud800", "\u2028"), maxLength: 20 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null)),
      { maxKeys: 8 },
    );
    fc.assert(
      fc.property(flat, (meta) => {
        expect(metadataBound(meta)).toBeGreaterThanOrEqual(JSON.stringify(meta).length);
      }),
      { numRuns: 5000, seed: 20261205 },
    );
  });

  it("gives the valibot path's result on generated events, also with NDJSON lines already rejected", () => {
    const seen = equivalence("events", event, 20261203);
    // Not vacuous: many items are canonical, and many are not; both accepted and rejected items occur.
    expect(seen.canonical).toBeGreaterThan(seen.items / 10);
    expect(seen.items - seen.canonical).toBeGreaterThan(seen.items / 10);
    expect(seen.rejected).toBeGreaterThan(1000);
    expect(seen.accepted).toBeGreaterThan(1000);
  });

  it("gives the valibot path's result on generated metric samples", () => {
    const seen = equivalence("metrics", sample, 20261204);
    expect(seen.canonical).toBeGreaterThan(seen.items / 10);
    expect(seen.items - seen.canonical).toBeGreaterThan(seen.items / 10);
    expect(seen.rejected).toBeGreaterThan(1000);
    expect(seen.accepted).toBeGreaterThan(1000);
  });
});
