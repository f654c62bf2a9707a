// The strength log through the service: a Garmin strength .FIT file's sets become
// the log of that day's session, which is marked done, and the next session's
// load follows from them; the log API round trip in pounds; and the athlete's own
// calendar keeping a session off a busy evening without storing a title.
import { UnrecoverableError } from "bullmq";
import { eq, sql } from "drizzle-orm";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, describe, expect, it } from "vitest";
import { latestPlan } from "../../src/db/repos/plans.ts";
import { busyIntervals, strengthLogs } from "../../src/db/schema/index.ts";
import type { ResolveHost } from "../../src/integrations/calendar/fetch-feed.ts";
import { importStrengthFit } from "../../src/plan/import-strength-file.ts";
import { createApp } from "../../src/server/app.ts";
import { busyCalendarSchedulerId, ensureAthleteSchedules } from "../../src/workers/athlete-schedules.ts";
import { importBusyCalendar } from "../../src/workers/processors/calendar.ts";
import { replanAthlete } from "../../src/workers/replan/replan-athlete.ts";
import { apiCaller, replanCausesOf } from "../support/api-calls.ts";
import { seedAthlete } from "../support/builders.ts";
import { pair, strengthFit, times } from "../support/strength-fit.ts";
import { jobContext, useTestEnv, workerDeps } from "../support/test-env.ts";

const env = await useTestEnv({ REPLAN_DEBOUNCE_MS: "0" });
// Monday 7 December 2026, 05:00 in Berlin. The first plan has Strength A on
// Monday 18:00, B on Thursday 18:00, A again on Monday 14 December.
const MONDAY = new Date("2026-12-07T04:00:00Z");
let now = MONDAY;
const deps = workerDeps(env, () => now);
const ctx = jobContext(env);
const app = createApp({ ...deps, metrics: env.metrics, readiness: [] });
const call = apiCaller(app, env.config, () => now);
const replanCauses = replanCausesOf(env.queues);

async function plannedAthlete(settings: Record<string, unknown>) {
  now = MONDAY;
  const athlete = await seedAthlete(env.pool.db, { settings });
  await replanAthlete({ athleteId: athlete.id, cause: { type: "connect", provider: "strava" } }, deps, ctx);
  const plan = await latestPlan(env.pool.db, athlete.id);
  if (!plan || plan.sessions.length < 3) throw new Error("expected a plan with sessions");
  return { athlete, plan };
}

const loadOf = (exercises: readonly { name: string; loadKg?: number }[], name: string) =>
  exercises.find((e) => e.name === name)?.loadKg;

describe("a Garmin strength activity with sets", () => {
  it("logs the day's session with its sets, marks it done, and the next session's load follows", async () => {
    const { athlete, plan } = await plannedAthlete({ lifts: { backSquat: { oneRepMaxKg: 100 } } });
    const [monday, , nextA] = plan.sessions;
    if (!monday || !nextA) throw new Error("expected sessions");
    expect(monday.session).toBe("A");
    expect(nextA.session).toBe("A");
    expect(loadOf(monday.exercises, "Back squat")).toBe(65);
    expect(loadOf(nextA.exercises, "Back squat")).toBe(65);

    // Monday evening: every prescribed rep of 3 x 8-10 at 65 kg done, effort rated 8 of 10 (2 in reserve).
    now = new Date("2026-12-07T19:30:00Z");
    const file = strengthFit(
      new Date("2026-12-07T17:05:00Z"),
      [
        ...times(3, { exercise: pair("Back squat"), reps: 8, weightKg: 65 }),
        ...times(3, { exercise: pair("Bulgarian split squat"), reps: 8, weightKg: 12 }),
        ...times(2, { exercise: { category: "SQUAT", name: "GOBLET_SQUAT" }, reps: 10, weightKg: 20 }),
        ...times(3, { exercise: pair("Box jump"), reps: 5, weightKg: 0 }),
      ],
      80,
    );
    const result = await importStrengthFit(deps, athlete.id, file, "garmin");
    expect(result).toMatchObject({ logged: true, sessionKey: monday.sessionKey });

    const marked = await latestPlan(env.pool.db, athlete.id);
    expect(marked?.sessions.find((s) => s.sessionKey === monday.sessionKey)?.status).toBe("done");
    const [log] = await env.pool.db.select().from(strengthLogs).where(eq(strengthLogs.athleteId, athlete.id));
    expect(log).toMatchObject({
      sessionKey: monday.sessionKey,
      date: "2026-12-07",
      session: "A",
      source: "garmin",
    });
    expect(log?.exercises.map((e) => [e.name, e.sets.length])).toEqual([
      ["Back squat", 3],
      ["Bulgarian split squat", 3],
      // not one of the planner's: kept with Garmin's name
      ["Goblet squat", 2],
      ["Box jump", 3],
    ]);
    expect(log?.exercises[0]?.sets[0]).toEqual({ reps: 8, weightKg: 65, repsInReserve: 2 });
    expect(await replanCauses(athlete.id)).toContainEqual({ type: "strength-log", source: "garmin" });

    await replanAthlete(
      { athleteId: athlete.id, cause: { type: "strength-log", source: "garmin" } },
      deps,
      ctx,
    );
    const after = await latestPlan(env.pool.db, athlete.id);
    const next = after?.sessions.find((s) => s.sessionKey === nextA.sessionKey);
    // One increment (2.5 kg) up from the logged 65 kg.
    expect(loadOf(next?.exercises ?? [], "Back squat")).toBe(67.5);
    expect(next?.reasons.join(" ")).toContain("up from 65 kg");
  });

  it("logs nothing on a day without a planned session, and without a rated effort the load holds", async () => {
    const { athlete, plan } = await plannedAthlete({ lifts: { backSquat: { oneRepMaxKg: 100 } } });
    now = new Date("2026-12-08T19:30:00Z");
    const tuesday = strengthFit(new Date("2026-12-08T17:00:00Z"), [
      { exercise: pair("Back squat"), reps: 8, weightKg: 65 },
    ]);
    expect(await importStrengthFit(deps, athlete.id, tuesday, "garmin")).toEqual({
      logged: false,
      reason: "no session planned on 2026-12-08",
    });

    const monday = strengthFit(
      new Date("2026-12-07T17:00:00Z"),
      times(3, { exercise: pair("Back squat"), reps: 8, weightKg: 65 }),
    );
    await importStrengthFit(deps, athlete.id, monday, "fit");
    await replanAthlete({ athleteId: athlete.id, cause: { type: "strength-log", source: "fit" } }, deps, ctx);
    const after = await latestPlan(env.pool.db, athlete.id);
    const nextA = plan.sessions[2];
    expect(
      loadOf(after?.sessions.find((s) => s.sessionKey === nextA?.sessionKey)?.exercises ?? [], "Back squat"),
    ).toBe(65);
  });
});

