// Every minute: close the 1-minute windows that are past the watermark (end
// plus the allowed lateness), roll them up into 5-minute and 1-hour windows,
// and hand them to scoring. Late data within the lateness still lands in an
// open window; later data still merges, but the window is not scored again.
import type { Engine } from "../../../engine/src/index";
import { bucketsOf, rebuildBuckets } from "./rollups";

/** A window closed by this run, with what scoring needs. */
export interface ClosedWindow {
  seriesId: number;
  tenant: string;
  kind: "events" | "metrics";
  name: string;
  start: number;
}

/** Most windows one run closes (the rest wait for the next minute). */
const MAX_PER_RUN = 5000;

/** The watermark: windows ending at or before it are closed. */
export function watermark(now: number, latenessMs: number): number {
  return now - latenessMs;
}

/** Closes due windows, rebuilds their rollups, and returns them oldest first. */
export async function closeWindows(env: Env, engine: Engine, now = Date.now()): Promise<ClosedWindow[]> {
  const latenessMs = Number(env.WINDOW_LATENESS_SECONDS || 120) * 1000;
  const due = await env.DB.prepare(
    `SELECT w.series_id AS seriesId, s.tenant AS tenant, s.kind AS kind, s.name AS name, w.start AS start
       FROM windows w JOIN series s ON s.id = w.series_id
      WHERE w.resolution = 60000 AND w.closed_at IS NULL AND w.start + 60000 <= ?
      ORDER BY w.start LIMIT ${MAX_PER_RUN}`,
  )
    .bind(watermark(now, latenessMs))
    .all<ClosedWindow>();
  const closed = due.results;
  if (closed.length === 0) return [];
  const marks = closed.map((w) =>
    env.DB.prepare("UPDATE windows SET closed_at = ? WHERE series_id = ? AND resolution = 60000 AND start = ?").bind(now, w.seriesId, w.start),
  );
  for (let i = 0; i < marks.length; i += 200) await env.DB.batch(marks.slice(i, i + 200));
  await rebuildBuckets(env.DB, engine, bucketsOf(closed), now);
  return closed;
}
