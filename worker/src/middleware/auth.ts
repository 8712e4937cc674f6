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

/**
 * How long an isolate trusts a key it has looked up. An agent sends many requests a second with
 * one key, and looking it up each time was a D1 read a request; the price is that a revoked key
 * keeps working for up to this long in isolates that used it just before.
 */
export const KEY_CACHE_MS = 10_000;
/**
 * Live keys this isolate has looked up: key -> tenant, scopes and when the lookup expires. Keyed
 * by the key itself, which the isolate holds anyway while it serves the request: hashing it
 * (crypto.subtle, ~0.5 ms a call in workerd's profile) was the largest part of a cached lookup.
 */
const knownKeys = new Map<string, { tenant: string; scopes: string; until: number }>();
const KEY_CACHE_ENTRIES = 1000;

async function lookUpKey(db: D1Database, key: string): Promise<{ tenant: string; scopes: string } | undefined> {
  const now = Date.now();
  const hit = knownKeys.get(key);
  if (hit && hit.until > now) return hit;
  const hash = await hashKey(key);
  const row = await drizzle(db)
    .select({ tenant: apiKeys.tenant, scopes: apiKeys.scopes })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
    .get();
  // Unknown keys are not remembered: a key created a moment ago must work at once.
  if (!row) {
    knownKeys.delete(key);
    return undefined;
  }
  if (knownKeys.size >= KEY_CACHE_ENTRIES) knownKeys.clear();
  knownKeys.set(key, { ...row, until: now + KEY_CACHE_MS });
  return row;
}

/** Requires a live key holding `scope`. 401 when missing or unknown, 403 when the scope is missing. */
export function requireScope(scope: Scope) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = readKey(c.req.header("authorization"), c.req.header("x-api-key"));
    if (!key) throw new ApiError(401, "unauthorized", "missing API key: send Authorization: Bearer <key> or X-API-Key");
    const row = await lookUpKey(c.env.DB, key);
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