describe("POST /api/sessions/{key}/log and GET /api/strength-log", () => {
  it("round-trips a log in pounds, stores kilograms, and marks the session done", async () => {
    const { athlete, plan } = await plannedAthlete({ units: "lb" });
    const monday = plan.sessions[0];
    if (!monday) throw new Error("expected a session");
    now = new Date("2026-12-07T19:30:00Z");

    const wrongUnit = await call(athlete.id, "POST", `/api/sessions/${monday.sessionKey}/log`, {
      exercises: [{ name: "Back squat", sets: [{ reps: 5, weightKg: 80 }] }],
    });
    expect(wrongUnit.status).toBe(400);
    expect(wrongUnit.body.error.code).toBe("validation_failed");
    expect(wrongUnit.body.error.message).toContain("weightLb");

    const sets = [
      { reps: 5, weightLb: 185, repsInReserve: 2 },
      { reps: 5, weightLb: 185, repsInReserve: 2 },
      { reps: 4, weightLb: 185 },
    ];
    const posted = await call(athlete.id, "POST", `/api/sessions/${monday.sessionKey}/log`, {
      exercises: [
        { name: "Back squat", sets },
        { name: "Box jump", sets: [{ reps: 5, weightLb: 0 }] },
      ],
    });
    expect(posted.status).toBe(200);
    expect(posted.body.session).toMatchObject({ key: monday.sessionKey, status: "done" });
    expect(posted.body.log).toEqual({
      date: "2026-12-07",
      units: "lb",
      exercises: [
        { name: "Back squat", sets },
        { name: "Box jump", sets: [{ reps: 5, weightLb: 0 }] },
      ],
    });
    const [row] = await env.pool.db.select().from(strengthLogs).where(eq(strengthLogs.athleteId, athlete.id));
    expect(row?.exercises[0]?.sets[0]?.weightKg).toBeCloseTo(83.9146, 3);

    const history = await call(athlete.id, "GET", "/api/strength-log");
    expect(history.status).toBe(200);
    expect(history.body).toEqual({
      units: "lb",
      exercises: [
        {
          name: "Back squat",
          lift: "backSquat",
          sessions: [{ date: "2026-12-07", session: "A", source: "api", sets }],
        },
        {
          name: "Box jump",
          lift: null,
          sessions: [{ date: "2026-12-07", session: "A", source: "api", sets: [{ reps: 5, weightLb: 0 }] }],
        },
      ],
    });

    // Another athlete sees none of it, and cannot log this session.
    const other = await seedAthlete(env.pool.db);
    expect((await call(other.id, "GET", "/api/strength-log")).body).toEqual({ units: "kg", exercises: [] });
    const foreign = await call(other.id, "POST", `/api/sessions/${monday.sessionKey}/log`, {
      exercises: [{ name: "Back squat", sets: [{ reps: 5, weightKg: 80 }] }],
    });
    expect(foreign.status).toBe(404);
  });

  it("refuses a session still ahead, a body that is not a log, and a caller without a session", async () => {
    const { athlete, plan } = await plannedAthlete({});
    const thursday = plan.sessions[1];
    now = new Date("2026-12-07T19:30:00Z");
    const body = { exercises: [{ name: "Romanian deadlift", sets: [{ reps: 8, weightKg: 60 }] }] };
    const ahead = await call(athlete.id, "POST", `/api/sessions/${thursday?.sessionKey}/log`, body);
    expect(ahead.status).toBe(409);
    const bad = await call(athlete.id, "POST", `/api/sessions/${thursday?.sessionKey}/log`, {
      exercises: [{ name: "Romanian deadlift", sets: [{ reps: -1, weightKg: 60 }] }],
    });
    expect(bad.status).toBe(400);
    expect((await call(null, "POST", `/api/sessions/${thursday?.sessionKey}/log`, body)).status).toBe(401);
    expect((await call(null, "GET", "/api/strength-log")).status).toBe(401);
    expect(
      await env.pool.db.select().from(strengthLogs).where(eq(strengthLogs.athleteId, athlete.id)),
    ).toEqual([]);
  });
});

