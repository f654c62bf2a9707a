// The outbox of follow-up work: what a request queues at once, and what the sweep
// queues when Redis did not take it, once and in order, with failed rows backing
// off instead of holding back the rest.
import { asc, eq, sql } from "drizzle-orm";
import { describe, expect, it, onTestFinished } from "vitest";
import { addFollowUps } from "../../src/db/repos/outbox.ts";
import { outbox } from "../../src/db/schema/index.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { createProducerRedis } from "../../src/workers/connection.ts";
import { retryDelayMs, sweepOutbox } from "../../src/workers/outbox.ts";
import { closeQueues, createQueues } from "../../src/workers/queues.ts";
import { registerSchedules } from "../../src/workers/schedules.ts";
import { seedAthlete } from "../support/builders.ts";
import { REDIS_URL } from "../support/databases.ts";
import { testApp, useTestEnv, workerDeps } from "../support/test-env.ts";

const env = await useTestEnv({ REPLAN_DEBOUNCE_MS: "0" });
let clock = new Date("2026-12-07T04:00:00Z");
const deps = workerDeps(env, () => clock);
const sweep = (ignoreBackoff = false) => sweepOutbox(deps, { minAgeMs: 0, ignoreBackoff });

function rowsOf(athleteId: number) {
  return env.pool.db.select().from(outbox).where(eq(outbox.athleteId, athleteId)).orderBy(asc(outbox.id));
}

async function replanJobsOf(athleteId: number) {
  const jobs = await env.queues.replan.getJobs(["waiting", "delayed", "prioritized", "completed", "failed"]);
  return jobs.filter((j) => j.name === "replan-athlete" && j.data.athleteId === athleteId && !j.repeatJobKey);
}

/** This file's queues on a producer connection that is closed, as a Redis outage leaves it. */
async function queuesWithRedisAway() {
  const producer = createProducerRedis(REDIS_URL, "runstrong-test-away");
  const queues = createQueues(producer, env.prefix, env.queues.installId);
  await queues.replan.waitUntilReady();
  producer.disconnect();
  onTestFinished(() => closeQueues(queues).catch(() => {}));
  return queues;
}

describe("the request queues its follow-ups at once", () => {
  it("PATCH /api/settings with Redis up: the re-plan is queued and its outbox row done", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const res = await testApp(env, () => clock).request("/api/settings", {
      method: "PATCH",
      headers: {
        "content-type": "application/json",
        cookie: `${SESSION_COOKIE}=${sessionToken(athlete.id, env.config, clock.getTime())}`,
      },
      body: JSON.stringify({ raceDate: "2027-04-18" }),
    });
    expect(res.status).toBe(200);
    const [row] = await rowsOf(athlete.id);
    expect(row).toMatchObject({ kind: "replan", attempts: 0, doneAt: expect.any(Date) });
    const jobs = await replanJobsOf(athlete.id);
    expect(jobs.map((j) => [j.id, j.data.cause])).toEqual([
      [`replan-${row?.key}`, { type: "settings", fields: ["raceDate"] }],
    ]);
    // Nothing left for the sweep.
    expect(await sweep(true)).toMatchObject({ queued: 0, failed: 0 });
  });
});

describe("the outbox sweep", () => {
  it("queues what is not done, in order, and queuing a row twice adds no second job", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const stored = await addFollowUps(env.pool.db, athlete.id, [
      { type: "replan", cause: { type: "settings", fields: ["sessionsPerWeek"] } },
      { type: "roll-forward" },
    ]);
    expect(await sweep()).toMatchObject({ queued: 2, failed: 0 });
    expect((await rowsOf(athlete.id)).map((r) => r.doneAt !== null)).toEqual([true, true]);
    expect((await env.queues.replan.getJobScheduler(`roll-forward-${athlete.id}`))?.tz).toBe("Europe/Berlin");

    // The mark was lost after the job was queued (Postgres blinked): the sweep queues it again, harmlessly.
    await env.pool.db
      .update(outbox)
      .set({ doneAt: null })
      .where(eq(outbox.id, stored[0]?.id ?? 0));
    expect(await sweep()).toMatchObject({ queued: 1 });
    expect((await replanJobsOf(athlete.id)).map((j) => j.id)).toEqual([`replan-${stored[0]?.key}`]);
  });

  it("backs a failed row off, retries it when due, and never lets an unreadable row hold back the rest", async () => {
    const athlete = await seedAthlete(env.pool.db);
    await addFollowUps(env.pool.db, athlete.id, [
      { type: "replan", cause: { type: "override", what: "moved Strength A" } },
    ]);

    // Redis away: the row fails, counts the attempt and waits.
    const away = await sweepOutbox(
      { ...deps, queues: await queuesWithRedisAway() },
      {
        minAgeMs: 0,
        ignoreBackoff: false,
      },
    );
    expect(away).toMatchObject({ queued: 0, failed: 1 });
    const [failed] = await rowsOf(athlete.id);
    expect(failed).toMatchObject({ attempts: 1, doneAt: null, error: expect.any(String) });
    expect(failed?.nextAttemptAt.getTime()).toBe(clock.getTime() + retryDelayMs(0));

    // Not due yet: the minutely sweep leaves it; a sweep after Redis came back does not wait.
    expect(await sweep()).toMatchObject({ queued: 0, failed: 0 });
    expect(await sweep(true)).toMatchObject({ queued: 1 });
    expect(await replanJobsOf(athlete.id)).toHaveLength(1);

    // A row no code can read is closed with its error; the row after it is queued in the same sweep.
    const [bad] = await addFollowUps(env.pool.db, athlete.id, [
      { type: "replan", cause: { type: "mystery" } },
    ]);
    await addFollowUps(env.pool.db, athlete.id, [{ type: "roll-forward" }]);
    expect(await sweep()).toMatchObject({ queued: 1, failed: 1 });
    const rows = await rowsOf(athlete.id);
    expect(rows.find((r) => r.id === bad?.id)).toMatchObject({
      doneAt: expect.any(Date),
      error: expect.stringMatching(/^unreadable follow-up/),
    });
    expect(rows.every((r) => r.doneAt !== null)).toBe(true);
  });

  it("waits `minAgeMs` for a request still queuing its own rows, and prunes rows done over a day ago", async () => {
    const athlete = await seedAthlete(env.pool.db);
    await addFollowUps(env.pool.db, athlete.id, [{ type: "roll-forward" }]);
    // A millisecond on: created_at is Postgres' now() in microseconds, and a clock read
    // in the same millisecond, truncated, is before it (CI's clean run met that once).
    clock = new Date(Date.now() + 1);
    expect(await sweepOutbox(deps, { minAgeMs: 60_000, ignoreBackoff: false })).toMatchObject({ queued: 0 });
    expect(await sweepOutbox(deps, { minAgeMs: 0, ignoreBackoff: false })).toMatchObject({ queued: 1 });

    await env.pool.db
      .update(outbox)
      .set({ doneAt: sql`now() - interval '25 hours'` })
      .where(eq(outbox.athleteId, athlete.id));
    expect((await sweep()).pruned).toBeGreaterThanOrEqual(1);
    expect(await rowsOf(athlete.id)).toEqual([]);
  });

  it("runs every minute as a job scheduler registered with the others", async () => {
    await registerSchedules(env.queues);
    expect(await env.queues.maintenance.getJobScheduler("sweep-outbox-minutely")).toMatchObject({
      name: "sweep-outbox",
      every: 60_000,
    });
  });
});
