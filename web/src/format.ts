// Formatting for the dashboard: numbers in the units an SRE reads.

/** Milliseconds as "840 ms" or "1.2 s"; "–" when unknown. */
export function formatMs(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  return v >= 1000 ? `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)} s` : `${Math.round(v)} ms`;
}

/** A ratio as a percentage with sensible precision. */
export function formatPercent(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  const p = v * 100;
  return `${p >= 10 || p === 0 ? p.toFixed(0) : p.toFixed(1)}%`;
}

/** A count or value, compact. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  if (a >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return v.toPrecision(3);
}

/** Severity class of a combined score (the engine's thresholds: 0.5, 0.7, 0.9). */
export function scoreClass(score: number | null): string {
  if (score === null) return "";
  if (score >= 0.9) return "sev-critical";
  if (score >= 0.7) return "sev-high";
  if (score >= 0.5) return "sev-medium";
  return "sev-low";
}

/** An SVG polyline path for a sparkline of `values` in a w x h box. */
export function sparkPath(values: readonly number[], w: number, h: number): string {
  if (values.length === 0) return "";
  const max = Math.max(...values, 1e-9);
  const step = values.length > 1 ? w / (values.length - 1) : 0;
  return values.map((v, i) => `${(i * step).toFixed(1)},${(h - (v / max) * (h - 2) - 1).toFixed(1)}`).join(" ");
}
