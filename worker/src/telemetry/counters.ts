// Durable counters behind /metrics. Increments are upserts into D1 so that
// every isolate and queue consumer adds to the same totals.
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { counters } from "../db/schema";

/** One increment: a metric name, its labels and how much to add. */
export interface CounterDelta {
  name: string;
  labels?: Record<string, string>;
  by: number;
}

/** Renders labels as Prometheus does (`a="x",b="y"`, sorted, escaped), the counters table's key. */
export function renderLabels(labels: Record<string, string> = {}): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]!.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`)
    .join(",");
}

/** Adds the deltas in one D1 batch (merged by key first). Zero deltas are skipped. */
export async function bump(db: D1Database, deltas: CounterDelta[]): Promise<void> {
  const merged = new Map<string, { name: string; labels: string; by: number }>();
  for (const d of deltas) {
    if (d.by === 0) continue;
    const labels = renderLabels(d.labels);
    const key = `${d.name}{${labels}}`;
    const m = merged.get(key);
    if (m) m.by += d.by;
    else merged.set(key, { name: d.name, labels, by: d.by });
  }
  if (merged.size === 0) return;
  const orm = drizzle(db);
  const now = Date.now();
  const statements = [...merged.values()].map((m) =>
    orm
      .insert(counters)
      .values({ name: m.name, labels: m.labels, value: m.by, updatedAt: now })
      .onConflictDoUpdate({
        target: [counters.name, counters.labels],
        set: { value: sql`${counters.value} + ${m.by}`, updatedAt: now },
      }),
  );
  await orm.batch(statements as [(typeof statements)[number], ...typeof statements]);
}
