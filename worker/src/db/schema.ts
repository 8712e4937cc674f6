// Every D1 table, in one place. Migrations are generated from this file by
// drizzle-kit (`npm run db:generate`) into worker/migrations.
import { sql } from "drizzle-orm";
import { blob, check, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** API keys, stored as SHA-256 hashes of the secret; the secret is shown once at creation. */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    tenant: text("tenant").notNull(),
    name: text("name").notNull(),
    /** Hex SHA-256 of the full key. */
    hash: text("hash").notNull(),
    /** Comma-separated scopes: "read", "write". */
    scopes: text("scopes").notNull(),
    createdAt: integer("created_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_hash").on(t.hash), index("api_keys_tenant").on(t.tenant)],
);

/** Idempotency ledger: one row per applied queue message, written in the same D1 batch as its merge. */
export const ingestLedger = sqliteTable(
  "ingest_ledger",
  {
    messageId: text("message_id").notNull(),
    tenant: text("tenant").notNull(),
    items: integer("items").notNull(),
    appliedAt: integer("applied_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenant, t.messageId] })],
);

/**
 * One row that a merge transaction rewrites with `changes()` of its last conditional UPDATE: the
 * CHECK fails, and the whole D1 batch rolls back, when a concurrent writer changed the row first.
 */
export const mergeGuard = sqliteTable("merge_guard", {
  id: integer("id").primaryKey(),
  ok: integer("ok").notNull(),
}, () => [check("merge_guard_ok", sql`ok > 0`)]);

/** Monotonic counters behind /metrics (accepted, rejected by reason, dead-lettered, ...). */
export const counters = sqliteTable(
  "counters",
  {
    name: text("name").notNull(),
    /** Prometheus label set rendered as `k="v",...`, sorted; "" for none. */
    labels: text("labels").notNull().default(""),
    value: integer("value").notNull().default(0),
    updatedAt: integer("updated_at")
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
  },
  (t) => [primaryKey({ columns: [t.name, t.labels] })],
);

/**
 * A series: (tenant, service) for events, (tenant, metric name, sorted labels) for metrics.
 * `labels` is canonical JSON (sorted keys), "{}" for events.
 */
export const series = sqliteTable(
  "series",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tenant: text("tenant").notNull(),
    kind: text("kind", { enum: ["events", "metrics"] }).notNull(),
    name: text("name").notNull(),
    labels: text("labels").notNull().default("{}"),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
  },
  (t) => [uniqueIndex("series_key").on(t.tenant, t.kind, t.name, t.labels)],
);

/**
 * One aggregate per (series, resolution, window start). `agg` holds the engine's serialised
 * partial aggregate (moments, quantile sketch, distinct-count sketch) so later batches merge into
 * it exactly; the other columns are its summary, for queries.
 */
export const windows = sqliteTable(
  "windows",
  {
    seriesId: integer("series_id").notNull(),
    /** Window length in ms: 60000, 300000 or 3600000. */
    resolution: integer("resolution").notNull(),
    start: integer("start").notNull(),
    count: integer("count").notNull(),
    /** Events: error count. Metrics: 0. */
    errors: integer("errors").notNull().default(0),
    /** Events: latency statistics. Metrics: value statistics. */
    sum: real("sum").notNull().default(0),
    mean: real("mean"),
    stddev: real("stddev"),
    min: real("min"),
    max: real("max"),
    /** Metrics: value of the latest sample and its timestamp. */
    last: real("last"),
    lastTs: integer("last_ts"),
    p50: real("p50"),
    p95: real("p95"),
    p99: real("p99"),
    /** Events: distinct endpoints (HyperLogLog estimate). */
    distinctEndpoints: integer("distinct_endpoints"),
    agg: blob("agg", { mode: "buffer" }).notNull(),
    /** Set once the window is past the watermark and has been scored. */
    closedAt: integer("closed_at"),
    /** Combined anomaly score in [0, 1] given when the window closed (1-minute windows). */
    score: real("score"),
    /** Probability in [0, 1] the tenant's active window model gave (1-minute event windows; null without one). */
    modelScore: real("model_score"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.seriesId, t.resolution, t.start] }), index("windows_open").on(t.closedAt, t.start)],
);

