// Rollups: 5-minute and 1-hour windows rebuilt by merging the 1-minute
// partials inside them (engine) whenever one of those closes. A bucket holds
// every stored minute of it, open ones included, and rebuilding it from its
// parts is idempotent, so a repeated or late rollup never double-counts.
import type { Engine } from "../../../engine/src/index";
import { summaryColumns } from "../db/window-rows";

/** Rollup resolutions, built from the 1-minute rows. */
export const ROLLUPS = [300_000, 3_600_000] as const;

/** One bucket to rebuild. */
export interface Bucket {
  seriesId: number;
  kind: "events" | "metrics";
  resolution: number;
  start: number;
}

/** The buckets containing the given closed 1-minute windows. */
export function bucketsOf(windows: { seriesId: number; kind: "events" | "metrics"; start: number }[]): Bucket[] {
  const out = new Map<string, Bucket>();
  for (const w of windows) {
    for (const resolution of ROLLUPS) {
      const start = Math.floor(w.start / resolution) * resolution;
      out.set(`${w.seriesId}:${resolution}:${start}`, { seriesId: w.seriesId, kind: w.kind, resolution, start });
    }
  }
  return [...out.values()];
}

/** Rebuilds each bucket from its 1-minute rows and writes it (replacing the old rollup row). */
export async function rebuildBuckets(db: D1Database, engine: Engine, buckets: Bucket[], now: number): Promise<number> {
  const statements: D1PreparedStatement[] = [];
  for (const b of buckets) {
    const { results } = await db
      .prepare("SELECT agg FROM windows WHERE series_id = ? AND resolution = 60000 AND start >= ? AND start < ?")
      .bind(b.seriesId, b.start, b.start + b.resolution)
      .all<{ agg: ArrayBuffer | number[] }>();
    if (results.length === 0) continue;
    const parts = results.map((r) => (r.agg instanceof ArrayBuffer ? new Uint8Array(r.agg) : Uint8Array.from(r.agg)));
    const merged =
      b.kind === "events"
        ? engine.windows.rollupEvents(parts, b.resolution).map((agg) => ({ cols: summaryColumns({ kind: "events", agg }), bytes: agg.bytes }))
        : engine.windows.rollupMetrics(parts, b.resolution).map((agg) => ({ cols: summaryColumns({ kind: "metrics", agg }), bytes: agg.bytes }));
    for (const m of merged) {
      statements.push(
        db
          .prepare(
            "INSERT OR REPLACE INTO windows (series_id, resolution, start, count, errors, sum, mean, stddev, min, max, last, last_ts, p50, p95, p99, distinct_endpoints, agg, closed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          )
          .bind(b.seriesId, b.resolution, b.start, ...m.cols, m.bytes, now, now),
      );
    }
  }
  for (let i = 0; i < statements.length; i += 200) await db.batch(statements.slice(i, i + 200));
  return statements.length;
}
