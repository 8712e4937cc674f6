// Request validation through Hono's validator with zod schemas: a failure is
// a 400 validation_failed with every issue listed.
import { validator } from "hono/validator";
import type { z } from "zod";
import { ApiError } from "../errors";

/** Validates the query string against `schema`; handlers read it with `c.req.valid("query")`. */
export function queryOf<T extends z.ZodType>(schema: T) {
  return validator("query", (value) => {
    const r = schema.safeParse(value);
    if (!r.success) {
      throw new ApiError(400, "validation_failed", "invalid query parameters", {
        issues: r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
      });
    }
    return r.data as z.output<T>;
  });
}
