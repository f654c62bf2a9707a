// An athlete's time zone: one still on the default (UTC, never chosen) takes the
// zone of their Strava activities; one who chose a zone in their settings keeps
// it when an activity says otherwise — UTC included, which is a choice, not "unset".
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getAthlete } from "../../src/db/repos/athletes.ts";
import { athletes } from "../../src/db/schema/index.ts";
import { apiCaller } from "../support/api-calls.ts";
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

const env = await useTestEnv({ ...STRAVA_TEST_ENV });
const fake = useStravaFake();
const app = testApp(env);
const call = apiCaller(app, env.config, () => new Date());

/** A Strava athlete as a new one starts: on UTC, which nobody chose. */
async function newAthleteOnUtc(ownerId: number) {
  const { athlete } = await seedStravaAthlete(env, { ownerId });
  await env.pool.db.update(athletes).set({ timezone: "UTC" }).where(eq(athletes.id, athlete.id));
  return athlete;
}

/** Imports one activity in New York's zone for the Strava owner and waits until it is processed. */
async function importNewYorkRun(ownerId: number, activityId: number) {
  fake.activities.set(String(activityId), detailedActivity({ id: activityId, athleteId: ownerId }));
  const eventId = await deliverStravaEvent(app, env.pool.db, stravaEvent({ objectId: activityId, ownerId }));
  expect((await settledEvent(env, eventId))?.status).toBe("processed");
}

describe("the athlete's time zone on import", () => {
  it("an explicit choice of UTC is kept when an activity arrives in another zone", async () => {
    const athlete = await newAthleteOnUtc(3101);
    const chose = await call(athlete.id, "PATCH", "/api/settings", { timezone: "UTC" });
    expect(chose.status).toBe(200);
    expect((await getAthlete(env.pool.db, athlete.id))?.timezoneChosen).toBe(true);
    runWorkers(env);

    await importNewYorkRun(3101, 9101);
    expect((await getAthlete(env.pool.db, athlete.id))?.timezone).toBe("UTC");
    expect((await call(athlete.id, "GET", "/api/settings")).body.timezone).toBe("UTC");
  });

  it("an athlete who never chose takes the activity's zone", async () => {
    const athlete = await newAthleteOnUtc(3102);
    runWorkers(env);

    await importNewYorkRun(3102, 9102);
    expect((await getAthlete(env.pool.db, athlete.id))?.timezone).toBe("America/New_York");
  });
});
