import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { PlanChangedError, storeOverrideVersion } from "../../src/db/repos/overrides.ts";
import { latestPlan } from "../../src/db/repos/plans.ts";
import { activities } from "../../src/db/schema/index.ts";
import { isoWeekday, isoWithOffset, localDate, localTime, WEEKDAY_NAMES } from "../../src/domain/time.ts";
import { createApp } from "../../src/server/app.ts";
import { replanAthlete } from "../../src/workers/replan/replan-athlete.ts";
import { apiCaller, replanCausesOf } from "../support/api-calls.ts";
import { seedActivity, seedAthlete } from "../support/builders.ts";
import { jobContext, useTestEnv, workerDeps } from "../support/test-env.ts";

const env = await useTestEnv({ REPLAN_DEBOUNCE_MS: "0" });
// Monday 7 December 2026, 05:00 in Berlin. The default template has Tuesday's 07:00 intervals.
const MONDAY = new Date("2026-12-07T04:00:00Z");
let now = MONDAY;
const deps = workerDeps(env, () => now);
const ctx = jobContext(env);
const app = createApp({ ...deps, metrics: env.metrics, readiness: [] });
const TZ = "Europe/Berlin";

const call = apiCaller(app, env.config, () => now);
const replanCauses = replanCausesOf(env.queues);

/** An athlete with a first plan (version 1) made on Monday morning. */
async function plannedAthlete() {
  now = MONDAY;
  const athlete = await seedAthlete(env.pool.db);
  await replanAthlete({ athleteId: athlete.id, cause: { type: "connect", provider: "strava" } }, deps, ctx);
  const plan = await latestPlan(env.pool.db, athlete.id);
  if (!plan || plan.sessions.length < 2) throw new Error("expected a plan with sessions");
  return { athlete, plan };
}

describe("marking a run easy or quality", () => {
  it("stores the athlete's verdict and re-plans with what they did as the cause", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const run = await seedActivity(env.pool.db, athlete.id, {
      start: "2026-12-06T08:00:00Z",
      minutes: 50,
      name: "Sunday hills",
      kind: "easy",
    });
    const { status, body } = await call(athlete.id, "PUT", `/api/activities/${run.id}/kind`, {
      kind: "quality",
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: run.id, name: "Sunday hills", kind: "easy", kindOverride: "quality" });
    expect(body.start).toBe("2026-12-06T09:00:00+01:00");
    const [row] = await env.pool.db.select().from(activities).where(eq(activities.id, run.id));
    expect(row?.kindOverride).toBe("quality");
    expect(await replanCauses(athlete.id)).toEqual([
      { type: "override", what: 'marked the run "Sunday hills" (Sun 2026-12-06 09:00) as quality' },
    ]);

    // The same mark again changes nothing; null clears it.
    await call(athlete.id, "PUT", `/api/activities/${run.id}/kind`, { kind: "quality" });
    const cleared = await call(athlete.id, "PUT", `/api/activities/${run.id}/kind`, { kind: null });
    expect(cleared.body.kindOverride).toBeNull();
    expect((await replanCauses(athlete.id)).map((c) => c.what)).toEqual([
      'marked the run "Sunday hills" (Sun 2026-12-06 09:00) as quality',
      'cleared your mark on the run "Sunday hills" (Sun 2026-12-06 09:00)',
    ]);
  });

  it("answers 404 for another athlete's activity and lists only the athlete's own", async () => {
    const me = await seedAthlete(env.pool.db);
    const other = await seedAthlete(env.pool.db);
    const mine = await seedActivity(env.pool.db, me.id, {
      start: "2026-12-05T07:00:00Z",
      minutes: 40,
      name: "Easy",
      kind: "easy",
    });
    const theirs = await seedActivity(env.pool.db, other.id, {
      start: "2026-12-05T08:00:00Z",
      minutes: 40,
      name: "Their run",
      kind: "easy",
    });
    const refused = await call(me.id, "PUT", `/api/activities/${theirs.id}/kind`, { kind: "quality" });
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe("not_found");
    const [row] = await env.pool.db.select().from(activities).where(eq(activities.id, theirs.id));
    expect(row?.kindOverride).toBeNull();
    expect((await call(me.id, "PUT", "/api/activities/abc/kind", { kind: "easy" })).status).toBe(404);

    const list = await call(me.id, "GET", "/api/activities");
    expect(list.status).toBe(200);
    expect(list.body.activities.map((a: { id: number }) => a.id)).toEqual([mine.id]);
    expect(list.body.activities[0]).toEqual({
      id: mine.id,
      provider: "strava",
      name: "Easy",
      sport: "run",
      start: "2026-12-05T08:00:00+01:00",
      durationMin: 40,
      kind: "easy",
      subtype: "easy",
      confidence: 0.9,
      reasons: ["seeded as easy"],
      kindOverride: null,
    });
    expect((await call(me.id, "GET", "/api/activities?days=1")).body.activities).toEqual([]);
    expect((await call(me.id, "GET", "/api/activities?days=0")).status).toBe(400);
    expect((await call(null, "GET", "/api/activities")).status).toBe(401);
  });

  it("refuses a kind for a strength activity and a body with another field", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const gym = await seedActivity(env.pool.db, athlete.id, {
      start: "2026-12-05T17:00:00Z",
      minutes: 45,
      name: "Gym",
      kind: "strength",
    });
    expect((await call(athlete.id, "PUT", `/api/activities/${gym.id}/kind`, { kind: "easy" })).status).toBe(
      409,
    );
    const bad = await call(athlete.id, "PUT", `/api/activities/${gym.id}/kind`, { kind: "tempo", why: "x" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      "kind",
      "why",
    ]);
  });
});

