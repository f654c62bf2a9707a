import { and, eq, sql } from "drizzle-orm";
import { randomToken } from "../../security/crypto.ts";
import type { Executor } from "../client.ts";
import { athletes } from "../schema/index.ts";

export type Athlete = typeof athletes.$inferSelect;

export const DEFAULT_TIMEZONE = "UTC";

export async function createAthlete(
  db: Executor,
  params: { displayName: string | null; timezone?: string | null },
): Promise<Athlete> {
  const [row] = await db
    .insert(athletes)
    .values({
      displayName: params.displayName,
      timezone: params.timezone ?? DEFAULT_TIMEZONE,
      // The iCalendar feed's secret URL: unguessable, rotatable, never derived from the id.
      calendarToken: randomToken(),
    })
    .returning();
  if (!row) throw new Error("insert into athletes returned no row");
  return row;
}

export async function getAthlete(db: Executor, id: number): Promise<Athlete | null> {
  const [row] = await db.select().from(athletes).where(eq(athletes.id, id));
  return row ?? null;
}

export async function updateAthleteProfile(
  db: Executor,
  id: number,
  profile: { displayName: string | null },
): Promise<void> {
  await db
    .update(athletes)
    .set({ displayName: profile.displayName, updatedAt: sql`now()` })
    .where(eq(athletes.id, id));
}

/** Heart-rate zones as Strava's GET /athlete/zones lists them (top zone's max is -1). */
export async function setHeartRateZones(
  db: Executor,
  id: number,
  zones: { min: number; max: number }[],
): Promise<void> {
  await db.update(athletes).set({ hrZones: zones, updatedAt: sql`now()` }).where(eq(athletes.id, id));
}

/**
 * Strava's athlete object carries no time zone, but every activity does. An
 * athlete still on the default (UTC, never chosen) takes the zone of their
 * activities; one who chose a zone keeps it, UTC included. Returns whether it changed.
 */
export async function adoptTimezoneIfDefault(db: Executor, id: number, timezone: string): Promise<boolean> {
  if (timezone === DEFAULT_TIMEZONE) return false;
  const changed = await db
    .update(athletes)
    .set({ timezone, updatedAt: sql`now()` })
    .where(
      and(eq(athletes.id, id), eq(athletes.timezone, DEFAULT_TIMEZONE), eq(athletes.timezoneChosen, false)),
    )
    .returning({ id: athletes.id });
  return changed.length > 0;
}
