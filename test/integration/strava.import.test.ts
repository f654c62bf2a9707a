// From webhook to stored, classified activity: create imports with one GET, an
// update re-imports, a delete removes, a just-uploaded activity that answers 404
// first is fetched again later, and a re-plan is queued for the athlete each time.
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { getInboxEvent } from "../../src/db/repos/webhook-inbox.ts";
import { activities, providerConnections } from "../../src/db/schema/index.ts";
import { enqueue } from "../../src/workers/queues.ts";
import { stravaEventJobId } from "../../src/workers/strava/event-jobs.ts";
import {
  deliverStravaEvent,
  detailedActivity,
  queueEvents,
  runWorkers,
  STRAVA_TEST_ENV,
  seedStravaAthlete,
  settledEvent,
  stravaEvent,
  stravaEventJob,
  useStravaFake,
} from "../support/strava-fake.ts";
import { testApp, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ ...STRAVA_TEST_ENV });
const fake = useStravaFake();

const app = testApp(env);

/** Delivers an event as Strava would and returns its inbox id. */
const deliver = (event: ReturnType<typeof stravaEvent>) => deliverStravaEvent(app, env.pool.db, event);

async function activityRow(externalId: number) {
  const [row] = await env.pool.db
    .select()
    .from(activities)
    .where(eq(activities.externalId, String(externalId)));
  return row ?? null;
}

async function replanJob(athleteId: number) {
  const jobs = await env.queues.replan.getJobs(["delayed", "waiting", "prioritized"]);
  return jobs.find((j) => j.data.athleteId === athleteId) ?? null;
}

describe("activity create", () => {
  it("stores the activity classified, with its raw payload, and queues one re-plan", async () => {
    const { athlete } = await seedStravaAthlete(env, { ownerId: 2001 });
    fake.activities.set("7001", detailedActivity({ id: 7001, athleteId: 2001, name: "NYC Marathon" }));
    runWorkers(env);

    const eventId = await deliver(stravaEvent({ objectId: 7001, ownerId: 2001 }));
    const event = await settledEvent(env, eventId);
    expect(event?.status).toBe("processed");

    const row = await activityRow(7001);
    expect(row).toMatchObject({
      athleteId: athlete.id,
      provider: "strava",
      name: "NYC Marathon",
      sport: "run",
      kind: "quality",
      subtype: "race",
    });
    expect(row?.reasons?.length).toBeGreaterThan(0);
    expect(row?.summary).toMatchObject({ source: "strava", id: "7001", sourceLabel: "race" });
    expect((row?.summary as { laps?: unknown[] } | undefined)?.laps?.length).toBeGreaterThan(0);
    expect(row?.raw).toMatchObject({ id: 7001, athlete: { id: 2001 } });
    expect(row?.rawFetchedAt).toBeInstanceOf(Date);
    expect(fake.count("GET", /^\/activities\/7001$/)).toBe(1);

    const replan = await replanJob(athlete.id);
    expect(replan?.data.cause).toMatchObject({
      type: "activity",
      provider: "strava",
      activityId: "7001",
      change: "created",
      eventId,
    });
  });

  it("re-imports on a title update, and the re-plan stays one debounced job", async () => {
    const { athlete } = await seedStravaAthlete(env, { ownerId: 2002 });
    fake.activities.set(
      "7002",
      detailedActivity({ id: 7002, athleteId: 2002, name: "Morning Run", workoutType: 0 }),
    );
    runWorkers(env);
    const created = await deliver(stravaEvent({ objectId: 7002, ownerId: 2002 }));
    await settledEvent(env, created);
    expect((await activityRow(7002))?.name).toBe("Morning Run");

    fake.activities.set(
      "7002",
      detailedActivity({ id: 7002, athleteId: 2002, name: "8x400 intervals", workoutType: 0 }),
    );
    const updated = await deliver(
      stravaEvent({
        objectId: 7002,
        ownerId: 2002,
        aspect: "update",
        updates: { title: "8x400 intervals" },
        eventTime: 1_725_991_300,
      }),
    );
    expect((await settledEvent(env, updated))?.status).toBe("processed");
    const row = await activityRow(7002);
    expect(row?.name).toBe("8x400 intervals");
    expect(fake.count("GET", /^\/activities\/7002$/)).toBe(2);
    const jobs = (await env.queues.replan.getJobs(["delayed", "waiting"])).filter(
      (j) => j.data.athleteId === athlete.id,
    );
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.data.cause).toMatchObject({ change: "updated", activityId: "7002" });
  });

  it("does not store an activity Strava says belongs to someone else", async () => {
    await seedStravaAthlete(env, { ownerId: 2003 });
    fake.activities.set("7003", detailedActivity({ id: 7003, athleteId: 9999 }));
    runWorkers(env);
    const eventId = await deliver(stravaEvent({ objectId: 7003, ownerId: 2003 }));
    const event = await settledEvent(env, eventId);
    expect(event).toMatchObject({ status: "ignored", error: "activity belongs to another athlete" });
    expect(await activityRow(7003)).toBeNull();
  });
});

