// Per test file: a fresh database from the migrations, a Redis key prefix of its
// own, the config pointing at both, and cleanup of all of it when the file ends.
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { Redis } from "ioredis";
import { afterAll } from "vitest";
import { type Config, loadConfig } from "../../src/config.ts";
import { type DatabasePool, openDatabase } from "../../src/db/client.ts";
import { ensureInstallId } from "../../src/db/repos/app-state.ts";
import { createLogger, type Logger } from "../../src/observability/logger.ts";
import { createMetrics, type Metrics } from "../../src/observability/metrics.ts";
import { createApp } from "../../src/server/app.ts";
import { createRedis } from "../../src/workers/connection.ts";
import type { JobContext, WorkerDeps } from "../../src/workers/context.ts";
import { closeQueues, createQueues, type Queues } from "../../src/workers/queues.ts";
import { createTestDatabase, REDIS_URL } from "./databases.ts";

export interface TestEnv {
  config: Config;
  pool: DatabasePool;
  redis: Redis;
  queues: Queues;
  prefix: string;
  logger: Logger;
  /** every log line written during the file, parsed */
  logs: Record<string, unknown>[];
  metrics: Metrics;
}

export function testConfig(env: Record<string, string>): Config {
  return loadConfig({
    NODE_ENV: "test",
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    SESSION_SECRET: randomBytes(32).toString("base64url"),
    LOG_LEVEL: "debug",
    ...env,
  });
}

/** Call at the top of a test file (or describe); the cleanup is registered with afterAll. */
export async function useTestEnv(env: Record<string, string> = {}): Promise<TestEnv> {
  const database = await createTestDatabase();
  const prefix = `rstest-${randomBytes(5).toString("hex")}`;
  const config = testConfig({ DATABASE_URL: database.url, REDIS_URL, REDIS_PREFIX: prefix, ...env });
  const pool = openDatabase(database.url, { max: 5 });
  const redis = createRedis(REDIS_URL, "runstrong-test");
  const queues = createQueues(redis, prefix, await ensureInstallId(pool.db));
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger({ level: "debug" }, sink);
  afterAll(async () => {
    await closeQueues(queues);
    await deleteKeys(redis, prefix);
    redis.disconnect();
    await pool.close();
    await database.drop();
  });
  return {
    config,
    pool,
    redis,
    queues,
    prefix,
    logger,
    logs,
    metrics: createMetrics({ defaultMetrics: false }),
  };
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
}

export function separateRedis(url: string = REDIS_URL): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** The real HTTP app on this file's database, queues and logs; no readiness checks. */
export function testApp(env: TestEnv, now: () => Date = () => new Date()) {
  return createApp({
    config: env.config,
    db: env.pool.db,
    queues: env.queues,
    logger: env.logger,
    metrics: env.metrics,
    readiness: [],
    now,
  });
}

/** What a job handler gets, on this file's database, queues and logs, with the clock `now`. */
export function workerDeps(env: TestEnv, now: () => Date = () => new Date()): WorkerDeps {
  return { config: env.config, db: env.pool.db, queues: env.queues, logger: env.logger, now };
}

/** A job handler's context outside a worker: the first attempt of job `jobId`. */
export function jobContext(env: TestEnv, jobId = "test"): JobContext {
  return { jobId, attempt: 1, logger: env.logger };
}
