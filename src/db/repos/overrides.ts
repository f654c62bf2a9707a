// What an athlete changes by hand: their verdict on a run, and new plan versions
// that record a session moved, done or skipped.
import { and, desc, eq, gte } from "drizzle-orm";
import type { RunKind } from "../../domain/classify/types.ts";
import { type Executor, withTransaction } from "../client.ts";
import { activities } from "../schema/index.ts";
import { readActivity, type StoredActivity, storedActivityColumns } from "./activity-rows.ts";
import { insertPlanVersionOn, type NewPlanVersion } from "./plans.ts";

/** The athlete's activities that started at or after `since`, newest first. */
export async function recentActivities(
  db: Executor,
  athleteId: number,
  since: Date,
): Promise<StoredActivity[]> {
  const rows = await db
    .select(storedActivityColumns)
    .from(activities)
    .where(and(eq(activities.athleteId, athleteId), gte(activities.startAt, since)))
    .orderBy(desc(activities.startAt), desc(activities.id));
  return rows.map(readActivity);
}

/** One activity, only if it is this athlete's: another athlete's reads as absent. */
export async function activityOfAthlete(
  db: Executor,
  athleteId: number,
  activityId: number,
): Promise<StoredActivity | null> {
  const [row] = await db
    .select(storedActivityColumns)
    .from(activities)
    .where(and(eq(activities.id, activityId), eq(activities.athleteId, athleteId)));
  return row ? readActivity(row) : null;
}

export async function setKindOverride(
  db: Executor,
  athleteId: number,
  activityId: number,
  kind: RunKind | null,
  at: Date,
): Promise<StoredActivity | null> {
  const [row] = await db
    .update(activities)
    .set({ kindOverride: kind, updatedAt: at })
    .where(and(eq(activities.id, activityId), eq(activities.athleteId, athleteId)))
    .returning(storedActivityColumns);
  return row ? readActivity(row) : null;
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
