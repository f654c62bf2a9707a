// Garmin-specific writes that are not about one table's rows: the wipe a
// deregistration (or a disconnect) calls for, and the permissions a user grants.
import { and, eq, ne, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import {
  activities,
  athletes,
  dayClassifications,
  providerConnections,
  strengthLogs,
} from "../schema/index.ts";
import { releaseSourceRecords } from "./activity-links.ts";
import { deleteGarminEventsOfUser } from "./garmin-inbox.ts";

export interface GarminWipe {
  athleteId: number | null;
  /** true when Garmin was the athlete's only source and the athlete went with it */
  athleteDeleted: boolean;
  activities: number;
  events: number;
}

/**
 * Deletes everything runstrong holds from Garmin about one Garmin user: their
 * stored notifications, the connection (tokens included) and every activity only
 * Garmin sent. A run Strava sent too stays, as Strava's record
 * (activity-links.ts). An athlete with no other source is deleted outright (the
 * cascade takes plans, pushes and notifications, all derived from Garmin data);
 * one who also uses Strava keeps their account and is re-planned from what is left.
 * `keepAthlete`: the athlete asked for it themselves (a disconnect), so their
 * account and settings stay even when Garmin was their only source.
 */
export async function wipeGarminUser(
  db: Executor,
  userId: string,
  o: { keepAthlete?: boolean } = {},
): Promise<GarminWipe> {
  return db.transaction(async (tx) => {
    const events = await deleteGarminEventsOfUser(tx, userId);
    const [connection] = await tx
      .select()
      .from(providerConnections)
      .where(
        and(eq(providerConnections.provider, "garmin"), eq(providerConnections.externalAthleteId, userId)),
      )
      .for("update");
    if (!connection) return { athleteId: null, athleteDeleted: false, activities: 0, events };
    const athleteId = connection.athleteId;
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`activities:${athleteId}`}))`);
    await releaseSourceRecords(tx, athleteId, "garmin");
    const deleted = await tx
      .delete(activities)
      .where(and(eq(activities.athleteId, athleteId), eq(activities.provider, "garmin")))
      .returning({ id: activities.id });
    // Sets read from Garmin's activity files are Garmin data too; sets the athlete typed in stay.
    await tx
      .delete(strengthLogs)
      .where(and(eq(strengthLogs.athleteId, athleteId), eq(strengthLogs.source, "garmin")));
    const [others] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(providerConnections)
      .where(and(eq(providerConnections.athleteId, athleteId), ne(providerConnections.provider, "garmin")));
    if ((others?.n ?? 0) === 0 && !o.keepAthlete) {
      await tx.delete(athletes).where(eq(athletes.id, athleteId));
      return { athleteId, athleteDeleted: true, activities: deleted.length, events };
    }
    await tx.delete(providerConnections).where(eq(providerConnections.id, connection.id));
    await tx.delete(dayClassifications).where(eq(dayClassifications.athleteId, athleteId));
    return { athleteId, athleteDeleted: false, activities: deleted.length, events };
  });
}

/** The permissions Garmin says the user grants, as the connection's scopes. */
export async function setGarminPermissions(
  db: Executor,
  connectionId: number,
  permissions: readonly string[],
): Promise<void> {
  await db
    .update(providerConnections)
    .set({ scopes: [...permissions], updatedAt: sql`now()` })
    .where(eq(providerConnections.id, connectionId));
}
