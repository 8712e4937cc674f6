// The scheduled handler: which jobs each cron trigger runs.
import { getEngine } from "../engine";
import { resolveStaleIncidents } from "../queue/alerts-consumer";
import { bump } from "../telemetry/counters";
import { closeWindows } from "./close-windows";
import { refreshRecommendations } from "./recommendations";
import { applyRetention } from "./retention";

/** Runs the jobs of `controller.cron`. */
export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const now = controller.scheduledTime;
  const engine = await getEngine();
  switch (controller.cron) {
    case "* * * * *": {
      const closed = await closeWindows(env, engine, now);
      await resolveStaleIncidents(env, now);
      await bump(env.DB, [{ name: "helios_windows_closed_total", by: closed.length }]);
      return;
    }
    case "*/15 * * * *": {
      await refreshRecommendations(env, engine, now);
      return;
    }
    case "30 3 * * *": {
      await applyRetention(env, now);
      return;
    }
    default:
      return;
  }
}