describe("moving a session", () => {
  it("refuses a slot before a quality morning with 422 naming R2 and the run", async () => {
    const { athlete, plan } = await plannedAthlete();
    const session = plan.sessions[0];
    // Monday 20:00 ends 10 h 15 min before Tuesday's 07:00 intervals (12 h needed).
    const { status, body } = await call(athlete.id, "POST", `/api/sessions/${session?.sessionKey}/move`, {
      start: "2026-12-07T20:00:00+01:00",
    });
    expect(status).toBe(422);
    expect(body.error.code).toBe("rule_violation");
    expect(body.error.message).toMatch(/^Strength [AB] cannot move to Mon 20:00: R2: .*"Intervals"/);
    expect(body.error.details.violations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: "R2",
          run: { start: "2026-12-08T07:00:00+01:00", title: "Intervals", kind: "quality" },
        }),
      ]),
    );
    // On the quality morning itself: R1 and R2 both, naming the same run.
    const onTheDay = await call(athlete.id, "POST", `/api/sessions/${session?.sessionKey}/move`, {
      start: "2026-12-08T06:00:00+01:00",
    });
    expect(onTheDay.status).toBe(422);
    expect(onTheDay.body.error.details.violations.map((v: { rule: string }) => v.rule)).toEqual(
      expect.arrayContaining(["R1", "R2"]),
    );
    expect((await latestPlan(env.pool.db, athlete.id))?.version).toBe(1);
    expect(await replanCauses(athlete.id)).toEqual([]);
  });

  it("stores a legal move as a new version: pinned, same key, SEQUENCE up; the re-plan keeps it", async () => {
    const { athlete, plan } = await plannedAthlete();
    const session = plan.sessions.find((s) => localDate(s.startAt.getTime(), TZ) > "2026-12-07");
    if (!session) throw new Error("no session after today");
    // The nearest slot the rules allow, as the athlete would find it: refused tries change nothing.
    let target = 0;
    let answer: Awaited<ReturnType<typeof call>> | null = null;
    for (const hours of [-1, 1, -2, 2, 24, -24, 48]) {
      const start = session.startAt.getTime() + hours * 3_600_000;
      answer = await call(athlete.id, "POST", `/api/sessions/${session.sessionKey}/move`, {
        start: isoWithOffset(start, TZ),
      });
      if (answer.status !== 422) {
        target = start;
        break;
      }
      expect((await latestPlan(env.pool.db, athlete.id))?.version).toBe(1);
    }
    const { status, body } = answer ?? { status: 0, body: {} };
    const targetIso = isoWithOffset(target, TZ);
    expect(status).toBe(200);
    expect(body.version).toBe(2);
    expect(body.session).toMatchObject({
      key: session.sessionKey,
      start: targetIso,
      pinned: true,
      sequence: session.sequence + 1,
      status: "planned",
    });

    const after = await latestPlan(env.pool.db, athlete.id);
    expect(after?.version).toBe(2);
    const moved = after?.sessions.find((s) => s.sessionKey === session.sessionKey);
    expect(moved?.startAt.getTime()).toBe(target);
    expect(moved?.endAt.getTime() ?? 0).toBe(target + (session.endAt.getTime() - session.startAt.getTime()));
    expect(moved?.pinned).toBe(true);
    expect(after?.sessions).toHaveLength(plan.sessions.length);
    const at = (ms: number) => `${WEEKDAY_NAMES[isoWeekday(localDate(ms, TZ)) - 1]} ${localTime(ms, TZ)}`;
    expect(after?.cause).toEqual({
      type: "override",
      what: `moved Strength ${session.session} to ${at(target)}`,
    });
    expect(after?.diff).toEqual([
      expect.objectContaining({
        type: "moved",
        key: session.sessionKey,
        sentence: `Strength ${session.session} moved from ${at(session.startAt.getTime())} to ${at(target)}: you moved it`,
      }),
    ]);
    expect(await replanCauses(athlete.id)).toEqual([after?.cause]);

    // The calendar event follows: same UID, higher SEQUENCE.
    const ics = await (await app.request(`/calendar/${athlete.calendarToken}.ics`)).text();
    expect(ics).toContain(`UID:${session.sessionKey}@runstrong`);
    expect(ics).toMatch(new RegExp(`SEQUENCE:${session.sequence + 1}`));

    // The re-plan the move asked for keeps the session where the athlete put it.
    // Its output is the override version's own (same hash): nothing more is stored.
    const r = await replanAthlete({ athleteId: athlete.id, cause: after?.cause as never }, deps, ctx);
    expect(r).toMatchObject({ changed: false, version: 2 });
    const replanned = await latestPlan(env.pool.db, athlete.id);
    const kept = replanned?.sessions.find((s) => s.sessionKey === session.sessionKey);
    expect(kept?.startAt.getTime()).toBe(target);
    expect(kept?.pinned).toBe(true);
  });

  it("answers 404 for an unknown key or another athlete, 400 for a bad time; a stale override is refused", async () => {
    const { athlete, plan } = await plannedAthlete();
    const key = plan.sessions[0]?.sessionKey;
    const move = (k: string | undefined, start: unknown) =>
      call(athlete.id, "POST", `/api/sessions/${k}/move`, { start });
    expect((await move("00000000-0000-4000-8000-000000000000", "2026-12-10T19:00:00+01:00")).status).toBe(
      404,
    );
    expect((await move(key, "Thursday evening")).status).toBe(400);
    expect((await move(key, "2026-12-10T19:00:00")).status).toBe(400); // no offset
    expect((await move(key, "2026-12-06T19:00:00+01:00")).body.error.details.fields[0].field).toBe("start");
    expect((await move(key, "2027-03-01T19:00:00+01:00")).status).toBe(400);
    // An override made on a plan that has moved on since is refused, not stored over the newer version.
    const stale = {
      athleteId: athlete.id,
      windowFrom: plan.windowFrom,
      windowTo: plan.windowTo,
      cause: { type: "override", what: "test" },
      diff: [],
      unplaced: [],
      outputHash: "x",
      sessions: [],
    };
    await expect(storeOverrideVersion(env.pool.db, 0, stale)).rejects.toBeInstanceOf(PlanChangedError);
    expect((await latestPlan(env.pool.db, athlete.id))?.version).toBe(1);
    // Another athlete cannot touch this athlete's session.
    const other = await seedAthlete(env.pool.db);
    expect(
      (await call(other.id, "POST", `/api/sessions/${key}/move`, { start: "2026-12-10T19:00:00+01:00" }))
        .status,
    ).toBe(404);
  });
});

