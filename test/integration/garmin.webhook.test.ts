// Garmin's notifications end to end, on real Postgres, Redis and workers with msw as
// Garmin: a pushed summary and a pinged one are imported through the same mapper and
// re-plan as Strava's; a ping whose callbackURL points away from GARMIN_API_BASE_URL
// is never fetched; a deregistration wipes the Garmin data once Garmin confirms it
// (a run Strava also sent stays) and a forged one deletes nothing; a permission
// change stores what Garmin says, and losing WORKOUT_IMPORT says so. Bodies up to
// 10 MB are taken; a wrong secret is a 404 like no route; unknown users get the
// same answer and store nothing.
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { storeActivityOnce } from "../../src/db/repos/activity-links.ts";
import { getConnectionByExternal } from "../../src/db/repos/connections.ts";
import {
  activities,
  activityLinks,
  athletes,
  providerConnections,
  webhookEvents,
} from "../../src/db/schema/index.ts";
import type { Activity } from "../../src/domain/activity.ts";
import { garminWorkoutProblem } from "../../src/integrations/garmin/notifications.ts";
import {
  FOREIGN_CALLBACK_NOTE,
  FORGED_DEREGISTRATION_NOTE,
  WORKOUT_IMPORT_LOST_NOTE,
} from "../../src/workers/garmin/handle-event.ts";
import { sweepGarminInbox } from "../../src/workers/garmin/sweep-inbox.ts";
import {
  GARMIN_API,
  GARMIN_TEST_ENV,
  garminFixture,
  garminWebhook,
  seedGarminAthlete,
  useGarminFake,
} from "../support/garmin-fake.ts";
import { runWorkers, seedStravaAthlete, settledEvent } from "../support/strava-fake.ts";
import { testApp, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ ...GARMIN_TEST_ENV, REPLAN_DEBOUNCE_MS: "0" });
const fake = useGarminFake();
const db = env.pool.db;
const app = testApp(env);

const DOC_USER = "4aacafe82427c251df9c9592d0c06768";

async function post(path: string, body: unknown) {
  return app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Posts a notification (expecting 200 {"status":"received"}) and waits for its stored items to be handled. */
async function deliver(kind: "activities" | "deregistrations" | "permissions", body: unknown) {
  const before = await db.select({ id: webhookEvents.id }).from(webhookEvents);
  const res = await post(garminWebhook(kind), body);
  if (res.status !== 200) console.log(await res.clone().text());
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: "received" });
  const known = new Set(before.map((r) => r.id));
  const rows = (await db.select().from(webhookEvents)).filter((r) => !known.has(r.id));
  return Promise.all(rows.map((r) => settledEvent(env, r.id)));
}

async function garminRows(athleteId: number) {
  return db
    .select()
    .from(activities)
    .where(and(eq(activities.athleteId, athleteId), eq(activities.provider, "garmin")));
}

