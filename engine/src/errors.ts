// Typed errors for every failure the engine reports. The status table mirrors
// engine/assembly/util/status.ts; keep the two in sync.

/** Stable machine-readable codes for engine failures. */
export type EngineErrorCode =
  | "invalid_argument"
  | "not_finite"
  | "negative"
  | "out_of_order"
  | "capacity"
  | "bad_handle"
  | "corrupt"
  | "incompatible"
  | "insufficient_data"
  | "trap";

const STATUS_CODES: Record<number, EngineErrorCode> = {
  [-1]: "invalid_argument",
  [-2]: "not_finite",
  [-3]: "negative",
  [-4]: "out_of_order",
  [-5]: "capacity",
  [-6]: "bad_handle",
  [-7]: "corrupt",
  [-8]: "incompatible",
  [-9]: "insufficient_data",
};

/** An expected failure: bad input, a full buffer, corrupt bytes. The engine stays usable. */
export class EngineError extends Error {
  override readonly name = "EngineError";
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Throws an EngineError for a negative engine status; returns the status otherwise. */
export function check(status: number, context: string, details?: Record<string, unknown>): number {
  if (status >= 0) return status;
  const code = STATUS_CODES[status] ?? "invalid_argument";
  throw new EngineError(code, `${context}: ${code.replace(/_/g, " ")}`, details);
}

/** Throws an `invalid_argument` EngineError; for checks the facade makes before calling in. */
export function invalid(context: string, message: string, details?: Record<string, unknown>): never {
  throw new EngineError("invalid_argument", `${context}: ${message}`, details);
}
