// Daily: delete windows past their retention. Rollups are kept longer than
// 1-minute rows; anomalies and resolved incidents follow the longest.

/** Ledger rows are needed only while the queue could still redeliver their message. */
const LEDGER_DAYS = 15;

/** Retention per resolution in days, from the Worker's vars. */
export function retentionDays(env: Env): Record<number, number> {
  return {
    60_000: Number(env.RETENTION_1M_DAYS || 8),
    300_000: Number(env.RETENTION_5M_DAYS || 35),
    3_600_000: Number(env.RETENTION_1H_DAYS || 400),
  };
}

/** Applies retention; returns rows deleted per table. */
export async function applyRetention(env: Env, now = Date.now()): Promise<Record<string, number>> {
  const days = retentionDays(env);
  const deleted: Record<string, number> = {};
  for (const [resolution, d] of Object.entries(days)) {
    const r = await env.DB.prepare("DELETE FROM windows WHERE resolution = ? AND start < ?").bind(Number(resolution), now - d * 86_400_000).run();
    deleted[`windows_${resolution}`] = r.meta.changes ?? 0;
  }
  const longest = Math.max(...Object.values(days)) * 86_400_000;
  const a = await env.DB.prepare("DELETE FROM anomalies WHERE window_start < ?").bind(now - longest).run();
  const i = await env.DB.prepare("DELETE FROM incidents WHERE status = 'resolved' AND resolved_at < ?").bind(now - longest).run();
  // A queue keeps a message at most 14 days, so no redelivery can come later than that.
  const l = await env.DB.prepare("DELETE FROM ingest_ledger WHERE applied_at < ?").bind(now - LEDGER_DAYS * 86_400_000).run();
  deleted.anomalies = a.meta.changes ?? 0;
  deleted.incidents = i.meta.changes ?? 0;
  deleted.ingest_ledger = l.meta.changes ?? 0;
  return deleted;
}
