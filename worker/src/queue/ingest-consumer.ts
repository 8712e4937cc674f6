// The ingest consumer: each batch of queue messages becomes per-(series,
// 1-minute window) partial aggregates (engine), merged into the stored window
// rows in one D1 transaction together with the ledger rows of the messages it
// applied. A redelivered message finds its ledger row and is acknowledged
// without counting twice; a failure anywhere rolls the transaction back and
// the messages are retried, so an accepted event is never lost.
import type { Engine, MetricWindowAggregate, WindowAggregate } from "../../../engine/src/index";
import { summaryColumns } from "../db/window-rows";
import { getEngine } from "../engine";
import { labelsKey } from "../ingest/columns";
import { LEVELS } from "../ingest/schema";
import { bump, type CounterDelta } from "../telemetry/counters";
import { archiveBatch } from "./archive";
import { appliedIds } from "./ledger";
import { type CheckedMessage, checkMessage } from "./message";
import { resolveSeries, type SeriesKey, seriesMapKey } from "./series";

/** The base window. */
export const MINUTE_MS = 60_000;
/** Slots an aggregator holds before it is flushed. */
const AGGREGATOR_CAPACITY = 4096;
/** Keys per lookup statement: 2 parameters each (series, start) plus the resolution, under D1's 100. */
const KEYS_PER_LOOKUP = 45;
/** Ledger rows per insert: 4 parameters each, 100 at most. */
const LEDGER_ROWS_PER_STATEMENT = 25;

