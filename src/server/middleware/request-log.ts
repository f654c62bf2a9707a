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
    // Probes and scrapes would drown the log at info level, and so would a hot route
    // that keeps its own record of each success (the webhook inbox); failures and
    // refusals stay at info.
    const quiet =
      route === "/healthz" ||
      route === "/readyz" ||
      route === "/metrics" ||
      (c.get("quietRequestLog") === true && c.res.status < 400);
    logger[quiet ? "debug" : "info"](
      { requestId, method: c.req.method, route, status: c.res.status, ms: Math.round(ms * 10) / 10 },
      "request",
    );
  };
}
