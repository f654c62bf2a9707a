// The `requeue-strava-inbox` sweep goes by what Postgres holds: an event still
// "received" whose job failed, completed or vanished is queued again (a kept
// failed job no longer swallows the retry), a poison event ends "failed" with
// its reason, and stuck rows cannot hide the ones behind them. Job ids carry the
// install id, so a recreated database's events are not dropped for the ids of
// jobs Redis still keeps from the old one.
import { randomBytes } from "node:crypto";
import { UnrecoverableError, Worker } from "bullmq";
import { eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { ensureDatabase, runMigrations } from "../../src/db/migrate.ts";
import { ensureInstallId } from "../../src/db/repos/app-state.ts";
import { getInboxEvent, storeStravaEvents } from "../../src/db/repos/webhook-inbox.ts";
import { webhookEvents } from "../../src/db/schema/index.ts";
import { maintenanceProcessor } from "../../src/workers/processors/maintenance.ts";
import { closeQueues, createQueues } from "../../src/workers/queues.ts";
import { startWorkers } from "../../src/workers/run-workers.ts";
import { enqueueStravaEvents, stravaEventJobId } from "../../src/workers/strava/event-jobs.ts";
import { SWEEP_GIVE_UP_ATTEMPTS, sweepStravaInbox } from "../../src/workers/strava/sweep-inbox.ts";
import { ADMIN_URL, databaseUrl } from "../support/databases.ts";
import {
  deliverStravaEvent,
  detailedActivity,
  runWorkers,
  STRAVA_TEST_ENV,
  seedStravaAthlete,
  settledEvent,
  stravaEvent,
  useStravaFake,
} from "../support/strava-fake.ts";
import {
  jobContext,
  separateRedis,
  type TestEnv,
  testApp,
  useTestEnv,
  workerDeps,
} from "../support/test-env.ts";

const env = await useTestEnv({ ...STRAVA_TEST_ENV });
const fake = useStravaFake();

const deps = () => workerDeps(env);
const ctx = () => jobContext(env, "sweep");

/** Stores a create event for `objectId` as the webhook would, and returns its inbox id. */
async function storedEvent(ownerId: number, objectId: number): Promise<number> {
  const event = stravaEvent({ objectId, ownerId });
  const [outcome] = await storeStravaEvents(env.pool.db, [
    {
      dedupeKey: `activity:${objectId}:create:${event.event_time}`,
      ownerId: String(ownerId),
      objectType: "activity",
      objectId: String(objectId),
      aspectType: "create",
      eventTime: event.event_time,
      payload: event,
    },
  ]);
  if (outcome?.kind !== "stored") throw new Error(`event for ${objectId} not stored`);
  return outcome.id;
}

/**
 * Queues the event's job and fails it in a worker whose processor dies before the
 * handler records anything, as a lost database connection or a job stalled twice
 * does: the job is failed and kept, the inbox row stays "received".
 */
async function failItsJob(eventId: number, reason: string): Promise<void> {
  await enqueueStravaEvents(env.queues, [eventId]);
  const connection = separateRedis();
  const dying = new Worker(
    "strava",
    async () => {
      throw new UnrecoverableError(reason);
    },
    { connection, prefix: env.prefix },
  );
  try {
    await vi.waitFor(
      async () => {
        const state = await env.queues.strava.getJobState(stravaEventJobId(env.queues, eventId));
        if (state !== "failed") throw new Error(`job is ${state}`);
      },
      { timeout: 10_000, interval: 25 },
    );
  } finally {
    await dying.close();
    connection.disconnect();
  }
}

const sweep = () =>
  maintenanceProcessor["requeue-strava-inbox"]({ olderThanSeconds: 0 }, deps(), ctx()) as Promise<{
    requeued: number;
    gaveUp: number;
  }>;

describe("the inbox sweep", () => {
  it("runs again an event whose job failed outside its handler", async () => {
    await seedStravaAthlete(env, { ownerId: 4101 });
    fake.activities.set("8101", detailedActivity({ id: 8101, athleteId: 4101 }));
    const eventId = await storedEvent(4101, 8101);
    await failItsJob(eventId, "Connection terminated unexpectedly");
    expect((await getInboxEvent(env.pool.db, eventId))?.status).toBe("received");

    expect((await sweep()).requeued).toBe(1);
    expect((await getInboxEvent(env.pool.db, eventId))?.error).toMatch(
      /its job failed: Connection terminated unexpectedly/,
    );
    runWorkers(env);
    expect((await settledEvent(env, eventId))?.status).toBe("processed");
    expect(fake.count("GET", /^\/activities\/8101$/)).toBe(1);
  });

  it("ends a poison event as failed, with its reason, instead of queueing it for ever", async () => {
    await seedStravaAthlete(env, { ownerId: 4102 });
    const eventId = await storedEvent(4102, 8102);
    await env.pool.db
      .update(webhookEvents)
      .set({ attempts: SWEEP_GIVE_UP_ATTEMPTS })
      .where(eq(webhookEvents.id, eventId));
    await failItsJob(eventId, "value out of range for type bigint");

    expect(await sweep()).toMatchObject({ requeued: 0, gaveUp: 1 });
    const row = await getInboxEvent(env.pool.db, eventId);
    expect(row?.status).toBe("failed");
    expect(row?.error).toMatch(/given up after 10 tries.*value out of range/);
    expect(await env.queues.strava.getJob(stravaEventJobId(env.queues, eventId))).toBeUndefined();
  });

  it("looks past rows that stay stuck: the next sweep takes the rows behind them", async () => {
    await seedStravaAthlete(env, { ownerId: 4103 });
    await env.pool.db.execute(sql`update webhook_events set status = 'processed' where status = 'received'`);
    const stuck = [await storedEvent(4103, 8103), await storedEvent(4103, 8104)];
    const behind = await storedEvent(4103, 8105);
    // Jobs that wait and never run (no worker here): the sweep leaves them be.
    await enqueueStravaEvents(env.queues, stuck);
    const before = new Date(Date.now() + 1_000);

    const first = await sweepStravaInbox(deps(), { before, logger: env.logger, limit: 2 });
    expect(first).toMatchObject({ looked: 2, inFlight: 2, requeued: 0 });
    const second = await sweepStravaInbox(deps(), { before, logger: env.logger, limit: 2 });
    expect(second.requeued).toBe(1);
    expect(await env.queues.strava.getJobState(stravaEventJobId(env.queues, behind))).toBe("prioritized");
    await env.queues.strava.drain();
  });
});

/** A database made as `runstrong migrate` makes one: fresh sequences, a new install id. */
async function recreatedDatabase(): Promise<TestEnv["pool"]> {
  const name = `rs_recreated_${randomBytes(4).toString("hex")}`;
  const url = databaseUrl(name);
  await ensureDatabase(url);
  const pool = openDatabase(url, { max: 3 });
  onTestFinished(async () => {
    await pool.close();
    const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  });
  await runMigrations(pool);
  return pool;
}

describe("a recreated database on the same Redis", () => {
  it("has its first events imported although Redis still keeps the jobs of the old rows with those ids", async () => {
    await seedStravaAthlete(env, { ownerId: 4201 });
    fake.activities.set("8201", detailedActivity({ id: 8201, athleteId: 4201 }));
    const old = runWorkers(env);
    const oldId = await deliverStravaEvent(
      testApp(env),
      env.pool.db,
      stravaEvent({ objectId: 8201, ownerId: 4201 }),
    );
    expect((await settledEvent(env, oldId))?.status).toBe("processed");
    await old.close(5_000);
    // The old install's job is kept (completed jobs stay a day).
    expect(await env.queues.strava.getJobState(stravaEventJobId(env.queues, oldId))).toBe("completed");

    const pool = await recreatedDatabase();
    // Its sequence hands out the ids the old database did.
    await pool.db.execute(sql`select setval('webhook_events_id_seq', ${oldId}, false)`);
    const redis = separateRedis();
    onTestFinished(() => redis.disconnect());
    const queues = createQueues(redis, env.prefix, await ensureInstallId(pool.db));
    onTestFinished(() => closeQueues(queues));
    expect(queues.installId).not.toBe(env.queues.installId);
    const fresh: TestEnv = { ...env, pool, queues };
    await seedStravaAthlete(fresh, { ownerId: 4201 });
    fake.activities.set("8202", detailedActivity({ id: 8202, athleteId: 4201 }));
    const connection = separateRedis();
    const workers = startWorkers(
      { config: env.config, db: pool.db, queues, logger: env.logger, now: () => new Date() },
      { connection, prefix: env.prefix, concurrency: 2, metrics: env.metrics, queues: ["strava"] },
    );
    onTestFinished(async () => {
      await workers.close(5_000);
      connection.disconnect();
    });

    const newId = await deliverStravaEvent(
      testApp(fresh),
      pool.db,
      stravaEvent({ objectId: 8202, ownerId: 4201 }),
    );
    expect(newId).toBe(oldId);
    expect((await settledEvent(fresh, newId))?.status).toBe("processed");
    expect(fake.count("GET", /^\/activities\/8202$/)).toBe(1);
  });
});
