import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { getAthlete } from "../../src/db/repos/athletes.ts";
import { rotateCalendarToken } from "../../src/db/repos/calendar.ts";
import { createApp } from "../../src/server/app.ts";
import { replanAthlete } from "../../src/workers/replan/replan-athlete.ts";
import { seedActivity, seedAthlete } from "../support/builders.ts";
import { jobContext, useTestEnv, workerDeps } from "../support/test-env.ts";

const env = await useTestEnv({ REPLAN_DEBOUNCE_MS: "0" });
let now = new Date("2026-12-07T04:00:00Z");
const deps = workerDeps(env, () => now);
const app = createApp({ ...deps, metrics: env.metrics, readiness: [] });
const ctx = jobContext(env);

interface FeedEvent {
  uid: string;
  sequence: number;
  start: Date;
  summary: string;
  description: string;
}

async function feed(
  token: string,
): Promise<{ status: number; events: FeedEvent[]; text: string; type: string | null }> {
  const res = await app.request(`/calendar/${token}.ics`);
  const text = await res.text();
  if (res.status !== 200)
    return { status: res.status, events: [], text, type: res.headers.get("content-type") };
  const comp = new ICAL.Component(ICAL.parse(text));
  const events = comp.getAllSubcomponents("vevent").map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      sequence: e.sequence,
      start: e.startDate.toJSDate(),
      summary: e.summary,
      description: e.description,
    };
  });
  return { status: res.status, events, text, type: res.headers.get("content-type") };
}

describe("the calendar feed", () => {
  it("lists the planned sessions with exercises, stable UIDs and SEQUENCE 0", async () => {
    const athlete = await seedAthlete(env.pool.db);
    await replanAthlete({ athleteId: athlete.id, cause: { type: "connect", provider: "strava" } }, deps, ctx);
    const { status, events, type } = await feed(athlete.calendarToken);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/calendar/);
    expect(events).toHaveLength(4);
    expect(events.every((e) => e.uid.endsWith("@runstrong") && e.sequence === 0)).toBe(true);
    expect(events[0]?.summary).toMatch(/^Strength [AB]$/);
    expect(events[0]?.description).toMatch(/squat|deadlift/i);
    // Fetching again gives the same bytes: nothing for a calendar app to update.
    expect((await feed(athlete.calendarToken)).text).toBe((await feed(athlete.calendarToken)).text);
  });

  it("a moved session keeps its UID and raises its SEQUENCE", async () => {
    const athlete = await seedAthlete(env.pool.db);
    now = new Date("2026-12-07T04:00:00Z");
    await replanAthlete({ athleteId: athlete.id, cause: { type: "connect", provider: "strava" } }, deps, ctx);
    const before = await feed(athlete.calendarToken);
    const first = before.events.sort((a, b) => a.start.getTime() - b.start.getTime())[0];
    expect(first).toBeDefined();
    const day = first?.start.toISOString().slice(0, 10) ?? "";

    now = new Date(`${day}T09:00:00Z`);
    await seedActivity(env.pool.db, athlete.id, {
      start: `${day}T06:00:00Z`,
      minutes: 50,
      name: "Threshold 3x10 min",
      kind: "quality",
    });
    await replanAthlete({ athleteId: athlete.id, cause: { type: "override", what: "test" } }, deps, ctx);

    const after = await feed(athlete.calendarToken);
    const moved = after.events.find((e) => e.uid === first?.uid);
    expect(moved, "same UID after the move").toBeDefined();
    expect(moved?.start.getTime()).not.toBe(first?.start.getTime());
    expect(moved?.sequence).toBe(1);
    now = new Date("2026-12-07T04:00:00Z");
  });

  it("answers 404 for an unknown or rotated token", async () => {
    const athlete = await seedAthlete(env.pool.db);
    expect((await feed("x".repeat(43))).status).toBe(404);
    expect((await feed("short")).status).toBe(404);
    const fresh = await rotateCalendarToken(env.pool.db, athlete.id);
    expect(fresh).not.toBe(athlete.calendarToken);
    expect((await feed(athlete.calendarToken)).status).toBe(404);
    expect((await feed(fresh)).status).toBe(200);
    expect((await getAthlete(env.pool.db, athlete.id))?.calendarToken).toBe(fresh);
  });
});
