import type { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";

const STATES = ["waiting", "active", "delayed", "failed", "completed", "prioritized"] as const;

/** Prometheus scrape endpoint; queue depth is read from Redis at scrape time. */
export function registerMetrics(
  app: Hono<AppEnv>,
  deps: Pick<AppDeps, "metrics" | "queues" | "logger">,
): void {
  app.get("/metrics", async (c) => {
    await Promise.all(
      Object.entries(deps.queues).map(async ([name, queue]) => {
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
