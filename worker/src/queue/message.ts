// Checks the shape of an ingest queue message before it is applied. Items
// were validated at the edge with the API's schemas; this only catches poison
// (another version's format, a truncated or hand-made body) so it goes to the
// dead-letter queue instead of being retried forever. The envelope is checked
// with zod; items with a tight loop, because it runs for every item again.
import { z } from "zod";
import type { IngestMessage } from "../ingest/enqueue";
import { type IngestEvent, type IngestSample, LEVELS } from "../ingest/schema";

const envelope = z.object({
  v: z.literal(1),
  id: z.string().min(1).max(200),
  tenant: z.string().min(1).max(64),
  kind: z.enum(["events", "metrics"]),
  received_at: z.number().finite(),
  items: z.array(z.unknown()).min(1),
});

/** A message that passed the check. */
export type CheckedMessage =
  | (IngestMessage<IngestEvent> & { kind: "events" })
  | (IngestMessage<IngestSample> & { kind: "metrics" });

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

/** Returns the typed message, or the reason it is poison. */
export function checkMessage(body: unknown): { ok: true; message: CheckedMessage } | { ok: false; reason: string } {
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
  return { ok: true, message: r.data as CheckedMessage };
}
