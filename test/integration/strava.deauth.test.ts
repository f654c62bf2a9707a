// An athlete revoking runstrong on Strava: every piece of Strava-derived data goes
// at once (Strava's API agreement), once Strava confirms it by refusing the
// athlete's refresh token (one call to the token endpoint, no API call). An
// athlete who also connected Garmin keeps their account and Garmin data; one who
// did not is deleted. Events are unsigned: a deauthorization Strava does not
// confirm (it still grants a refresh) deletes nothing, and a Strava that does not
// answer is asked again, never taken for a yes.
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { connectAthlete, readTokens } from "../../src/db/repos/connections.ts";
import { latestPlan } from "../../src/db/repos/plans.ts";
import { getInboxEvent } from "../../src/db/repos/webhook-inbox.ts";
import {
  activities,
  athletes,
  dayClassifications,
  providerConnections,
  webhookEvents,
} from "../../src/db/schema/index.ts";
import { StravaUnavailableError } from "../../src/integrations/strava/errors.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { JOBS } from "../../src/workers/jobs.ts";
import { replanAthlete } from "../../src/workers/replan/replan-athlete.ts";
import { FORGED_DEAUTHORIZATION_NOTE, handleStravaEvent } from "../../src/workers/strava/handle-event.ts";
import {
  deliverStravaEvent,
  detailedActivity,
  queueEvents,
  runWorkers,
  STRAVA_TEST_ENV,
  STRAVA_WEBHOOK,
  seedStravaAthlete,
  settledEvent,
  stravaEvent,
  stravaEventJob,
  useStravaFake,
} from "../support/strava-fake.ts";
import { testApp, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ ...STRAVA_TEST_ENV });
const fake = useStravaFake();
const db = env.pool.db;

const app = testApp(env);

const deliver = (event: ReturnType<typeof stravaEvent>) => deliverStravaEvent(app, db, event);

const deauthorize = (ownerId: number) =>
  stravaEvent({
    objectId: ownerId,
    ownerId,
    objectType: "athlete",
    aspect: "update",
    updates: { authorized: "false" },
    eventTime: 1_516_126_040,
  });

/** An athlete with two imported Strava runs, a day classification and zones. */
async function athleteWithStravaData(ownerId: number, firstActivity: number) {
  const { athlete } = await seedStravaAthlete(env, { ownerId });
  await db
    .update(athletes)
    .set({
      hrZones: [
        { min: 0, max: 140 },
        { min: 140, max: 160 },
        { min: 160, max: -1 },
      ],
    })
    .where(eq(athletes.id, athlete.id));
  await db.insert(dayClassifications).values({
    athleteId: athlete.id,
    date: "2018-11-04",
    kind: "quality",
    confidence: 0.9,
    reasons: ["race"],
  });
  runWorkers(env);
  for (const id of [firstActivity, firstActivity + 1]) {
    fake.activities.set(String(id), detailedActivity({ id, athleteId: ownerId }));
    expect((await settledEvent(env, await deliver(stravaEvent({ objectId: id, ownerId }))))?.status).toBe(
      "processed",
    );
  }
  return athlete;
}

async function countWhere<T>(rows: Promise<T[]>) {
  return (await rows).length;
}

/** What Strava's deauthorize does to the athlete's grant: every token of theirs refused. */
function revokeOnStrava(ownerId: number) {
  fake.rejectedTokens.add(`seed-access-${ownerId}`);
  fake.token.refuse = true;
}

