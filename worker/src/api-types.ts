// Shapes of the API's JSON responses, declared once: the routes build them
// and the dashboard reads them. Pure types, so any host can import them.
import type { Savings } from "../../engine/src/index";
import type { AnomalyDriver } from "./alerts/types";

export type { AnomalyDriver, Severity } from "./alerts/types";
export type { IncidentReport } from "./alerts/report";

/** A series as the API returns it. */
export interface SeriesView {
  id: number;
  kind: "events" | "metrics";
  name: string;
  labels: Record<string, string>;
  created_at: string;
  last_seen_at: string;
}

/** A window as the API returns it. */
export interface WindowView {
  start: string;
  count: number;
  errors: number;
  error_rate: number | null;
  sum: number;
  mean: number | null;
  stddev: number | null;
  min: number | null;
  max: number | null;
  last: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  distinct_endpoints: number | null;
  closed: boolean;
}

/** An anomaly as the API returns it. */
export interface AnomalyView {
  id: string;
  series_id: number;
  service: string;
  window_start: string;
  score: number;
  severity: string;
  drivers: AnomalyDriver[];
  count: number;
  errors: number;
  incident_id: string | null;
  /** What crossed its threshold: the streaming "detector", the active "model" (probability >= MODEL_THRESHOLD), or "both". */
  fired_by: "detector" | "model" | "both";
  /** The active model ("name@version") and its probability for the window; null without one. */
  model: string | null;
  model_score: number | null;
}

/** An incident as the API lists it. */
export interface IncidentView {
  id: string;
  status: "open" | "resolved";
  severity: string;
  title: string;
  services: string[];
  started_at: string;
  last_anomaly_at: string;
  resolved_at: string | null;
  anomaly_count: number;
}

/** One service or metric on the overview: its latest closed or open window and current score. */
export interface OverviewItem {
  series: SeriesView;
  /** The latest 1-minute window, if any in the last hour. */
  latest: WindowView | null;
  /** Combined anomaly score of the latest scored window (null before the first is scored). */
  score: number | null;
  /** Request (or sample) counts of the last 60 minutes, oldest first, one per minute (0 where none). */
  spark: number[];
}

/** GET /api/v1/overview. */
export interface OverviewView {
  generated_at: string;
  items: OverviewItem[];
  open_incidents: IncidentView[];
}

/** What /recommend answers and the cron stores. */
export interface Recommendation {
  workload: string;
  computed_at: string;
  replicas: {
    current: number;
    /** Replicas the forecast load needs over the horizon. */
    recommended: number;
    /** What an HPA-like controller would run along the horizon from the current count. */
    peak: number;
    mean: number;
    path: { timestamp: string; replicas: number }[];
    reason: string;
  };
  resources: { cpu?: { request: number; percentile: number }; memory?: { request_bytes: number; percentile_bytes: number } } | null;
  savings: (Savings & { prices: { vcpu_hour: number; gib_hour: number } }) | null;
  /** 0..1: how much history and how narrow a forecast stand behind the numbers. */
  confidence: number;
  notes: string[];
}


/** A window model a tenant uploaded, as /api/v1/models lists it. */
export interface ModelView {
  name: string;
  version: string;
  description: string | null;
  sha256: string;
  bytes: number;
  /** Feature names in input column order. */
  inputs: string[];
  output: string;
  metrics: Record<string, number> | null;
  active: boolean;
  created_at: string;
  activated_at: string | null;
}

/** GET /api/v1/models. */
export interface ModelsResponse {
  models: ModelView[];
  active: { name: string; version: string } | null;
}
