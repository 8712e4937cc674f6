// Turns a request body into a list of raw items: one JSON object, a JSON
// array, an envelope ({"events": [...]}, {"metrics": [...], "agent_version",
// "sent_at"}), or NDJSON (one object a line).
import { ApiError } from "../errors";
import { LIMITS, type Rejection } from "./schema";

/** Raw items and the NDJSON lines that were not valid JSON (already rejected by index). */
export interface ParsedBody {
  items: unknown[];
  rejected: Rejection[];
}

/** Parses `text` as sent with `contentType`. Throws ApiError for a body that is not JSON at all. */
export function parseBody(text: string, contentType: string | undefined, envelopeKey: "events" | "metrics"): ParsedBody {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type && type !== "application/json" && !isNdjson(type) && type !== "text/plain") {
    throw new ApiError(415, "unsupported_media_type", `send application/json or application/x-ndjson, not ${type}`);
  }
  const trimmed = text.trim();
  if (trimmed === "") throw new ApiError(400, "bad_request", "the body is empty: send an object, an array or NDJSON");
  if (isNdjson(type) || (!trimmed.startsWith("[") && looksLikeNdjson(trimmed))) return parseNdjson(trimmed);

  let body: unknown;
  try {
    body = JSON.parse(trimmed);
  } catch (err) {
    throw new ApiError(400, "invalid_json", `the body is not valid JSON: ${(err as Error).message}`);
  }
  const items = Array.isArray(body) ? body : unwrap(body, envelopeKey);
  checkCount(items.length);
  return { items, rejected: [] };
}

function unwrap(body: unknown, key: string): unknown[] {
  if (body && typeof body === "object" && key in body) {
    const inner = (body as Record<string, unknown>)[key];
    if (!Array.isArray(inner)) throw new ApiError(400, "bad_request", `"${key}" must be an array`);
    return inner;
  }
  return [body];
}

function isNdjson(type: string): boolean {
  return type === "application/x-ndjson" || type === "application/ndjson" || type === "application/jsonl";
}

/** Several lines, each starting with "{": NDJSON even without its content type. */
function looksLikeNdjson(text: string): boolean {
  const nl = text.indexOf("\n");
  return nl > 0 && text.slice(nl + 1).trimStart().startsWith("{");
}

function parseNdjson(text: string): ParsedBody {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  checkCount(lines.length);
  const items: unknown[] = new Array(lines.length);
  const rejected: Rejection[] = [];
  lines.forEach((line, index) => {
    try {
      items[index] = JSON.parse(line);
    } catch (err) {
      rejected.push({ index, code: "invalid_json", reason: `line ${index + 1} is not valid JSON: ${(err as Error).message}` });
    }
  });
  return { items, rejected };
}

function checkCount(n: number): void {
  if (n > LIMITS.items) {
    throw new ApiError(413, "too_many_items", `at most ${LIMITS.items} items per request, got ${n}: split the batch`, {
      limit: LIMITS.items,
      count: n,
    });
  }
  if (n === 0) throw new ApiError(400, "bad_request", "the batch has no items");
}
