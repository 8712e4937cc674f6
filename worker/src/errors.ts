// The API's one error type and envelope. Routes throw ApiError; app.onError
// turns it (and anything unexpected) into `{ error: { code, message, details } }`.
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ModelProblem, type ModelProblemCode } from "../../models/runtime/problem";

/** Stable, documented error codes. Clients switch on these, never on messages. */
export type ErrorCode =
  | "bad_request"
  | "invalid_json"
  | "unsupported_media_type"
  | "validation_failed"
  | "payload_too_large"
  | "too_many_items"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "insufficient_history"
  | "queue_unavailable"
  | "model_exists"
  | ModelProblemCode
  | "internal";

/** An error with an HTTP status, a stable code and optional structured details. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(status, { message });
  }
}

/** The JSON body of every error response. */
export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** Builds the envelope for any thrown value; unknown errors become a 500 without leaking internals. */
export function toEnvelope(err: unknown): { status: ContentfulStatusCode; body: ErrorEnvelope } {
  if (err instanceof ApiError) {
    return { status: err.status, body: { error: { code: err.code, message: err.message, details: err.details } } };
  }
  // A model or card that breaks the model contract: 413 for size, 422 for the rest.
  if (err instanceof ModelProblem) {
    return { status: err.code === "model_too_large" ? 413 : 422, body: { error: { code: err.code, message: err.message, details: err.details } } };
  }
  if (err instanceof HTTPException) {
    const code: ErrorCode =
      err.status === 413 ? "payload_too_large" : err.status === 401 ? "unauthorized" : err.status === 404 ? "not_found" : "bad_request";
    return { status: err.status, body: { error: { code, message: err.message || code } } };
  }
  return { status: 500, body: { error: { code: "internal", message: "internal error" } } };
}
