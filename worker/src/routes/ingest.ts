// POST /api/v1/events and /api/v1/metrics: validate, enqueue, answer 202.
// 202 means every accepted item is on the ingest queue; if the queue refuses,
// the answer is 503 and the client should retry (with an Idempotency-Key, a
// retry never counts twice).
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../errors";
import { eventColumnMessages, sampleColumnMessages } from "../ingest/columns";
import { batchIdFor, sendAll } from "../ingest/enqueue";
import { parseBody } from "../ingest/parse-body";
import { type IngestEvent, type IngestSample, LIMITS, type Rejection, validateItems } from "../ingest/schema";
import { requireScope } from "../middleware/auth";
import { bumpSoon } from "../telemetry/counters";
import type { AppEnv } from "../types";

/** The 202 response body. */
export interface IngestResponse {
  accepted: number;
  rejected: Rejection[];
  batch_id: string;
}

const limitBody = bodyLimit({
  maxSize: LIMITS.bodyBytes,
  onError: () => {
    throw new ApiError(413, "payload_too_large", `the body exceeds ${LIMITS.bodyBytes} bytes: split the batch`, {
      limit: LIMITS.bodyBytes,
    });
  },
});

function ingestRoute(kind: "events" | "metrics") {
  return new Hono<AppEnv>().post("/", limitBody, requireScope("write"), async (c) => {
    const tenant = c.get("tenant");
    const bytes = await c.req.arrayBuffer();
    const text = decodeUtf8(bytes);
    // One byte a character and no \u escapes: every string taken from the body is one-byte (Latin-1).
    const ascii = text.length === bytes.byteLength && !text.includes("\\u");
    const parsed = parseBody(text, c.req.header("content-type"), kind);
    const now = Date.now();
    const { accepted, rejected } = validateItems<IngestEvent | IngestSample>(kind, parsed.items, parsed.rejected);
    const batchId = await batchIdFor(tenant, c.req.header("idempotency-key"));

    if (accepted.length > 0) {
      const base = { v: 2 as const, tenant, received_at: now };
      const messages =
        kind === "events"
          ? eventColumnMessages(base, batchId, accepted as IngestEvent[], ascii)
          : sampleColumnMessages(base, batchId, accepted as IngestSample[], ascii);
      try {
        await sendAll(c.env.INGEST_QUEUE, messages);
      } catch (err) {
        bumpSoon(c.executionCtx, c.env.DB, [{ name: "helios_ingest_enqueue_failures_total", labels: { kind }, by: 1 }]);
        throw new ApiError(503, "queue_unavailable", "the ingest queue did not accept the batch: retry it", {
          cause: String(err),
          retry_with_same_idempotency_key: true,
        });
      }
    }

    const reasons = new Map<string, number>();
    for (const r of rejected) reasons.set(r.code, (reasons.get(r.code) ?? 0) + 1);
    bumpSoon(c.executionCtx, c.env.DB, [
      { name: "helios_ingest_accepted_total", labels: { kind }, by: accepted.length },
      ...[...reasons].map(([reason, by]) => ({ name: "helios_ingest_rejected_total", labels: { kind, reason }, by })),
    ]);
    if (accepted.length === 0) {
      throw new ApiError(400, "validation_failed", `none of the ${parsed.items.length} items is valid`, { rejected });
    }
    const body: IngestResponse = { accepted: accepted.length, rejected, batch_id: batchId };
    return c.json(body, 202);
  });
}

/** Decodes the body as strict UTF-8 (JSON and NDJSON are UTF-8 by definition). */
function decodeUtf8(bytes: ArrayBuffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError(400, "invalid_json", "the body is not valid UTF-8");
  }
}

/** Event ingestion. */
export const eventsRoute = ingestRoute("events");
/** Metric sample ingestion. */
export const metricsRoute = ingestRoute("metrics");
