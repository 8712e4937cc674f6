// The dashboard's API client: same origin as the Worker, the key from this
// browser's storage, and the response types declared once in the Worker.
import type { AnomalyView, IncidentReport, IncidentView, ModelsResponse, OverviewView, Recommendation, SeriesView, WindowView } from "../../worker/src/api-types";

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

/** GET /api/v1/models: the tenant's window models and the active one. */
export function fetchModels(key: string): Promise<ModelsResponse> {
  return get<ModelsResponse>("/api/v1/models", key);
}

/** GET /api/v1/overview. */
export function fetchOverview(key: string): Promise<OverviewView> {
  return get<OverviewView>("/api/v1/overview", key);
}

/** GET /api/v1/series/:id/windows over the last `hours`: 1-minute windows up to a day, 5-minute rollups beyond. */
export function fetchWindows(
  key: string,
  seriesId: number,
  hours: number,
  resolution: "1m" | "5m" = hours <= 24 ? "1m" : "5m",
): Promise<{ series: SeriesView; windows: WindowView[]; resolution: "1m" | "5m" }> {
  const from = Date.now() - hours * 3_600_000;
  return get(`/api/v1/series/${seriesId}/windows?from=${from}&resolution=${resolution}&limit=10000`, key);
}

/** GET /api/v1/anomalies of one service over the last `hours`. */
export function fetchAnomalies(key: string, service: string, hours: number): Promise<{ anomalies: AnomalyView[] }> {
  const from = Date.now() - hours * 3_600_000;
  return get(`/api/v1/anomalies?service=${encodeURIComponent(service)}&from=${from}&limit=1000`, key);
}

/** A stored forecast point. */
export interface ForecastPoint {
  timestamp: string;
  p10: number;
  p50: number;
  p90: number;
}

/** GET /api/v1/forecasts of one series (empty until the 15-minute cron has run). */
export function fetchForecast(key: string, seriesId: number): Promise<{ forecasts: { series_id: number; field: string; forecast: ForecastPoint[] }[] }> {
  return get(`/api/v1/forecasts?series_id=${seriesId}`, key);
}

/** GET /api/v1/incidents/:id with its report and anomalies. */
export function fetchIncident(key: string, id: string): Promise<{ incident: IncidentView; report: IncidentReport; anomalies: AnomalyView[] }> {
  return get(`/api/v1/incidents/${encodeURIComponent(id)}`, key);
}

/** GET /api/v1/recommendations: the latest recommendation of every workload. */
export function fetchRecommendations(key: string): Promise<{ recommendations: Recommendation[] }> {
  return get("/api/v1/recommendations", key);
}