describe("the strength settings", () => {
  it("takes one-rep maxes, units and the increment, validated field by field, and re-plans", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const bad = await call(athlete.id, "PATCH", "/api/settings", {
      lifts: { benchPress: { oneRepMaxKg: 80 } },
      units: "stone",
      loadIncrementKg: -1,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      "lifts",
      "loadIncrementKg",
      "units",
    ]);

    const before = await call(athlete.id, "GET", "/api/settings");
    expect(before.body).toMatchObject({
      lifts: {},
      units: "kg",
      loadIncrementKg: 2.5,
      busyCalendarIcsUrl: null,
    });
    const ok = await call(athlete.id, "PATCH", "/api/settings", {
      lifts: { backSquat: { oneRepMaxKg: 140, date: "2026-11-30" } },
      units: "lb",
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      lifts: { backSquat: { oneRepMaxKg: 140, date: "2026-11-30" } },
      units: "lb",
      // 5 lb, the default step in pounds
      loadIncrementKg: 2.26796,
    });
    expect(ok.body.defaults).toContain("loadIncrementKg");
    expect(ok.body.defaults).not.toContain("lifts");
    expect(await replanCauses(athlete.id)).toContainEqual({
      type: "settings",
      fields: ["lifts", "units", "loadIncrementKg"],
    });
  });
});

const BUSY_URL = "https://calendar.example.com/private-5e1c9a/basic.ics";
const publicResolve: ResolveHost = async () => [{ address: "93.184.215.14", family: 4 }];
const busyFeed = { text: "" };
const server = setupServer(
  http.get(BUSY_URL, () =>
    HttpResponse.text(busyFeed.text, { headers: { "content-type": "text/calendar; charset=utf-8" } }),
  ),
);
server.listen({ onUnhandledRequest: "error" });
afterAll(() => server.close());

const vevent = (uid: string, start: string, end: string, summary: string, extra: string[] = []) =>
  [
    "BEGIN:VEVENT",
    `UID:${uid}`,
    "DTSTAMP:20261201T120000Z",
    `DTSTART;TZID=Europe/Berlin:${start}`,
    `DTEND;TZID=Europe/Berlin:${end}`,
    `SUMMARY:${summary}`,
    "LOCATION:Praxis Dr. Geheim, Hauptstr. 1",
    ...extra,
    "END:VEVENT",
  ].join("\r\n");

