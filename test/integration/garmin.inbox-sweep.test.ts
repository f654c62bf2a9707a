// The `requeue-garmin-inbox` sweep is the one inbox sweep Strava's events have
// (src/workers/inbox-sweep.ts): a Garmin item whose garmin-event job failed
// outside its handler is run again (the kept failed job removed first), and items
// whose jobs stay stuck cannot hide the ones stored after them, because the sweep
// pages on with a cursor of its own.
import { UnrecoverableError, Worker } from "bullmq";
import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { getInboxEvent } from "../../src/db/repos/webhook-inbox.ts";
import { webhookEvents } from "../../src/db/schema/index.ts";
import { enqueueGarminEvents, garminEventJobId } from "../../src/workers/garmin/event-jobs.ts";
import { sweepGarminInbox } from "../../src/workers/garmin/sweep-inbox.ts";
import { garminProcessor } from "../../src/workers/processors/garmin.ts";
import {
  GARMIN_TEST_ENV,
  garminFixture,
  garminWebhook,
  seedGarminAthlete,
  useGarminFake,
} from "../support/garmin-fake.ts";
import { runWorkers, settledEvent } from "../support/strava-fake.ts";
import { jobContext, separateRedis, testApp, useTestEnv, workerDeps } from "../support/test-env.ts";

const env = await useTestEnv({ ...GARMIN_TEST_ENV, REPLAN_DEBOUNCE_MS: "0" });
const fake = useGarminFake();
const db = env.pool.db;
const app = testApp(env);

const PUSH = garminFixture<{ activities: Record<string, unknown>[] }>("activity-api-push-activities.json");

/** Garmin pushes these activities of `userId`; answers their stored inbox ids, in summary order. */
async function pushed(userId: string, summaryIds: readonly string[]): Promise<number[]> {
  const res = await app.request(garminWebhook("activities"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      activities: summaryIds.map((summaryId) => ({ ...PUSH.activities[0], userId, summaryId })),
    }),
  });
  expect(res.status).toBe(200);
  const rows = await db
    .select({ id: webhookEvents.id, objectId: webhookEvents.objectId })
    .from(webhookEvents)
    .where(inArray(webhookEvents.objectId, [...summaryIds]));
  return summaryIds.map((s) => {
    const row = rows.find((r) => r.objectId === s);
    if (!row) throw new Error(`${s} not stored`);
    return row.id;
  });
}

/**
 * Fails the item's queued job in a worker whose processor dies before the handler
 * records anything, as a lost database connection or a job stalled twice does:
 * the job is failed and kept, the inbox row stays "received".
 */
async function failItsJob(eventId: number, reason: string): Promise<void> {
  const connection = separateRedis();
  const dying = new Worker(
    "garmin",
    async () => {
      throw new UnrecoverableError(reason);
    },
    { connection, prefix: env.prefix },
  );
  try {
    await vi.waitFor(
      async () => {
        const state = await env.queues.garmin.getJobState(garminEventJobId(env.queues, eventId));
        if (state !== "failed") throw new Error(`job is ${state}`);
      },
      { timeout: 10_000, interval: 25 },
    );
  } finally {
    await dying.close();
    connection.disconnect();
  }
}

describe("the Garmin inbox sweep", () => {
  it("runs again a garmin-event job that failed outside its handler", async () => {
    const { athlete } = await seedGarminAthlete(env, fake, { userId: "garmin-failed-job" });
    const [eventId = 0] = await pushed("garmin-failed-job", ["FAILED_1"]);
    await failItsJob(eventId, "Connection terminated unexpectedly");
    expect((await getInboxEvent(db, eventId))?.status).toBe("received");

    const swept = await garminProcessor["requeue-garmin-inbox"](
      { olderThanSeconds: 0 },
      workerDeps(env),
      jobContext(env, "sweep"),
    );
    expect(swept).toMatchObject({ requeued: 1, gaveUp: 0 });
    const row = await getInboxEvent(db, eventId);
    expect(row?.attempts).toBe(1);
    expect(row?.error).toMatch(/its job failed: Connection terminated unexpectedly/);

    runWorkers(env, ["garmin"]);
    expect((await settledEvent(env, eventId))?.status).toBe("processed");
    const imported = await db.execute(
      sql`select external_id from activities where athlete_id = ${athlete.id} and provider = 'garmin'`,
    );
    expect(imported.map((r) => r.external_id)).toEqual(["FAILED_1"]);
  });

  it("looks past items whose jobs stay stuck: the next sweep takes the items behind them", async () => {
    await seedGarminAthlete(env, fake, { userId: "garmin-stuck" });
    await db.execute(sql`update webhook_events set status = 'processed' where status = 'received'`);
    // One notification's items get their ids in no particular order: take them by id.
    const [first = 0, second = 0, behind = 0] = (
      await pushed("garmin-stuck", ["STUCK_1", "STUCK_2", "BEHIND_1"])
    ).sort((a, b) => a - b);
    // Redis loses the jobs; the first two come back and wait, never run (no worker here).
    await env.queues.garmin.obliterate({ force: true });
    await enqueueGarminEvents(env.queues, [first, second]);
    const before = new Date(Date.now() + 1_000);

    const one = await sweepGarminInbox(workerDeps(env), { before, logger: env.logger, limit: 2 });
    expect(one).toMatchObject({ looked: 2, inFlight: 2, requeued: 0 });
    const two = await sweepGarminInbox(workerDeps(env), { before, logger: env.logger, limit: 2 });
    expect(two.requeued).toBe(1);
    expect(await env.queues.garmin.getJobState(garminEventJobId(env.queues, behind))).toBe("prioritized");
    const [row] = await db.select().from(webhookEvents).where(eq(webhookEvents.id, behind));
    expect(row?.error).toMatch(/its job was gone/);
    await env.queues.garmin.obliterate({ force: true });
  });
});
