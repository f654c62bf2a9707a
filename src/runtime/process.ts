import type { Config } from "../config.ts";
import type { Logger } from "../observability/logger.ts";
import { createApp } from "../server/app.ts";
import { keepOutboxSwept, type OutboxSweeper } from "../workers/outbox.ts";
import { startWorkers } from "../workers/run-workers.ts";
import { keepSchedulesRegistered, registerSchedules, type SchedulesKeeper } from "../workers/schedules.ts";
import { untilSignal } from "./bootstrap.ts";
import { listen } from "./http.ts";
import { openResources } from "./resources.ts";
import { guardUncaughtExceptions } from "./uncaught.ts";

export interface RunningService {
  /** the HTTP port, when serving */
  port: number | null;
  /** stop accepting requests and jobs, let what is in flight finish, then close everything */
  stop: () => Promise<void>;
}

/**
 * Starts HTTP, workers or both. A worker process registers the job schedulers,
 * and registers them again whenever Redis may have lost them, so the sweeps that
 * queue what Postgres holds and Redis forgot keep running without a restart.
 * Throws a UsageError (one line to show) when this install may not start.
 */
export async function startService(
  config: Config,
  logger: Logger,
  parts: { http: boolean; workers: boolean },
): Promise<RunningService> {
  const res = await openResources(
    config,
    logger,
    parts.http && parts.workers ? "all" : parts.http ? "http" : "worker",
  );
  try {
    await res.ready();
  } catch (err) {
    await res.close();
    throw err;
  }
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
  let keeper: SchedulesKeeper | null = null;
  let outboxSweeper: OutboxSweeper | null = null;
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
    const register = () =>
      registerSchedules(
        res.queues,
        { db: res.pool.db, logger },
        { inboxSweepEveryMs: config.workers.inboxSweepEveryMs },
      );
    await register();
    const kept = keepSchedulesRegistered(register, logger);
    res.onRedisReset((reason) => kept.trigger(reason));
    // Follow-ups (re-plans) stored while Redis was away are queued as soon as it is back.
    const swept = keepOutboxSwept({ config, db: res.pool.db, queues: res.queues, logger, now });
    swept.trigger("start");
    res.onRedisReset((reason) => swept.trigger(reason));
    outboxSweeper = swept;
    keeper = kept;
    logger.info(
      { queues: workers.workers.map((w) => w.name), concurrency: config.workers.concurrency },
      "workers running",
    );
  }
  return {
    port: server?.port ?? null,
    stop: async () => {
      await Promise.all([server?.close(), workers?.close(config.workers.shutdownTimeoutMs)]);
      await keeper?.stop();
      await outboxSweeper?.stop();
      await res.close();
    },
  };
}

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
  // An uncaught exception is logged as one fatal line, then ends the process (exit 1).
  guardUncaughtExceptions(logger);
  const service = await startService(config, logger, parts);
  await untilSignal(logger);
  const started = Date.now();
  const hardStop = setTimeout(() => {
    logger.error({ ms: config.workers.shutdownTimeoutMs + 2_000 }, "shutdown took too long; exiting");
    process.exit(1);
  }, config.workers.shutdownTimeoutMs + 2_000);
  hardStop.unref();
  await service.stop();
  clearTimeout(hardStop);
  logger.info({ ms: Date.now() - started }, "stopped");
  return 0;
}
