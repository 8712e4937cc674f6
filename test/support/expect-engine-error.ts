// Asserting typed engine errors in tests.
import { expect } from "vitest";
import { EngineError, type EngineErrorCode } from "../../engine/src/index";

/** Runs `fn`, expects it to throw an EngineError with `code`, and returns the error. */
export function expectCode(fn: () => unknown, code: EngineErrorCode | string): EngineError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe(code);
    return err as EngineError;
  }
  throw new Error(`expected EngineError ${code}`);
}
