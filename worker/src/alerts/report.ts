// Incident reports, built from the engine's numbers by template: what is
// abnormal and by how much, the likely cause (from the driving features and
// the services that went wrong together), the impact and what to do.
import { describeDriver, deviation, featureLabel } from "./format";
import type { Anomaly, Severity } from "./types";

/** A scaling recommendation the report can cite. */
export interface ScalingHint {
  service: string;
  current_replicas: number;
  recommended_replicas: number;
  reason: string;
}

/** One abnormal feature of one service across the incident. */
export interface AbnormalFeature {
  service: string;
  feature: string;
  label: string;
  /** The worst value seen and the range expected at that time. */
  value: number;
  expected_low: number;
  expected_high: number;
  description: string;
  deviation: string;
  first_seen: string;
  windows: number;
}

/** The report stored with an incident (D1 JSON and R2). */
export interface IncidentReport {
  incident_id: string;
  tenant: string;
  generated_at: string;
  severity: Severity;
  title: string;
  summary: string;
  abnormal: AbnormalFeature[];
  likely_cause: string;
  services: { service: string; first_anomaly_at: string; anomalies: number; max_score: number }[];
  impact: { requests: number; errors: number; error_rate: number; duration_minutes: number; windows: number };
  actions: string[];
  narrative_source: "template" | "workers-ai";
}

const iso = (t: number) => new Date(t).toISOString();
const isUp = (a: AbnormalFeature) => a.value > a.expected_high;
const isDown = (a: AbnormalFeature) => a.value < a.expected_low;
const isLatency = (f: string) => f.startsWith("latency_");

/** Builds the report of an incident from all its anomalies (oldest first or not: they are sorted here). */
export function buildReport(
  incident: { id: string; tenant: string; severity: Severity },
  anomalies: Anomaly[],
  scaling: ScalingHint[] = [],
  now = Date.now(),
): IncidentReport {
  const sorted = [...anomalies].sort((a, b) => a.window_start - b.window_start || b.score - a.score);
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;

  // Worst occurrence of each (service, feature) among the anomalies' drivers.
  const byFeature = new Map<string, AbnormalFeature & { contribution: number }>();
  for (const a of sorted) {
    for (const d of a.drivers) {
      const key = `${a.service}\u0000${d.feature}`;
      const span = Math.max(d.expected_high - d.expected_low, Number.EPSILON);
      const distance = d.value > d.expected_high ? (d.value - d.expected_high) / span : d.value < d.expected_low ? (d.expected_low - d.value) / span : 0;
      const prev = byFeature.get(key);
      if (!prev) {
        byFeature.set(key, {
          service: a.service,
          feature: d.feature,
          label: featureLabel(d.feature),
          value: d.value,
          expected_low: d.expected_low,
          expected_high: d.expected_high,
          description: describeDriver(d),
          deviation: deviation(d),
          first_seen: iso(a.window_start),
          windows: 1,
          contribution: d.contribution * distance,
        });
      } else {
        prev.windows++;
        const prevDistance =
          prev.value > prev.expected_high
            ? (prev.value - prev.expected_high) / Math.max(prev.expected_high - prev.expected_low, Number.EPSILON)
            : prev.value < prev.expected_low
              ? (prev.expected_low - prev.value) / Math.max(prev.expected_high - prev.expected_low, Number.EPSILON)
              : 0;
        if (distance > prevDistance) {
          Object.assign(prev, { value: d.value, expected_low: d.expected_low, expected_high: d.expected_high });
          prev.description = describeDriver(d);
          prev.deviation = deviation(d);
        }
        prev.contribution += d.contribution * distance;
      }
    }
  }
  const abnormal = [...byFeature.values()]
    .filter((f) => isUp(f) || isDown(f))
    .sort((a, b) => b.contribution - a.contribution)
    .map(({ contribution: _c, ...f }) => f);

  const services = [...new Set(sorted.map((a) => a.service))].map((service) => {
    const own = sorted.filter((a) => a.service === service);
    return {
      service,
      first_anomaly_at: iso(own[0]!.window_start),
      anomalies: own.length,
      max_score: Math.max(...own.map((a) => a.score)),
    };
  });

  const windows = new Map<string, Anomaly>();
  for (const a of sorted) windows.set(`${a.series_id}:${a.window_start}`, a);
  const requests = [...windows.values()].reduce((s, a) => s + a.count, 0);
  const errors = [...windows.values()].reduce((s, a) => s + a.errors, 0);
  const durationMinutes = Math.max(1, Math.round((last.window_start - first.window_start) / 60_000) + 1);

  const top = abnormal[0];
  const headline = top ? `${top.service}: ${top.description}` : `${first.service}: anomalous behaviour`;
  const cause = likelyCause(abnormal, services);
  const actions = recommendActions(abnormal, services, scaling);
  const summary =
    `${capitalise(incident.severity)} incident since ${iso(first.window_start)} on ${services.map((s) => s.service).join(", ")}` +
    ` (${sorted.length} anomalous window${sorted.length === 1 ? "" : "s"} over ${durationMinutes} min). ` +
    (top ? `Most abnormal: ${top.description}${top.deviation ? ` (${top.deviation})` : ""}. ` : "") +
    `${requests} requests in the affected windows, ${errors} of them errors. ${cause}`;

  return {
    incident_id: incident.id,
    tenant: incident.tenant,
    generated_at: iso(now),
    severity: incident.severity,
    title: headline,
    summary,
    abnormal,
    likely_cause: cause,
    services,
    impact: { requests, errors, error_rate: requests > 0 ? errors / requests : 0, duration_minutes: durationMinutes, windows: windows.size },
    actions,
    narrative_source: "template",
  };
}

