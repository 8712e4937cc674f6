// The Worker's handler object: HTTP through Hono.

import { Hono } from "hono";
import { getEngine } from "./engine";

const app = new Hono<{ Bindings: Env }>();

app.get("/health", async (c) => {
  const engine = await getEngine();
  return c.json({ status: "ok", engine: { version: engine.version } });
});

/** The app's type, for the dashboard's typed client (`hc<AppType>`). */
export type AppType = typeof app;

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
