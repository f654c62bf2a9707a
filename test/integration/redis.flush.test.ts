// Redis loses everything while the workers run (FLUSHDB on a Redis of our own):
// the jobs, the job schedulers with the minutely inbox sweep among them, the
// prefix's install-id key. The worker process notices the key gone, registers its
// schedulers again, and the sweep queues every event Postgres still holds as
// "received": all acknowledged events end imported, no process restarted.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { inArray } from "drizzle-orm";
import { Redis } from "ioredis";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import type { Config } from "../../src/config.ts";
import { ensureInstallId } from "../../src/db/repos/app-state.ts";
import { activities } from "../../src/db/schema/index.ts";
import { startService } from "../../src/runtime/process.ts";
import { createApp } from "../../src/server/app.ts";
import { allQueues } from "../../src/server/deps.ts";
import { createProducerRedis, redisReady } from "../../src/workers/connection.ts";
import { closeQueues, createQueues } from "../../src/workers/queues.ts";
import {
  deliverStravaEvent,
  detailedActivity,
  STRAVA_TEST_ENV,
  seedStravaAthlete,
  stravaEvent,
  useStravaFake,
} from "../support/strava-fake.ts";
import { testConfig, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ ...STRAVA_TEST_ENV });
const fake = useStravaFake();

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A Redis of our own, without persistence, so flushing or restarting it touches nobody else's keys. */
async function privateRedis(): Promise<{
  url: string;
  client: Redis;
  stop: () => Promise<void>;
  start: () => Promise<void>;
}> {
  const port = await freePort();
  let proc: ChildProcess | null = null;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once("exit", () => resolve());
      proc.kill("SIGKILL");
    });
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
  client.on("error", () => {});
  const start = async () => {
    proc = spawn(
      "redis-server",
      ["--port", String(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
      { stdio: "ignore" },
    );
    await redisReady(client, 5_000);
  };
  onTestFinished(async () => {
    client.disconnect();
    await stop();
  });
  await start();
  return { url, client, stop, start };
}

/** The `serve` side: the webhook on its own producer connection and queues. */
async function webhookApp(config: Config, url: string) {
  const producer = createProducerRedis(url, "test-serve");
  producer.on("error", () => {});
  onTestFinished(() => producer.disconnect());
  await redisReady(producer, 5_000);
  const queues = createQueues(producer, config.redis.prefix, await ensureInstallId(env.pool.db));
  for (const q of allQueues(queues)) q.on("error", () => {});
  onTestFinished(() => closeQueues(queues).catch(() => {}));
  return createApp({
    config,
    db: env.pool.db,
    queues,
    logger: env.logger,
    metrics: env.metrics,
    readiness: [],
    now: () => new Date(),
  });
}

function configOn(url: string): Config {
  return testConfig({
    ...STRAVA_TEST_ENV,
    DATABASE_URL: env.config.databaseUrl,
    REDIS_URL: url,
    REDIS_PREFIX: env.prefix,
    TOKEN_ENCRYPTION_KEY: env.config.secrets.tokenEncryptionKey.toString("base64"),
    INBOX_SWEEP_EVERY_MS: "1000",
  });
}

async function importedCount(ids: number[]): Promise<number> {
  const rows = await env.pool.db
    .select({ externalId: activities.externalId })
    .from(activities)
    .where(inArray(activities.externalId, ids.map(String)));
  return rows.length;
}

const registeredBecause = (reason: string) =>
  env.logs.some((l) => l.msg === "job schedulers registered" && l.reason === reason);

describe("Redis flushed while the workers run", () => {
  it("imports every acknowledged event without restarting a process", async () => {
    const redis = await privateRedis();
    const config = configOn(redis.url);
    const worker = await startService(config, env.logger, { http: false, workers: true });
    onTestFinished(() => worker.stop());
    const app = await webhookApp(config, redis.url);

    await seedStravaAthlete(env, { ownerId: 4301 });
    const ids = Array.from({ length: 24 }, (_, i) => 9_301 + i);
    for (const id of ids) fake.activities.set(String(id), detailedActivity({ id, athleteId: 4301 }));
    // A just-uploaded activity answers 404 once: its job waits 15 s in Redis, delayed.
    const beforeFlush = ids.slice(0, 12);
    for (const id of beforeFlush.filter((_, i) => i % 3 === 0)) fake.notFoundFor.set(String(id), 1);

    for (const id of beforeFlush)
      await deliverStravaEvent(app, env.pool.db, stravaEvent({ objectId: id, ownerId: 4301 }));
    await vi.waitFor(
      () => expect(fake.count("GET", /^\/activities\/\d+$/)).toBeGreaterThanOrEqual(beforeFlush.length),
      { timeout: 10_000, interval: 50 },
    );
    await redis.client.flushdb();
    for (const id of ids.slice(12))
      await deliverStravaEvent(app, env.pool.db, stravaEvent({ objectId: id, ownerId: 4301 }));

    await vi.waitFor(async () => expect(await importedCount(ids)).toBe(ids.length), {
      timeout: 30_000,
      interval: 200,
    });
    expect(registeredBecause("Redis no longer held this install's keys")).toBe(true);
  });
});

describe("Redis down, and back without its data", () => {
  it("imports the events acknowledged while it was away once it is back, without restarting a process", async () => {
    const redis = await privateRedis();
    const config = configOn(redis.url);
    const worker = await startService(config, env.logger, { http: false, workers: true });
    onTestFinished(() => worker.stop());
    const app = await webhookApp(config, redis.url);
    await seedStravaAthlete(env, { ownerId: 4401 });
    const ids = Array.from({ length: 10 }, (_, i) => 9_401 + i);
    for (const id of ids) fake.activities.set(String(id), detailedActivity({ id, athleteId: 4401 }));

    await redis.stop();
    // Stored and acknowledged; the enqueue fails at once and is left to the sweep.
    for (const id of ids)
      await deliverStravaEvent(app, env.pool.db, stravaEvent({ objectId: id, ownerId: 4401 }));
    await redis.start();

    await vi.waitFor(async () => expect(await importedCount(ids)).toBe(ids.length), {
      timeout: 30_000,
      interval: 200,
    });
    expect(registeredBecause("Redis connection ready again")).toBe(true);
  });
});