/** Scored windows that crossed the alert threshold; `id` is `<series>:<resolution>:<start>`. */
export const anomalies = sqliteTable(
  "anomalies",
  {
    id: text("id").primaryKey(),
    tenant: text("tenant").notNull(),
    seriesId: integer("series_id").notNull(),
    service: text("service").notNull(),
    windowStart: integer("window_start").notNull(),
    score: real("score").notNull(),
    severity: text("severity", { enum: ["low", "medium", "high", "critical"] }).notNull(),
    /** JSON array of drivers (feature, value, expected_low, expected_high, contribution), strongest first. */
    drivers: text("drivers").notNull(),
    count: integer("count").notNull(),
    errors: integer("errors").notNull(),
    incidentId: text("incident_id"),
    /** What crossed its threshold: the streaming "detector", the active "model", or "both". */
    firedBy: text("fired_by", { enum: ["detector", "model", "both"] }).notNull().default("detector"),
    /** The active model's probability for the window, and which model ("name@version"); null without one. */
    modelScore: real("model_score"),
    model: text("model"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("anomalies_tenant_time").on(t.tenant, t.windowStart), index("anomalies_incident").on(t.incidentId)],
);

/** Incidents: anomalies of one service, or of services that went wrong together, within a time span. */
export const incidents = sqliteTable(
  "incidents",
  {
    id: text("id").primaryKey(),
    tenant: text("tenant").notNull(),
    status: text("status", { enum: ["open", "resolved"] }).notNull(),
    severity: text("severity", { enum: ["low", "medium", "high", "critical"] }).notNull(),
    title: text("title").notNull(),
    /** JSON array of service names, in the order they went anomalous. */
    services: text("services").notNull(),
    startedAt: integer("started_at").notNull(),
    lastAnomalyAt: integer("last_anomaly_at").notNull(),
    resolvedAt: integer("resolved_at"),
    anomalyCount: integer("anomaly_count").notNull(),
    /** The report as JSON (also in R2 at report_key, with a Markdown rendering). */
    report: text("report").notNull(),
    reportKey: text("report_key").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("incidents_tenant_status").on(t.tenant, t.status, t.lastAnomalyAt)],
);

/** Each series' streaming detector state (engine bytes), carried from window to window. */
export const detectorState = sqliteTable("detector_state", {
  seriesId: integer("series_id").primaryKey(),
  state: blob("state", { mode: "buffer" }).notNull(),
  /** JSON array of the feature names the detector scores. */
  features: text("features").notNull(),
  /** JSON object: last value of each feature, carried into windows that lack it. */
  carry: text("carry").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** The latest forecast of each series (next hour at 1-minute steps), refreshed every 15 minutes. */
export const forecasts = sqliteTable("forecasts", {
  seriesId: integer("series_id").primaryKey(),
  tenant: text("tenant").notNull(),
  /** The window field forecast: "count" for services, "mean" for metrics. */
  field: text("field").notNull(),
  /** JSON: model, step, and points [{timestamp, p10, p50, p90}]. */
  body: text("body").notNull(),
  computedAt: integer("computed_at").notNull(),
});

/** Each service's Isolation Forest over its window features, refitted daily. */
export const forests = sqliteTable("forests", {
  seriesId: integer("series_id").primaryKey(),
  tenant: text("tenant").notNull(),
  /** JSON array of the feature names, in the forest's column order. */
  features: text("features").notNull(),
  /** The engine's serialised forest. */
  bytes: blob("bytes", { mode: "buffer" }).notNull(),
  /** Windows it was fitted on. */
  rows: integer("rows").notNull(),
  /** JSON IsolationCalibration of its scores on those windows; null for forests fitted before calibration. */
  calibration: text("calibration"),
  fittedAt: integer("fitted_at").notNull(),
});

/** Workloads a tenant asked recommendations for; the 15-minute cron keeps them fresh. */
export const workloads = sqliteTable(
  "workloads",
  {
    tenant: text("tenant").notNull(),
    name: text("name").notNull(),
    /** The workload's state and settings as sent to /recommend (JSON). */
    spec: text("spec").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenant, t.name] })],
);

/** The latest recommendation per workload (replicas, requests, savings), as JSON plus the headline numbers. */
export const recommendations = sqliteTable(
  "recommendations",
  {
    tenant: text("tenant").notNull(),
    workload: text("workload").notNull(),
    currentReplicas: integer("current_replicas").notNull(),
    recommendedReplicas: integer("recommended_replicas").notNull(),
    monthlySavings: real("monthly_savings"),
    confidence: real("confidence").notNull(),
    body: text("body").notNull(),
    computedAt: integer("computed_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenant, t.workload] })],
);

/**
 * Window models a tenant uploaded (ONNX file and card in R2 under `key`/model.onnx and
 * `key`/card.json). At most one per tenant is active: the partial unique index holds it.
 */
export const models = sqliteTable(
  "models",
  {
    tenant: text("tenant").notNull(),
    name: text("name").notNull(),
    version: text("version").notNull(),
    /** Hex SHA-256 of model.onnx. */
    sha256: text("sha256").notNull(),
    bytes: integer("bytes").notNull(),
    /** R2 prefix: models/<tenant>/<name>/<version>. */
    key: text("key").notNull(),
    /** The card as uploaded and checked (JSON). */
    card: text("card").notNull(),
    active: integer("active", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull(),
    activatedAt: integer("activated_at"),
  },
  (t) => [
    primaryKey({ columns: [t.tenant, t.name, t.version] }),
    uniqueIndex("models_one_active").on(t.tenant).where(sql`active = 1`),
  ],
);

export type ModelRow = typeof models.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type AnomalyRow = typeof anomalies.$inferSelect;
export type IncidentRow = typeof incidents.$inferSelect;
export type SeriesRow = typeof series.$inferSelect;
export type WindowRow = typeof windows.$inferSelect;
export type CounterRow = typeof counters.$inferSelect;
