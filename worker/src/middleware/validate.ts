// Request validation through Hono's validator with zod schemas: a failure is
// a 400 validation_failed with every issue listed.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../types";
import { validator } from "hono/validator";
import type { z } from "zod";
import { ApiError } from "../errors";

/** A query string as a client sends it: every parameter a string (the schema parses and coerces it). */
type QueryInput<T> = { [K in keyof T]?: string };

/**
 * Validates the query string against `schema`; handlers read it with `c.req.valid("query")`.
 * The declared input is the wire form (strings), which Hono would otherwise infer from the parsed
 * output (numbers, dates), so the dashboard's typed client sends what the schema reads.
 */
export function queryOf<T extends z.ZodType>(schema: T): MiddlewareHandler<AppEnv, string, { in: { query: QueryInput<z.input<T>> }; out: { query: z.output<T> } }> {
  const handler = validator("query", (value) => {
    const r = schema.safeParse(value);
    if (!r.success) {
      throw new ApiError(400, "validation_failed", "invalid query parameters", {
        issues: r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
      });
    }
    return r.data as z.output<T>;
  });
  return handler as unknown as MiddlewareHandler<AppEnv, string, { in: { query: QueryInput<z.input<T>> }; out: { query: z.output<T> } }>;
}
