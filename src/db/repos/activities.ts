import { and, eq, gte, isNotNull, lt, sql } from "drizzle-orm";
import { type Activity, activityLocalDate } from "../../domain/activity.ts";
import type { Classification, RunKind } from "../../domain/classify/types.ts";
import type { Executor } from "../client.ts";
import { activities } from "../schema/index.ts";
import type { Provider } from "./connections.ts";

export type ActivityRow = typeof activities.$inferSelect;

export interface UpsertActivity {
  athleteId: number;
  provider: Provider;
  activity: Activity;
  classification: Classification;
  /** the provider's payload as received, kept for a limited time (Strava: at most 7 days) */
  raw: unknown;
  rawFetchedAt: Date;
}

/**
 * Inserts or refreshes an activity by (provider, external id): the normalized
 * columns, the domain Activity as `summary`, and the classification. The
 * athlete's own override (`kind_override`) is never touched. Returns whether the
 * row is new.
 */
export async function upsertActivity(
  db: Executor,
  p: UpsertActivity,
): Promise<{ id: number; created: boolean }> {
  const values = activityValues(p);
  const { athleteId: _athlete, provider: _provider, externalId: _external, ...changes } = values;
  const [row] = await db
    .insert(activities)
    .values(values)
    .onConflictDoUpdate({
      target: [activities.provider, activities.externalId],
      set: { ...changes, updatedAt: sql`now()` },
    })
    .returning({ id: activities.id, created: sql<boolean>`(xmax = 0)` });
  if (!row) throw new Error("upsert into activities returned no row");
  return row;
}

/** The row an activity and its classification make (also what a linked copy becomes when it takes a row over). */
export function activityValues(p: UpsertActivity) {
  const a = p.activity;
  return {
    athleteId: p.athleteId,
    provider: p.provider,
    externalId: a.id,
    name: a.name,
    sport: a.sport,
    sportType: a.sportType,
    startAt: new Date(a.start),
    localDate: activityLocalDate(a),
    timezone: a.timezone,
    movingS: Math.round(a.movingS),
    elapsedS: Math.round(a.elapsedS),
    distanceM: a.distanceM,
    avgHr: a.avgHr,
    maxHr: a.maxHr,
    kind: p.classification.kind,
    subtype: p.classification.subtype,
    confidence: p.classification.confidence,
    reasons: p.classification.reasons,
    summary: a,
    raw: p.raw,
    rawFetchedAt: p.rawFetchedAt,
  };
}

/** The athlete's own verdict on an activity, when there is a stored row with one. */
export async function activityOverride(
  db: Executor,
  provider: Provider,
  externalId: string,
): Promise<RunKind | null> {
  const [row] = await db
    .select({ override: activities.kindOverride })
    .from(activities)
    .where(and(eq(activities.provider, provider), eq(activities.externalId, externalId)));
  const o = row?.override;
  return o === "easy" || o === "quality" ? o : null;
}

/** Whether this athlete holds the provider's activity: a delete event may name only the owner's own. */
export async function athleteHasActivity(
  db: Executor,
  athleteId: number,
  provider: Provider,
  externalId: string,
): Promise<boolean> {
  const [row] = await db
    .select({ id: activities.id })
    .from(activities)
    .where(
      and(
        eq(activities.athleteId, athleteId),
        eq(activities.provider, provider),
        eq(activities.externalId, externalId),
      ),
    );
  return row !== undefined;
}

/**
 * Deletes one of the athlete's activities by the provider's id. Scoped to the
 * athlete: webhook events are unsigned, so an event of one owner must not reach
 * another athlete's activity.
 */
export async function deleteActivityByExternal(
  db: Executor,
  athleteId: number,
  provider: Provider,
  externalId: string,
): Promise<{ athleteId: number } | null> {
  const [row] = await db
    .delete(activities)
    .where(
      and(
        eq(activities.athleteId, athleteId),
        eq(activities.provider, provider),
        eq(activities.externalId, externalId),
      ),
    )
    .returning({ athleteId: activities.athleteId });
  return row ?? null;
}

/** The domain Activity of each of the athlete's activities that started in [from, before). */
export async function activitiesBetween(
  db: Executor,
  athleteId: number,
  from: Date,
  before: Date,
): Promise<Activity[]> {
  const rows = await db
    .select({ summary: activities.summary })
    .from(activities)
    .where(
      and(eq(activities.athleteId, athleteId), gte(activities.startAt, from), lt(activities.startAt, before)),
    )
    .orderBy(activities.startAt);
  // `summary` is written only by upsertActivity, from a mapped domain Activity.
  return rows.map((r) => r.summary as Activity);
}

/** Forgets raw payloads of one provider fetched before `before`; the normalized columns stay. */
export async function purgeRawPayloads(db: Executor, provider: Provider, before: Date): Promise<number> {
  const purged = await db
    .update(activities)
    .set({ raw: null, rawFetchedAt: null })
    .where(
      and(eq(activities.provider, provider), isNotNull(activities.raw), lt(activities.rawFetchedAt, before)),
    )
    .returning({ id: activities.id });
  return purged.length;
}
