// Renders counters and gauges in the Prometheus text exposition format
// (version 0.0.4): one HELP and TYPE line per family, then its samples.
import { METRICS } from "./catalogue";

/** One sample: family name, rendered labels (`a="x"`, may be empty) and value. */
export interface Sample {
  name: string;
  labels: string;
  value: number;
}

/** The content type Prometheus expects for this format. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Renders samples grouped by family, families in catalogue order; unknown names are skipped. */
export function renderExposition(samples: Sample[]): string {
  const byFamily = new Map<string, Sample[]>();
  for (const s of samples) {
    if (!METRICS[s.name]) continue;
    const list = byFamily.get(s.name) ?? [];
    list.push(s);
    byFamily.set(s.name, list);
  }
  const lines: string[] = [];
  for (const [name, info] of Object.entries(METRICS)) {
    lines.push(`# HELP ${name} ${info.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
    lines.push(`# TYPE ${name} ${info.type}`);
    const list = (byFamily.get(name) ?? []).sort((a, b) => (a.labels < b.labels ? -1 : a.labels > b.labels ? 1 : 0));
    for (const s of list) lines.push(`${name}${s.labels ? `{${s.labels}}` : ""} ${formatValue(s.value)}`);
  }
  return `${lines.join("\n")}\n`;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}
