// Scores closed windows with the engine's detectors, one multi-feature
// detector per series whose state lives in D1, and turns windows whose alarm
// crosses the threshold into anomalies on the alerts queue. The decision uses
// the alarm score (high once, at the onset of what is news for the series; it
// is what scores best on NAB), the stored score, severity and drivers the
// calibrated combined score (how improbable the window is under the model).
import { ALARM_THRESHOLD, type CombinedScore, type Engine, type MultiDetector } from "../../../engine/src/index";
import type { AlertMessage, Anomaly } from "../alerts/types";
import type { ClosedWindow } from "./close-windows";
import { LATENCY_FEATURES, METRIC_FEATURES, TRAFFIC_FEATURES } from "./detector-features";
import { FOREST_FEATURES, forestsFor, isolationEvidence } from "./forests";
import { scoreWithModels } from "./model-scores";

interface WindowValues {
  seriesId: number;
  start: number;
  count: number;
  errors: number;
  values: Record<string, number>;
  hasLatency: boolean;
}

/** Reads the summaries of the closed windows, oldest first per series. */
async function readWindows(db: D1Database, closed: ClosedWindow[]): Promise<Map<number, WindowValues[]>> {
  const bySeries = new Map<number, WindowValues[]>();
  for (let i = 0; i < closed.length; i += 45) {
    const chunk = closed.slice(i, i + 45);
    const where = chunk.map(() => "(series_id = ? AND start = ?)").join(" OR ");
    const { results } = await db
      .prepare(`SELECT series_id, start, count, errors, mean, max, p95, p99, distinct_endpoints FROM windows WHERE resolution = 60000 AND (${where})`)
      .bind(...chunk.flatMap((w) => [w.seriesId, w.start]))
      .all<{ series_id: number; start: number; count: number; errors: number; mean: number | null; max: number | null; p95: number | null; p99: number | null; distinct_endpoints: number | null }>();
    const kinds = new Map(chunk.map((w) => [w.seriesId, w.kind]));
    for (const r of results) {
      const kind = kinds.get(r.series_id);
      const values: Record<string, number> =
        kind === "events"
          ? { count: r.count, error_rate: r.count > 0 ? r.errors / r.count : 0, distinct_endpoints: r.distinct_endpoints ?? 0, latency_mean: r.mean ?? Number.NaN, latency_p95: r.p95 ?? Number.NaN, latency_p99: r.p99 ?? Number.NaN }
          : { value_mean: r.mean ?? Number.NaN, value_max: r.max ?? Number.NaN };
      const list = bySeries.get(r.series_id) ?? [];
      list.push({ seriesId: r.series_id, start: r.start, count: r.count, errors: r.errors, values, hasLatency: r.mean !== null });
      bySeries.set(r.series_id, list);
    }
  }
  for (const list of bySeries.values()) list.sort((a, b) => a.start - b.start);
  return bySeries;
}

/** A series' detector state row: the engine's bytes plus the last latency seen (carried into windows without one). */
interface StateRow {
  state: Uint8Array;
  features: string[];
  carry: Record<string, number>;
}

async function loadState(db: D1Database, seriesId: number): Promise<StateRow | undefined> {
  const r = await db.prepare("SELECT state, features, carry FROM detector_state WHERE series_id = ?").bind(seriesId).first<{ state: ArrayBuffer | number[]; features: string; carry: string }>();
  if (!r) return undefined;
  return { state: r.state instanceof ArrayBuffer ? new Uint8Array(r.state) : Uint8Array.from(r.state), features: JSON.parse(r.features) as string[], carry: JSON.parse(r.carry) as Record<string, number> };
}

