import { and, asc, eq, gte, lt } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { activities } from "../schema/index.ts";
import { readActivity, type StoredActivity, storedActivityColumns } from "./activity-rows.ts";

/** An athlete's activities that started in [from, to), oldest first. */
export async function activitiesBetween(
  db: Executor,
  athleteId: number,
  from: Date,
  to: Date,
): Promise<StoredActivity[]> {
  const rows = await db
    .select(storedActivityColumns)
    .from(activities)
    .where(
      and(eq(activities.athleteId, athleteId), gte(activities.startAt, from), lt(activities.startAt, to)),
    )
    .orderBy(asc(activities.startAt));
  return rows.map(readActivity);
}
