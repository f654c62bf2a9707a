// What an athlete changes by hand: their verdict on a run, and new plan versions
// that record a session moved, done or skipped.
import { and, desc, eq, gte } from "drizzle-orm";
import { type Executor, withTransaction } from "../client.ts";
import { activities } from "../schema/index.ts";
import { insertPlanVersionOn, type NewPlanVersion } from "./plans.ts";

export interface AthleteActivity {
  id: number;
  provider: string;
  name: string;
  sport: string;
  startAt: Date;
  elapsedS: number;
  kind: string | null;
  subtype: string | null;
  confidence: number | null;
  reasons: string[] | null;
  kindOverride: string | null;
}

const activityColumns = {
  id: activities.id,
  provider: activities.provider,
  name: activities.name,
  sport: activities.sport,
  startAt: activities.startAt,
  elapsedS: activities.elapsedS,
  kind: activities.kind,
  subtype: activities.subtype,
  confidence: activities.confidence,
  reasons: activities.reasons,
  kindOverride: activities.kindOverride,
};

/** The athlete's activities that started at or after `since`, newest first. */
export async function recentActivities(
  db: Executor,
  athleteId: number,
  since: Date,
): Promise<AthleteActivity[]> {
  return db
    .select(activityColumns)
    .from(activities)
    .where(and(eq(activities.athleteId, athleteId), gte(activities.startAt, since)))
    .orderBy(desc(activities.startAt), desc(activities.id));
}

/** One activity, only if it is this athlete's: another athlete's reads as absent. */
export async function activityOfAthlete(
  db: Executor,
  athleteId: number,
  activityId: number,
): Promise<AthleteActivity | null> {
  const [row] = await db
    .select(activityColumns)
    .from(activities)
    .where(and(eq(activities.id, activityId), eq(activities.athleteId, athleteId)));
  return row ?? null;
}

export async function setKindOverride(
  db: Executor,
  athleteId: number,
  activityId: number,
  kind: "easy" | "quality" | null,
  at: Date,
): Promise<AthleteActivity | null> {
  const [row] = await db
    .update(activities)
    .set({ kindOverride: kind, updatedAt: at })
    .where(and(eq(activities.id, activityId), eq(activities.athleteId, athleteId)))
    .returning(activityColumns);
  return row ?? null;
}

export { PlanChangedError } from "./plans.ts";

/**
 * Stores an override's plan version, only on top of `basedOnVersion`: a version
 * stored meanwhile (a re-plan, a second tab) fails it with PlanChangedError
 * instead of being overwritten by a copy of the older plan.
 */
export async function storeOverrideVersion(
  db: Executor,
  basedOnVersion: number,
  plan: NewPlanVersion,
): Promise<{ id: number; version: number }> {
  return withTransaction(db, (tx) => insertPlanVersionOn(tx, basedOnVersion, plan));
}
