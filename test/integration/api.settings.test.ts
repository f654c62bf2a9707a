import { describe, expect, it } from "vitest";
import { getAthlete } from "../../src/db/repos/athletes.ts";
import { SESSION_COOKIE } from "../../src/server/session.ts";
import { apiCaller, replanCausesOf } from "../support/api-calls.ts";
import { seedAthlete } from "../support/builders.ts";
import { testApp, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ REPLAN_DEBOUNCE_MS: "0", PUBLIC_URL: "https://runstrong.example" });
const now = new Date("2026-12-07T04:00:00Z");
const app = testApp(env, () => now);

const call = apiCaller(app, env.config, () => now);
const replanCauses = replanCausesOf(env.queues);

describe("GET /api/settings", () => {
  it("answers every field with the defaults filled in and named", async () => {
    const athlete = await seedAthlete(env.pool.db, { settings: { raceDate: "2027-04-18" } });
    const { status, body } = await call(athlete.id, "GET", "/api/settings");
    expect(status).toBe(200);
    expect(body).toMatchObject({
      timezone: "Europe/Berlin",
      raceDate: "2027-04-18",
      sessionsPerWeek: 2,
      qualityBufferHours: 12,
      blackouts: [],
      preferredWeekdays: [],
      strengthExperience: "trained",
      liftingSince: null,
      strengthTiming: "after-run",
      notifications: { email: true, push: true },
      runningPlanIcsUrl: null,
      calendarUrl: `https://runstrong.example/calendar/${athlete.calendarToken}.ics`,
    });
    expect(body.availability).toHaveLength(7);
    expect(body.availability[0]).toEqual({ weekday: 1, from: "06:00", to: "21:30" });
    expect(body.runTemplate).toContainEqual({
      weekday: 2,
      time: "07:00",
      durationMin: 60,
      kind: "quality",
      title: "Intervals",
    });
    expect(body.defaults).toContain("sessionsPerWeek");
    expect(body.defaults).not.toContain("raceDate");
  });

  it("answers 401 without a session, or with a forged one", async () => {
    expect((await call(null, "GET", "/api/settings")).status).toBe(401);
    const res = await app.request("/api/settings", { headers: { cookie: `${SESSION_COOKIE}=forged.value` } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    expect((await call(null, "PATCH", "/api/settings", { sessionsPerWeek: 3 })).status).toBe(401);
  });
});

describe("PATCH /api/settings", () => {
  it("stores a valid change and re-plans with the changed fields as the cause", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const patch = {
      sessionsPerWeek: 3,
      raceDate: "2027-04-18",
      availability: [
        { weekday: 1, from: "17:00", to: "21:00" },
        { weekday: 4, from: "17:00", to: "21:00" },
      ],
      preferredWeekdays: [1, 4],
      strengthTiming: "before-run",
    };
    const { status, body } = await call(athlete.id, "PATCH", "/api/settings", patch);
    expect(status).toBe(200);
    expect(body).toMatchObject(patch);
    expect(body.defaults).not.toContain("sessionsPerWeek");

    const stored = await getAthlete(env.pool.db, athlete.id);
    expect(stored?.settings).toEqual(patch);
    expect((await call(athlete.id, "GET", "/api/settings")).body).toMatchObject(patch);
    expect(await replanCauses(athlete.id)).toEqual([
      {
        type: "settings",
        fields: ["raceDate", "sessionsPerWeek", "availability", "preferredWeekdays", "strengthTiming"],
      },
    ]);
  });

  it("names each bad field in one 400", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const { status, body } = await call(athlete.id, "PATCH", "/api/settings", {
      sessionsPerWeek: 9,
      timezone: "Mars/Olympus_Mons",
      availability: [{ weekday: 1, from: "20:00", to: "07:00" }],
      raceDate: "2027-02-30",
      runningPlanIcsUrl: "file:///etc/passwd",
      favouriteColour: "green",
    });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: "validation_failed", requestId: expect.any(String) });
    const fields = body.error.details.fields as { field: string; message: string }[];
    expect(fields.map((f) => f.field).sort()).toEqual([
      "availability",
      "favouriteColour",
      "raceDate",
      "runningPlanIcsUrl",
      "sessionsPerWeek",
      "timezone",
    ]);
    expect(fields.find((f) => f.field === "availability")?.message).toBe("[0].to: from must be before to");
    expect(fields.find((f) => f.field === "timezone")?.message).toMatch(/IANA/);
    expect(fields.find((f) => f.field === "favouriteColour")?.message).toBe("unknown field");
    for (const f of fields) expect(body.error.message).toContain(f.field);
    // Nothing stored, nothing re-planned.
    expect((await getAthlete(env.pool.db, athlete.id))?.settings).toEqual({});
    expect(await replanCauses(athlete.id)).toEqual([]);
  });

  it("refuses an unknown field alone, a read-only field, a non-object body and bad JSON", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const unknown = await call(athlete.id, "PATCH", "/api/settings", { sessionsPerWeeks: 3 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.fields).toEqual([
      { field: "sessionsPerWeeks", message: "unknown field" },
    ]);

    const readOnly = await call(athlete.id, "PATCH", "/api/settings", {
      calendarUrl: "https://runstrong.example/calendar/mine.ics",
    });
    expect(readOnly.status).toBe(400);
    expect(readOnly.body.error.details.fields[0]).toMatchObject({ field: "calendarUrl" });
    expect(readOnly.body.error.details.fields[0].message).toMatch(/read-only/);

    expect((await call(athlete.id, "PATCH", "/api/settings", [1, 2])).status).toBe(400);
    const bad = await call(athlete.id, "PATCH", "/api/settings", "{not json");
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("bad_request");
    // A nested unknown key in notifications is refused too.
    const nested = await call(athlete.id, "PATCH", "/api/settings", { notifications: { sms: true } });
    expect(nested.body.error.details.fields).toEqual([
      { field: "notifications", message: expect.stringMatching(/sms/) },
    ]);
  });

  it("clears a nullable field with null and refuses null for the others", async () => {
    const athlete = await seedAthlete(env.pool.db, {
      settings: { raceDate: "2027-04-18", liftingSince: "2026-10-01", strengthExperience: "new" },
    });
    const cleared = await call(athlete.id, "PATCH", "/api/settings", { raceDate: null, liftingSince: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ raceDate: null, liftingSince: null, strengthExperience: "new" });
    expect((await getAthlete(env.pool.db, athlete.id))?.settings).toEqual({ strengthExperience: "new" });
    expect(await replanCauses(athlete.id)).toEqual([
      { type: "settings", fields: ["raceDate", "liftingSince"] },
    ]);

    const refused = await call(athlete.id, "PATCH", "/api/settings", {
      sessionsPerWeek: null,
      timezone: null,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      "sessionsPerWeek",
      "timezone",
    ]);
  });

  it("merges notification preferences and re-plans nothing when nothing the planner reads changed", async () => {
    const athlete = await seedAthlete(env.pool.db, { settings: { notifications: { push: false } } });
    const { body } = await call(athlete.id, "PATCH", "/api/settings", { notifications: { email: false } });
    expect(body.notifications).toEqual({ email: false, push: false, quietHours: null });
    // Setting a value to what it already is changes nothing.
    await call(athlete.id, "PATCH", "/api/settings", { notifications: { email: false } });
    expect(await replanCauses(athlete.id)).toEqual([{ type: "settings", fields: ["notifications"] }]);
  });

  it("stores the time zone in its column and a new weekly run template", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const runTemplate = [
      { weekday: 2, time: "18:30", durationMin: 60, kind: "quality", title: "Club intervals" },
      { weekday: 6, time: "09:00", durationMin: 110, kind: "quality", title: "Long run" },
    ];
    const { status, body } = await call(athlete.id, "PATCH", "/api/settings", {
      timezone: "America/New_York",
      runTemplate,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ timezone: "America/New_York", runTemplate });
    expect((await getAthlete(env.pool.db, athlete.id))?.timezone).toBe("America/New_York");
    expect(await replanCauses(athlete.id)).toEqual([
      { type: "settings", fields: ["timezone", "runTemplate"] },
    ]);
  });
});

describe("POST /api/calendar/rotate", () => {
  it("gives a new feed URL; the old one answers 404", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const oldUrl = (await call(athlete.id, "GET", "/api/settings")).body.calendarUrl as string;
    expect((await app.request(new URL(oldUrl).pathname)).status).toBe(200);

    const { status, body } = await call(athlete.id, "POST", "/api/calendar/rotate");
    expect(status).toBe(200);
    expect(body.calendarUrl).toMatch(/^https:\/\/runstrong\.example\/calendar\/[\w-]{32,}\.ics$/);
    expect(body.calendarUrl).not.toBe(oldUrl);
    expect((await app.request(new URL(oldUrl).pathname)).status).toBe(404);
    expect((await app.request(new URL(body.calendarUrl).pathname)).status).toBe(200);
    expect((await call(athlete.id, "GET", "/api/settings")).body.calendarUrl).toBe(body.calendarUrl);
    expect((await call(null, "POST", "/api/calendar/rotate")).status).toBe(401);
  });
});
