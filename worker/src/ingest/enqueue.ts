// Puts accepted items on the ingest queue. A queue message holds at most
// 128 KB, so a batch is split into chunks; each chunk carries an id that the
// consumer's ledger uses to apply it exactly once.

/** The body of one ingest queue message. */
export interface IngestMessage<T = unknown> {
  v: 1;
  /** Ledger key: stable across client retries when the client sends an Idempotency-Key. */
  id: string;
  tenant: string;
  kind: "events" | "metrics";
  received_at: number;
  items: T[];
}

/** Target size of one message's JSON, below the 128 KB queue limit with room for the envelope. */
export const MESSAGE_TARGET_BYTES = 100 * 1024;
/** sendBatch limits: 100 messages and 256 KB per call. */
const SEND_BATCH_MESSAGES = 100;
const SEND_BATCH_BYTES = 240 * 1024;

/** Splits items into messages of at most MESSAGE_TARGET_BYTES each. */
export function chunkMessages<T>(
  base: Omit<IngestMessage<T>, "id" | "items">,
  batchId: string,
  items: T[],
): { body: IngestMessage<T>; bytes: number }[] {
  const out: { body: IngestMessage<T>; bytes: number }[] = [];
  let current: T[] = [];
  let bytes = 256; // envelope
  const flush = () => {
    if (current.length === 0) return;
    out.push({ body: { ...base, id: `${batchId}:${out.length}`, items: current }, bytes });
    current = [];
    bytes = 256;
  };
  for (const item of items) {
    const size = JSON.stringify(item).length + 1;
    if (bytes + size > MESSAGE_TARGET_BYTES) flush();
    current.push(item);
    bytes += size;
  }
  flush();
  return out;
}

/** Sends messages in as few sendBatch calls as the limits allow. Returns how many were sent before any failure. */
export async function sendAll<T>(queue: Queue, messages: { body: IngestMessage<T>; bytes: number }[]): Promise<number> {
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
    await queue.sendBatch(messages.slice(sent, sent + n).map((m) => ({ body: m.body, contentType: "json" as const })));
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
