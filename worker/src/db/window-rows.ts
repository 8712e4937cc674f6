// The columns of a windows row from an engine aggregate: the summary the API
// and the detectors read, beside the mergeable bytes.
import type { MetricWindowAggregate, WindowAggregate } from "../../../engine/src/index";

/** An aggregate of either kind. */
export type AnyAggregate = { kind: "events"; agg: WindowAggregate } | { kind: "metrics"; agg: MetricWindowAggregate };

const num = (v: number) => (Number.isFinite(v) ? v : null);

/**
 * Summary columns in table order: count, errors, sum, mean, stddev, min, max, last, last_ts, p50,
 * p95, p99, distinct_endpoints. Events summarise latency; metrics summarise values.
 */
export function summaryColumns(a: AnyAggregate): (number | null)[] {
  if (a.kind === "events") {
    const s = a.agg;
    const hasLatency = Number.isFinite(s.latencyMean);
    return [s.count, s.errorCount, hasLatency ? s.latencyMean * s.count : 0, num(s.latencyMean), num(s.latencyStddev), num(s.latencyMin), num(s.latencyMax), null, null, num(s.p50), num(s.p95), num(s.p99), Math.round(s.distinctEndpoints)];
  }
  const s = a.agg;
  return [s.count, 0, s.sum, num(s.mean), num(s.stddev), num(s.min), num(s.max), num(s.last), num(s.lastTimestamp), num(s.p50), num(s.p95), num(s.p99), null];
}

/** The summary column names, in `summaryColumns` order. */
export const SUMMARY_COLUMNS = ["count", "errors", "sum", "mean", "stddev", "min", "max", "last", "last_ts", "p50", "p95", "p99", "distinct_endpoints"] as const;
