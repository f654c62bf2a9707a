// Deleting an athlete and everything that names them, in one transaction. The
// tables come from the database itself (every table with an athlete_id column, as
// information_schema lists them), not from a list kept here, so a table added
// later is erased without anyone remembering to add it. Webhook inbox rows carry
// no athlete_id: they name the athlete by their Strava owner id or Garmin user id,
// and go too. The cascade from `athletes` would take most rows anyway; deleting
// from each table by name also takes rows without a foreign key (activity_links).
import { eq, sql } from "drizzle-orm";
import { type Executor, withTransaction } from "../client.ts";
import { providerConnections } from "../schema/index.ts";
import { deleteGarminEventsOfUser } from "./garmin-inbox.ts";
import { deleteStravaEventsOfOwner } from "./webhook-inbox.ts";

/** Every table of the public schema with an athlete_id column, by name. */
export async function athleteTables(db: Executor): Promise<string[]> {
  const rows = await db.execute<{ table_name: string }>(sql`
    select c.table_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and c.column_name = 'athlete_id' and t.table_type = 'BASE TABLE'
    order by c.table_name`);
  return rows.map((r) => r.table_name);
}

/** How many rows each athlete_id table holds for the athlete (tables with none included, as 0). */
export async function countAthleteRows(db: Executor, athleteId: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await athleteTables(db)) {
    const [row] = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from ${sql.identifier(table)} where athlete_id = ${athleteId}`,
    );
    counts[table] = row?.n ?? 0;
  }
  return counts;
}

export interface Erasure {
  /** false: there was no such athlete (deleted meanwhile); nothing was done */
  found: boolean;
  /** rows deleted per athlete_id table (the cascade may have taken some first: those count 0 here) */
  rows: Record<string, number>;
  /** webhook inbox rows naming the athlete's Strava owner id or Garmin user id */
  inboxEvents: number;
}

/**
 * Deletes the athlete, every row of every athlete_id table naming them, and their
 * webhook inbox rows. The athlete row is locked first, so an import that is
 * writing for them finishes before (its rows are then deleted) or waits and
 * finds them gone.
 */
export async function eraseAthlete(db: Executor, athleteId: number): Promise<Erasure> {
  return withTransaction(db, async (tx) => {
    const locked = await tx.execute(sql`select id from athletes where id = ${athleteId} for update`);
    if (locked.length === 0) return { found: false, rows: {}, inboxEvents: 0 };
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`activities:${athleteId}`}))`);
    const connections = await tx
      .select({ provider: providerConnections.provider, externalId: providerConnections.externalAthleteId })
      .from(providerConnections)
      .where(eq(providerConnections.athleteId, athleteId));
    let inboxEvents = 0;
    for (const c of connections)
      inboxEvents +=
        c.provider === "strava"
          ? await deleteStravaEventsOfOwner(tx, c.externalId)
          : await deleteGarminEventsOfUser(tx, c.externalId);
    const rows: Record<string, number> = {};
    for (const table of await athleteTables(tx)) {
      const deleted = await tx.execute(
        sql`delete from ${sql.identifier(table)} where athlete_id = ${athleteId}`,
      );
      rows[table] = deleted.count;
    }
    await tx.execute(sql`delete from athletes where id = ${athleteId}`);
    return { found: true, rows, inboxEvents };
  });
}
