// Stored rows come back typed: the repositories parse the few-word text columns
// and the jsonb columns, and a value that drifted fails where it is read, naming
// the table, column and row, instead of reaching a plan or an answer.
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { UnreadableColumnError } from "../../src/db/columns.ts";
import { recentActivities } from "../../src/db/repos/overrides.ts";
import { activitiesBetween } from "../../src/db/repos/plan-inputs.ts";
import { dayVerdictsBetween, latestPlan, planHistory } from "../../src/db/repos/plans.ts";
import { activities, dayClassifications, plannedSessions, planVersions } from "../../src/db/schema/index.ts";
import { replanAthlete } from "../../src/workers/replan/replan-athlete.ts";
import { seedActivity, seedAthlete } from "../support/builders.ts";
import { jobContext, useTestEnv, workerDeps } from "../support/test-env.ts";

const env = await useTestEnv();
const NOW = new Date("2026-12-07T04:00:00Z");
const deps = workerDeps(env, () => NOW);
const db = env.pool.db;

async function plannedAthlete(settings?: Record<string, unknown>) {
  const athlete = await seedAthlete(db, settings ? { settings } : {});
  const result = await replanAthlete(
    { athleteId: athlete.id, cause: { type: "connect", provider: "strava" } },
    deps,
    jobContext(env),
  );
  const plan = await latestPlan(db, athlete.id);
  if (!plan?.sessions[0]) throw new Error("expected a plan with sessions");
  return { athlete, plan, session: plan.sessions[0], result };
}

describe("stored plans", () => {
  it("come back with their sessions, exercises, unplaced weeks, cause and diff as written", async () => {
    const { plan, session } = await plannedAthlete();
    expect(["A", "B"]).toContain(session.session);
    expect(["base", "build", "sharpening", "taper"]).toContain(session.phase);
    expect(session.status).toBe("planned");
    expect(session.exercises[0]).toMatchObject({ name: expect.any(String), sets: expect.any(Number) });
    expect(plan.cause).toEqual({ type: "connect", provider: "strava" });
    expect(plan.diff.every((c) => typeof c.sentence === "string")).toBe(true);
  });

  it("fail loudly on a session whose phase drifted, naming the table, column and row", async () => {
    const { athlete, session } = await plannedAthlete();
    await db
      .update(plannedSessions)
      .set({ phase: sql`'peak'` })
      .where(eq(plannedSessions.sessionKey, session.sessionKey));
    const read = latestPlan(db, athlete.id);
    await expect(read).rejects.toBeInstanceOf(UnreadableColumnError);
    await expect(latestPlan(db, athlete.id)).rejects.toThrow(
      `planned_sessions.phase of row ${session.sessionKey}: not a known phase`,
    );
  });

  it("fail loudly on an exercise that lost its sets", async () => {
    const { athlete, session } = await plannedAthlete();
    await db
      .update(plannedSessions)
      .set({ exercises: sql`'[{"name":"Squat","reps":"5","load":"heavy"}]'::jsonb` })
      .where(eq(plannedSessions.sessionKey, session.sessionKey));
    await expect(latestPlan(db, athlete.id)).rejects.toThrow(
      /planned_sessions\.exercises of row .* at 0\.sets/,
    );
  });

  it("fail loudly on a change stored without its sentence", async () => {
    const { athlete, plan } = await plannedAthlete();
    await db
      .update(planVersions)
      .set({ diff: sql`'[{"type":"added"}]'::jsonb` })
      .where(eq(planVersions.id, plan.id));
    await expect(planHistory(db, athlete.id, 5)).rejects.toThrow(
      `plan_versions.diff of row ${plan.id} at 0.sentence`,
    );
  });

  it("are not stored again by a re-plan on the same data when a session could not be placed", async () => {
    // One hour on Mondays: the week's second session has nowhere to go.
    const { athlete, plan, result } = await plannedAthlete({
      availability: [{ weekday: 1, from: "18:00", to: "19:00" }],
    });
    expect(result.changed).toBe(true);
    expect(plan.unplaced.length).toBeGreaterThan(0);
    const again = await replanAthlete(
      { athleteId: athlete.id, cause: { type: "roll-forward" } },
      deps,
      jobContext(env),
    );
    expect(again.changed).toBe(false);
    expect((await latestPlan(db, athlete.id))?.version).toBe(plan.version);
  });
});

describe("stored activities", () => {
  it("come back as one typed shape to planning and to the athlete's list", async () => {
    const athlete = await seedAthlete(db);
    await seedActivity(db, athlete.id, {
      start: "2026-12-06T08:00:00Z",
      minutes: 50,
      name: "Hills",
      kind: "quality",
    });
    const [forPlanning] = await activitiesBetween(db, athlete.id, new Date("2026-12-01"), NOW);
    const [listed] = await recentActivities(db, athlete.id, new Date("2026-12-01"));
    expect(forPlanning).toEqual(listed);
    expect(forPlanning).toMatchObject({
      sport: "run",
      kind: "quality",
      subtype: "tempo",
      kindOverride: null,
    });
  });

  it("fail loudly on a kind no classifier writes", async () => {
    const athlete = await seedAthlete(db);
    const run = await seedActivity(db, athlete.id, {
      start: "2026-12-06T08:00:00Z",
      minutes: 50,
      name: "Hills",
      kind: "easy",
    });
    await db.update(activities).set({ kind: sql`'hard'` }).where(eq(activities.id, run.id));
    await expect(activitiesBetween(db, athlete.id, new Date("2026-12-01"), NOW)).rejects.toThrow(
      `activities.kind of row ${run.id}: not a known activity kind`,
    );
    await expect(recentActivities(db, athlete.id, new Date("2026-12-01"))).rejects.toBeInstanceOf(
      UnreadableColumnError,
    );
  });

  it("and day verdicts fail loudly on a day kind that drifted", async () => {
    const athlete = await seedAthlete(db);
    await db.insert(dayClassifications).values({
      athleteId: athlete.id,
      date: "2026-12-07",
      kind: sql`'hard'`,
      confidence: 0.9,
      reasons: ["x"],
    });
    await expect(dayVerdictsBetween(db, athlete.id, "2026-12-01", "2026-12-13")).rejects.toThrow(
      "day_classifications.kind of row 2026-12-07: not a known day kind",
    );
  });
});
