// The dead-letter consumer: messages that were poison, or that failed every
// retry, are kept in R2 under dead-letter/ (for inspection and replay) and
// counted in /metrics. Nothing is dropped silently.
import { bump } from "../telemetry/counters";

/** The R2 key for a dead-lettered message. */
export function deadLetterKey(queue: string, messageId: string, at: number): string {
  const iso = new Date(at).toISOString();
  return `dead-letter/${queue}/${iso.slice(0, 10)}/${messageId.replace(/[^A-Za-z0-9._:-]/g, "_")}.json`;
}

/** Stores and counts every message of a dead-letter batch, then acknowledges it. */
export async function handleDeadLetters(batch: MessageBatch, env: Env): Promise<void> {
  const now = Date.now();
  for (const msg of batch.messages) {
    const body = msg.body as { reason?: unknown; original?: unknown } | unknown;
    const reason =
      body && typeof body === "object" && "reason" in body && typeof body.reason === "string" ? body.reason : "retries_exhausted";
    await env.ARCHIVE.put(
      deadLetterKey(batch.queue, msg.id, now),
      JSON.stringify({ id: msg.id, queue: batch.queue, attempts: msg.attempts, received_at: now, reason, body }),
      { httpMetadata: { contentType: "application/json" }, customMetadata: { reason: reason.slice(0, 200) } },
    );
    msg.ack();
  }
  await bump(env.DB, [{ name: "helios_dead_lettered_total", labels: { queue: batch.queue }, by: batch.messages.length }]);
}
