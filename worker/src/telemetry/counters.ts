// Durable counters behind /metrics. Increments are upserts into D1 so that
// every isolate and queue consumer adds to the same totals.

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

/** 4 bound parameters a row: 25 rows keep a statement at D1's 100. */
const ROWS_PER_STATEMENT = 25;

/**
 * Adds the deltas (merged by key first) with one multi-row upsert per 25 keys, in one D1 batch.
 * Zero deltas are skipped. Plain SQL: this runs on every ingest request and consumer batch, and
 * building the same upserts through drizzle showed in the Worker's profile.
 */
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
  const now = Date.now();
  const rows = [...merged.values()];
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    statements.push(
      db
        .prepare(
          `INSERT INTO counters (name, labels, value, updated_at) VALUES ${chunk.map(() => "(?, ?, ?, ?)").join(", ")} ` +
            "ON CONFLICT (name, labels) DO UPDATE SET value = counters.value + excluded.value, updated_at = excluded.updated_at",
        )
        .bind(...chunk.flatMap((m) => [m.name, m.labels, m.by, now])),
    );
  }
  await (statements.length === 1 ? statements[0]!.run() : db.batch(statements));
}

/** Writes one bumpSoon call may chain before it lets the next request's call take over. */
const MAX_CHAINED_WRITES = 8;

/** Increments waiting for the next write in this isolate, by key. */
const pending = new Map<string, CounterDelta>();
let writing: Promise<void> | undefined;

/**
 * Adds deltas to the isolate's pending increments. With no write in flight it writes them at
 * once; increments that arrive while a write is in flight go together in the next one. Under
 * load that turns two D1 writes a request (as much D1 work as the request itself) into a few a
 * second, and a quiet request is counted without delay. The request that starts a write keeps it
 * alive with waitUntil, and after a few chained writes hands over, so no request is held for
 * long. A write that fails puts its increments back for the next one.
 */
export function bumpSoon(ctx: { waitUntil(p: Promise<unknown>): void }, db: D1Database, deltas: CounterDelta[]): void {
  addPending(deltas);
  if (writing || pending.size === 0) return;
  writing = (async () => {
    try {
      for (let i = 0; i < MAX_CHAINED_WRITES && pending.size > 0; i++) {
        const batch = [...pending.values()];
        pending.clear();
        try {
          await bump(db, batch);
        } catch (err) {
          console.error("counter update failed; keeping the increments for the next write", err);
          addPending(batch);
          return;
        }
      }
    } finally {
      writing = undefined;
    }
  })();
  ctx.waitUntil(writing);
}

function addPending(deltas: CounterDelta[]): void {
  for (const d of deltas) {
    if (d.by === 0) continue;
    const key = `${d.name}{${renderLabels(d.labels)}}`;
    const p = pending.get(key);
    if (p) p.by += d.by;
    else pending.set(key, { ...d });
  }
}
