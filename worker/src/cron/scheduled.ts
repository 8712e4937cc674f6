// The scheduled handler: which jobs each cron trigger runs.
import { getEngine } from "../engine";
import { resolveStaleIncidents } from "../queue/alerts-consumer";
import { bump } from "../telemetry/counters";
import { closeWindows } from "./close-windows";
import { refreshForecasts } from "./forecasts";
import { refitForests } from "./forests";
import { refreshRecommendations } from "./recommendations";
import { applyRetention } from "./retention";
import { scoreWindows } from "./score-windows";

/** Runs the jobs of `controller.cron`. */
export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const now = controller.scheduledTime;
  const engine = await getEngine();
  switch (controller.cron) {
    case "* * * * *": {
      const closed = await closeWindows(env, engine, now);
      const anomalies = await scoreWindows(env, engine, closed, now);
      await resolveStaleIncidents(env, now);
      const bySeverity = new Map<string, number>();
      for (const a of anomalies) bySeverity.set(a.severity, (bySeverity.get(a.severity) ?? 0) + 1);
      await bump(env.DB, [
        { name: "helios_windows_closed_total", by: closed.length },
        ...[...bySeverity].map(([severity, by]) => ({ name: "helios_anomalies_total", labels: { severity }, by })),
      ]);
      return;
    }
    case "*/15 * * * *": {
      await refreshForecasts(env, engine, now);
      await refreshRecommendations(env, engine, now);
      return;
    }
    case "30 3 * * *": {
      await applyRetention(env, now);
      await refitForests(env, engine, now);
      return;
    }
    default:
      return;
  }
}
