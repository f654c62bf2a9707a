import type { Redis } from "ioredis";
import type { Config } from "../config.ts";
import { type DatabasePool, openDatabase } from "../db/client.ts";
import { pendingMigrations } from "../db/migrate.ts";
import type { Logger } from "../observability/logger.ts";
import { createMetrics, type Metrics } from "../observability/metrics.ts";
import type { ReadinessCheck } from "../server/deps.ts";
import { createProbeRedis, createProducerRedis, createRedis, redisReady } from "../workers/connection.ts";
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
  /** resolves once the producer connection is up: enqueueing before that would fail */
  ready: () => Promise<void>;
  close: () => Promise<void>;
}

export function openResources(config: Config, logger: Logger, role: string): Resources {
  const pool = openDatabase(config.databaseUrl, { applicationName: `runstrong-${role}` });
  const redis = createRedis(config.redis.url, `runstrong-${role}`);
  const probe = createProbeRedis(config.redis.url);
  const producer = createProducerRedis(config.redis.url, `runstrong-${role}-producer`);
  // ioredis reconnects by itself; without a listener an outage would crash the process.
  let redisDown = false;
  for (const client of [redis, probe, producer]) {
    client.on("error", (err: Error) => {
      if (!redisDown) logger.error({ err: err.message }, "Redis connection lost; reconnecting");
      redisDown = true;
    });
    client.on("ready", () => {
      if (redisDown) logger.info("Redis connection back");
      redisDown = false;
    });
  }
  const queues = createQueues(producer, config.redis.prefix);
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
    ready: () => redisReady(producer, 10_000),
    close: async () => {
      await closeQueues(queues).catch((err: Error) => logger.warn({ err: err.message }, "closing queues"));
      redis.disconnect();
      probe.disconnect();
      producer.disconnect();
      await pool.close();
    },
  };
}
