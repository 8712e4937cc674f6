// Ingest limits, levels and name patterns: shared by the valibot schemas (schema.ts) and the
// canonical JSON Schemas the fast path is generated from (canonical-schema.ts), so the two
// cannot drift apart.

/** Accepted limits; documented in the README and enforced here and in the routes. */
export const LIMITS = {
  bodyBytes: 1024 * 1024,
  items: 10_000,
  futureMs: 24 * 3600 * 1000,
  pastMs: 7 * 24 * 3600 * 1000,
  service: 128,
  message: 8192,
  endpoint: 1024,
  errorCode: 128,
  metricName: 200,
  labels: 32,
  labelValue: 256,
  metadataBytes: 16 * 1024,
  /** The largest latency accepted: one day in ms. */
  latencyMs: 86_400_000,
} as const;

/** Log levels, normalised; aliases map onto these. */
export const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "CRITICAL"] as const;
export type Level = (typeof LEVELS)[number];
/** Aliases some agents send, normalised onto LEVELS. */
export const LEVEL_ALIASES: Record<string, Level> = { WARNING: "WARN", FATAL: "CRITICAL", TRACE: "DEBUG", ERR: "ERROR" };

/** Metric and label names, as Prometheus has them. */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:.]*$/;
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Fields an event may lift out of its metadata (the original Helios agents send them there). */
export const LIFTED_FROM_METADATA = ["latency_ms", "endpoint", "status", "error_code"] as const;
