// The Worker's handler object: HTTP through Hono; queue consumers and cron
// triggers join it as the pipeline grows.
import { app } from "./app";

export type { AppType } from "./app";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
