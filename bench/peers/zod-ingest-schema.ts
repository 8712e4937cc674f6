// The ingest schemas as Helios had them in zod (until 2026-12-01), item by
// item: the peer of bench/cases/ingest-validate.ts. Same rules, codes and
// reasons as worker/src/ingest/schema.ts, which now uses valibot.
import { z } from "zod";
import { type IngestEvent, type IngestSample, LEVEL_ALIASES, LEVELS, type Level, LIMITS, type RejectReason, type Rejection } from "../../worker/src/ingest/schema";

/** A finite number, or a string holding one (agents often send strings). NaN and Infinity are rejected. */
const finiteNumber = z.unknown().transform((v, ctx) => {
  if (typeof v !== "number" && typeof v !== "string") {
    ctx.addIssue({ code: "custom", message: `must be a number, got ${v === null ? "null" : typeof v}`, params: { reason: "wrong_type" } });
    return z.NEVER;
  }
  const n = typeof v === "number" ? v : v.trim() === "" ? Number.NaN : Number(v);
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: "custom", message: `must be a finite number, got ${JSON.stringify(v)}`, params: { reason: "not_finite" } });
    return z.NEVER;
  }
  return n;
});

/**
 * A timestamp: numbers are epoch milliseconds (seconds are not guessed), strings ISO 8601; absent
 * means now. Within 7 days past and 1 day future of the time it is checked.
 */
const timestampField = z
  .union([z.number(), z.string().min(1).max(64)])
  .optional()
  .transform((v, ctx) => {
    const now = Date.now();
    if (v === undefined) return now;
    const t = typeof v === "number" ? v : Date.parse(v);
    if (!Number.isFinite(t)) {
      ctx.addIssue({ code: "custom", message: "must be epoch milliseconds or an ISO 8601 date", params: { reason: "invalid_timestamp" } });
      return z.NEVER;
    }
    if (t > now + LIMITS.futureMs) {
      ctx.addIssue({ code: "custom", message: "is more than 1 day in the future", params: { reason: "timestamp_in_future" } });
      return z.NEVER;
    }
    if (t < now - LIMITS.pastMs) {
      ctx.addIssue({ code: "custom", message: "is more than 7 days in the past", params: { reason: "timestamp_too_old" } });
      return z.NEVER;
    }
    return Math.round(t);
  });

const level = z
  .string()
  .max(16)
  .transform((v, ctx) => {
    const up = v.trim().toUpperCase();
    const l = (LEVELS as readonly string[]).includes(up) ? (up as Level) : LEVEL_ALIASES[up];
    if (!l) {
      ctx.addIssue({ code: "custom", message: `must be one of ${LEVELS.join(", ")}`, params: { reason: "invalid_value" } });
      return z.NEVER;
    }
    return l;
  });

const latency = finiteNumber.pipe(z.number().min(0, "must be >= 0").max(86_400_000, "must be at most 1 day in ms"));
const httpStatus = finiteNumber.pipe(z.number().int("must be an integer").min(100).max(599));
const KNOWN_EVENT_FIELDS = new Set(["timestamp", "service", "level", "message", "endpoint", "latency_ms", "status", "error_code", "metadata"]);
const LIFTED_FROM_METADATA = ["latency_ms", "endpoint", "status", "error_code"] as const;

/**
 * latency, endpoint, status and error code may arrive inside metadata (as the original Helios
 * agents send them): lift them to the top level before validation, so they are checked alike.
 */
function liftFromMetadata(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const o = raw as Record<string, unknown>;
  const meta = o.metadata;
  if (!meta || typeof meta !== "object" || Array.isArray(meta)) return raw;
  let lifted: Record<string, unknown> | undefined;
  for (const f of LIFTED_FROM_METADATA) {
    if (o[f] === undefined && (meta as Record<string, unknown>)[f] !== undefined) {
      lifted ??= { ...o, metadata: { ...(meta as Record<string, unknown>) } };
      lifted[f] = (meta as Record<string, unknown>)[f];
      delete (lifted.metadata as Record<string, unknown>)[f];
    }
  }
  return lifted ?? raw;
}

