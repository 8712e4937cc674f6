// API-key authentication: `Authorization: Bearer <key>` or `X-API-Key: <key>`.
// Sets the key's tenant and scopes on the context; every query that follows is
// confined to that tenant.
import { and, eq, isNull } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { createMiddleware } from "hono/factory";
import { hashKey, type Scope } from "../auth/keys";
import { apiKeys } from "../db/schema";
import { ApiError } from "../errors";
import type { AppEnv } from "../types";

/** Requires a live key holding `scope`. 401 when missing or unknown, 403 when the scope is missing. */
export function requireScope(scope: Scope) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = readKey(c.req.header("authorization"), c.req.header("x-api-key"));
    if (!key) throw new ApiError(401, "unauthorized", "missing API key: send Authorization: Bearer <key> or X-API-Key");
    const hash = await hashKey(key);
    const row = await drizzle(c.env.DB)
      .select({ tenant: apiKeys.tenant, scopes: apiKeys.scopes })
      .from(apiKeys)
      .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
      .get();
    if (!row) throw new ApiError(401, "unauthorized", "unknown or revoked API key");
    const scopes = row.scopes.split(",") as Scope[];
    if (!scopes.includes(scope)) throw new ApiError(403, "forbidden", `this key lacks the "${scope}" scope`);
    c.set("tenant", row.tenant);
    c.set("scopes", scopes);
    await next();
  });
}

function readKey(authorization: string | undefined, xApiKey: string | undefined): string | undefined {
  if (authorization) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (m) return m[1];
  }
  return xApiKey?.trim() || undefined;
}
