// The HTTP application: every route, and the one error handler that turns
// anything thrown into the JSON error envelope.
import { Hono } from "hono";
import { ApiError, toEnvelope } from "./errors";
import { requestCounter } from "./middleware/request-counter";
import { healthRoutes } from "./routes/health";
import { prometheusRoute } from "./routes/prometheus";
import { eventsRoute, metricsRoute } from "./routes/ingest";
import { anomaliesRoutes, incidentsRoutes } from "./routes/incidents";
import { detectRoute } from "./routes/detect";
import { overviewRoute } from "./routes/overview";
import { forecastsRoute, predictRoute } from "./routes/predict";
import { recommendationsRoute, recommendRoute } from "./routes/recommend";
import { modelsRoutes } from "./routes/models";
import { seriesRoutes } from "./routes/series";
import type { AppEnv } from "./types";

const api = new Hono<AppEnv>()
  .route("/events", eventsRoute)
  .route("/metrics", metricsRoute)
  .route("/overview", overviewRoute)
  .route("/series", seriesRoutes)
  .route("/anomalies", anomaliesRoutes)
  .route("/incidents", incidentsRoutes)
  .route("/predict", predictRoute)
  .route("/detect", detectRoute)
  .route("/forecasts", forecastsRoute)
  .route("/recommend", recommendRoute)
  .route("/recommendations", recommendationsRoute)
  .route("/models", modelsRoutes);

/** The Worker's Hono app. */
export const app = new Hono<AppEnv>()
  .use(requestCounter)
  .route("/", healthRoutes)
  .route("/", prometheusRoute)
  .route("/api/v1", api)
  .notFound((c) => {
    const { status, body } = toEnvelope(new ApiError(404, "not_found", `no route for ${c.req.method} ${c.req.path}`));
    return c.json(body, status);
  })
  .onError((err, c) => {
    const { status, body } = toEnvelope(err);
    if (status >= 500) console.error(`${c.req.method} ${c.req.path} failed`, err);
    return c.json(body, status);
  });

/** The app's type, for the dashboard's typed client (`hc<AppType>`). */
export type AppType = typeof app;