describe("activities: push", () => {
  it("imports the pushed summary (Activity API 5.1 example) with no call to Garmin, and re-plans", async () => {
    const { athlete } = await seedGarminAthlete(env, fake, { userId: DOC_USER });
    runWorkers(env, ["garmin"]);
    const [event] = await deliver("activities", garminFixture("activity-api-push-activities.json"));
    expect(event?.status).toBe("processed");

    const [row] = await garminRows(athlete.id);
    expect(row).toMatchObject({
      externalId: "EXAMPLE_12345",
      sport: "run",
      sportType: "RUNNING",
      movingS: 11580,
    });
    expect(row?.startAt.toISOString()).toBe(new Date(1452470400 * 1000).toISOString());
    expect(row?.kind).not.toBeNull();
    expect(fake.requests).toHaveLength(0);
    const replans = await env.queues.replan.getJobs(["waiting", "delayed", "active", "completed", "failed"]);
    expect(replans.map((j) => j.data.cause)).toContainEqual(
      expect.objectContaining({
        type: "activity",
        provider: "garmin",
        activityId: "EXAMPLE_12345",
        change: "created",
      }),
    );
    // The stored item holds no token.
    expect(JSON.stringify(event?.payload)).not.toMatch(/userAccessToken/);
  });

  it("imports a strength session as strength, through the same mapper", async () => {
    const { athlete } = await seedGarminAthlete(env, fake, { userId: "garmin-strength" });
    runWorkers(env, ["garmin"]);
    const push = garminFixture<{ activities: Record<string, unknown>[] }>(
      "activity-api-push-activities.json",
    );
    const summary = {
      ...push.activities[0],
      userId: "garmin-strength",
      summaryId: "STRENGTH_1",
      activityType: "STRENGTH_TRAINING",
      activityName: "Strength",
      durationInSeconds: 2400,
      distanceInMeters: 0,
    };
    await deliver("activities", { activities: [summary] });
    const [row] = await garminRows(athlete.id);
    expect(row).toMatchObject({ externalId: "STRENGTH_1", sport: "strength", kind: "strength" });
  });

  it("takes a body over 1 MiB (Garmin: at least 10 MB), while other routes keep the 1 MiB limit", async () => {
    const { athlete } = await seedGarminAthlete(env, fake, { userId: "garmin-big" });
    runWorkers(env, ["garmin"]);
    const push = garminFixture<{ activities: Record<string, unknown>[] }>(
      "activity-api-push-activities.json",
    );
    const many = Array.from({ length: 600 }, (_, i) => ({
      ...push.activities[0],
      userId: i === 0 ? "garmin-big" : `garmin-stranger-${i}`,
      summaryId: `BIG_${i}`,
      activityName: `Run ${i} ${"x".repeat(2000)}`,
    }));
    const body = JSON.stringify({ activities: many });
    expect(body.length).toBeGreaterThan(1024 * 1024);
    expect(body.length).toBeLessThan(10 * 1024 * 1024);
    await deliver("activities", body);
    expect((await garminRows(athlete.id)).map((r) => r.externalId)).toEqual(["BIG_0"]);

    const elsewhere = await app.request("/auth/logout", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ pad: "x".repeat(1024 * 1024 + 10) }),
    });
    expect(elsewhere.status).toBe(413);
  });
});

describe("activities: ping", () => {
  it("pulls the callbackURL with the user's token and imports what Garmin answers (Activity API 7.1 example)", async () => {
    const { athlete } = await seedGarminAthlete(env, fake, { userId: "garmin-pinged" });
    runWorkers(env, ["garmin"]);
    const [run, ride] = garminFixture<Record<string, unknown>[]>("activity-api-activity-summaries.json");
    // The document's example gives both summaries one id; a real pull gives each its own.
    fake.pulled = [run, { ...ride, summaryId: "5001968356", activityId: 5001968356 }];
    const ping = garminFixture<{ activities: { userId: string; callbackURL: string }[] }>(
      "activity-api-ping-activities.json",
    );
    const callback = ping.activities[0]?.callbackURL.replace("https://apis.garmin.com", GARMIN_API) ?? "";
    const [event] = await deliver("activities", {
      activities: [{ userId: "garmin-pinged", callbackURL: callback }],
    });
    expect(event?.status).toBe("processed");

    const pulls = fake.requests.filter((r) => r.method === "GET");
    expect(pulls.map((r) => r.url)).toEqual([callback]);
    expect(pulls[0]?.token).toBe("seed-garmin-access-garmin-pinged");
    const rows = await garminRows(athlete.id);
    expect(rows.map((r) => [r.externalId, r.sport]).sort()).toEqual([
      ["5001968355", "run"],
      ["5001968356", "other"],
    ]);
  });

  it("never fetches a callbackURL that points away from GARMIN_API_BASE_URL", async () => {
    const { athlete } = await seedGarminAthlete(env, fake, { userId: "garmin-foreign" });
    runWorkers(env, ["garmin"]);
    const [event] = await deliver("activities", {
      activities: [
        {
          userId: "garmin-foreign",
          callbackURL:
            "https://collector.example/wellness-api/rest/activities?uploadStartTimeInSeconds=1&token=x",
        },
      ],
    });
    expect(event).toMatchObject({ status: "ignored", error: FOREIGN_CALLBACK_NOTE });
    expect(fake.requests).toHaveLength(0);
    expect(await garminRows(athlete.id)).toHaveLength(0);
  });
});

