// The request body the ingest benchmarks send: `n` events over the last 30 s
// (so their windows are current), spread over eight services and six
// endpoints, one in fifty an error. Deterministic per seed.
const SERVICES = ["checkout", "payments", "search", "auth", "catalog", "inventory", "shipping", "email"];
const ENDPOINTS = ["/", "/api/a", "/api/b", "/api/c", "/api/d", "/health"];

/** A JSON array of `n` events. */
export function benchBody(seed: number, n = 1000): string {
  const now = Date.now();
  const events = new Array(n);
  for (let i = 0; i < n; i++) {
    const k = (seed * 7919 + i * 104729) >>> 0;
    events[i] = {
      timestamp: now - (k % 30_000),
      service: SERVICES[k % SERVICES.length],
      level: k % 50 === 0 ? "ERROR" : "INFO",
      message: "request served",
      endpoint: ENDPOINTS[k % ENDPOINTS.length],
      latency_ms: 5 + (k % 400) / 4,
      status: k % 50 === 0 ? 500 : 200,
    };
  }
  return JSON.stringify(events);
}
