// The dashboard's API client: same origin as the Worker, the key from this
// browser's storage, and the response types declared once in the Worker.
import type { OverviewView } from "../../worker/src/api-types";

const KEY = "helios.apiKey";

/** The stored API key, if any. */
export function storedKey(): string | null {
  return localStorage.getItem(KEY);
}

/** Remembers (or forgets, with null) the API key in this browser. */
export function storeKey(key: string | null): void {
  if (key) localStorage.setItem(KEY, key);
  else localStorage.removeItem(KEY);
}

/** An API failure with the envelope's stable code. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function get<T>(path: string, key: string): Promise<T> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new ApiFailure(res.status, body.error?.code ?? "http_error", body.error?.message ?? `HTTP ${res.status}`);
  }
  return (await res.json()) as T;
}

/** GET /api/v1/overview. */
export function fetchOverview(key: string): Promise<OverviewView> {
  return get<OverviewView>("/api/v1/overview", key);
}
