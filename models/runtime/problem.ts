// What can be wrong with a window model, as stable codes: the Worker turns
// them into 4xx responses, the CLI and the browser print them.

/** Stable codes for a model that cannot be accepted or run. */
export type ModelProblemCode =
  | "model_too_large"
  | "model_unreadable"
  | "model_unsupported_operator"
  | "card_invalid"
  | "model_unknown_input"
  | "model_input_shape"
  | "model_checksum_mismatch"
  | "model_inference_failed"
  | "model_output_shape";

/** A model (or its card) that breaks the contract in models/contract.ts. */
export class ModelProblem extends Error {
  constructor(
    readonly code: ModelProblemCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ModelProblem";
  }
}
