import { describe, expect, it } from "vitest";
import { adoptTimezoneIfDefault } from "../../src/db/repos/athletes.ts";
import { localTime } from "../../src/domain/time.ts";
import { createApp } from "../../src/server/app.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import {
  ROLL_FORWARD_PATTERN,
  rollForwardSchedulerId,
  runningPlanSchedulerId,
} from "../../src/workers/athlete-schedules.ts";
import { JOBS } from "../../src/workers/jobs.ts";
import { replanAthlete } from "../../src/workers/replan/replan-athlete.ts";
import { registerSchedules } from "../../src/workers/schedules.ts";
import { seedAthlete } from "../support/builders.ts";
import { jobContext, useTestEnv, workerDeps } from "../support/test-env.ts";

const env = await useTestEnv({ REPLAN_DEBOUNCE_MS: "0" });
const now = new Date("2026-12-07T04:00:00Z");
const deps = workerDeps(env, () => now);
const ctx = jobContext(env);
const app = createApp({ ...deps, metrics: env.metrics, readiness: [] });

const rollForward = (athleteId: number) =>
  env.queues.replan.getJobScheduler(rollForwardSchedulerId(athleteId));

describe("the daily roll-forward", () => {
  it("is registered at 03:30 in the athlete's own zone when they are first planned (connect)", async () => {
    const athlete = await seedAthlete(env.pool.db, { timezone: "Australia/Sydney" });
    expect(await rollForward(athlete.id)).toBeUndefined();
    await replanAthlete({ athleteId: athlete.id, cause: { type: "connect", provider: "strava" } }, deps, ctx);

    const scheduler = await rollForward(athlete.id);
    expect(scheduler).toMatchObject({
      pattern: ROLL_FORWARD_PATTERN,
      tz: "Australia/Sydney",
      name: "replan-athlete",
    });
    expect(localTime(Number(scheduler?.next), "Australia/Sydney")).toBe("03:30");
    const data = JOBS["replan-athlete"].payload.parse(scheduler?.template?.data);
    expect(data).toEqual({ athleteId: athlete.id, cause: { type: "roll-forward" } });
    // The job it makes carries the roll-forward as its cause.
    const [next] = (await env.queues.replan.getJobs(["delayed"])).filter(
      (j) => j.repeatJobKey === rollForwardSchedulerId(athlete.id),
    );
    expect(next?.data).toEqual({ athleteId: athlete.id, cause: { type: "roll-forward" } });
  });

  it("moves with the athlete's time zone: set in settings, or adopted from their activities", async () => {
    const athlete = await seedAthlete(env.pool.db, { timezone: "Europe/Berlin" });
    await replanAthlete({ athleteId: athlete.id, cause: { type: "connect", provider: "strava" } }, deps, ctx);
    const res = await app.request("/api/settings", {
      method: "PATCH",
      headers: {
        cookie: `${SESSION_COOKIE}=${sessionToken(athlete.id, env.config, now.getTime())}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ timezone: "America/Los_Angeles" }),
    });
    expect(res.status).toBe(200);
    const moved = await rollForward(athlete.id);
    expect(moved?.tz).toBe("America/Los_Angeles");
    expect(localTime(Number(moved?.next), "America/Los_Angeles")).toBe("03:30");
    // Exactly one next run, in the new zone.
    const pending = (await env.queues.replan.getJobs(["delayed"])).filter(
      (j) => j.repeatJobKey === rollForwardSchedulerId(athlete.id),
    );
    expect(pending).toHaveLength(1);

    // An athlete still on UTC takes the zone of their first activity; the next re-plan moves the roll-forward.
    const newcomer = await seedAthlete(env.pool.db, { timezone: "UTC" });
    await replanAthlete(
      { athleteId: newcomer.id, cause: { type: "connect", provider: "strava" } },
      deps,
      ctx,
    );
    expect((await rollForward(newcomer.id))?.tz).toBe("UTC");
    await adoptTimezoneIfDefault(env.pool.db, newcomer.id, "Europe/Paris");
    await replanAthlete({ athleteId: newcomer.id, cause: { type: "roll-forward" } }, deps, ctx);
    expect((await rollForward(newcomer.id))?.tz).toBe("Europe/Paris");
  });

  it("the start-up sweep gives every athlete one, and drops those of athletes who are gone", async () => {
    const a = await seedAthlete(env.pool.db, { timezone: "Asia/Tokyo" });
    const b = await seedAthlete(env.pool.db, {
      timezone: "Europe/London",
      settings: { runningPlanIcsUrl: "https://plans.example.com/u/b.ics" },
    });
    // Left behind by an athlete who has since been deleted.
    await env.queues.replan.upsertJobScheduler(
      rollForwardSchedulerId(987_654),
      { pattern: ROLL_FORWARD_PATTERN, tz: "UTC" },
      { name: "replan-athlete", data: { athleteId: 987_654, cause: { type: "roll-forward" } } },
    );

    await registerSchedules(env.queues, { db: env.pool.db, logger: env.logger });
    expect((await rollForward(a.id))?.tz).toBe("Asia/Tokyo");
    expect((await rollForward(b.id))?.tz).toBe("Europe/London");
    expect(await rollForward(987_654)).toBeUndefined();
    const imports = await env.queues.calendar.getJobScheduler(runningPlanSchedulerId(b.id));
    expect(imports?.template?.data).toEqual({ athleteId: b.id });
    expect(await env.queues.calendar.getJobScheduler(runningPlanSchedulerId(a.id))).toBeUndefined();

    // A second start-up finds everything in place and changes nothing.
    const before = await env.queues.replan.getJobSchedulers();
    await registerSchedules(env.queues, { db: env.pool.db, logger: env.logger });
    expect(await env.queues.replan.getJobSchedulers()).toEqual(before);
    const swept = env.logs.filter((l) => l.msg === "athlete schedules checked");
    expect(swept.at(-1)).toMatchObject({ added: 0, removed: 0 });
  });
});
