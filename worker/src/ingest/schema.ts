// Schemas for ingested events and metric samples (valibot). One array schema
// runs over the whole batch and every issue carries its item's index, so one
// bad item is rejected with a reason while the rest of the batch is accepted.
// valibot rather than zod: workerd forbids `new Function`, so zod runs its
// interpreted path, which measured 4-7x slower on a 1,000-event batch
// (bench/cases/ingest-validate.ts).
// In front of valibot sits a fast path: items already in canonical form pass an
// ajv validator generated at build time (canonical-schema.ts) and are built
// directly; only the rest go through valibot, which gives the same output for
// canonical items (test/ingest-fast-path.test.ts holds the two paths equal).
import * as v from "valibot";
import { isCanonicalEvent, isCanonicalSample } from "./canonical-validators";
import { LABEL_NAME, LEVEL_ALIASES, LEVELS, type Level, LIFTED_FROM_METADATA, LIMITS, METRIC_NAME } from "./limits";

export { LEVEL_ALIASES, LEVELS, type Level, LIMITS };

/** An event as it travels on the ingest queue: normalised and validated. */
export interface IngestEvent {
  /** Epoch milliseconds. */
  ts: number;
  service: string;
  level: Level;
  message: string;
  endpoint?: string;
  latency_ms?: number;
  status?: number;
  error_code?: string;
  metadata?: Record<string, unknown>;
}

/** A metric sample as it travels on the ingest queue. */
export interface IngestSample {
  ts: number;
  name: string;
  value: number;
  /** Label pairs, sorted by name. */
  labels: Record<string, string>;
}


/** Why an item was rejected, as a low-cardinality code (a /metrics label). */
export type RejectReason =
  | "not_object"
  | "invalid_json"
  | "missing_field"
  | "wrong_type"
  | "not_finite"
  | "out_of_range"
  | "too_long"
  | "invalid_format"
  | "invalid_value"
  | "invalid_timestamp"
  | "timestamp_in_future"
  | "timestamp_too_old";

/** A rejected item: its index in the request, a reason code and a readable explanation. */
export interface Rejection {
  index: number;
  code: RejectReason;
  reason: string;
}

/**
 * Checks that decide a reason code of their own, by requirement. A `v.check` issue carries its
 * requirement, so the code is found without wrapping the issue (rawTransform would allocate a
 * closure per item, which showed in the Worker's profile).
 */
const REASONS = new Map<unknown, RejectReason>();
type Issue = v.BaseIssue<unknown>;
function check<T>(reason: RejectReason, requirement: (x: T) => boolean, message: string | ((issue: v.CheckIssue<T>) => string)) {
  if (REASONS.has(requirement)) throw new Error("each reasoned check needs its own requirement function");
  REASONS.set(requirement, reason);
  return v.check(requirement, message);
}

// Messages are worded as the API has always worded them (they reach clients in `reason`).
const tooLong = (max: number) => `Too big: expected string to have <=${max} characters`;
const typeOf = (x: unknown) => (x === null ? "null" : typeof x);
const expected = (type: string) => (issue: v.BaseIssue<unknown>) => (issue.input === undefined ? "is required" : `expected ${type}`);

/**
 * A string field `key` of at most `max` characters (and, with `required`, at least one after
 * trimming). A non-string that has a length (an array) is also told where its length is out of
 * bounds: the API's reasons were first worded by zod, which checks lengths of anything that has
 * one, and clients see the same reasons as before.
 */
function text(key: string, max: number, required = false) {
  const typeMessage = (issue: v.BaseIssue<unknown>) => {
    if (issue.input === undefined) return "is required";
    let m = "expected string";
    const len = (issue.input as { length?: unknown } | null)?.length as number | undefined;
    if (len !== undefined) {
      if (required && !(len >= 1)) m += `; ${key}: is required`;
      if (!(len <= max)) m += `; ${key}: ${Array.isArray(issue.input) ? `Too big: expected array to have <=${max} items` : `Too big: expected unknown to be <=${max}`}`;
    }
    return m;
  };
  const head = v.string(typeMessage);
  return required
    ? v.pipe(head, v.trim(), v.minLength(1, "is required"), v.maxLength(max, tooLong(max)))
    : v.pipe(head, v.maxLength(max, tooLong(max)));
}
const boundedString = (max: number) => v.pipe(v.string(), v.maxLength(max, tooLong(max)));
const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const record = () => v.custom<Record<string, unknown>>(isRecord, expected("record"));

