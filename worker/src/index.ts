// The Worker's handler object: HTTP through Hono, and the queue consumers.
import { app } from "./app";
import { runScheduled } from "./cron/scheduled";
import { handleAlertsBatch } from "./queue/alerts-consumer";
import { handleDeadLetters } from "./queue/dead-letter";
import { handleIngestBatch } from "./queue/ingest-consumer";

export type { AppType } from "./app";

export default {
  fetch: app.fetch,
  async queue(batch, env, _ctx) {
    if (batch.queue.endsWith("-dlq")) return handleDeadLetters(batch, env);
    if (batch.queue === "helios-ingest") return handleIngestBatch(batch, env);
    if (batch.queue === "helios-alerts") return handleAlertsBatch(batch, env);
    throw new Error(`no consumer for queue ${batch.queue}`);
  },
  async scheduled(controller, env, _ctx) {
    try {
      await runScheduled(controller, env);
    } catch (err) {
      console.error(`cron "${controller.cron}" failed`, err);
      throw err;
    }
  },
} satisfies ExportedHandler<Env>;
