import { QueueEvents } from "bullmq";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { insertPlanVersionOn, latestPlan, PlanChangedError } from "../../src/db/repos/plans.ts";
import { athletes, dayClassifications, plannedSessions, planVersions } from "../../src/db/schema/index.ts";
import { localDate } from "../../src/domain/time.ts";
import type { ReplanCause } from "../../src/plan/cause.ts";
import { enqueue } from "../../src/workers/queues.ts";
import { planChangedJobId } from "../../src/workers/replan/replan-athlete.ts";
import { startWorkers } from "../../src/workers/run-workers.ts";
import { seedActivity, seedAthlete } from "../support/builders.ts";
import { separateRedis, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ REPLAN_DEBOUNCE_MS: "0" });
// Monday 7 December 2026, 05:00 in Berlin: the whole week lies ahead.
let now = new Date("2026-12-07T04:00:00Z");

const workerConnection = separateRedis();
const workers = startWorkers(
  { config: env.config, db: env.pool.db, queues: env.queues, logger: env.logger, now: () => now },
  {
    connection: workerConnection,
    prefix: env.prefix,
    concurrency: 2,
    metrics: env.metrics,
    queues: ["replan", "plan-events"],
  },
);
const replanEvents = new QueueEvents("replan", { connection: separateRedis(), prefix: env.prefix });
const publishEvents = new QueueEvents("plan-events", { connection: separateRedis(), prefix: env.prefix });
await Promise.all([replanEvents.waitUntilReady(), publishEvents.waitUntilReady()]);
// Hooks run last-registered first: workers close before the test env drops the database.
afterAll(async () => {
  await workers.close(5_000);
  await Promise.all([replanEvents.close(), publishEvents.close()]);
  workerConnection.disconnect();
});

async function replan(athleteId: number, cause: ReplanCause, jobId: string) {
  await enqueue(env.queues, "replan-athlete", { athleteId, cause }, { jobId });
  const job = await env.queues.replan.getJob(jobId);
  return (await job?.waitUntilFinished(replanEvents, 15_000)) as {
    changed: boolean;
    version: number;
    sessions: number;
  };
}

async function published(planVersionId: number) {
  const job = await env.queues["plan-events"].getJob(planChangedJobId(env.queues, planVersionId));
  expect(job, "plan-changed job").toBeDefined();
  return job?.waitUntilFinished(publishEvents, 15_000);
}

describe("the replan worker", () => {
  it("plans the default week, stores one version with its cause, and publishes it", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const first = await replan(athlete.id, { type: "connect", provider: "strava" }, "t1-a");
    expect(first.changed).toBe(true);
    expect(first.version).toBe(1);
    const plan = await latestPlan(env.pool.db, athlete.id);
    expect(plan?.cause).toEqual({ type: "connect", provider: "strava" });
    expect(plan?.windowFrom).toBe("2026-12-07");
    expect(plan?.windowTo).toBe("2026-12-20");
    // Two heavy sessions a week in the base phase, on the template's easy days.
    const days = plan?.sessions.map((s) => localDate(s.startAt.getTime(), "Europe/Berlin")) ?? [];
    expect(days).toHaveLength(4);
    for (const d of days) expect(["2026-12-08", "2026-12-13", "2026-12-15", "2026-12-20"]).not.toContain(d);
    expect(new Set(plan?.sessions.map((s) => s.sessionKey)).size).toBe(4);
    expect(plan?.sessions.every((s) => s.sequence === 0)).toBe(true);

    await published(plan?.id ?? 0);
    const [row] = await env.pool.db
      .select()
      .from(planVersions)
      .where(eq(planVersions.id, plan?.id ?? 0));
    expect(row?.publishedAt).toBeInstanceOf(Date);

    const verdicts = await env.pool.db
      .select()
      .from(dayClassifications)
      .where(eq(dayClassifications.athleteId, athlete.id));
    expect(verdicts).toHaveLength(14);
    expect(verdicts.find((d) => d.date === "2026-12-08")?.kind).toBe("quality");
    expect(verdicts.find((d) => d.date === "2026-12-11")?.kind).toBe("rest");
  });

  it("re-running on the same data changes nothing", async () => {
    const athlete = await seedAthlete(env.pool.db);
    await replan(athlete.id, { type: "connect", provider: "strava" }, "t2-a");
    const again = await replan(athlete.id, { type: "roll-forward" }, "t2-b");
    expect(again).toMatchObject({ changed: false, version: 1 });
    const versions = await env.pool.db
      .select()
      .from(planVersions)
      .where(eq(planVersions.athleteId, athlete.id));
    expect(versions).toHaveLength(1);
  });

  it("a quality run where a session stood moves it, keeping its identity and raising its sequence", async () => {
    const athlete = await seedAthlete(env.pool.db);
    await replan(athlete.id, { type: "connect", provider: "strava" }, "t3-a");
    const before = await latestPlan(env.pool.db, athlete.id);
    const target = before?.sessions[0];
    expect(target).toBeDefined();
    const targetDay = localDate(target?.startAt.getTime() ?? 0, "Europe/Berlin");

    // The athlete turns that morning's easy run into a tempo session.
    now = new Date(`${targetDay}T09:00:00Z`);
    const run = await seedActivity(env.pool.db, athlete.id, {
      start: `${targetDay}T06:00:00Z`,
      minutes: 50,
      name: "Tempo 3x10 min",
      kind: "quality",
    });
    const result = await replan(
      athlete.id,
      { type: "activity", provider: "strava", activityId: run.externalId, change: "created" },
      "t3-b",
    );
    expect(result.changed).toBe(true);
    const after = await latestPlan(env.pool.db, athlete.id);
    expect(after?.version).toBe(2);
    const moved = after?.sessions.find((s) => s.sessionKey === target?.sessionKey);
    expect(moved, "the session keeps its key").toBeDefined();
    expect(localDate(moved?.startAt.getTime() ?? 0, "Europe/Berlin")).not.toBe(targetDay);
    expect(moved?.sequence).toBe(1);
    const diff = after?.diff as { type: string; sentence: string }[];
    expect(diff.some((c) => c.type === "moved" && /quality|Tempo/i.test(c.sentence))).toBe(true);
    expect(after?.cause).toMatchObject({ type: "activity", activityId: run.externalId });
    now = new Date("2026-12-07T04:00:00Z");
  });

  it("a deleted athlete's job fails without retrying", async () => {
    await enqueue(
      env.queues,
      "replan-athlete",
      { athleteId: 999_999, cause: { type: "roll-forward" } },
      { jobId: "t4" },
    );
    const job = await env.queues.replan.getJob("t4");
    await expect(job?.waitUntilFinished(replanEvents, 15_000)).rejects.toThrow(/no longer exists/);
  });
});