/** Agents often send numbers as strings; a blank string is not zero. */
const toNumber = (x: string) => (x.trim() === "" ? Number.NaN : Number(x));

/** A finite number, or a string holding one (agents often send strings). NaN and Infinity are rejected. */
const finiteNumber = v.pipe(
  v.union(
    [
      v.pipe(v.number(), check("not_finite", (x: number) => Number.isFinite(x), "must be a finite number, got null")),
      v.pipe(
        v.string(),
        check("not_finite", (x: string) => Number.isFinite(toNumber(x)), (issue) => `must be a finite number, got ${JSON.stringify(issue.input)}`),
      ),
    ],
    (issue) => `must be a number, got ${typeOf(issue.input)}`,
  ),
  v.transform((x) => (typeof x === "number" ? x : toNumber(x))),
);

/** Epoch milliseconds of a timestamp field's value (NaN when a string is not a date). */
const toEpochMs = (x: number | string) => (typeof x === "number" ? x : Date.parse(x));

/**
 * A timestamp: numbers are epoch milliseconds (seconds are not guessed), strings ISO 8601; absent
 * means now (set when the item is built). Within 7 days past and 1 day future of the time it is checked.
 */
const timestampField = v.pipe(
  v.union(
    [v.pipe(v.number(), v.finite("Invalid input")), v.pipe(v.string(), v.minLength(1, "Too small: expected string to have >=1 characters"), v.maxLength(64, tooLong(64)))],
    "Invalid input",
  ),
  v.transform(toEpochMs),
  check("invalid_timestamp", (t: number) => Number.isFinite(t), "must be epoch milliseconds or an ISO 8601 date"),
  // NaN fails neither of these, so a bad date gets one reason.
  check("timestamp_in_future", (t: number) => !(t > Date.now() + LIMITS.futureMs), "is more than 1 day in the future"),
  check("timestamp_too_old", (t: number) => !(t < Date.now() - LIMITS.pastMs), "is more than 7 days in the past"),
  v.transform(Math.round),
);

const LEVEL_SET = new Set<string>(LEVELS);
const level = v.pipe(
  text("level", 16),
  v.transform((x): Level | undefined => {
    const up = x.trim().toUpperCase();
    return LEVEL_SET.has(up) ? (up as Level) : LEVEL_ALIASES[up];
  }),
  check("invalid_value", (l: Level | undefined) => l !== undefined, `must be one of ${LEVELS.join(", ")}`),
);

const latency = v.pipe(finiteNumber, v.minValue(0, "must be >= 0"), v.maxValue(LIMITS.latencyMs, "must be at most 1 day in ms"));
// A fraction is the wrong type and stops there (the inner pipe is a schema, so the outer one
// breaks on its issue); an integer beyond 2^53 is "must be an integer" and out of range.
const httpStatus = v.pipe(
  v.pipe(finiteNumber, v.integer("expected int")),
  v.pipe(
    v.number(),
    v.safeInteger("must be an integer"),
    v.minValue(100, "Too small: expected number to be >=100"),
    v.maxValue(599, "Too big: expected number to be <=599"),
  ),
);
const KNOWN_EVENT_FIELDS = new Set(["timestamp", "service", "level", "message", "endpoint", "latency_ms", "status", "error_code", "metadata"]);

/**
 * latency, endpoint, status and error code may arrive inside metadata (as the original Helios
 * agents send them): lift them to the top level before validation, so they are checked alike.
 * Unknown top-level fields are kept, in metadata (when metadata is absent or an object), and
 * left out of the top level, which the object schema would drop anyway. The result is built
 * fresh rather than by deleting keys: a deleted key turns an object into a slow dictionary, and
 * this runs for every event of agents that send this form (test/ingest-fast-path.test.ts).
 */
