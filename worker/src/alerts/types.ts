// Anomalies and incidents as they travel between the detection cron, the
// alerts queue, D1 and the API.

/** Severity of an anomaly or incident. */
export type Severity = "low" | "medium" | "high" | "critical";

/** Severity order, lowest first. */
export const SEVERITIES: readonly Severity[] = ["low", "medium", "high", "critical"];

/** A feature that drove an anomaly, with the range the detector expected. */
export interface AnomalyDriver {
  /** Window feature name, e.g. "latency_p99", "error_rate", "count". */
  feature: string;
  value: number;
  expected_low: number;
  expected_high: number;
  /** Share of the score this feature explains, in [0, 1]. */
  contribution: number;
}

/** One scored window that crossed the alert threshold. */
export interface Anomaly {
  /** Deterministic: `<series id>:<resolution>:<window start>`, so re-detection is idempotent. */
  id: string;
  tenant: string;
  series_id: number;
  /** The service (events) or metric name the series belongs to. */
  service: string;
  /** Window start, epoch ms. */
  window_start: number;
  /** Calibrated anomaly score in [0, 1]. */
  score: number;
  severity: Severity;
  /** Drivers, strongest first. */
  drivers: AnomalyDriver[];
  /** Requests (or samples) in the window, and errors among them: the impact. */
  count: number;
  errors: number;
  /** What crossed its threshold; absent means "detector" (messages from before window models). */
  fired_by?: "detector" | "model" | "both";
  /** The tenant's active window model and its probability for this window, when it has one. */
  model?: { name: string; version: string; score: number };
}

/** A message on the alerts queue. */
export type AlertMessage =
  | { v: 1; kind: "anomaly"; anomaly: Anomaly }
  | { v: 1; kind: "notify"; tenant: string; incident_id: string; event: "opened" | "escalated" | "resolved" };

/** Severity for a calibrated score. The alert threshold itself is a detector setting. */
export function severityOf(score: number): Severity {
  if (score >= 0.995) return "critical";
  if (score >= 0.98) return "high";
  if (score >= 0.95) return "medium";
  return "low";
}

/** The higher of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) >= SEVERITIES.indexOf(b) ? a : b;
}
