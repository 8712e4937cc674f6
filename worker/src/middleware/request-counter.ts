// Counts every answered request by route and status class, written after the
// response is sent together with the other requests' increments (bumpSoon).
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import { bumpSoon } from "../telemetry/counters";
import type { AppEnv } from "../types";

/** Counts requests into helios_http_requests_total without delaying the response. */
export const requestCounter = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  // The last matched route is the handler that answered; this middleware alone means no route matched.
  const routes = matchedRoutes(c);
  const route = routes.length > 1 ? routes[routes.length - 1]!.path : "unmatched";
  const status = `${Math.floor(c.res.status / 100)}xx`;
  bumpSoon(c.executionCtx, c.env.DB, [{ name: "helios_http_requests_total", labels: { route, status }, by: 1 }]);
});