describe("the secret path and unknown users", () => {
  it("answers a wrong secret exactly as a path with no route", async () => {
    const wrong = await post(`/webhooks/garmin/${"w".repeat(40)}/activities`, { activities: [] });
    const none = await post("/webhooks/nothing-here", { activities: [] });
    expect(wrong.status).toBe(404);
    const body = (await wrong.json()) as { error: { code: string; message: string } };
    const noRoute = (await none.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(noRoute.error.code);
    expect(body.error.message).toMatch(/^no route for POST \/webhooks\/garmin\//);
  });

  it("gives an unknown user the same answer and stores nothing", async () => {
    const before = await db.select().from(webhookEvents);
    const push = garminFixture<{ activities: Record<string, unknown>[] }>(
      "activity-api-push-activities.json",
    );
    const res = await post(garminWebhook("activities"), {
      activities: [{ ...push.activities[0], userId: "garmin-nobody" }],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "received" });
    expect(await db.select().from(webhookEvents)).toHaveLength(before.length);
  });

  it("refuses a body that is no notification with a 400", async () => {
    const res = await post(garminWebhook("activities"), {
      activities: [{ userId: "u", activityType: "RUNNING" }],
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("validation_failed");
  });
});

function run(o: {
  source: "strava" | "garmin";
  id: string;
  start: string;
  hr?: boolean;
  laps?: boolean;
}): Activity {
  return {
    source: o.source,
    id: o.id,
    name: "Morning Run",
    sport: "run",
    sportType: o.source === "strava" ? "Run" : "RUNNING",
    start: o.start,
    timezone: null,
    utcOffsetS: 0,
    movingS: 3000,
    elapsedS: 3050,
    distanceM: 10_000,
    avgHr: o.hr ? 150 : null,
    maxHr: o.hr ? 170 : null,
    avgSpeedMps: 3.33,
    sourceLabel: null,
    laps: o.laps
      ? [
          {
            index: 0,
            startOffsetS: 0,
            elapsedS: 3050,
            movingS: 3000,
            distanceM: 10_000,
            avgSpeedMps: 3.33,
            avgHr: 150,
            maxHr: 170,
            intensity: null,
          },
        ]
      : [],
  };
}

const easy = { kind: "easy" as const, subtype: "easy" as const, confidence: 0.8, reasons: ["easy pace"] };

async function store(athleteId: number, a: Activity) {
  return storeActivityOnce(db, {
    athleteId,
    provider: a.source as "strava" | "garmin",
    activity: a,
    classification: easy,
    raw: {},
    rawFetchedAt: new Date(),
  });
}

describe("deregistrations", () => {
  it("wipes the Garmin data once Garmin refuses the user's tokens; runs Strava also sent stay, as Strava's", async () => {
    const { athlete } = await seedStravaAthlete(env, { ownerId: 7001 });
    await seedGarminAthlete(env, fake, { userId: "garmin-dereg", signedInAthleteId: athlete.id });
    // Stored once each: Strava's richer record won the first, Garmin's the second; the third is Garmin's alone.
    await store(
      athlete.id,
      run({ source: "strava", id: "s-1", start: "2026-11-02T07:00:00.000Z", hr: true, laps: true }),
    );
    await store(athlete.id, run({ source: "garmin", id: "g-1", start: "2026-11-02T07:01:00.000Z" }));
    await store(athlete.id, run({ source: "strava", id: "s-2", start: "2026-11-04T07:00:00.000Z" }));
    await store(
      athlete.id,
      run({ source: "garmin", id: "g-2", start: "2026-11-04T07:00:30.000Z", hr: true }),
    );
    await store(athlete.id, run({ source: "garmin", id: "g-3", start: "2026-11-06T07:00:00.000Z" }));
    const stored = await db.select().from(activities).where(eq(activities.athleteId, athlete.id));
    expect(stored.map((r) => `${r.provider}:${r.externalId}`).sort()).toEqual([
      "garmin:g-2",
      "garmin:g-3",
      "strava:s-1",
    ]);

    runWorkers(env, ["garmin"]);
    fake.revoked.add("garmin-dereg");
    const [event] = await deliver("deregistrations", { deregistrations: [{ userId: "garmin-dereg" }] });
    // The event row went with the rest of the user's Garmin data.
    expect(event).toBeNull();

    expect(await getConnectionByExternal(db, "garmin", "garmin-dereg")).toBeNull();
    const left = await db.select().from(activities).where(eq(activities.athleteId, athlete.id));
    expect(left.map((r) => `${r.provider}:${r.externalId}`).sort()).toEqual(["strava:s-1", "strava:s-2"]);
    expect(await db.select().from(activityLinks).where(eq(activityLinks.athleteId, athlete.id))).toHaveLength(
      0,
    );
    expect(await db.select().from(athletes).where(eq(athletes.id, athlete.id))).toHaveLength(1);
    expect(
      await db.select().from(providerConnections).where(eq(providerConnections.athleteId, athlete.id)),
    ).toHaveLength(1);
  });

  it("deletes nothing when Garmin still answers for the user (forged or stale)", async () => {
    const { athlete } = await seedGarminAthlete(env, fake, { userId: "garmin-forged" });
    await store(athlete.id, run({ source: "garmin", id: "g-forged", start: "2026-11-08T07:00:00.000Z" }));
    runWorkers(env, ["garmin"]);
    const [event] = await deliver("deregistrations", { deregistrations: [{ userId: "garmin-forged" }] });
    expect(event).toMatchObject({ status: "ignored", error: FORGED_DEREGISTRATION_NOTE });
    expect(await garminRows(athlete.id)).toHaveLength(1);
    expect((await getConnectionByExternal(db, "garmin", "garmin-forged"))?.status).toBe("active");
  });
});

describe("permission changes", () => {
  it("stores the permissions Garmin reports, and losing WORKOUT_IMPORT stops workouts and says so", async () => {
    await seedGarminAthlete(env, fake, { userId: "garmin-perms" });
    runWorkers(env, ["garmin"]);
    fake.permissions.set("garmin-perms", ["ACTIVITY_EXPORT"]);
    const body = garminFixture<{ userPermissionsChange: Record<string, unknown>[] }>(
      "health-api-user-permissions-change.json",
    );
    // The body claims every permission; Garmin's own answer is what is stored.
    const [event] = await deliver("permissions", {
      userPermissionsChange: [{ ...body.userPermissionsChange[0], userId: "garmin-perms" }],
    });
    expect(event).toMatchObject({ status: "processed", error: WORKOUT_IMPORT_LOST_NOTE });
    const connection = await getConnectionByExternal(db, "garmin", "garmin-perms");
    expect(connection?.scopes).toEqual(["ACTIVITY_EXPORT"]);
    expect(connection && garminWorkoutProblem(connection)).toMatch(/Workout Import/);
    expect(env.logs.some((l) => l.msg === WORKOUT_IMPORT_LOST_NOTE)).toBe(true);
  });
});

describe("the Garmin inbox sweep", () => {
  it("queues again an item stored and acknowledged whose job Redis lost", async () => {
    const { athlete } = await seedGarminAthlete(env, fake, { userId: "garmin-lost-job" });
    const push = garminFixture<{ activities: Record<string, unknown>[] }>(
      "activity-api-push-activities.json",
    );
    const res = await post(garminWebhook("activities"), {
      activities: [{ ...push.activities[0], userId: "garmin-lost-job", summaryId: "LOST_1" }],
    });
    expect(res.status).toBe(200);
    // Redis loses the job before any worker takes it.
    await env.queues.garmin.obliterate({ force: true });
    const [row] = await db.select().from(webhookEvents).where(eq(webhookEvents.objectId, "LOST_1"));
    expect(row?.status).toBe("received");

    const swept = await sweepGarminInbox(
      { db, queues: env.queues },
      { before: new Date(Date.now() + 1_000), logger: env.logger },
    );
    expect(swept).toMatchObject({ requeued: 1, gaveUp: 0 });
    runWorkers(env, ["garmin"]);
    expect((await settledEvent(env, row?.id ?? 0))?.status).toBe("processed");
    expect((await garminRows(athlete.id)).map((r) => r.externalId)).toEqual(["LOST_1"]);
  });
});
