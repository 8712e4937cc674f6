// Every D1 table, in one place. Migrations are generated from this file by
// drizzle-kit (`npm run db:generate`) into worker/migrations.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type CounterRow = typeof counters.$inferSelect;
