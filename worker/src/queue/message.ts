// Checks the shape of an ingest queue message before it is applied, and gives
// it as columns whichever version it came in. Items were validated at the
// edge with the API's schemas; this only catches poison (another version's
// format, a truncated or hand-made body) so it goes to the dead-letter queue
// instead of being retried forever. Envelopes are checked with zod; columns
// and items with tight loops, because they run for every item again.
import { z } from "zod";
import {
  type ColumnMessage,
  eventColumnMessages,
  type EventColumns,
  type IngestMessage,
  sampleColumnMessages,
  type SampleColumns,
} from "../ingest/columns";
import { type IngestEvent, type IngestSample, LEVELS } from "../ingest/schema";

/** The envelope fields both message versions carry. */
const envelopeFields = {
  id: z.string().min(1).max(200),
  tenant: z.string().min(1).max(64),
  kind: z.enum(["events", "metrics"]),
  received_at: z.number().finite(),
};

const envelopeV2 = z.object({ v: z.literal(2), ...envelopeFields, n: z.number().int().min(1), columns: z.record(z.string(), z.unknown()) });

const envelope = z.object({ v: z.literal(1), ...envelopeFields, items: z.array(z.unknown()).min(1) });

/** A message that passed the check, as columns. */
export type CheckedMessage =
  | (Omit<ColumnMessage, "columns"> & { kind: "events"; columns: EventColumns })
  | (Omit<ColumnMessage, "columns"> & { kind: "metrics"; columns: SampleColumns });

const LEVEL_SET = new Set<string>(LEVELS);
const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** The first problem with an event item, or undefined. */
function eventProblem(e: unknown): string | undefined {
  if (!e || typeof e !== "object") return "not an object";
  const x = e as Record<string, unknown>;
  if (!finite(x.ts)) return "ts: expected a finite number";
  if (typeof x.service !== "string" || x.service === "") return "service: expected a non-empty string";
  if (typeof x.level !== "string" || !LEVEL_SET.has(x.level)) return "level: expected a level";
  if (typeof x.message !== "string") return "message: expected a string";
  if (x.latency_ms !== undefined && !(finite(x.latency_ms) && x.latency_ms >= 0)) return "latency_ms: expected a finite number >= 0";
  if (x.status !== undefined && !Number.isInteger(x.status)) return "status: expected an integer";
  if (x.endpoint !== undefined && typeof x.endpoint !== "string") return "endpoint: expected a string";
  if (x.error_code !== undefined && typeof x.error_code !== "string") return "error_code: expected a string";
  return undefined;
}

/** The first problem with a metric sample item, or undefined. */
function sampleProblem(s: unknown): string | undefined {
  if (!s || typeof s !== "object") return "not an object";
  const x = s as Record<string, unknown>;
  if (!finite(x.ts)) return "ts: expected a finite number";
  if (typeof x.name !== "string" || x.name === "") return "name: expected a non-empty string";
  if (!finite(x.value)) return "value: expected a finite number";
  if (!x.labels || typeof x.labels !== "object" || Array.isArray(x.labels)) return "labels: expected an object";
  for (const v of Object.values(x.labels)) if (typeof v !== "string") return "labels: expected string values";
  return undefined;
}

const isArrayOf = (x: unknown, type: Float64ArrayConstructor | Uint32ArrayConstructor | Uint16ArrayConstructor | Uint8ArrayConstructor, n: number) =>
  x instanceof type && x.length === n;

