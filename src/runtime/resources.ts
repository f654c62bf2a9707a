import type { Redis } from "ioredis";
import { UsageError } from "../commands/command.ts";
import { type Config, redactUrl } from "../config.ts";
import { type DatabasePool, openDatabase } from "../db/client.ts";
import { pendingMigrations } from "../db/migrate.ts";
import { ensureInstallId } from "../db/repos/app-state.ts";
import type { Logger } from "../observability/logger.ts";
import { createMetrics, type Metrics } from "../observability/metrics.ts";
import type { ReadinessCheck } from "../server/deps.ts";
import {
  claimPrefix,
  createProbeRedis,
  createProducerRedis,
  createRedis,
  PREFIX_LEASE_MS,
  PREFIX_RENEW_MS,
  redisReady,
} from "../workers/connection.ts";
import { QUEUE_NAMES } from "../workers/jobs.ts";
import { closeQueues, createQueues, type Queues } from "../workers/queues.ts";

/** The long-lived connections of one process, opened together and closed in order. */
export interface Resources {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  pool: DatabasePool;
  redis: Redis;
  probe: Redis;
  queues: Queues;
  readiness: ReadinessCheck[];
  /**
   * Resolves once the producer connection is up (enqueueing before that would
   * fail) and this install holds its Redis prefix; throws a UsageError, one line
   * to show as it is, when another install's database uses the same prefix.
   */
  ready: () => Promise<void>;
  /**
   * Calls `listener` whenever Redis may have lost what it held: a connection is
   * ready again after a loss, or the prefix's install-id key was found gone
   * (Redis restarted empty, or flushed). Work kept only in Redis must be redone.
   */
  onRedisReset: (listener: (reason: string) => void) => void;
  close: () => Promise<void>;
}

/**
 * Opens the pool, reads this database's install id (which job ids carry) and
 * opens the Redis connections. Throws a UsageError when the database has not
 * been migrated yet.
 */
export async function openResources(config: Config, logger: Logger, role: string): Promise<Resources> {
  const pool = openDatabase(config.databaseUrl, { applicationName: `runstrong-${role}` });
  let installId: string;
  try {
    installId = await ensureInstallId(pool.db);
  } catch (err) {
    await pool.close();
    // 42P01 undefined_table: app_state does not exist yet.
    if (
      (err as { cause?: { code?: string } }).cause?.code === "42P01" ||
      (err as { code?: string }).code === "42P01"
    )
      throw new UsageError(
        `database ${redactUrl(config.databaseUrl)} has no runstrong tables yet: run \`runstrong migrate\` first`,
      );
    throw err;
  }
  const redis = createRedis(config.redis.url, `runstrong-${role}`);
  const probe = createProbeRedis(config.redis.url);
  const producer = createProducerRedis(config.redis.url, `runstrong-${role}-producer`);
  const resetListeners: ((reason: string) => void)[] = [];
  const reset = (reason: string) => {
    for (const listener of resetListeners) listener(reason);
  };
  // ioredis reconnects by itself; without a listener an outage would crash the process.
  let redisDown = false;
  for (const client of [redis, probe, producer]) {
    let wasReady = false;
    client.on("error", (err: Error) => {
      if (!redisDown) logger.error({ err: err.message }, "Redis connection lost; reconnecting");
      redisDown = true;
    });
    client.on("ready", () => {
      if (redisDown) logger.info("Redis connection back");
      redisDown = false;
      // A Redis that restarted may have come back without its data.
      if (wasReady && client !== probe) reset("Redis connection ready again");
      wasReady = true;
    });
  }
  const queues = createQueues(producer, config.redis.prefix, installId);
  // Each queue re-emits its connection's errors; the listener above already says
  // Redis is away, once, where an unheard queue would print every retry to stderr.
  for (const queue of QUEUE_NAMES.map((name) => queues[name])) queue.on("error", () => {});

  // The prefix lease: claimed in ready(), renewed while the process runs.
  let renewal: NodeJS.Timeout | null = null;
  let takenBy: string | null = null;
  const renew = async () => {
    const claim = await claimPrefix(producer, config.redis.prefix, installId, PREFIX_LEASE_MS);
    if (claim.kind === "taken") {
      if (takenBy !== claim.by)
        logger.error(
          { prefix: config.redis.prefix, installId, otherInstallId: claim.by },
          "another install took this Redis prefix while this one was away from Redis",
        );
      takenBy = claim.by;
      return;
    }
    takenBy = null;
    if (claim.fresh) reset("Redis no longer held this install's keys");
  };
  const readiness: ReadinessCheck[] = [
    {
      name: "postgres",
      check: async () => {
        await pool.sql`select 1`;
      },
    },
    {
      name: "migrations",
      check: async () => {
        const pending = await pendingMigrations(pool.sql);
        if (pending > 0) throw new Error(`${pending} migration(s) not applied: run \`runstrong migrate\``);
      },
    },
    {
      name: "redis",
      check: async () => {
        if (probe.status !== "ready") throw new Error(`not connected (${probe.status})`);
        await probe.ping();
        if (takenBy !== null)
          throw new Error(`prefix "${config.redis.prefix}" is held by another install (${takenBy})`);
      },
    },
  ];
  return {
    config,
    logger,
    metrics: createMetrics(),
    pool,
    redis,
    probe,
    queues,
    readiness,
    ready: async () => {
      await redisReady(producer, 10_000);
      const claim = await claimPrefix(producer, config.redis.prefix, installId, PREFIX_LEASE_MS);
      if (claim.kind === "taken")
        throw new UsageError(
          `Redis prefix "${config.redis.prefix}" (REDIS_PREFIX, at ${redactUrl(config.redis.url)}) is in use by another install (install id ${claim.by}; this database's is ${installId}): give each install its own REDIS_PREFIX, or stop the other one and start this one ${PREFIX_LEASE_MS / 1000} s later`,
        );
      renewal ??= setInterval(() => {
        // While Redis is away the renewal fails; the connection's error handler says so.
        renew().catch(() => {});
      }, PREFIX_RENEW_MS);
      renewal.unref();
    },
    onRedisReset: (listener) => {
      resetListeners.push(listener);
    },
    close: async () => {
      if (renewal) clearInterval(renewal);
      await closeQueues(queues).catch((err: Error) => logger.warn({ err: err.message }, "closing queues"));
      redis.disconnect();
      probe.disconnect();
      producer.disconnect();
      await pool.close();
    },
  };
}
