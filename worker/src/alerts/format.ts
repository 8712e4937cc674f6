// Human wording for window features and their values, shared by reports,
// webhook messages and the dashboard: "p99 latency 840 ms, expected 120-180 ms".
import type { AnomalyDriver } from "./types";

interface FeatureLabel {
  label: string;
  format: (v: number) => string;
}

const ms = (v: number) => (Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)} s` : `${round(v)} ms`);
const pct = (v: number) => `${Math.abs(v) < 5e-4 ? "0" : round(v * 100)}%`;
const perMin = (v: number) => `${round(v)}/min`;
const plain = (v: number) => round(v);

function round(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 100) return Math.round(v).toString();
  if (a >= 10) return v.toFixed(1).replace(/\.0$/, "");
  if (a >= 1) return v.toFixed(2).replace(/\.?0+$/, "");
  return v.toPrecision(2);
}

const LABELS: Record<string, FeatureLabel> = {
  count: { label: "request rate", format: perMin },
  error_rate: { label: "error rate", format: pct },
  errors: { label: "errors", format: perMin },
  latency_mean: { label: "mean latency", format: ms },
  latency_stddev: { label: "latency spread", format: ms },
  latency_p50: { label: "p50 latency", format: ms },
  latency_p95: { label: "p95 latency", format: ms },
  latency_p99: { label: "p99 latency", format: ms },
  distinct_endpoints: { label: "distinct endpoints", format: plain },
  isolation_forest: { label: "isolation forest score (how unlike the past week the window's features are together)", format: plain },
  value_mean: { label: "mean", format: plain },
  value_max: { label: "max", format: plain },
  value_last: { label: "value", format: plain },
};

/** A readable name for a feature ("latency_p99" -> "p99 latency"). */
export function featureLabel(feature: string): string {
  return LABELS[feature]?.label ?? feature.replace(/_/g, " ");
}

/** A value formatted in the feature's unit. */
export function formatFeature(feature: string, v: number): string {
  return (LABELS[feature]?.format ?? plain)(v);
}

/** Features that cannot be negative: their expected range is clamped at 0. */
const NON_NEGATIVE = /^(count|errors|error_rate|latency_.*|distinct_endpoints)$/;

/** "p99 latency 840 ms, expected 120-180 ms" (or "expected about 0%" when the range rounds to one value). */
export function describeDriver(d: AnomalyDriver): string {
  const low = NON_NEGATIVE.test(d.feature) ? Math.max(0, d.expected_low) : d.expected_low;
  const lo = formatFeature(d.feature, low);
  const hi = formatFeature(d.feature, d.expected_high);
  return `${featureLabel(d.feature)} ${formatFeature(d.feature, d.value)}, expected ${lo === hi ? `about ${lo}` : `${lo}-${hi}`}`;
}

/**
 * How far outside its expected range a driver is, or "" inside: a ratio of the nearer bound
 * ("4.7x the expected maximum") when that bound is a real magnitude, otherwise the distance in the
 * feature's unit ("33 percentage points above the expected maximum"), since a ratio to an expected
 * 0% error rate says nothing.
 */
export function deviation(d: AnomalyDriver): string {
  const zero = formatFeature(d.feature, 0);
  if (d.value > d.expected_high) {
    if (d.expected_high > 0 && formatFeature(d.feature, d.expected_high) !== zero) return `${(d.value / d.expected_high).toFixed(1)}x the expected maximum`;
    return `${distance(d.feature, d.value - Math.max(0, d.expected_high))} above the expected maximum`;
  }
  if (d.value < d.expected_low) {
    if (d.value > 0 && formatFeature(d.feature, d.value) !== zero) return `${(d.expected_low / d.value).toFixed(1)}x below the expected minimum`;
    return `${distance(d.feature, d.expected_low - d.value)} below the expected minimum`;
  }
  return "";
}

/** A difference in the feature's unit; rates in percentage points, so it is not read as relative. */
function distance(feature: string, diff: number): string {
  return LABELS[feature]?.format === pct ? `${round(diff * 100)} percentage points` : formatFeature(feature, diff);
}
