// Puts accepted items on the ingest queue, as column messages (./columns.ts)
// that each carry an id the consumer's ledger uses to apply them exactly once.
// Messages travel in the structured-clone ("v8") format, Queues' default: it
// copies typed arrays as their bytes, and the queue keeps the bytes as they
// are. (Pull consumers would need "json"; Helios consumes by push.)
import type { ColumnMessage } from "./columns";

/** sendBatch limits: 100 messages and 256 KB per call. */
const SEND_BATCH_MESSAGES = 100;
const SEND_BATCH_BYTES = 250_000;

/** Sends messages in as few sendBatch calls as the limits allow. Returns how many were sent before any failure. */
export async function sendAll(queue: Queue, messages: { body: ColumnMessage; bytes: number }[]): Promise<number> {
  let sent = 0;
  while (sent < messages.length) {
    let n = 0;
    let bytes = 0;
    while (sent + n < messages.length && n < SEND_BATCH_MESSAGES) {
      const next = messages[sent + n]!.bytes;
      if (n > 0 && bytes + next > SEND_BATCH_BYTES) break;
      bytes += next;
      n++;
    }
    await queue.sendBatch(messages.slice(sent, sent + n).map((m) => ({ body: m.body, contentType: "v8" as const })));
    sent += n;
  }
  return sent;
}

/** A batch id: derived from the tenant and the client's Idempotency-Key when given, random otherwise. */
export async function batchIdFor(tenant: string, idempotencyKey: string | undefined): Promise<string> {
  if (!idempotencyKey) return crypto.randomUUID();
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${tenant}\n${idempotencyKey}`));
  return `idem-${[...new Uint8Array(digest, 0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}