/** FNV-1a 32-bit hash of an endpoint, for the distinct-endpoint sketch. */
export function endpointHash(endpoint: string | undefined): number {
  if (!endpoint) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < endpoint.length; i++) {
    h ^= endpoint.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** Level indexes (in LEVELS) that make an event an error; so does an HTTP status of 5xx. */
const ERROR_LEVEL = new Uint8Array(LEVELS.length);
ERROR_LEVEL[LEVELS.indexOf("ERROR")] = 1;
ERROR_LEVEL[LEVELS.indexOf("CRITICAL")] = 1;

/** A series id not looked up yet (ids are positive). */
const UNSET = -1;

type EventMessage = CheckedMessage & { kind: "events" };
type SampleMessage = CheckedMessage & { kind: "metrics" };

/** A merged window row ready to write. */
interface WindowWrite {
  seriesId: number;
  start: number;
  kind: "events" | "metrics";
  agg: Uint8Array;
  summary: WindowAggregate | MetricWindowAggregate;
  /** updated_at of the row read before merging; undefined for a new row. */
  previousUpdatedAt?: number;
}

/** Runs the engine over the events of `messages` (series ids already resolved), column by column. */
function aggregateEvents(engine: Engine, messages: EventMessage[], ids: Map<string, number>): WindowAggregate[] {
  const n = messages.reduce((s, m) => s + m.n, 0);
  if (n === 0) return [];
  const ts = new Float64Array(n);
  const series = new Int32Array(n);
  const latency = new Float64Array(n);
  const errors = new Uint8Array(n);
  const endpoints = new Int32Array(n);
  let at = 0;
  for (const m of messages) {
    const c = m.columns;
    // Per distinct string, not per event, and only for the strings that name a service or an
    // endpoint (messages can be long): its series id, and its hash (endpoint index + 1; 0 is none).
    const seriesOf = new Int32Array(c.strings.length).fill(UNSET);
    const hashOf = new Int32Array(c.strings.length + 1);
    const hashed = new Uint8Array(c.strings.length + 1);
    hashed[0] = 1;
    ts.set(c.ts, at);
    latency.set(c.latency, at); // NaN: the event carries no latency
    for (let i = 0; i < m.n; i++) {
      const s = c.service[i]!;
      if (seriesOf[s] === UNSET) seriesOf[s] = ids.get(seriesMapKey({ kind: "events", name: c.strings[s]!, labels: "{}" }))!;
      series[at + i] = seriesOf[s]!;
      errors[at + i] = ERROR_LEVEL[c.level[i]!]! | (c.status[i]! >= 500 ? 1 : 0);
      const e = c.endpoint[i]!;
      if (hashed[e] === 0) {
        hashOf[e] = endpointHash(c.strings[e - 1]);
        hashed[e] = 1;
      }
      endpoints[at + i] = hashOf[e]!;
    }
    at += m.n;
  }
  return drain(engine.windows.events({ capacity: AGGREGATOR_CAPACITY, windowMs: MINUTE_MS }), (agg, from) =>
    agg.add({ timestamp: ts, series, latencyMs: latency, isError: errors, endpointHash: endpoints }, from),
  );
}

/** Runs the engine over the metric samples of `messages`. */
function aggregateMetrics(engine: Engine, messages: SampleMessage[], ids: Map<string, number>): MetricWindowAggregate[] {
  const n = messages.reduce((s, m) => s + m.n, 0);
  if (n === 0) return [];
  const ts = new Float64Array(n);
  const series = new Int32Array(n);
  const value = new Float64Array(n);
  let at = 0;
  for (const m of messages) {
    const c = m.columns;
    const seriesOf = c.series.map((x) => ids.get(seriesMapKey({ kind: "metrics", name: x.name, labels: labelsKey(x.labels) }))!);
    ts.set(c.ts, at);
    value.set(c.value, at);
    for (let i = 0; i < m.n; i++) series[at + i] = seriesOf[c.seriesAt[i]!]!;
    at += m.n;
  }
  return drain(engine.windows.metrics({ capacity: AGGREGATOR_CAPACITY, windowMs: MINUTE_MS }), (agg, from) => agg.add({ timestamp: ts, series, value }, from));
}

/** Adds a whole batch to an aggregator, flushing whenever its slots run out, and disposes of it. */
function drain<A extends { flush(): T[]; dispose(): void }, T>(agg: A, add: (agg: A, from: number) => { full: boolean; consumed: number }): T[] {
  try {
    const out: T[] = [];
    let from = 0;
    for (;;) {
      const r = add(agg, from);
      if (!r.full) break;
      out.push(...agg.flush());
      from = r.consumed;
    }
    out.push(...agg.flush());
    return out;
  } finally {
    agg.dispose();
  }
}

/** Reads the stored rows of the given (series, start) keys at 1-minute resolution. */
async function loadRows(db: D1Database, keys: { seriesId: number; start: number }[]): Promise<Map<string, { agg: Uint8Array; updatedAt: number }>> {
  const found = new Map<string, { agg: Uint8Array; updatedAt: number }>();
  for (let i = 0; i < keys.length; i += KEYS_PER_LOOKUP) {
    const chunk = keys.slice(i, i + KEYS_PER_LOOKUP);
    const where = chunk.map(() => "(series_id = ? AND start = ?)").join(" OR ");
    const { results } = await db
      .prepare(`SELECT series_id, start, agg, updated_at FROM windows WHERE resolution = ? AND (${where})`)
      .bind(MINUTE_MS, ...chunk.flatMap((k) => [k.seriesId, k.start]))
      .all<{ series_id: number; start: number; agg: ArrayBuffer | number[]; updated_at: number }>();
    for (const r of results) {
      const bytes = r.agg instanceof ArrayBuffer ? new Uint8Array(r.agg) : Uint8Array.from(r.agg);
      found.set(`${r.series_id}:${r.start}`, { agg: bytes, updatedAt: r.updated_at });
    }
  }
  return found;
}

/** The statements that write one merged window: a conditional update guarded by merge_guard, or an insert. */
function writeStatements(db: D1Database, w: WindowWrite, now: number): D1PreparedStatement[] {
  const cols = summaryColumns(w.kind === "events" ? { kind: "events", agg: w.summary as WindowAggregate } : { kind: "metrics", agg: w.summary as MetricWindowAggregate });
  if (w.previousUpdatedAt === undefined) {
    return [
      db
        .prepare(
          "INSERT INTO windows (series_id, resolution, start, count, errors, sum, mean, stddev, min, max, last, last_ts, p50, p95, p99, distinct_endpoints, agg, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(w.seriesId, MINUTE_MS, w.start, ...cols, w.agg, now),
    ];
  }
  return [
    db
      .prepare(
        "UPDATE windows SET count = ?, errors = ?, sum = ?, mean = ?, stddev = ?, min = ?, max = ?, last = ?, last_ts = ?, p50 = ?, p95 = ?, p99 = ?, distinct_endpoints = ?, agg = ?, updated_at = ? WHERE series_id = ? AND resolution = ? AND start = ? AND updated_at = ?",
      )
      .bind(...cols, w.agg, now, w.seriesId, MINUTE_MS, w.start, w.previousUpdatedAt),
    // changes() is 0 when another writer got there first: the CHECK (ok > 0) aborts the batch.
    db.prepare("INSERT OR REPLACE INTO merge_guard (id, ok) SELECT 1, changes()"),
  ];
}

/**
 * Applies fresh messages of one tenant: series, aggregation, merge into stored rows, ledger rows,
 * all window and ledger writes in one D1 batch (one transaction).
 */
export async function applyMessages(env: Env, engine: Engine, tenant: string, messages: CheckedMessage[], now = Date.now()): Promise<{ events: number; samples: number; windows: number }> {
  const events = messages.filter((m): m is EventMessage => m.kind === "events");
  const samples = messages.filter((m): m is SampleMessage => m.kind === "metrics");
  // Distinct series first: a batch has thousands of items but a handful of series.
  const keys = new Map<string, SeriesKey>();
  for (const m of events) {
    const named = new Uint8Array(m.columns.strings.length);
    for (let i = 0; i < m.n; i++) named[m.columns.service[i]!] = 1;
    m.columns.strings.forEach((name, j) => {
      if (named[j] === 0) return;
      const k: SeriesKey = { kind: "events", name, labels: "{}" };
      keys.set(seriesMapKey(k), k);
    });
  }
  for (const m of samples) {
    for (const x of m.columns.series) {
      const k: SeriesKey = { kind: "metrics", name: x.name, labels: labelsKey(x.labels) };
      keys.set(seriesMapKey(k), k);
    }
  }
  const ids = await resolveSeries(env.DB, tenant, [...keys.values()], now);

  const partials: { kind: "events" | "metrics"; seriesId: number; start: number; bytes: Uint8Array; summary: WindowAggregate | MetricWindowAggregate }[] = [
    ...aggregateEvents(engine, events, ids).map((a) => ({ kind: "events" as const, seriesId: a.series, start: a.windowStart, bytes: a.bytes, summary: a })),
    ...aggregateMetrics(engine, samples, ids).map((a) => ({ kind: "metrics" as const, seriesId: a.series, start: a.windowStart, bytes: a.bytes, summary: a })),
  ];
  const stored = await loadRows(env.DB, partials);
  const writes: WindowWrite[] = partials.map((p) => {
    const prev = stored.get(`${p.seriesId}:${p.start}`);
    if (!prev) return { seriesId: p.seriesId, start: p.start, kind: p.kind, agg: p.bytes, summary: p.summary };
    // A stored row: merge the partial into it and read the merged features back.
    const agg = engine.windows.merge(prev.agg, p.bytes);
    const summary = p.kind === "events" ? engine.windows.decodeEvents(agg) : engine.windows.decodeMetrics(agg);
    return { seriesId: p.seriesId, start: p.start, kind: p.kind, agg, summary, previousUpdatedAt: prev.updatedAt };
  });

  const statements = writes.flatMap((w) => writeStatements(env.DB, w, now));
  // Ledger rows, many a statement: a full consumer batch is 100 messages.
  for (let i = 0; i < messages.length; i += LEDGER_ROWS_PER_STATEMENT) {
    const chunk = messages.slice(i, i + LEDGER_ROWS_PER_STATEMENT);
    statements.push(
      env.DB.prepare(`INSERT INTO ingest_ledger (message_id, tenant, items, applied_at) VALUES ${chunk.map(() => "(?, ?, ?, ?)").join(", ")}`).bind(
        ...chunk.flatMap((m) => [m.id, tenant, m.n, now]),
      ),
    );
  }
  await env.DB.batch(statements);
  return {
    events: events.reduce((s, m) => s + m.n, 0),
    samples: samples.reduce((s, m) => s + m.n, 0),
    windows: writes.length,
  };
}

/** Handles a batch of the ingest queue. */
export async function handleIngestBatch(batch: MessageBatch, env: Env): Promise<void> {
  const deltas: CounterDelta[] = [{ name: "helios_queue_batches_total", by: 1 }];
  const outcome = (o: string, by = 1) => deltas.push({ name: "helios_queue_messages_total", labels: { outcome: o }, by });
  const byTenant = new Map<string, { msg: Message; body: CheckedMessage }[]>();
  for (const msg of batch.messages) {
    const checked = checkMessage(msg.body);
    if (!checked.ok) {
      // Poison: retrying cannot help. Keep it (dead-letter queue -> R2) and count it.
      await env.DEAD_LETTER_QUEUE.send({ reason: `ingest: ${checked.reason}`, message_id: msg.id, original: msg.body });
      msg.ack();
      outcome("poison");
      continue;
    }
    const list = byTenant.get(checked.message.tenant) ?? [];
    list.push({ msg, body: checked.message });
    byTenant.set(checked.message.tenant, list);
  }

  const engine = await getEngine();
  for (const [tenant, list] of byTenant) {
    try {
      // The same ledger id twice in one batch (a client retry racing its original) is applied once.
      const unique = new Map<string, { msg: Message; body: CheckedMessage }>();
      for (const item of list) if (!unique.has(item.body.id)) unique.set(item.body.id, item);
      const done = await appliedIds(env.DB, tenant, [...unique.keys()]);
      const fresh = [...unique.values()].filter((m) => !done.has(m.body.id));
      const duplicates = list.length - fresh.length;
      // Archive and merge at once: R2 puts are the slowest step (local R2 took ~450 ms for 100).
      // Every message is archived, also one already applied: an earlier attempt may have merged
      // it and then failed to archive it, and a put of the same key and bytes is idempotent.
      const [, applied] = await Promise.all([
        Promise.all([...unique.values()].map((m) => archiveBatch(env.ARCHIVE, m.body))),
        fresh.length > 0 ? applyMessages(env, engine, tenant, fresh.map((m) => m.body)) : undefined,
      ]);
      if (applied) {
        deltas.push({ name: "helios_ingest_stored_total", labels: { kind: "events" }, by: applied.events });
        deltas.push({ name: "helios_ingest_stored_total", labels: { kind: "metrics" }, by: applied.samples });
      }
      for (const m of list) m.msg.ack();
      outcome("applied", fresh.length);
      outcome("duplicate", duplicates);
    } catch (err) {
      console.error(`ingest: batch of tenant ${tenant} failed; retrying ${list.length} messages`, err);
      for (const m of list) m.msg.retry({ delaySeconds: Math.min(60, 2 ** m.msg.attempts) });
      outcome("retried", list.length);
    }
  }
  await bump(env.DB, deltas).catch((err) => console.error("ingest counters failed", err));
}
