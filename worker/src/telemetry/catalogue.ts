// Every metric /metrics exposes: its type and help text. Counters are stored
// in D1 (telemetry/counters.ts); gauges are computed from current state.

/** A metric family's metadata for the exposition format. */
export interface MetricInfo {
  type: "counter" | "gauge";
  help: string;
}

/** The catalogue; /metrics prints HELP and TYPE for each family from here. */
export const METRICS: Record<string, MetricInfo> = {
  helios_http_requests_total: { type: "counter", help: "HTTP requests answered, by route and status class." },
  helios_ingest_accepted_total: { type: "counter", help: "Items accepted onto the ingest queue, by kind." },
  helios_ingest_rejected_total: { type: "counter", help: "Items rejected at ingestion, by kind and reason." },
  helios_ingest_enqueue_failures_total: { type: "counter", help: "Requests answered 503 because the queue refused." },
  helios_ingest_stored_total: { type: "counter", help: "Items merged into stored windows by the ingest consumer, by kind." },
  helios_queue_messages_total: { type: "counter", help: "Ingest queue messages handled, by outcome (applied, duplicate, retried, poison)." },
  helios_queue_batches_total: { type: "counter", help: "Ingest queue batches delivered to the consumer." },
  helios_alerts_messages_total: { type: "counter", help: "Alerts queue messages handled, by outcome (grouped, duplicate, notified, no_webhook, webhook_retry, retry, poison)." },
  helios_windows_closed_total: { type: "counter", help: "1-minute windows closed past the watermark and handed to scoring." },
  helios_anomalies_total: { type: "counter", help: "Anomalies detected in closed windows, by severity." },
  helios_anomaly_score: { type: "gauge", help: "Combined anomaly score of each service's latest scored window, in [0, 1]." },
  helios_recommended_replicas: { type: "gauge", help: "Replicas Helios recommends now, per tenant and workload (for KEDA and dashboards)." },
  helios_current_replicas: { type: "gauge", help: "Replicas the workload reported running when last recommended." },
  helios_dead_lettered_total: { type: "counter", help: "Messages that reached a dead-letter queue, by queue." },
};