/** Scores closed windows; returns the anomalies sent to the alerts queue. */
export async function scoreWindows(env: Env, engine: Engine, closed: ClosedWindow[], now: number): Promise<Anomaly[]> {
  if (closed.length === 0) return [];
  // ANOMALY_THRESHOLD applies to the alarm score (default ALARM_THRESHOLD, 0.7).
  const threshold = Number(env.ANOMALY_THRESHOLD || ALARM_THRESHOLD);
  // The detectors hold alerts (a further one within four hours is the same incident) at that threshold.
  const alertLevel = threshold > 0 && threshold <= 1 ? threshold : ALARM_THRESHOLD;
  const meta = new Map(closed.map((w) => [w.seriesId, w]));
  const bySeries = await readWindows(env.DB, closed);
  const forests = await forestsFor(env.DB, engine, [...bySeries.keys()]);
  const models = await scoreWithModels(env, engine, closed);
  const anomalies: Anomaly[] = [];
  const writes: D1PreparedStatement[] = [];
  for (const [seriesId, windows] of bySeries) {
    const info = meta.get(seriesId)!;
    const stored = await loadState(env.DB, seriesId);
    const features = stored?.features ?? (info.kind === "events" ? [...TRAFFIC_FEATURES, ...(windows[0]!.hasLatency ? LATENCY_FEATURES : [])] : [...METRIC_FEATURES]);
    const carry = stored?.carry ?? {};
    let detector: MultiDetector;
    try {
      detector = stored ? engine.detect.restoreMulti(stored.state, { alertLevel }) : engine.detect.multi(features, { alertLevel });
    } catch (err) {
      console.error(`detector state of series ${seriesId} is unreadable; starting afresh`, err);
      detector = engine.detect.multi(features, { alertLevel });
    }
    try {
      for (const w of windows) {
        const values: Record<string, number> = {};
        let usable = true;
        for (const f of features) {
          let v = w.values[f]!;
          // A window without latency carries the last latency seen: it brings no new evidence.
          if (Number.isNaN(v)) v = carry[f] ?? Number.NaN;
          else carry[f] = v;
          if (Number.isNaN(v)) usable = false;
          values[f] = v;
        }
        if (!usable) continue;
        // The service's Isolation Forest, when fitted, joins the combination for windows with every feature.
        const forest = forests.get(seriesId);
        const vector = FOREST_FEATURES.map((f) => w.values[f] ?? Number.NaN);
        const isolation = forest && vector.every(Number.isFinite) ? isolationEvidence(forest, vector) : undefined;
        const result: CombinedScore = detector.score(w.start, values, isolation);
        writes.push(env.DB.prepare("UPDATE windows SET score = ? WHERE series_id = ? AND resolution = 60000 AND start = ?").bind(result.score, seriesId, w.start));
        // The tenant's active model joins the decision: anomalous when the detector's alarm OR the model crosses its threshold.
        const modelScore = models.score(seriesId, w.start);
        const model = models.model(seriesId);
        const byDetector = result.alarm >= threshold;
        const byModel = modelScore !== undefined && modelScore >= models.threshold;
        if (byDetector || byModel) {
          anomalies.push({
            id: `${seriesId}:60000:${w.start}`,
            tenant: info.tenant,
            series_id: seriesId,
            service: info.name,
            window_start: w.start,
            score: result.score,
            severity: result.severity === "low" ? "medium" : result.severity,
            drivers: result.drivers.map((d) => ({ feature: d.feature, value: d.value, expected_low: d.expectedLow, expected_high: d.expectedHigh, contribution: d.contribution })),
            count: w.count,
            errors: w.errors,
            fired_by: byDetector && byModel ? "both" : byDetector ? "detector" : "model",
            ...(model && modelScore !== undefined ? { model: { ...model, score: modelScore } } : {}),
          });
        }
      }
      writes.push(
        env.DB.prepare("INSERT OR REPLACE INTO detector_state (series_id, state, features, carry, updated_at) VALUES (?, ?, ?, ?, ?)").bind(
          seriesId,
          detector.serialize(),
          JSON.stringify(features),
          JSON.stringify(carry),
          now,
        ),
      );
    } finally {
      detector.dispose();
    }
  }
  for (let i = 0; i < writes.length; i += 200) await env.DB.batch(writes.slice(i, i + 200));
  if (anomalies.length > 0) {
    const messages = anomalies.map((a) => ({ body: { v: 1, kind: "anomaly", anomaly: a } satisfies AlertMessage, contentType: "json" as const }));
    for (let i = 0; i < messages.length; i += 100) await env.ALERTS_QUEUE.sendBatch(messages.slice(i, i + 100));
  }
  return anomalies;
}
