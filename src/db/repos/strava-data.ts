// Strava-specific reads and writes that are not about one table's rows: the
// installation's push subscription, the refresh lock on a connection, and the
// deauthorization wipe Strava's API agreement requires.
import { and, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../client.ts";
import { activities, appState, athletes, dayClassifications, providerConnections } from "../schema/index.ts";
import { releaseSourceRecords } from "./activity-links.ts";
import type { Connection } from "./connections.ts";
import { deleteStravaEventsOfOwner } from "./webhook-inbox.ts";

/** app_state key under which `runstrong strava subscribe` stores `{"id": <number>}`. */
export const STRAVA_SUBSCRIPTION_KEY = "strava.subscription";

export async function getStravaSubscriptionId(db: Executor): Promise<number | null> {
  const [row] = await db
    .select({ value: appState.value })
    .from(appState)
    .where(eq(appState.key, STRAVA_SUBSCRIPTION_KEY));
  const parsed = z.object({ id: z.coerce.number().int().positive() }).safeParse(row?.value);
  return parsed.success ? parsed.data.id : null;
}

/**
 * The connection row, locked until the transaction ends: concurrent jobs that
 * all find the access token expiring queue here, and only the first refreshes
 * (Strava retires a refresh token as soon as it issues the next).
 */
export async function lockConnection(tx: Executor, connectionId: number): Promise<Connection | null> {
  const [row] = await tx
    .select()
    .from(providerConnections)
    .where(eq(providerConnections.id, connectionId))
    .for("update");
  return row ?? null;
}

/**
 * The connection, share-locked until the transaction ends, when it is still
 * active: an import writes only while the athlete's authorization stands, and a
 * deauthorization wipe (which deletes the row) waits for it or goes first.
 */
export async function activeConnectionForWrite(
  tx: Executor,
  connectionId: number,
): Promise<Connection | null> {
  const [row] = await tx
    .select()
    .from(providerConnections)
    .where(and(eq(providerConnections.id, connectionId), eq(providerConnections.status, "active")))
    .for("share");
  return row ?? null;
}

export interface StravaWipe {
  athleteId: number | null;
  /** true when the athlete had no other provider and was deleted with everything of theirs */
  athleteDeleted: boolean;
  activities: number;
  events: number;
}

/**
 * Deletes everything runstrong holds from Strava about one Strava athlete: their
 * stored webhook events, the connection (tokens included), their Strava
 * activities and the day classifications computed from them. An athlete with no
 * other provider is deleted outright (the cascade takes plans, pushes and
 * notifications, which were all derived from Strava data); one who also uses
 * Garmin keeps their account and settings, loses the Strava-derived heart-rate
 * zones, and is re-planned from what remains. `keepAthlete`: the athlete asked for
 * it themselves (a disconnect), so their account and settings stay even when
 * Strava was their only provider.
 */
export async function wipeStravaAthlete(
  db: Executor,
  ownerId: string,
  o: { keepAthlete?: boolean } = {},
): Promise<StravaWipe> {
  return db.transaction(async (tx) => {
    const events = await deleteStravaEventsOfOwner(tx, ownerId);
    const [connection] = await tx
      .select()
      .from(providerConnections)
      .where(
        and(eq(providerConnections.provider, "strava"), eq(providerConnections.externalAthleteId, ownerId)),
      )
      .for("update");
    if (!connection) return { athleteId: null, athleteDeleted: false, activities: 0, events };
    const athleteId = connection.athleteId;
    // A run Garmin also sent stays, as Garmin's record.
    await releaseSourceRecords(tx, athleteId, "strava");
    const deletedActivities = await tx
      .delete(activities)
      .where(and(eq(activities.athleteId, athleteId), eq(activities.provider, "strava")))
      .returning({ id: activities.id });
    const [others] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(providerConnections)
      .where(and(eq(providerConnections.athleteId, athleteId), ne(providerConnections.provider, "strava")));
    if ((others?.n ?? 0) === 0 && !o.keepAthlete) {
      await tx.delete(athletes).where(eq(athletes.id, athleteId));
      return { athleteId, athleteDeleted: true, activities: deletedActivities.length, events };
    }
    await tx.delete(providerConnections).where(eq(providerConnections.id, connection.id));
    await tx.delete(dayClassifications).where(eq(dayClassifications.athleteId, athleteId));
    await tx.update(athletes).set({ hrZones: null, updatedAt: sql`now()` }).where(eq(athletes.id, athleteId));
    return { athleteId, athleteDeleted: false, activities: deletedActivities.length, events };
  });
}