describe("an athlete new to lifting", () => {
  it("has the form-learning weeks counted from the first re-plan, not from every re-plan", async () => {
    const athlete = await seedAthlete(env.pool.db, { settings: { strengthExperience: "new" } });
    await replan(athlete.id, { type: "connect", provider: "strava" }, "t5-a");
    const [row] = await env.pool.db.select().from(athletes).where(eq(athletes.id, athlete.id));
    expect(row?.settings).toMatchObject({ strengthExperience: "new", liftingSince: "2026-12-07" });
    const plan = await latestPlan(env.pool.db, athlete.id);
    const reps = ((plan?.sessions[0]?.exercises ?? []) as { reps: string }[])[0]?.reps;
    expect(reps).toMatch(/12-15/);
  });
});

describe("plan versions written concurrently", () => {
  it("refuse a version computed on an older plan instead of overwriting the newer one", async () => {
    const athlete = await seedAthlete(env.pool.db);
    await replan(athlete.id, { type: "connect", provider: "strava" }, "t6-a");
    const v1 = await latestPlan(env.pool.db, athlete.id);
    const copy = {
      athleteId: athlete.id,
      windowFrom: v1?.windowFrom ?? "",
      windowTo: v1?.windowTo ?? "",
      cause: { type: "override", what: "test" },
      diff: [],
      unplaced: [],
      outputHash: "x",
      sessions: v1?.sessions ?? [],
    };
    await env.pool.db.transaction((tx) => insertPlanVersionOn(tx, 1, copy));
    // A second writer still holding version 1 loses, and stores nothing.
    await expect(env.pool.db.transaction((tx) => insertPlanVersionOn(tx, 1, copy))).rejects.toBeInstanceOf(
      PlanChangedError,
    );
    expect((await latestPlan(env.pool.db, athlete.id))?.version).toBe(2);
  });
});

describe("a session marked done", () => {
  it("stays where it happened, marked done, when the next re-plan runs", async () => {
    const athlete = await seedAthlete(env.pool.db);
    now = new Date("2026-12-07T04:00:00Z");
    await replan(athlete.id, { type: "connect", provider: "strava" }, "t7-a");
    const v1 = await latestPlan(env.pool.db, athlete.id);
    const first = v1?.sessions[0];
    expect(first).toBeDefined();
    await env.pool.db
      .update(plannedSessions)
      .set({ status: "done" })
      .where(eq(plannedSessions.sessionKey, first?.sessionKey ?? ""));
    // Later that evening a quality run is recorded on the same day.
    now = new Date((first?.endAt.getTime() ?? 0) + 3_600_000);
    await seedActivity(env.pool.db, athlete.id, {
      start: new Date((first?.endAt.getTime() ?? 0) + 30 * 60_000).toISOString(),
      minutes: 40,
      name: "Evening tempo",
      kind: "quality",
    });
    await replan(athlete.id, { type: "roll-forward" }, "t7-b");
    const after = await latestPlan(env.pool.db, athlete.id);
    const kept = after?.sessions.find((s) => s.sessionKey === first?.sessionKey);
    expect(kept?.status).toBe("done");
    expect(kept?.startAt.getTime()).toBe(first?.startAt.getTime());
    now = new Date("2026-12-07T04:00:00Z");
  });
});
