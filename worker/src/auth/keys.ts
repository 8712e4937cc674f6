// API keys: `hel_<tenant-safe random>`; only the SHA-256 of a key is stored.
// Shared by the Worker (verification) and scripts/keys.ts (creation).

/** What a key may do. */
export type Scope = "read" | "write";

/** Every scope, in a stable order. */
export const SCOPES: readonly Scope[] = ["read", "write"];

/** Tenant names: lower-case letters, digits, dashes and underscores, 1 to 64 characters. */
export const TENANT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Hex SHA-256 of a key, with WebCrypto (present in Node 20, workerd and browsers). */
export async function hashKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A new random key (32 bytes of entropy, base64url) and its id. */
export function generateKey(): { id: string; key: string } {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const secret = btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
  const id = `key_${crypto.randomUUID().replace(/-/g, "").slice(0, 16)}`;
  return { id, key: `hel_${secret}` };
}

/** Parses a comma-separated scope list; throws on unknown scopes. */
export function parseScopes(text: string): Scope[] {
  const scopes = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of scopes) if (!SCOPES.includes(s as Scope)) throw new Error(`unknown scope "${s}" (use read, write)`);
  if (scopes.length === 0) throw new Error("at least one scope is required");
  return [...new Set(scopes)].sort() as Scope[];
}