describe("athlete deauthorization", () => {
  it("deletes an athlete who has only Strava, with every row derived from Strava, once Strava refuses their refresh token", async () => {
    const athlete = await athleteWithStravaData(5001, 10_001);
    const callsBefore = fake.requests.length;
    revokeOnStrava(5001);
    const qe = queueEvents(env, "strava");
    await qe.waitUntilReady();

    const eventId = await deliver(deauthorize(5001));
    const job = await stravaEventJob(env, eventId);
    const result = await job.waitUntilFinished(qe, 10_000);
    expect(result).toMatchObject({ status: "processed", athleteDeleted: true, activities: 2, events: 3 });

    expect(await countWhere(db.select().from(athletes).where(eq(athletes.id, athlete.id)))).toBe(0);
    expect(await countWhere(db.select().from(activities).where(eq(activities.athleteId, athlete.id)))).toBe(
      0,
    );
    expect(
      await countWhere(
        db.select().from(dayClassifications).where(eq(dayClassifications.athleteId, athlete.id)),
      ),
    ).toBe(0);
    expect(
      await countWhere(
        db.select().from(providerConnections).where(eq(providerConnections.externalAthleteId, "5001")),
      ),
    ).toBe(0);
    expect(
      await countWhere(db.select().from(webhookEvents).where(eq(webhookEvents.externalAthleteId, "5001"))),
    ).toBe(0);
    // One refresh-token grant, refused; no API call.
    expect(fake.requests.slice(callsBefore).map((r) => `${r.method} ${r.path}`)).toEqual(["POST /token"]);
    expect(fake.token.presented).toEqual(["seed-refresh-5001"]);

    // Later events of the gone athlete are not even stored.
    const res = await app.request(STRAVA_WEBHOOK, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(stravaEvent({ objectId: 10_009, ownerId: 5001 })),
    });
    expect(await res.json()).toEqual({ status: "received" });
    expect(
      await countWhere(db.select().from(webhookEvents).where(eq(webhookEvents.externalAthleteId, "5001"))),
    ).toBe(0);
  });

  it("keeps an athlete who also uses Garmin, with their Garmin data, and re-plans them", async () => {
    const athlete = await athleteWithStravaData(5002, 10_101);
    await connectAthlete(db, env.config.secrets.tokenEncryptionKey, {
      provider: "garmin",
      externalAthleteId: "garmin-user-5002",
      displayName: "Runner 5002",
      tokens: {
        accessToken: "g-access",
        refreshToken: "g-refresh",
        expiresAt: new Date(Date.now() + 3_600_000),
      },
      scopes: [],
      signedInAthleteId: athlete.id,
    });
    const [garminRun] = await db
      .insert(activities)
      .values({
        athleteId: athlete.id,
        provider: "garmin",
        externalId: "g-1",
        name: "Garmin run",
        sport: "run",
        sportType: "RUNNING",
        startAt: new Date("2026-11-20T07:00:00Z"),
        localDate: "2026-11-20",
        movingS: 1800,
        elapsedS: 1800,
        distanceM: 5000,
        summary: {},
      })
      .returning();
    await env.queues.replan.obliterate({ force: true });
    revokeOnStrava(5002);

    const eventId = await deliver(deauthorize(5002));
    await settledEvent(env, eventId);

    const [kept] = await db.select().from(athletes).where(eq(athletes.id, athlete.id));
    expect(kept?.hrZones).toBeNull();
    const left = await db.select().from(activities).where(eq(activities.athleteId, athlete.id));
    expect(left.map((a) => a.id)).toEqual([garminRun?.id]);
    const connections = await db
      .select()
      .from(providerConnections)
      .where(eq(providerConnections.athleteId, athlete.id));
    expect(connections.map((c) => c.provider)).toEqual(["garmin"]);
    expect(
      await countWhere(
        db.select().from(dayClassifications).where(eq(dayClassifications.athleteId, athlete.id)),
      ),
    ).toBe(0);
    expect(
      await countWhere(
        db
          .select()
          .from(webhookEvents)
          .where(and(eq(webhookEvents.provider, "strava"), eq(webhookEvents.externalAthleteId, "5002"))),
      ),
    ).toBe(0);
    const replans = await env.queues.replan.getJobs(["delayed", "waiting"]);
    expect(replans.map((j) => j.data)).toEqual([
      { athleteId: athlete.id, cause: { type: "disconnect", provider: "strava" } },
    ]);
  });
});