describe("busy times from the athlete's own calendar", () => {
  it("is scheduled at start-up for athletes with a busy calendar, and unscheduled for those without", async () => {
    const withFeed = await seedAthlete(env.pool.db, { settings: { busyCalendarIcsUrl: BUSY_URL } });
    const without = await seedAthlete(env.pool.db);
    await env.queues.calendar.upsertJobScheduler(
      busyCalendarSchedulerId(without.id),
      { every: 6 * 3_600_000 },
      { name: "import-busy-calendar", data: { athleteId: without.id } },
    );
    await ensureAthleteSchedules(env.pool.db, env.queues, env.logger);
    expect(await env.queues.calendar.getJobScheduler(busyCalendarSchedulerId(withFeed.id))).toMatchObject({
      name: "import-busy-calendar",
      every: 6 * 3_600_000,
    });
    expect(await env.queues.calendar.getJobScheduler(busyCalendarSchedulerId(without.id))).toBeFalsy();
  });

  it("gives up on a feed that is no calendar without repeating what it said", async () => {
    const athlete = await seedAthlete(env.pool.db, { settings: { busyCalendarIcsUrl: BUSY_URL } });
    busyFeed.text = "BEGIN:VCALENDAR\r\nDentist appointment at 5\r\nEND:VCALENDAR";
    const failed = await importBusyCalendar({ athleteId: athlete.id }, deps, ctx, {
      resolve: publicResolve,
    }).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(UnrecoverableError);
    expect((failed as Error).message).toBe("busy calendar: not a readable iCalendar feed");
    expect(
      await env.pool.db.select().from(busyIntervals).where(eq(busyIntervals.athleteId, athlete.id)),
    ).toEqual([]);
  });

  it("keeps the session off a busy evening, stores only start and end, and re-plans on a change", async () => {
    const { athlete, plan } = await plannedAthlete({});
    const thursday = plan.sessions[1];
    expect(thursday?.startAt.toISOString()).toBe("2026-12-10T17:00:00.000Z");

    // The URL arrives through the settings API: validated, fenced, and scheduled like the running plan's.
    const refused = await call(athlete.id, "PATCH", "/api/settings", {
      busyCalendarIcsUrl: "http://127.0.0.1/x.ics",
    });
    expect(refused.status).toBe(400);
    const patched = await call(athlete.id, "PATCH", "/api/settings", { busyCalendarIcsUrl: BUSY_URL });
    expect(patched.status).toBe(200);
    expect(patched.body.busyCalendarIcsUrl).toBe(BUSY_URL);
    expect(await env.queues.calendar.getJobScheduler(busyCalendarSchedulerId(athlete.id))).toMatchObject({
      name: "import-busy-calendar",
    });

    busyFeed.text = [
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//Example//Calendar//EN",
      // Thursday evening, busy: the session must move.
      vevent("dentist@example.com", "20261210T163000", "20261210T200000", "Dentist (root canal)"),
      // Free and cancelled events block nothing.
      vevent("focus@example.com", "20261214T170000", "20261214T210000", "Focus time", ["TRANSP:TRANSPARENT"]),
      vevent("dinner@example.com", "20261217T170000", "20261217T210000", "Dinner with Alex", [
        "STATUS:CANCELLED",
      ]),
      "END:VCALENDAR",
    ].join("\r\n");
    now = new Date("2026-12-07T06:00:00Z");
    const imported = await importBusyCalendar({ athleteId: athlete.id }, deps, ctx, {
      resolve: publicResolve,
    });
    expect(imported).toEqual({ intervals: 1, changed: true });
    expect(await replanCauses(athlete.id)).toContainEqual({ type: "busy-calendar", intervals: 1 });

    // The raw rows: a start and an end, nothing the event said.
    const raw = await env.pool.db.execute(
      sql`select * from ${busyIntervals} where ${busyIntervals.athleteId} = ${athlete.id}`,
    );
    expect(raw.length).toBe(1);
    expect(Object.keys(raw[0] ?? {}).sort()).toEqual([
      "athlete_id",
      "end_at",
      "id",
      "imported_at",
      "start_at",
    ]);
    expect(JSON.stringify(raw)).not.toMatch(/Dentist|root canal|Geheim|Focus|Dinner|example\.com/);
    expect(new Date(String(raw[0]?.start_at)).toISOString()).toBe("2026-12-10T15:30:00.000Z");
    expect(new Date(String(raw[0]?.end_at)).toISOString()).toBe("2026-12-10T19:00:00.000Z");

    await replanAthlete({ athleteId: athlete.id, cause: { type: "busy-calendar", intervals: 1 } }, deps, ctx);
    const after = await latestPlan(env.pool.db, athlete.id);
    const busyStart = Date.parse("2026-12-10T15:30:00Z");
    const busyEnd = Date.parse("2026-12-10T19:00:00Z");
    for (const s of after?.sessions ?? []) {
      const overlaps = s.startAt.getTime() < busyEnd && s.endAt.getTime() > busyStart;
      expect(overlaps, `${s.session} at ${s.startAt.toISOString()}`).toBe(false);
    }
    expect(after?.sessions.map((s) => s.session)).toEqual(plan.sessions.map((s) => s.session));

    // The same feed again changes nothing; clearing the URL removes the busy times.
    expect(
      await importBusyCalendar({ athleteId: athlete.id }, deps, ctx, { resolve: publicResolve }),
    ).toEqual({
      intervals: 1,
      changed: false,
    });
    await call(athlete.id, "PATCH", "/api/settings", { busyCalendarIcsUrl: null });
    expect(
      await env.pool.db.select().from(busyIntervals).where(eq(busyIntervals.athleteId, athlete.id)),
    ).toEqual([]);
    expect(await env.queues.calendar.getJobScheduler(busyCalendarSchedulerId(athlete.id))).toBeFalsy();
  });
});
