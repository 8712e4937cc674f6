// Checks the shape of an ingest queue message before it is applied. Items
// were validated at the edge; this catches poison messages (another version's
// format, a truncated body) so they go to the dead-letter queue instead of
// being retried forever.
import { z } from "zod";
import type { IngestMessage } from "../ingest/enqueue";
import { type IngestEvent, type IngestSample, LEVELS } from "../ingest/schema";

const event = z.object({
  ts: z.number().finite(),
  service: z.string().min(1),
  level: z.enum(LEVELS),
  message: z.string(),
  endpoint: z.string().optional(),
  latency_ms: z.number().finite().min(0).optional(),
  status: z.number().int().optional(),
  error_code: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

const sample = z.object({
  ts: z.number().finite(),
  name: z.string().min(1),
  value: z.number().finite(),
  labels: z.record(z.string(), z.string()),
});

const envelope = z.object({
  v: z.literal(1),
  id: z.string().min(1).max(200),
  tenant: z.string().min(1).max(64),
  received_at: z.number().finite(),
});

/** A message that passed the check. */
export type CheckedMessage =
  | (IngestMessage<IngestEvent> & { kind: "events" })
  | (IngestMessage<IngestSample> & { kind: "metrics" });

/** Returns the typed message, or the reason it is poison. */
export function checkMessage(body: unknown): { ok: true; message: CheckedMessage } | { ok: false; reason: string } {
  const schema = z.discriminatedUnion("kind", [
    envelope.extend({ kind: z.literal("events"), items: z.array(event).min(1) }),
    envelope.extend({ kind: z.literal("metrics"), items: z.array(sample).min(1) }),
  ]);
  const r = schema.safeParse(body);
  if (r.success) return { ok: true, message: r.data as CheckedMessage };
  const first = r.error.issues[0];
  return { ok: false, reason: `${first?.path.join(".") || "message"}: ${first?.message ?? "invalid"}` };
}