export function prepareEvent(o: Record<string, unknown>): Record<string, unknown> {
  const meta = o.metadata;
  if (meta !== undefined && !isRecord(meta)) return o; // the schema rejects it
  let moves = false;
  for (const k in o) {
    if (!KNOWN_EVENT_FIELDS.has(k)) {
      moves = true;
      break;
    }
  }
  if (!moves && meta !== undefined) {
    for (const f of LIFTED_FROM_METADATA) {
      if (o[f] === undefined && meta[f] !== undefined) {
        moves = true;
        break;
      }
    }
  }
  if (!moves) return o;
  const out: Record<string, unknown> = {};
  for (const k in o) if (KNOWN_EVENT_FIELDS.has(k) && k !== "metadata") out[k] = o[k];
  const m: Record<string, unknown> = {};
  if (meta !== undefined) {
    for (const k in meta) {
      if (LIFTED_SET.has(k) && o[k] === undefined && meta[k] !== undefined) out[k] = meta[k];
      else put(m, k, meta[k]);
    }
  }
  for (const k in o) if (!KNOWN_EVENT_FIELDS.has(k)) put(m, k, o[k]);
  out.metadata = m;
  return out;
}

const LIFTED_SET = new Set<string>(LIFTED_FROM_METADATA);

/** Sets an own property, also "__proto__" (which plain assignment would take as the prototype). */
function put(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** A validated event before normalisation: `timestamp` may be absent (now), `level` is checked to be set. */
type EventFields = Omit<IngestEvent, "ts" | "level"> & { timestamp?: number; level: Level | undefined };

/** Whether an object has an own enumerable key (as `Object.keys(o).length > 0`, without the array). */
function hasKeys(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return false;
}

/** The queue form of a validated event (both paths build it here, so keys come in one order); empty metadata is dropped. */
function buildEvent(ts: number, level: Level, message: string, raw: Omit<EventFields, "level" | "message">): IngestEvent {
  const ev: IngestEvent = { ts, service: raw.service, level, message };
  if (raw.endpoint !== undefined) ev.endpoint = raw.endpoint;
  if (raw.latency_ms !== undefined) ev.latency_ms = raw.latency_ms;
  if (raw.status !== undefined) ev.status = raw.status;
  if (raw.error_code !== undefined) ev.error_code = raw.error_code;
  if (raw.metadata && hasKeys(raw.metadata)) ev.metadata = raw.metadata;
  return ev;
}

/** Whether metadata is within its size limit, as serialised on the queue. */
const metadataFits = (meta: Record<string, unknown>) => JSON.stringify(meta).length <= LIMITS.metadataBytes;

/** The longest JSON a number serialises to ("-0.0000012345678901234567"). */
const NUMBER_JSON_MAX = 25;

/**
 * An upper bound of `JSON.stringify(meta).length` for flat metadata, found without serialising
 * it (which cost more than all the rest of the fast path): a character takes at most 6 in JSON
 * (`\uXXXX`). Infinity when a value is an object or of another type: then it is serialised.
 */
export function metadataBound(meta: Record<string, unknown>): number {
  let n = 2; // the braces
  for (const k in meta) {
    const v = meta[k];
    n += 6 * k.length + 4; // quotes, colon, comma
    if (typeof v === "string") n += 6 * v.length + 2;
    else if (typeof v === "number" || typeof v === "boolean" || v === null) n += NUMBER_JSON_MAX;
    else return Number.POSITIVE_INFINITY;
  }
  return n;
}

/** An event: built once at module load; per item only parsing runs. */
const eventSchema = v.pipe(
  v.custom<Record<string, unknown>>(isRecord, "must be a JSON object"),
  v.transform(prepareEvent),
  v.object(
    {
      timestamp: v.optional(timestampField),
      service: text("service", LIMITS.service, true),
      level: v.optional(level, "INFO"),
      message: v.optional(text("message", LIMITS.message), ""),
      endpoint: v.optional(text("endpoint", LIMITS.endpoint)),
      latency_ms: v.optional(latency),
      status: v.optional(httpStatus),
      error_code: v.optional(text("error_code", LIMITS.errorCode)),
      metadata: v.optional(record()),
    },
    "is required",
  ),
  // The queue form, typed as a record so that the size issue can be forwarded to "metadata".
  v.transform((raw) => buildEvent(raw.timestamp ?? Date.now(), raw.level!, raw.message, raw) as IngestEvent & Record<string, unknown>),
  v.forward(
    check("too_long", (ev: IngestEvent & Record<string, unknown>) => ev.metadata === undefined || metadataFits(ev.metadata), `is larger than ${LIMITS.metadataBytes} bytes`),
    ["metadata"],
  ),
);

/** Labels sorted by name, as a new object. */
const sortLabels = (labels: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** A metric sample: built once at module load. */
const sampleSchema = v.pipe(
  v.custom<Record<string, unknown>>(isRecord, "must be a JSON object"),
  v.object(
    {
      name: v.pipe(text("name", LIMITS.metricName), v.regex(METRIC_NAME, "must match [a-zA-Z_:][a-zA-Z0-9_:.]*")),
      // Absent is "must be a number, got undefined", as for any other non-number.
      value: finiteNumber,
      labels: v.optional(
        v.pipe(
          record(),
          v.record(
            v.pipe(v.string(), v.regex(LABEL_NAME, "Invalid key in record")),
            v.pipe(v.union([boundedString(LIMITS.labelValue), v.pipe(v.number(), v.finite("Invalid input")), v.boolean()], "Invalid input"), v.transform(String)),
          ),
          v.check((l) => Object.keys(l).length <= LIMITS.labels, `at most ${LIMITS.labels} labels`),
        ),
        {},
      ),
      timestamp: v.optional(timestampField),
    },
    (issue) => (issue.expected === '"value"' ? "must be a number, got undefined" : "is required"),
  ),
  v.transform(
    (s): IngestSample => ({
      ts: s.timestamp ?? Date.now(),
      name: s.name,
      value: s.value,
      labels: sortLabels(s.labels),
    }),
  ),
);

const eventBatch = v.array(eventSchema);
const sampleBatch = v.array(sampleSchema);

/**
 * A canonical timestamp as the valibot path normalises it (absent is now), or NaN when it is
 * outside the window: valibot then rejects it with its reason.
 */
function canonicalTs(t: number | undefined, now: number): number {
  if (t === undefined) return now;
  return t > now + LIMITS.futureMs || t < now - LIMITS.pastMs ? Number.NaN : Math.round(t);
}

/**
 * The queue form of a canonical event, or undefined when it is not one (valibot decides it). An
 * event in the original Helios agents' form (latency, endpoint, status or error code inside
 * metadata, or unknown top-level fields) is canonical once prepareEvent has moved those fields,
 * as the valibot path's first step does: such agents send every event that way.
 */
function fastEvent(raw: unknown, now: number): IngestEvent | undefined {
  let item = raw;
  if (!isCanonicalEvent(item)) {
    if (!isRecord(item)) return undefined;
    item = prepareEvent(item);
    if (item === raw || !isCanonicalEvent(item)) return undefined;
  }
  const ts = canonicalTs(item.timestamp, now);
  if (Number.isNaN(ts)) return undefined;
  const ev = buildEvent(ts, item.level ?? "INFO", item.message ?? "", item);
  const meta = ev.metadata;
  return meta === undefined || metadataBound(meta) <= LIMITS.metadataBytes || metadataFits(meta) ? ev : undefined;
}

/** The queue form of a canonical sample, or undefined when it is not one. */
function fastSample(item: unknown, now: number): IngestSample | undefined {
  if (!isCanonicalSample(item)) return undefined;
  const ts = canonicalTs(item.timestamp, now);
  if (Number.isNaN(ts)) return undefined;
  const labels = item.labels;
  return { ts, name: item.name, value: item.value, labels: labels === undefined ? {} : sorted(labels) ? labels : sortCanonicalLabels(labels) };
}

/** Whether label names already come in order: then the parsed object is the sorted one. */
function sorted(labels: Record<string, string>): boolean {
  let prev: string | undefined;
  for (const k in labels) {
    if (prev !== undefined && !(prev < k)) return false;
    prev = k;
  }
  return true;
}

/**
 * sortLabels for canonical labels, without the entry arrays (they were most of a sample's time):
 * an insertion sort of the names (at most 32), compared as sortLabels compares them. Assignment
 * is safe because the canonical schema excludes "__proto__".
 */
function sortCanonicalLabels(labels: Record<string, string>): Record<string, string> {
  const names: string[] = [];
  for (const k in labels) {
    let j = names.length;
    names.push(k);
    for (; j > 0 && names[j - 1]! > k; j--) names[j] = names[j - 1]!;
    names[j] = k;
  }
  const out: Record<string, string> = {};
  for (const k of names) out[k] = labels[k]!;
  return out;
}

/**
 * Validates a batch; returns the accepted (normalised) items and the rejections, by index.
 * `undefined` slots were already rejected while parsing (NDJSON lines). Canonical items take
 * the fast path; the rest go through valibot's array schema together, with their indexes
 * mapped back, so the result is the one `validateItemsWithValibot` gives.
 */
export function validateItems<T>(
  kind: "events" | "metrics",
  items: unknown[],
  rejected: Rejection[] = [],
): { accepted: T[]; rejected: Rejection[] } {
  const fast: (item: unknown, now: number) => unknown = kind === "events" ? fastEvent : fastSample;
  // One instant for the batch: the window and an absent timestamp's "now".
  const now = Date.now();
  const out: unknown[] = [];
  let gaps = false;
  let rest: number[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const built = item === undefined ? undefined : fast(item, now);
    out.push(built);
    if (built === undefined) {
      gaps = true;
      if (item !== undefined) (rest ??= []).push(i);
    }
  }
  if (rest) {
    const slow = runSchema(kind, rest.map((i) => items[i]), rest, rejected);
    for (let j = 0; j < rest.length; j++) out[rest[j]!] = slow[j];
  }
  return { accepted: (gaps ? out.filter((x) => x !== undefined) : out) as T[], rejected };
}

/** The valibot path alone, for every item: the reference the fast path must agree with (tests, bench). */
export function validateItemsWithValibot<T>(
  kind: "events" | "metrics",
  items: unknown[],
  rejected: Rejection[] = [],
): { accepted: T[]; rejected: Rejection[] } {
  const holes = items.includes(undefined);
  const candidates = holes ? items.filter((i) => i !== undefined) : items;
  const indexOf = holes ? items.flatMap((item, i) => (item === undefined ? [] : [i])) : undefined;
  const output = runSchema(kind, candidates, indexOf, rejected);
  return { accepted: output.filter((x) => x !== undefined) as T[], rejected };
}

/**
 * Runs the array schema over `candidates`; returns each one's output, or undefined where it was
 * rejected. Rejections are added to `rejected` under `indexOf[i]` (or `i`), sorted by index.
 */
function runSchema(kind: "events" | "metrics", candidates: unknown[], indexOf: number[] | undefined, rejected: Rejection[]): unknown[] {
  const result = v.safeParse(kind === "events" ? eventBatch : sampleBatch, candidates);
  const output = result.output as unknown[];
  if (!result.issues) return output;

  // Issues arrive in item order; each item's first issue names its code.
  const failed = new Set<number>();
  let current: Rejection | undefined;
  let badKey: Issue["path"];
  for (const issue of result.issues as Issue[]) {
    const at = issue.path![0]!.key as number;
    const index = indexOf ? indexOf[at]! : at;
    // A label whose name is invalid is reported once, for its name, not again for its value.
    const last = issue.path![issue.path!.length - 1]!;
    if (badKey && last.origin === "value" && samePath(badKey, issue.path!)) continue;
    badKey = last.origin === "key" ? issue.path : undefined;
    const text = describe(issue);
    if (current?.index === index) {
      current.reason += `; ${text}`;
      continue;
    }
    failed.add(at);
    current = { index, code: reasonCode(issue), reason: text };
    rejected.push(current);
  }
  rejected.sort((a, b) => a.index - b.index);
  return output.map((x, i) => (failed.has(i) ? undefined : x));
}

function reasonCode(issue: Issue): RejectReason {
  const own = REASONS.get(issue.requirement);
  if (own) return own;
  const last = issue.path?.[issue.path.length - 1];
  switch (issue.type) {
    case "custom":
      return issue.path?.length === 1 ? "not_object" : issue.input === undefined ? "missing_field" : "wrong_type";
    case "object":
      return issue.expected === '"value"' ? "wrong_type" : "missing_field";
    case "string":
    case "union":
    case "finite":
      return issue.input === undefined ? "missing_field" : "wrong_type";
    case "max_length":
      return "too_long";
    case "min_length":
      return "missing_field";
    case "min_value":
    case "max_value":
      return "out_of_range";
    case "integer":
      return "wrong_type";
    case "safe_integer":
      return "out_of_range";
    case "regex":
      return last?.origin === "key" ? "invalid_value" : "invalid_format";
    default:
      return "invalid_value";
  }
}

function samePath(a: NonNullable<Issue["path"]>, b: NonNullable<Issue["path"]>): boolean {
  return a.length === b.length && a.every((p, i) => p.key === b[i]!.key);
}

/** `path: message`, the path without the item's index. */
function describe(issue: Issue): string {
  const path = issue.path!.slice(1).map((p) => String(p.key)).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}
