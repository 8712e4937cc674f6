// Resolves series keys to ids, creating series on first sight. Idempotent, so
// it runs before the merge transaction: a batch that later fails leaves at
// most a series row with no windows yet.
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { series } from "../db/schema";

/** A series as the consumer sees it. */
export interface SeriesKey {
  kind: "events" | "metrics";
  name: string;
  /** Canonical JSON of sorted labels; "{}" for events. */
  labels: string;
}

/** The map key of a series within one tenant. */
export function seriesMapKey(k: SeriesKey): string {
  return `${k.kind}\u0000${k.name}\u0000${k.labels}`;
}

/** 7 columns per row: 14 rows keep a statement under D1's 100 bound parameters. */
const ROWS_PER_STATEMENT = 14;

/** Upserts the series of `keys` for `tenant` (bumping last_seen_at) and returns their ids by map key. */
export async function resolveSeries(db: D1Database, tenant: string, keys: SeriesKey[], seenAt: number): Promise<Map<string, number>> {
  const orm = drizzle(db);
  const ids = new Map<string, number>();
  const unique = [...new Map(keys.map((k) => [seriesMapKey(k), k])).values()];
  for (let i = 0; i < unique.length; i += ROWS_PER_STATEMENT) {
    const chunk = unique.slice(i, i + ROWS_PER_STATEMENT);
    const rows = await orm
      .insert(series)
      .values(chunk.map((k) => ({ tenant, kind: k.kind, name: k.name, labels: k.labels, createdAt: seenAt, lastSeenAt: seenAt })))
      .onConflictDoUpdate({
        target: [series.tenant, series.kind, series.name, series.labels],
        set: { lastSeenAt: sql`max(${series.lastSeenAt}, excluded.last_seen_at)` },
      })
      .returning({ id: series.id, kind: series.kind, name: series.name, labels: series.labels });
    for (const r of rows) ids.set(seriesMapKey(r), r.id);
  }
  return ids;
}
