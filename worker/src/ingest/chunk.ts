// Splits accepted items into ingest queue messages. A message holds at most
// 128 KB (128,000 bytes), so a batch is split into chunks, sized by an upper
// bound of each item's structured-clone size instead of serialising it.
import type { IngestEvent, IngestSample } from "./schema";

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

/** Upper bound of one message's serialised size, below the 128 KB (128,000 byte) queue limit with room for the envelope. */
export const MESSAGE_TARGET_BYTES = 120_000;
/** The envelope (v, id, tenant, kind, received_at, items) of a message, at most: ids and tenants are short. */
const ENVELOPE_BYTES = 512;

/**
 * Bytes a string can take in the structured-clone format: a tag, a length and one byte a character
 * when the string is one-byte (Latin-1), two otherwise. `perChar` is 1 when the request body was
 * plain ASCII (every string taken from it is one-byte), else 2.
 */
const str = (s: string, perChar: number) => 7 + s.length * perChar;
/** Any number: a tag and a double (small integers take fewer). */
const NUM = 9;

/** Upper bound of the structured-clone size of any JSON value. */
export function cloneBound(value: unknown, perChar: number): number {
  switch (typeof value) {
    case "string":
      return str(value, perChar);
    case "number":
      return NUM;
    case "boolean":
      return 1;
    case "object": {
      if (value === null) return 1;
      let n = 12; // tag, end tag and counts
      if (Array.isArray(value)) {
        for (const x of value) n += cloneBound(x, perChar);
        return n;
      }
      for (const k in value) n += str(k, perChar) + cloneBound((value as Record<string, unknown>)[k], perChar);
      return n;
    }
    default:
      return 1;
  }
}

/** Upper bound of a normalised event's size, without serialising it: fixed keys, string lengths, numbers. */
function eventBound(e: IngestEvent, perChar: number): number {
  // keys ts, service, level, message (4 x at most 14 bytes), ts, level (16 chars) and the object's tags
  let n = 4 * 14 + NUM + str(e.service, perChar) + str(e.level, 1) + str(e.message, perChar) + 12;
  if (e.endpoint !== undefined) n += 15 + str(e.endpoint, perChar);
  if (e.latency_ms !== undefined) n += 17 + NUM;
  if (e.status !== undefined) n += 13 + NUM;
  if (e.error_code !== undefined) n += 17 + str(e.error_code, perChar);
  if (e.metadata !== undefined) n += 15 + cloneBound(e.metadata, perChar);
  return n;
}

/** Upper bound of a normalised metric sample's size. */
function sampleBound(s: IngestSample, perChar: number): number {
  let n = 4 * 13 + NUM + str(s.name, perChar) + NUM + 24;
  for (const k in s.labels) n += str(k, perChar) + str(s.labels[k]!, perChar);
  return n;
}

/** Splits items into messages whose serialised size is at most MESSAGE_TARGET_BYTES each. */
export function chunkMessages<T extends IngestEvent | IngestSample>(
  base: Omit<IngestMessage<T>, "id" | "items">,
  batchId: string,
  items: T[],
  /** True when the request body was plain ASCII: see `str`. */
  ascii: boolean,
): { body: IngestMessage<T>; bytes: number }[] {
  const perChar = ascii ? 1 : 2;
  const bound = (base.kind === "events" ? eventBound : sampleBound) as (item: T, perChar: number) => number;
  const out: { body: IngestMessage<T>; bytes: number }[] = [];
  let start = 0;
  let bytes = ENVELOPE_BYTES;
  const flush = (end: number) => {
    if (end === start) return;
    out.push({ body: { ...base, id: `${batchId}:${out.length}`, items: items.slice(start, end) }, bytes });
    start = end;
    bytes = ENVELOPE_BYTES;
  };
  for (let i = 0; i < items.length; i++) {
    const size = bound(items[i]!, perChar);
    if (bytes + size > MESSAGE_TARGET_BYTES) flush(i);
    bytes += size;
  }
  flush(items.length);
  return out;
}

