// The real stack a benchmark runs on, built for the run and removed after it even
// when the run fails: a throwaway Postgres database from the migrations, a Redis
// key prefix of its own, and a config that points at both with secrets of its own.
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { type Config, loadConfig } from "../src/config.ts";
import { type DatabasePool, openDatabase } from "../src/db/client.ts";
import { ensureDatabase, runMigrations } from "../src/db/migrate.ts";
import { createRedis } from "../src/workers/connection.ts";
import { closeQueues, createQueues, type Queues } from "../src/workers/queues.ts";

export interface BenchStack {
  config: Config;
  /** the app's pool, as one production process opens it */
  pool: DatabasePool;
  /** the connection the queues are built on */
  redis: Redis;
  queues: Queues;
  prefix: string;
  /** the environment the config was read from: what a spawned `runstrong` process needs to join this stack */
  env: Record<string, string>;
}

/**
 * Runs `run` on a fresh stack. `env` adds to (and overrides) the environment the
 * config is read from. Afterwards the queues are closed, every key under the
 * prefix deleted and the database dropped; each step is tried even when an
 * earlier one failed.
 */
export async function withBenchStack<T>(
  env: Record<string, string>,
  run: (stack: BenchStack) => Promise<T>,
): Promise<T> {
  const base = loadConfig(process.env);
  const dbName = `runstrong_bench_${randomBytes(4).toString("hex")}`;
  const dbUrl = new URL(base.databaseUrl);
  dbUrl.pathname = `/${dbName}`;
  const prefix = `rsbench-${randomBytes(4).toString("hex")}`;
  const stackEnv: Record<string, string> = {
    NODE_ENV: "development",
    DATABASE_URL: dbUrl.toString(),
    REDIS_PREFIX: prefix,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    SESSION_SECRET: randomBytes(32).toString("base64url"),
    ...env,
  };
  const config = loadConfig({ ...process.env, ...stackEnv });

  await ensureDatabase(config.databaseUrl);
  const pool = openDatabase(config.databaseUrl, { applicationName: "runstrong-bench" });
  const redis = createRedis(config.redis.url, "runstrong-bench");
  // A database of its own each run: any install id will do.
  const queues = createQueues(redis, prefix, randomBytes(8).toString("hex"));
  const problems: unknown[] = [];
  const attempt = async (step: () => Promise<unknown>) => {
    try {
      await step();
    } catch (err) {
      problems.push(err);
    }
  };
  try {
    await runMigrations(pool);
    return await run({ config, pool, redis, queues, prefix, env: stackEnv });
  } finally {
    await attempt(() => closeQueues(queues));
    await attempt(() => deleteKeys(redis, prefix));
    redis.disconnect();
    await attempt(() => pool.close());
    await attempt(() => dropDatabase(config.databaseUrl, dbName));
    for (const err of problems)
      process.stderr.write(`bench clean-up: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
}

async function dropDatabase(url: string, name: string): Promise<void> {
  const adminUrl = new URL(url);
  adminUrl.pathname = "/postgres";
  const admin = openDatabase(adminUrl.toString(), { max: 1 });
  try {
    await admin.sql.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.close();
  }
}