describe("a just-uploaded activity", () => {
  it("that answers 404 at first is asked for again later and imported", async () => {
    await seedStravaAthlete(env, { ownerId: 2004 });
    fake.activities.set("7004", detailedActivity({ id: 7004, athleteId: 2004 }));
    fake.notFoundFor.set("7004", 2);
    runWorkers(env);
    const eventId = await deliver(stravaEvent({ objectId: 7004, ownerId: 2004 }));
    const jobId = stravaEventJobId(env.queues, eventId);

    for (const wanted of [1, 2]) {
      // The job waits (delayed, no attempt used) instead of failing; skip the wait.
      const job = await vi.waitFor(
        async () => {
          if (fake.count("GET", /^\/activities\/7004$/) < wanted) throw new Error("not asked yet");
          if ((await env.queues.strava.getJobState(jobId)) !== "delayed") throw new Error("not delayed yet");
          // Read only now: a job read before it moved to delayed still carries its old delay.
          const j = await env.queues.strava.getJob(jobId);
          if (!j) throw new Error("job gone");
          return j;
        },
        { timeout: 5_000, interval: 25 },
      );
      expect(job.attemptsMade).toBe(0);
      expect(job.delay).toBeGreaterThanOrEqual(wanted === 1 ? 14_000 : 29_000);
      await job.promote();
    }
    expect((await settledEvent(env, eventId))?.status).toBe("processed");
    expect(await activityRow(7004)).not.toBeNull();
    expect(fake.count("GET", /^\/activities\/7004$/)).toBe(3);
  });
});

describe("activity delete", () => {
  it("removes the stored activity once Strava answers 404 for it, and queues a re-plan", async () => {
    const { athlete } = await seedStravaAthlete(env, { ownerId: 2005 });
    fake.activities.set("7005", detailedActivity({ id: 7005, athleteId: 2005 }));
    runWorkers(env);
    await settledEvent(env, await deliver(stravaEvent({ objectId: 7005, ownerId: 2005 })));
    expect(await activityRow(7005)).not.toBeNull();
    await env.queues.replan.obliterate({ force: true });

    fake.activities.delete("7005");
    const gone = await deliver(
      stravaEvent({ objectId: 7005, ownerId: 2005, aspect: "delete", eventTime: 1_725_999_999 }),
    );
    expect((await settledEvent(env, gone))?.status).toBe("processed");
    expect(await activityRow(7005)).toBeNull();
    // One GET to import it, one (with the owner's token) to confirm it is gone.
    expect(fake.requests.filter((r) => r.path === "/activities/7005").map((r) => r.token)).toEqual([
      "seed-access-2005",
      "seed-access-2005",
    ]);
    expect((await replanJob(athlete.id))?.data.cause).toMatchObject({
      change: "deleted",
      activityId: "7005",
    });
  });

  it("deletes nothing while Strava still returns the activity", async () => {
    const { athlete } = await seedStravaAthlete(env, { ownerId: 2008 });
    fake.activities.set("7008", detailedActivity({ id: 7008, athleteId: 2008 }));
    runWorkers(env);
    await settledEvent(env, await deliver(stravaEvent({ objectId: 7008, ownerId: 2008 })));
    await env.queues.replan.obliterate({ force: true });

    const forged = await deliver(
      stravaEvent({ objectId: 7008, ownerId: 2008, aspect: "delete", eventTime: 1_725_999_999 }),
    );
    expect(await settledEvent(env, forged)).toMatchObject({
      status: "ignored",
      error: "Strava still returns this activity: delete not confirmed",
    });
    expect(await activityRow(7008)).toMatchObject({ athleteId: athlete.id });
    expect(fake.count("GET", /^\/activities\/7008$/)).toBe(2);
    expect(await replanJob(athlete.id)).toBeNull();
  });

  it("of one owner naming another athlete's activity deletes nothing, re-plans nobody and calls nothing", async () => {
    const a = await seedStravaAthlete(env, { ownerId: 2009 });
    const b = await seedStravaAthlete(env, { ownerId: 2010 });
    fake.activities.set("7010", detailedActivity({ id: 7010, athleteId: 2010 }));
    runWorkers(env);
    await settledEvent(env, await deliver(stravaEvent({ objectId: 7010, ownerId: 2010 })));
    await env.queues.replan.obliterate({ force: true });
    // Gone on Strava too, so only the owner check stands between A's event and B's run.
    fake.activities.delete("7010");
    const callsBefore = fake.requests.length;

    const forged = await deliver(
      stravaEvent({ objectId: 7010, ownerId: 2009, aspect: "delete", eventTime: 1_725_999_999 }),
    );
    expect(await settledEvent(env, forged)).toMatchObject({
      status: "ignored",
      error: "the owner has no stored activity with this id",
    });
    expect(await activityRow(7010)).toMatchObject({ athleteId: b.athlete.id });
    expect(await replanJob(a.athlete.id)).toBeNull();
    expect(await replanJob(b.athlete.id)).toBeNull();
    expect(fake.requests.length).toBe(callsBefore);
  });
});

