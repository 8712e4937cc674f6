// Which incident an anomaly joins: an open incident of the same tenant that
// already has the service and saw an anomaly within the span, or one whose
// anomalies of other services fall within the correlation window (services
// that go wrong together are one incident). Otherwise a new incident.

/** Grouping settings, in ms. */
export interface GroupingConfig {
  /** An incident takes anomalies of its services until this long after its last one. */
  spanMs: number;
  /** Anomalies of different services this close in time are taken as correlated. */
  correlationMs: number;
}

/** What grouping needs to know about an open incident. */
export interface OpenIncident {
  id: string;
  services: string[];
  lastAnomalyAt: number;
  /** Window starts of its anomalies. */
  anomalyTimes: number[];
}

/** The id of the incident `anomaly` joins, or undefined for a new incident. Prefers the most recent. */
export function chooseIncident(
  open: OpenIncident[],
  anomaly: { service: string; window_start: number },
  cfg: GroupingConfig,
): string | undefined {
  const candidates = [...open].sort((a, b) => b.lastAnomalyAt - a.lastAnomalyAt);
  for (const inc of candidates) {
    if (inc.services.includes(anomaly.service) && anomaly.window_start - inc.lastAnomalyAt <= cfg.spanMs) return inc.id;
  }
  for (const inc of candidates) {
    if (inc.anomalyTimes.some((t) => Math.abs(t - anomaly.window_start) <= cfg.correlationMs)) return inc.id;
  }
  return undefined;
}
