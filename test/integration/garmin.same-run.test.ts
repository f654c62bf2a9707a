// One run, one record: the same run arriving from Strava (webhook, GET
// /activities/{id}) and from Garmin (a push notification), in either order,
// through the real import paths and workers, is stored once. The richer record
// (Strava's detailed activity, with laps) is the row; Garmin's id is linked. A
// delete at Strava then leaves Garmin's copy as the run, and a run only one
// source sent, or two runs far apart, are not merged.
import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { activities, activityLinks, webhookEvents } from "../../src/db/schema/index.ts";
import {
  createGarminFake,
  GARMIN_TEST_ENV,
  garminFixture,
  garminWebhook,
  seedGarminAthlete,
} from "../support/garmin-fake.ts";
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
import { testApp, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ ...STRAVA_TEST_ENV, ...GARMIN_TEST_ENV, REPLAN_DEBOUNCE_MS: "0" });
const garmin = createGarminFake();
const strava = useStravaFake(garmin.handlers);
afterEach(() => garmin.reset());
const db = env.pool.db;
const app = testApp(env);

/** The recorded NYC Marathon run (moving 13085 s, 42268.1 m, laps and HR) as Strava serves it. */
function stravaRun(id: number, ownerId: number, startDate: string) {
  strava.activities.set(String(id), detailedActivity({ id, athleteId: ownerId, startDate }));
}

/** Garmin's summary of the same run (Activity API push shape): a minute later, 3 % longer, 2 % shorter, no laps. */
function garminSummary(userId: string, summaryId: string, startDate: string, shiftS = 60) {
  const [doc] = garminFixture<{ activities: Record<string, unknown>[] }>(
    "activity-api-push-activities.json",
  ).activities;
  return {
    ...doc,
    userId,
    summaryId,
    activityId: Number(summaryId.replace(/\D/g, "")),
    activityName: "New York Running",
    startTimeInSeconds: Date.parse(startDate) / 1000 + shiftS,
    durationInSeconds: Math.round(13085 * 1.03),
    distanceInMeters: 42268.1 * 0.98,
    averageHeartRateInBeatsPerMinute: 168,
    averageSpeedInMetersPerSecond: 3.2,
  };
}

async function pushGarmin(summary: Record<string, unknown>) {
  const res = await app.request(garminWebhook("activities"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ activities: [summary] }),
  });
  expect(res.status).toBe(200);
  const [row] = await db
    .select()
    .from(webhookEvents)
    .where(and(eq(webhookEvents.provider, "garmin"), eq(webhookEvents.objectId, String(summary.summaryId))));
  expect((await settledEvent(env, row?.id ?? 0))?.status).toBe("processed");
}

async function importStrava(id: number, ownerId: number) {
  const eventId = await deliverStravaEvent(app, db, stravaEvent({ objectId: id, ownerId }));
  expect((await settledEvent(env, eventId))?.status).toBe("processed");
}

async function connectBoth(ownerId: number, garminUser: string) {
  const { athlete } = await seedStravaAthlete(env, { ownerId });
  await seedGarminAthlete(env, garmin, { userId: garminUser, signedInAthleteId: athlete.id });
  runWorkers(env, ["strava", "garmin"]);
  return athlete.id;
}

async function runsOf(athleteId: number) {
  const rows = await db.select().from(activities).where(eq(activities.athleteId, athleteId));
  const links = await db.select().from(activityLinks).where(eq(activityLinks.athleteId, athleteId));
  return {
    rows: rows.map((r) => `${r.provider}:${r.externalId}`).sort(),
    links: links.map(
      (l) => `${l.provider}:${l.externalId}->${rows.find((r) => r.id === l.activityId)?.externalId}`,
    ),
  };
}

describe("the same run from Strava and Garmin", () => {
  it("Strava first, then Garmin: one row (Strava's, the richer), Garmin's id linked", async () => {
    const athleteId = await connectBoth(8001, "garmin-8001");
    stravaRun(90_001, 8001, "2026-11-01T08:00:00Z");
    await importStrava(90_001, 8001);
    await pushGarmin(garminSummary("garmin-8001", "G90001", "2026-11-01T08:00:00Z"));
    expect(await runsOf(athleteId)).toEqual({ rows: ["strava:90001"], links: ["garmin:90001->90001"] });
  });

  it("Garmin first, then Strava: one row, taken over by Strava's richer record, Garmin's id linked", async () => {
    const athleteId = await connectBoth(8002, "garmin-8002");
    await pushGarmin(garminSummary("garmin-8002", "G90002", "2026-11-02T08:00:00Z"));
    expect((await runsOf(athleteId)).rows).toEqual(["garmin:90002"]);
    const [garminRow] = await db.select().from(activities).where(eq(activities.athleteId, athleteId));

    stravaRun(90_002, 8002, "2026-11-02T08:00:00Z");
    await importStrava(90_002, 8002);
    expect(await runsOf(athleteId)).toEqual({ rows: ["strava:90002"], links: ["garmin:90002->90002"] });
    // The same row: an override or anything keyed by it stays with the run.
    const [row] = await db.select().from(activities).where(eq(activities.athleteId, athleteId));
    expect(row?.id).toBe(garminRow?.id);
    expect((row?.summary as { laps?: unknown[] } | undefined)?.laps?.length).toBeGreaterThan(0);

    // A repeat of Garmin's push updates the linked copy, not a second row.
    await pushGarmin({
      ...garminSummary("garmin-8002", "G90002", "2026-11-02T08:00:00Z"),
      activityName: "Renamed",
    });
    expect(await runsOf(athleteId)).toEqual({ rows: ["strava:90002"], links: ["garmin:90002->90002"] });
  });

  it("a delete at Strava leaves Garmin's copy as the run", async () => {
    const athleteId = await connectBoth(8003, "garmin-8003");
    stravaRun(90_003, 8003, "2026-11-03T08:00:00Z");
    await importStrava(90_003, 8003);
    await pushGarmin(garminSummary("garmin-8003", "G90003", "2026-11-03T08:00:00Z"));
    strava.activities.delete("90003");
    const eventId = await deliverStravaEvent(
      app,
      db,
      stravaEvent({ objectId: 90_003, ownerId: 8003, aspect: "delete" }),
    );
    expect((await settledEvent(env, eventId))?.status).toBe("processed");
    expect(await runsOf(athleteId)).toEqual({ rows: ["garmin:90003"], links: [] });
  });

  it("keeps two runs apart when they start more than 2 minutes apart", async () => {
    const athleteId = await connectBoth(8004, "garmin-8004");
    stravaRun(90_004, 8004, "2026-11-04T08:00:00Z");
    await importStrava(90_004, 8004);
    await pushGarmin(garminSummary("garmin-8004", "G90004", "2026-11-04T08:00:00Z", 180));
    expect(await runsOf(athleteId)).toEqual({ rows: ["garmin:90004", "strava:90004"], links: [] });
  });
});