/** The first problem with a message's event columns, or undefined. */
function eventColumnsProblem(c: Record<string, unknown>, n: number): string | undefined {
  const { strings, ts, service, level, message, endpoint, latency, status, errorCode, metaAt, meta } = c;
  if (!Array.isArray(strings) || !strings.every((s) => typeof s === "string")) return "columns.strings: expected strings";
  if (!isArrayOf(ts, Float64Array, n) || !isArrayOf(latency, Float64Array, n)) return "columns: ts and latency must be Float64Array of n";
  if (!isArrayOf(service, Uint32Array, n) || !isArrayOf(message, Uint32Array, n) || !isArrayOf(endpoint, Uint32Array, n) || !isArrayOf(errorCode, Uint32Array, n)) {
    return "columns: string columns must be Uint32Array of n";
  }
  if (!isArrayOf(level, Uint8Array, n) || !isArrayOf(status, Uint16Array, n)) return "columns: level and status must be Uint8Array and Uint16Array of n";
  if (!(metaAt instanceof Uint32Array) || !Array.isArray(meta) || meta.length !== metaAt.length) return "columns: metaAt and meta must pair up";
  const k = strings.length;
  const t = ts as Float64Array, sv = service as Uint32Array, lv = level as Uint8Array, ms = message as Uint32Array;
  const ep = endpoint as Uint32Array, lt = latency as Float64Array, st = status as Uint16Array, ec = errorCode as Uint32Array;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(t[i]!)) return `columns.ts.${i}: expected a finite number`;
    if (sv[i]! >= k || strings[sv[i]!] === "") return `columns.service.${i}: expected a non-empty string`;
    if (lv[i]! >= LEVELS.length) return `columns.level.${i}: expected a level`;
    if (ms[i]! >= k || ep[i]! > k || ec[i]! > k) return `columns.${i}: string index out of range`;
    if (!Number.isNaN(lt[i]!) && !(lt[i]! >= 0 && Number.isFinite(lt[i]!))) return `columns.latency.${i}: expected a finite number >= 0`;
    if (st[i]! !== 0 && (st[i]! < 100 || st[i]! > 599)) return `columns.status.${i}: expected an HTTP status`;
  }
  const at = metaAt as Uint32Array;
  for (let j = 0; j < at.length; j++) {
    if (at[j]! >= n || (j > 0 && at[j]! <= at[j - 1]!)) return `columns.metaAt.${j}: expected ascending positions`;
    const m = (meta as unknown[])[j];
    if (!m || typeof m !== "object" || Array.isArray(m)) return `columns.meta.${j}: expected an object`;
  }
  return undefined;
}

/** The first problem with a message's sample columns, or undefined. */
function sampleColumnsProblem(c: Record<string, unknown>, n: number): string | undefined {
  const { series, ts, value, seriesAt } = c;
  if (!Array.isArray(series)) return "columns.series: expected an array";
  for (let j = 0; j < series.length; j++) {
    const p = sampleProblem({ ts: 0, value: 0, ...(series[j] as object) });
    if (p) return `columns.series.${j}.${p}`;
  }
  if (!isArrayOf(ts, Float64Array, n) || !isArrayOf(value, Float64Array, n) || !isArrayOf(seriesAt, Uint32Array, n)) {
    return "columns: ts, value and seriesAt must be typed arrays of n";
  }
  const t = ts as Float64Array, v = value as Float64Array, at = seriesAt as Uint32Array;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(t[i]!) || !Number.isFinite(v[i]!)) return `columns.${i}: expected finite ts and value`;
    if (at[i]! >= series.length) return `columns.seriesAt.${i}: series index out of range`;
  }
  return undefined;
}

/** Returns the message as columns, or the reason it is poison. */
export function checkMessage(body: unknown): { ok: true; message: CheckedMessage } | { ok: false; reason: string } {
  if ((body as { v?: unknown } | null)?.v === 2) {
    const r2 = envelopeV2.safeParse(body);
    if (!r2.success) {
      const first = r2.error.issues[0];
      return { ok: false, reason: `${first?.path.join(".") || "message"}: ${first?.message ?? "invalid"}` };
    }
    const p = r2.data.kind === "events" ? eventColumnsProblem(r2.data.columns, r2.data.n) : sampleColumnsProblem(r2.data.columns, r2.data.n);
    if (p) return { ok: false, reason: p };
    return { ok: true, message: r2.data as unknown as CheckedMessage };
  }
  const r = envelope.safeParse(body);
  if (!r.success) {
    const first = r.error.issues[0];
    return { ok: false, reason: `${first?.path.join(".") || "message"}: ${first?.message ?? "invalid"}` };
  }
  const problem = r.data.kind === "events" ? eventProblem : sampleProblem;
  for (let i = 0; i < r.data.items.length; i++) {
    const p = problem(r.data.items[i]);
    if (p) return { ok: false, reason: `items.${i}.${p}` };
  }
  // A version 1 message becomes one column message with the same id (its ledger key).
  const v1 = r.data as IngestMessage;
  const base = { v: 2 as const, tenant: v1.tenant, received_at: v1.received_at };
  const [one] =
    v1.kind === "events"
      ? eventColumnMessages(base, v1.id, v1.items as IngestEvent[], false, Infinity)
      : sampleColumnMessages(base, v1.id, v1.items as IngestSample[], false, Infinity);
  return { ok: true, message: { ...one!.body, id: v1.id } as CheckedMessage };
}
