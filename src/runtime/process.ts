import type { Config } from "../config.ts";
import type { Logger } from "../observability/logger.ts";
import { createApp } from "../server/app.ts";
import { startWorkers } from "../workers/run-workers.ts";
import { registerSchedules } from "../workers/schedules.ts";
import { untilSignal } from "./bootstrap.ts";
import { listen } from "./http.ts";
import { openResources } from "./resources.ts";

/**
 * Runs HTTP, workers or both until SIGTERM/SIGINT, then stops in order: stop
 * accepting requests and jobs, let what is in flight finish (workers get the
 * shutdown budget, 10 s by default), close queues, then the pools.
 */
export async function runService(
  config: Config,
  logger: Logger,
  parts: { http: boolean; workers: boolean },
): Promise<number> {
  const res = openResources(
    config,
    logger,
    parts.http && parts.workers ? "all" : parts.http ? "http" : "worker",
  );
  await res.ready();
  const now = () => new Date();
  const server = parts.http
    ? await listen(
        createApp({
          config,
          db: res.pool.db,
          queues: res.queues,
          logger,
          metrics: res.metrics,
          readiness: res.readiness,
          now,
        }),
        config.http.port,
        config.http.host,
      )
    : null;
  if (server) logger.info({ port: server.port, url: config.http.publicUrl }, "listening");
  let workers = null;
  if (parts.workers) {
    workers = startWorkers(
      { config, db: res.pool.db, queues: res.queues, logger, now },
      {
        connection: res.redis,
        prefix: config.redis.prefix,
        concurrency: config.workers.concurrency,
        metrics: res.metrics,
      },
    );
    await registerSchedules(res.queues, { db: res.pool.db, logger });
    logger.info(
      { queues: workers.workers.map((w) => w.name), concurrency: config.workers.concurrency },
      "workers running",
    );
  }

  await untilSignal(logger);
  const started = Date.now();
  const hardStop = setTimeout(() => {
    logger.error({ ms: config.workers.shutdownTimeoutMs + 2_000 }, "shutdown took too long; exiting");
    process.exit(1);
  }, config.workers.shutdownTimeoutMs + 2_000);
  hardStop.unref();
  await Promise.all([server?.close(), workers?.close(config.workers.shutdownTimeoutMs)]);
  await res.close();
  clearTimeout(hardStop);
  logger.info({ ms: Date.now() - started }, "stopped");
  return 0;
}
