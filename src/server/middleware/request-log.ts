import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Logger } from "../../observability/logger.ts";
import type { Metrics } from "../../observability/metrics.ts";

/** One log line and one latency sample per request, labelled by route pattern, not raw path. */
export function requestLog(logger: Logger, metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    const requestId = c.get("requestId") as string;
    c.set("logger", logger.child({ requestId }));
    await next();
    const ms = performance.now() - started;
    const route = routePath(c) ?? "unmatched";
    metrics.httpDuration.observe({ method: c.req.method, route, status: String(c.res.status) }, ms / 1000);
    // Probes and scrapes would drown the log at info level.
    const quiet = route === "/healthz" || route === "/readyz" || route === "/metrics";
    logger[quiet ? "debug" : "info"](
      { requestId, method: c.req.method, route, status: c.res.status, ms: Math.round(ms * 10) / 10 },
      "request",
    );
  };
}