describe("activity delete with a token Strava refuses", () => {
  it("deletes nothing and asks the athlete to reconnect", async () => {
    const { athlete } = await seedStravaAthlete(env, { ownerId: 2012 });
    fake.activities.set("7012", detailedActivity({ id: 7012, athleteId: 2012 }));
    runWorkers(env);
    await settledEvent(env, await deliver(stravaEvent({ objectId: 7012, ownerId: 2012 })));
    await env.queues.replan.obliterate({ force: true });
    fake.activities.delete("7012");
    fake.rejectedTokens.add("seed-access-2012");
    fake.token.refuse = true;

    const gone = await deliver(
      stravaEvent({ objectId: 7012, ownerId: 2012, aspect: "delete", eventTime: 1_725_999_999 }),
    );
    expect((await settledEvent(env, gone))?.status).toBe("failed");
    expect(await activityRow(7012)).toMatchObject({ athleteId: athlete.id });
    expect(await replanJob(athlete.id)).toBeNull();
    const [connection] = await env.pool.db
      .select()
      .from(providerConnections)
      .where(eq(providerConnections.externalAthleteId, "2012"));
    expect(connection?.status).toBe("needs_reauth");
  });
});

describe("a forged create for an activity id Strava does not know", () => {
  it("is given up after four GETs over about three minutes, not fifteen minutes of retries", async () => {
    await seedStravaAthlete(env, { ownerId: 2011 });
    runWorkers(env);
    const eventId = await deliver(stravaEvent({ objectId: 7_999_999, ownerId: 2011 }));

    const delays: number[] = [];
    // Skip each wait; a handler that kept retrying would go past the cap and fail below.
    for (let waits = 0; waits < 10; waits++) {
      const job = await vi.waitFor(
        async () => {
          const row = await getInboxEvent(env.pool.db, eventId);
          if (row?.status !== "received") return null;
          if (!(await (await stravaEventJob(env, eventId)).isDelayed())) throw new Error("not delayed yet");
          // Read again: a job read before it moved to delayed still carries its old delay.
          return stravaEventJob(env, eventId);
        },
        { timeout: 5_000, interval: 25 },
      );
      if (!job) break;
      delays.push(job.delay);
      await job.promote();
    }
    expect(await settledEvent(env, eventId)).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/404/),
    });
    expect(delays.map((ms) => Math.round(ms / 1000))).toEqual([15, 45, 120]);
    expect(fake.count("GET", /^\/activities\/7999999$/)).toBe(4);
    expect(fake.requests.length).toBeLessThanOrEqual(5);
  });
});

describe("raw payload retention", () => {
  it("the daily purge forgets raw Strava payloads older than STRAVA_RAW_RETENTION_DAYS and keeps the rest", async () => {
    await seedStravaAthlete(env, { ownerId: 2006 });
    fake.activities.set("7006", detailedActivity({ id: 7006, athleteId: 2006 }));
    fake.activities.set("7007", detailedActivity({ id: 7007, athleteId: 2006 }));
    runWorkers(env, ["strava", "maintenance"]);
    await settledEvent(env, await deliver(stravaEvent({ objectId: 7006, ownerId: 2006 })));
    await settledEvent(env, await deliver(stravaEvent({ objectId: 7007, ownerId: 2006 })));
    await env.pool.db
      .update(activities)
      .set({ rawFetchedAt: new Date(Date.now() - 8 * 86_400_000) })
      .where(eq(activities.externalId, "7006"));

    const qe = queueEvents(env, "maintenance");
    await qe.waitUntilReady();
    const jobId = await enqueue(env.queues, "purge-strava-raw", {});
    const job = await env.queues.maintenance.getJob(jobId ?? "");
    expect(await job?.waitUntilFinished(qe, 10_000)).toEqual({ purged: 1 });
    const old = await activityRow(7006);
    expect(old?.raw).toBeNull();
    expect(old?.summary).toMatchObject({ id: "7006" });
    expect(old?.kind).toBe("quality");
    expect((await activityRow(7007))?.raw).not.toBeNull();
  });
});
