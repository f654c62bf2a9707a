import { and, asc, eq, gte, lt } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { activities } from "../schema/index.ts";

export interface ActivityForPlanning {
  id: number;
  provider: string;
  externalId: string;
  name: string;
  sport: string;
  startAt: Date;
  movingS: number;
  elapsedS: number;
  kind: string | null;
  subtype: string | null;
  confidence: number | null;
  reasons: string[] | null;
  kindOverride: string | null;
  summary: unknown;
}

/** An athlete's activities that started in [from, to), oldest first. */
export async function activitiesBetween(
  db: Executor,
  athleteId: number,
  from: Date,
  to: Date,
): Promise<ActivityForPlanning[]> {
  return db
    .select({
      id: activities.id,
      provider: activities.provider,
      externalId: activities.externalId,
      name: activities.name,
      sport: activities.sport,
      startAt: activities.startAt,
      movingS: activities.movingS,
      elapsedS: activities.elapsedS,
      kind: activities.kind,
      subtype: activities.subtype,
      confidence: activities.confidence,
      reasons: activities.reasons,
      kindOverride: activities.kindOverride,
      summary: activities.summary,
    })
    .from(activities)
    .where(
      and(eq(activities.athleteId, athleteId), gte(activities.startAt, from), lt(activities.startAt, to)),
    )
    .orderBy(asc(activities.startAt));
}