/** An event: built once at module load; per item only parsing runs. */
const eventSchema = z.preprocess(
  liftFromMetadata,
  z
    .looseObject({
      timestamp: timestampField,
      service: z.string().trim().min(1, "is required").max(LIMITS.service),
      level: level.default("INFO"),
      message: z.string().max(LIMITS.message).default(""),
      endpoint: z.string().max(LIMITS.endpoint).optional(),
      latency_ms: latency.optional(),
      status: httpStatus.optional(),
      error_code: z.string().max(LIMITS.errorCode).optional(),
      metadata: z.record(z.string(), z.unknown()).optional(),
    })
    .transform((raw, ctx): IngestEvent => {
      const ev: IngestEvent = { ts: raw.timestamp, service: raw.service, level: raw.level, message: raw.message };
      if (raw.endpoint !== undefined) ev.endpoint = raw.endpoint;
      if (raw.latency_ms !== undefined) ev.latency_ms = raw.latency_ms;
      if (raw.status !== undefined) ev.status = raw.status;
      if (raw.error_code !== undefined) ev.error_code = raw.error_code;
      // Unknown top-level fields are kept, in metadata.
      let meta: Record<string, unknown> | undefined = raw.metadata;
      for (const k in raw) {
        if (!KNOWN_EVENT_FIELDS.has(k)) {
          if (meta === raw.metadata) meta = { ...(raw.metadata ?? {}) };
          meta![k] = (raw as Record<string, unknown>)[k];
        }
      }
      if (meta && Object.keys(meta).length > 0) {
        if (JSON.stringify(meta).length > LIMITS.metadataBytes) {
          ctx.addIssue({
            code: "custom",
            path: ["metadata"],
            message: `is larger than ${LIMITS.metadataBytes} bytes`,
            params: { reason: "too_long" },
          });
          return z.NEVER;
        }
        ev.metadata = meta;
      }
      return ev;
    }),
);

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:.]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A metric sample: built once at module load. */
const sampleSchema = z
  .object({
    name: z.string().max(LIMITS.metricName).regex(METRIC_NAME, "must match [a-zA-Z_:][a-zA-Z0-9_:.]*"),
    value: finiteNumber,
    labels: z
      .record(
        z.string().regex(LABEL_NAME, "label names must match [a-zA-Z_][a-zA-Z0-9_]*"),
        z.union([z.string().max(LIMITS.labelValue), z.number(), z.boolean()]).transform(String),
      )
      .refine((l) => Object.keys(l).length <= LIMITS.labels, `at most ${LIMITS.labels} labels`)
      .default({}),
    timestamp: timestampField,
  })
  .transform(
    (s): IngestSample => ({
      ts: s.timestamp,
      name: s.name,
      value: s.value,
      labels: Object.fromEntries(Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    }),
  );

/** Validates items one by one; returns the accepted (normalised) items and the rejections. */
export function validateItems<T>(
  kind: "events" | "metrics",
  items: unknown[],
  rejected: Rejection[] = [],
): { accepted: T[]; rejected: Rejection[] } {
  const schema: z.ZodType = kind === "events" ? eventSchema : sampleSchema;
  const accepted: T[] = [];
  items.forEach((item, index) => {
    if (item === undefined) return; // a slot already rejected while parsing (NDJSON line)
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      rejected.push({ index, code: "not_object", reason: "must be a JSON object" });
      return;
    }
    const r = schema.safeParse(item, { reportInput: true });
    if (r.success) accepted.push(r.data as T);
    else rejected.push({ index, code: reasonCode(r.error.issues[0]), reason: describe(r.error) });
  });
  rejected.sort((a, b) => a.index - b.index);
  return { accepted, rejected };
}

function reasonCode(issue: z.core.$ZodIssue | undefined): RejectReason {
  if (!issue) return "invalid_value";
  switch (issue.code) {
    case "custom": {
      const r = (issue.params as { reason?: RejectReason } | undefined)?.reason;
      return r ?? "invalid_value";
    }
    case "invalid_type":
      return issue.input === undefined ? "missing_field" : "wrong_type";
    case "too_big":
      return issue.origin === "string" ? "too_long" : "out_of_range";
    case "too_small":
      return issue.origin === "string" && issue.minimum === 1 ? "missing_field" : "out_of_range";
    case "invalid_format":
      return "invalid_format";
    case "invalid_union":
      return "wrong_type";
    default:
      return "invalid_value";
  }
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const path = i.path.join(".");
      const msg = i.code === "invalid_type" ? (i.input === undefined ? "is required" : `expected ${i.expected}`) : i.message;
      return path ? `${path}: ${msg}` : msg;
    })
    .join("; ");
}

