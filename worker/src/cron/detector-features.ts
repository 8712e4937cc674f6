// The window features the streaming detectors score, per kind of series: the
// Worker's minute cron and the window model's evaluation read them from here,
// so both run the same detector.

/** Features scored for every service (events). */
export const TRAFFIC_FEATURES = ["count", "error_rate", "distinct_endpoints"] as const;
/** Features added for a service whose events carry latency. */
export const LATENCY_FEATURES = ["latency_mean", "latency_p95", "latency_p99"] as const;
/** Features scored for a metric series. */
export const METRIC_FEATURES = ["value_mean", "value_max"] as const;
