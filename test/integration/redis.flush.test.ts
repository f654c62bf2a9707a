// Redis loses everything while the workers run (FLUSHDB on a Redis of our own):
// the jobs, the job schedulers with the minutely inbox sweep among them, the
// prefix's install-id key. The worker process notices the key gone, registers its
// schedulers again, and the sweep queues every event Postgres still holds as
// "received": all acknowledged events end imported, no process restarted.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { inArray } from "drizzle-orm";
import { Redis } from "ioredis";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { ensureInstallId } from "../../src/db/repos/app-state.ts";
import { activities } from "../../src/db/schema/index.ts";
import { startService } from "../../src/runtime/process.ts";
import { createApp } from "../../src/server/app.ts";
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

/** A Redis of our own, without persistence, so flushing it touches nobody else's keys. */
async function privateRedis(): Promise<{ url: string; client: Redis }> {
  const port = await freePort();
  const proc = spawn(
    "redis-server",
    ["--port", String(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
    { stdio: "ignore" },
  );
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill("SIGKILL");
      }),
  );
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { maxRetriesPerRequest: null });
  client.on("error", () => {});
  onTestFinished(() => client.disconnect());
  await redisReady(client, 5_000);
  return { url, client };
}

describe("Redis flushed while the workers run", () => {
  it("imports every acknowledged event without restarting a process", async () => {
    const redis = await privateRedis();
    const config = testConfig({
      ...STRAVA_TEST_ENV,
      DATABASE_URL: env.config.databaseUrl,
      REDIS_URL: redis.url,
      REDIS_PREFIX: env.prefix,
      TOKEN_ENCRYPTION_KEY: env.config.secrets.tokenEncryptionKey.toString("base64"),
      INBOX_SWEEP_EVERY_MS: "1000",
    });
    const worker = await startService(config, env.logger, { http: false, workers: true });
    onTestFinished(() => worker.stop());
    // The `serve` side: the webhook on its own producer connection.
    const producer = createProducerRedis(redis.url, "test-serve");
    producer.on("error", () => {});
    onTestFinished(() => producer.disconnect());
    await redisReady(producer, 5_000);
    const queues = createQueues(producer, env.prefix, await ensureInstallId(env.pool.db));
    onTestFinished(() => closeQueues(queues));
    const app = createApp({
      config,
      db: env.pool.db,
      queues,
      logger: env.logger,
      metrics: env.metrics,
      readiness: [],
      now: () => new Date(),
    });

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

    await vi.waitFor(
      async () => {
        const rows = await env.pool.db
          .select({ externalId: activities.externalId })
          .from(activities)
          .where(inArray(activities.externalId, ids.map(String)));
        expect(rows.length).toBe(ids.length);
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(
      env.logs.some(
        (l) =>
          l.msg === "job schedulers registered" && l.reason === "Redis no longer held this install's keys",
      ),
    ).toBe(true);
  });
});
