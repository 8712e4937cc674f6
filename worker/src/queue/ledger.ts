// The ingest ledger: which queue messages have been applied. A message's
// ledger row is written in the same D1 transaction as its window merges, so
// "applied" and "counted" can never disagree.
import { and, eq, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { ingestLedger } from "../db/schema";

/** D1 allows 100 bound parameters per statement; ledger lookups use one per id plus the tenant. */
const IDS_PER_QUERY = 90;

/** The ids among `ids` (all of one tenant) that are already applied. */
export async function appliedIds(db: D1Database, tenant: string, ids: string[]): Promise<Set<string>> {
  const orm = drizzle(db);
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const rows = await orm
      .select({ id: ingestLedger.messageId })
      .from(ingestLedger)
      .where(and(eq(ingestLedger.tenant, tenant), inArray(ingestLedger.messageId, ids.slice(i, i + IDS_PER_QUERY))))
      .all();
    for (const r of rows) found.add(r.id);
  }
  return found;
}