describe("a deauthorization Strava does not confirm", () => {
  const deps = () => ({
    config: env.config,
    db,
    queues: env.queues,
    logger: env.logger,
    now: () => new Date(),
  });

  it("leaves the athlete, their plan and activities intact and their session working while Strava still grants a refresh", async () => {
    const athlete = await athleteWithStravaData(5003, 10_201);
    await replanAthlete({ athleteId: athlete.id, cause: { type: "connect", provider: "strava" } }, deps(), {
      jobId: "t",
      attempt: 1,
      logger: env.logger,
    });
    const plan = await latestPlan(db, athlete.id);
    expect(plan).not.toBeNull();
    const session = sessionToken(athlete.id, env.config, Date.now());
    const classified = await countWhere(
      db.select().from(dayClassifications).where(eq(dayClassifications.athleteId, athlete.id)),
    );
    const callsBefore = fake.requests.length;

    const eventId = await deliver(deauthorize(5003));
    expect(await settledEvent(env, eventId)).toMatchObject({
      status: "ignored",
      error: FORGED_DEAUTHORIZATION_NOTE,
    });

    expect(await countWhere(db.select().from(athletes).where(eq(athletes.id, athlete.id)))).toBe(1);
    expect(await countWhere(db.select().from(activities).where(eq(activities.athleteId, athlete.id)))).toBe(
      2,
    );
    expect(
      await countWhere(
        db.select().from(dayClassifications).where(eq(dayClassifications.athleteId, athlete.id)),
      ),
    ).toBe(classified);
    expect((await latestPlan(db, athlete.id))?.id).toBe(plan?.id);
    const [connection] = await db
      .select()
      .from(providerConnections)
      .where(eq(providerConnections.externalAthleteId, "5003"));
    expect(connection?.status).toBe("active");
    // The question was one refresh; the pair Strava granted is the one kept.
    expect(fake.requests.slice(callsBefore).map((r) => `${r.method} ${r.path}`)).toEqual(["POST /token"]);
    expect(connection && readTokens(connection, env.config.secrets.tokenEncryptionKey)?.refreshToken).toBe(
      "refresh-1",
    );

    const res = await app.request("/api/plan", { headers: { cookie: `${SESSION_COOKIE}=${session}` } });
    expect(res.status).toBe(200);
  });

  it("is asked again when Strava's token endpoint fails, and deletes nothing even on the last attempt", async () => {
    const { athlete } = await seedStravaAthlete(env, { ownerId: 5004 });
    const eventId = await deliver(deauthorize(5004));
    // This test drives the handler itself, attempt by attempt.
    await env.queues.strava.obliterate({ force: true });
    fake.token.unavailable = 2;

    const run = (attempt: number) =>
      handleStravaEvent({ eventId }, deps(), { jobId: "t", attempt, logger: env.logger });
    await expect(run(1)).rejects.toBeInstanceOf(StravaUnavailableError);
    expect((await getInboxEvent(db, eventId))?.status).toBe("received");
    await expect(run(JOBS["strava-event"].attempts)).rejects.toBeInstanceOf(StravaUnavailableError);
    expect((await getInboxEvent(db, eventId))?.status).toBe("failed");

    expect(await countWhere(db.select().from(athletes).where(eq(athletes.id, athlete.id)))).toBe(1);
    const [connection] = await db
      .select()
      .from(providerConnections)
      .where(eq(providerConnections.externalAthleteId, "5004"));
    expect(connection?.status).toBe("active");
    expect(fake.token.presented).toEqual(["seed-refresh-5004", "seed-refresh-5004"]);
  });

  it("deletes nothing when Strava refuses runstrong's own client credentials rather than the athlete's token", async () => {
    const athlete = await athleteWithStravaData(5005, 10_301);
    fake.token.refuseClient = true;

    const eventId = await deliver(deauthorize(5005));
    expect(await settledEvent(env, eventId)).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/client credentials/),
    });
    expect(await countWhere(db.select().from(athletes).where(eq(athletes.id, athlete.id)))).toBe(1);
    expect(await countWhere(db.select().from(activities).where(eq(activities.athleteId, athlete.id)))).toBe(
      2,
    );
  });
});