describe("marking a session done or skipped", () => {
  it("stores the status in a new version with SEQUENCE up, and re-plans", async () => {
    const { athlete, plan } = await plannedAthlete();
    const [first, second] = plan.sessions;
    if (!first || !second) throw new Error("no sessions");

    // Not done before its day has come.
    const early = await call(athlete.id, "POST", `/api/sessions/${second.sessionKey}/done`);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/still ahead/);

    now = new Date(first.endAt.getTime() + 3_600_000);
    const done = await call(athlete.id, "POST", `/api/sessions/${first.sessionKey}/done`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      version: 2,
      session: { key: first.sessionKey, status: "done", sequence: first.sequence + 1 },
    });
    expect(done.body.changes[0].sentence).toMatch(
      /^Strength [AB] on \w{3} \d\d:\d\d done: you marked it so$/,
    );
    const v2 = await latestPlan(env.pool.db, athlete.id);
    expect(v2?.sessions.find((s) => s.sessionKey === first.sessionKey)?.status).toBe("done");
    expect(v2?.cause).toEqual({
      type: "override",
      what: expect.stringMatching(/^marked Strength [AB] on \w{3} \d\d:\d\d done$/),
    });

    const skipped = await call(athlete.id, "POST", `/api/sessions/${second.sessionKey}/skipped`);
    expect(skipped.body).toMatchObject({ version: 3, session: { status: "skipped" } });
    const ics = await (await app.request(`/calendar/${athlete.calendarToken}.ics`)).text();
    expect(ics).toContain(`UID:${first.sessionKey}@runstrong`);
    expect(ics).not.toContain(`UID:${second.sessionKey}@runstrong`);
    expect((await replanCauses(athlete.id)).map((c) => c.what)).toEqual([
      expect.stringMatching(/ done$/),
      expect.stringMatching(/ skipped$/),
    ]);

    // Saying it again changes nothing; a skipped session does not move.
    expect((await call(athlete.id, "POST", `/api/sessions/${second.sessionKey}/skipped`)).body.version).toBe(
      3,
    );
    const moveSkipped = await call(athlete.id, "POST", `/api/sessions/${second.sessionKey}/move`, {
      start: isoWithOffset(second.startAt.getTime() + 3_600_000, TZ),
    });
    expect(moveSkipped.status).toBe(409);
    now = MONDAY;
  });
});
