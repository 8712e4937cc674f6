// The dashboard's API client: Hono's typed client over the Worker's own route
// types (hc<AppType>), so every response type here is inferred from the route
// that builds it. Same origin as the Worker; the key comes from this
// browser's storage.
import { type ClientResponse, hc, type InferResponseType } from "hono/client";
import type { AppType } from "../../worker/build/types/worker/src/app";

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

/** The typed client for one key. */
function client(key: string) {
  return hc<AppType>(location.origin, { headers: { authorization: `Bearer ${key}` } }).api.v1;
}
type Api = ReturnType<typeof client>;

/** The body of a 2xx response; anything else becomes an ApiFailure with the envelope's code. */
async function ok<T>(pending: Promise<ClientResponse<T>>): Promise<T> {
  const res = await pending;
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new ApiFailure(res.status, body.error?.code ?? "http_error", body.error?.message ?? `HTTP ${res.status}`);
  }
  return (await res.json()) as T;
}

/** GET /api/v1/models: the tenant's window models and the active one. */
export type Models = InferResponseType<Api["models"]["$get"], 200>;
export function fetchModels(key: string): Promise<Models> {
  return ok(client(key).models.$get());
}

/** GET /api/v1/overview. */
export type Overview = InferResponseType<Api["overview"]["$get"], 200>;
export function fetchOverview(key: string): Promise<Overview> {
  return ok(client(key).overview.$get());
}

type WindowsEndpoint = Api["series"][":id{[0-9]+}"]["windows"]["$get"];
/** GET /api/v1/series/:id/windows. */
export type SeriesWindows = InferResponseType<WindowsEndpoint, 200>;

/** GET /api/v1/series/:id/windows over the last `hours`: 1-minute windows up to a day, 5-minute rollups beyond. */
export function fetchWindows(key: string, seriesId: number, hours: number, resolution: "1m" | "5m" = hours <= 24 ? "1m" : "5m"): Promise<SeriesWindows> {
  const from = String(Date.now() - hours * 3_600_000);
  return ok(client(key).series[":id{[0-9]+}"].windows.$get({ param: { id: String(seriesId) }, query: { from, resolution, limit: "10000" } }));
}

/** GET /api/v1/anomalies of one service over the last `hours`. */
export type Anomalies = InferResponseType<Api["anomalies"]["$get"], 200>;
export function fetchAnomalies(key: string, service: string, hours: number): Promise<Anomalies> {
  const from = String(Date.now() - hours * 3_600_000);
  return ok(client(key).anomalies.$get({ query: { service, from, limit: "1000" } }));
}

/** GET /api/v1/forecasts of one series (empty until the 15-minute cron has run). */
export type Forecasts = InferResponseType<Api["forecasts"]["$get"], 200>;
/** One point of a stored forecast. */
export type ForecastPoint = Forecasts["forecasts"][number]["forecast"][number];
export function fetchForecast(key: string, seriesId: number): Promise<Forecasts> {
  return ok(client(key).forecasts.$get({ query: { series_id: String(seriesId) } }));
}

/** GET /api/v1/incidents/:id with its report and anomalies. */
export type IncidentDetail = InferResponseType<Api["incidents"][":id"]["$get"], 200>;
export function fetchIncident(key: string, id: string): Promise<IncidentDetail> {
  return ok(client(key).incidents[":id"].$get({ param: { id } }));
}

/** GET /api/v1/recommendations: the latest recommendation of every workload. */
export type Recommendations = InferResponseType<Api["recommendations"]["$get"], 200>;
export function fetchRecommendations(key: string): Promise<Recommendations> {
  return ok(client(key).recommendations.$get());
}
