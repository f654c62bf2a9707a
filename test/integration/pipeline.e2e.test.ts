// The way a run travels (DESIGN.md), end to end on real Postgres and Redis with msw
// standing in for Strava: webhook -> inbox -> import -> re-plan -> new plan
// version -> the calendar feed shows the moved session under the same UID with a
// higher SEQUENCE.
import ICAL from "ical.js";
import { describe, expect, it, vi } from "vitest";
import { latestPlan } from "../../src/db/repos/plans.ts";
import { addDays, localDate, mondayOf } from "../../src/domain/time.ts";
import { enqueue } from "../../src/workers/queues.ts";
import {
  detailedActivity,
  runWorkers,
  STRAVA_TEST_ENV,
  STRAVA_WEBHOOK,
  seedStravaAthlete,
  stravaEvent,
  useStravaFake,
} from "../support/strava-fake.ts";
import { testApp, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ ...STRAVA_TEST_ENV, REPLAN_DEBOUNCE_MS: "0" });
const fake = useStravaFake();
const app = testApp(env);

async function feed(token: string) {
  const res = await app.request(`/calendar/${token}.ics`);
  expect(res.status).toBe(200);
  const cal = new ICAL.Component(ICAL.parse(await res.text()));
  return cal.getAllSubcomponents("vevent").map((v) => {
    const e = new ICAL.Event(v);
    return { uid: e.uid, sequence: e.sequence, start: e.startDate.toJSDate().getTime() };
  });
}

async function planVersion(athleteId: number, version: number) {
  return vi.waitFor(
    async () => {
      const plan = await latestPlan(env.pool.db, athleteId);
      if (!plan || plan.version < version) throw new Error(`plan version ${plan?.version ?? 0} < ${version}`);
      return plan;
    },
    { timeout: 20_000, interval: 50 },
  );
}

describe("webhook to calendar", () => {
  it("a quality run where a session stood moves it; the feed keeps its UID and raises SEQUENCE", async () => {
    const { athlete } = await seedStravaAthlete(env, { ownerId: 3101 });
    runWorkers(env, ["strava", "replan", "plan-events"]);

    await enqueue(env.queues, "replan-athlete", {
      athleteId: athlete.id,
      cause: { type: "connect", provider: "strava" },
    });
    const first = await planVersion(athlete.id, 1);
    // The last session of next week: a week with room to move it within (R6 counts per week).
    const tz = athlete.timezone;
    const nextMonday = addDays(mondayOf(localDate(Date.now(), tz)), 7);
    const nextWeek = first.sessions.filter((s) => {
      const day = localDate(s.startAt.getTime(), tz);
      return day >= nextMonday && day <= addDays(nextMonday, 6);
    });
    const target = nextWeek[nextWeek.length - 1];
    expect(target, "a session next week").toBeDefined();
    const before = (await feed(athlete.calendarToken)).find(
      (e) => e.uid === `${target?.sessionKey}@runstrong`,
    );
    expect(before?.sequence).toBe(0);

    // That day's run turns out to be a workout (Strava workout_type 3), ending 2 h before the session.
    const runStart = new Date((target?.startAt.getTime() ?? 0) - 6 * 3_600_000);
    const activity = detailedActivity({
      id: 9_300_001,
      athleteId: 3101,
      name: "Tempo 3x10 min",
      workoutType: 3,
    });
    fake.activities.set("9300001", {
      ...activity,
      start_date: runStart.toISOString(),
      elapsed_time: 4 * 3600,
      moving_time: 4 * 3600,
      laps: [],
    });
    const res = await app.request(STRAVA_WEBHOOK, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(
        stravaEvent({ objectId: 9_300_001, ownerId: 3101, eventTime: Math.floor(Date.now() / 1000) }),
      ),
    });
    expect(res.status).toBe(200);

    const second = await planVersion(athlete.id, 2);
    expect(second.cause).toMatchObject({ type: "activity", provider: "strava", activityId: "9300001" });
    const moved = second.sessions.find((s) => s.sessionKey === target?.sessionKey);
    expect(moved, "the session keeps its identity").toBeDefined();
    expect(moved?.startAt.getTime()).not.toBe(target?.startAt.getTime());
    expect((second.diff as { type: string; sentence: string }[]).some((c) => c.type === "moved")).toBe(true);

    const after = (await feed(athlete.calendarToken)).find(
      (e) => e.uid === `${target?.sessionKey}@runstrong`,
    );
    expect(after?.start).toBe(moved?.startAt.getTime());
    expect(after?.sequence).toBeGreaterThan(before?.sequence ?? 0);
    expect(fake.count("GET", /^\/activities\/9300001$/)).toBe(1);
  });
});
