import type { Hono } from "hono";
import { type AppDeps, type AppEnv, allQueues } from "../deps.ts";
import { errorBody } from "../errors.ts";
import { BEARER_CHALLENGE, checkBearer, operatorTokens } from "../middleware/bearer-token.ts";

const STATES = ["waiting", "active", "delayed", "failed", "completed", "prioritized"] as const;

/**
 * Prometheus scrape endpoint, behind METRICS_TOKEN or ADMIN_TOKEN as a bearer
 * token (Prometheus: `authorization: { credentials: ... }`): route names, job
 * counts and queue depth describe the install and its traffic. Queue depth is
 * read from Redis at scrape time.
 */
export function registerMetrics(
  app: Hono<AppEnv>,
  deps: Pick<AppDeps, "metrics" | "queues" | "logger" | "config">,
): void {
  const tokens = operatorTokens(deps.config);
  app.get("/metrics", async (c) => {
    if (tokens.length === 0)
      return errorBody(
        c,
        "not_found",
        "metrics are off: set METRICS_TOKEN and scrape with it as a bearer token",
      );
    if (checkBearer(c, tokens) !== "valid") {
      c.header("WWW-Authenticate", BEARER_CHALLENGE);
      return errorBody(
        c,
        "unauthorized",
        "metrics need Authorization: Bearer <METRICS_TOKEN or ADMIN_TOKEN>",
      );
    }
    await Promise.all(
      allQueues(deps.queues).map(async (queue) => {
        const name = queue.name;
        try {
          const counts = await queue.getJobCounts(...STATES);
          for (const state of STATES) deps.metrics.queueDepth.set({ queue: name, state }, counts[state] ?? 0);
        } catch (err) {
          // Redis away: the scrape still answers with what it has; /readyz reports the outage.
          deps.logger.debug({ queue: name, err: (err as Error).message }, "queue depth unavailable");
        }
      }),
    );
    return c.body(await deps.metrics.registry.metrics(), 200, {
      "content-type": deps.metrics.registry.contentType,
    });
  });
}