function likelyCause(abnormal: AbnormalFeature[], services: IncidentReport["services"]): string {
  const origin =
    services.length > 1
      ? ` ${services[0]!.service} went anomalous first (${services[0]!.first_anomaly_at}); ${services
          .slice(1)
          .map((s) => s.service)
          .join(", ")} followed, so the problem most likely starts in ${services[0]!.service} or a dependency they share.`
      : "";
  const of = (service: string) => abnormal.filter((a) => a.service === service);
  const main = of(services[0]!.service);
  const has = (pred: (a: AbnormalFeature) => boolean) => main.some(pred);
  const latencyUp = has((a) => isLatency(a.feature) && isUp(a));
  const errorsUp = has((a) => (a.feature === "error_rate" || a.feature === "errors") && isUp(a));
  const trafficUp = has((a) => a.feature === "count" && isUp(a));
  const trafficDown = has((a) => a.feature === "count" && isDown(a));
  const endpointsUp = has((a) => a.feature === "distinct_endpoints" && isUp(a));

  let cause: string;
  if (trafficUp && latencyUp) cause = "Latency rose with traffic: the service looks saturated by load.";
  else if (latencyUp && errorsUp) cause = "Errors and latency rose together at normal traffic: a slow or failing dependency (database, downstream API) or exhausted connections is likely.";
  else if (latencyUp) cause = "Latency rose at normal traffic and error rate: a slow dependency or a degraded instance is likely.";
  else if (errorsUp) cause = "Errors rose without a latency change: a bad deploy, a configuration change or a dependency failing fast is likely.";
  else if (trafficDown) cause = "Traffic dropped below its expected range: an upstream outage, a routing change or failing clients is likely.";
  else if (trafficUp) cause = "Traffic rose above its expected range while latency held: a surge of demand, a retry storm or a new client.";
  else if (endpointsUp) cause = "Requests spread over unusually many endpoints: scanning or a new client.";
  else cause = main[0] ? `${capitalise(main[0].label)} moved outside its expected range.` : "The detector flagged unusual behaviour.";
  return cause + origin;
}

function recommendActions(abnormal: AbnormalFeature[], services: IncidentReport["services"], scaling: ScalingHint[]): string[] {
  const actions: string[] = [];
  for (const hint of scaling) {
    if (services.some((s) => s.service === hint.service) && hint.recommended_replicas > hint.current_replicas) {
      actions.push(`Scale ${hint.service} from ${hint.current_replicas} to ${hint.recommended_replicas} replicas (${hint.reason}).`);
    }
  }
  const features = new Set(abnormal.filter((a) => isUp(a) || isDown(a)).map((a) => a.feature));
  const origin = services[0]!.service;
  if (features.has("count") && [...features].some(isLatency) && actions.length === 0) {
    actions.push(`Add capacity to ${origin}: latency is following traffic.`);
  }
  if (features.has("error_rate") || features.has("errors")) {
    actions.push(`Check ${origin}'s recent deploys and configuration changes; roll back if one lines up with the start.`);
    actions.push(`Look at the error codes of ${origin} in the affected windows to find the failing dependency.`);
  }
  if ([...features].some(isLatency)) actions.push(`Check the latency and saturation of ${origin}'s dependencies (database, caches, downstream APIs).`);
  if (services.length > 1) actions.push(`Look at what ${services.map((s) => s.service).join(", ")} share (database, network, node pool).`);
  if (actions.length === 0) actions.push(`Compare ${origin}'s current behaviour with the same time last week.`);
  return actions;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The report as Markdown, stored beside the JSON in R2. */
export function reportMarkdown(r: IncidentReport): string {
  const lines = [
    `# ${r.title}`,
    "",
    `Severity: **${r.severity}** · incident ${r.incident_id} · generated ${r.generated_at}`,
    "",
    "## Summary",
    r.summary,
    "",
    "## What is abnormal",
    ...r.abnormal.map((a) => `- **${a.service}**: ${a.description}${a.deviation ? ` (${a.deviation})` : ""}, since ${a.first_seen}, ${a.windows} window(s)`),
    "",
    "## Likely cause",
    r.likely_cause,
    "",
    "## Services affected",
    ...r.services.map((s) => `- ${s.service}: first anomalous ${s.first_anomaly_at}, ${s.anomalies} anomalies, max score ${s.max_score.toFixed(3)}`),
    "",
    "## Impact",
    `${r.impact.requests} requests in ${r.impact.windows} anomalous window(s) over ${r.impact.duration_minutes} min; ${r.impact.errors} errors (${(r.impact.error_rate * 100).toFixed(2)}%).`,
    "",
    "## Recommended actions",
    ...r.actions.map((a) => `1. ${a}`),
    "",
  ];
  return lines.join("\n");
}
