import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { athletes } from "../schema/index.ts";

export interface SettingsRow {
  id: number;
  timezone: string;
  /** the athlete chose `timezone` (so an activity's zone never replaces it) */
  timezoneChosen: boolean;
  /** athletes.settings as stored: only what the athlete set (storedSettingsSchema reads it) */
  settings: Record<string, unknown>;
  calendarToken: string;
  email: string | null;
  emailConfirmedAt: Date | null;
}

export async function settingsOf(db: Executor, athleteId: number): Promise<SettingsRow | null> {
  const [row] = await db
    .select({
      id: athletes.id,
      timezone: athletes.timezone,
      timezoneChosen: athletes.timezoneChosen,
      settings: athletes.settings,
      calendarToken: athletes.calendarToken,
      email: athletes.email,
      emailConfirmedAt: athletes.emailConfirmedAt,
    })
    .from(athletes)
    .where(eq(athletes.id, athleteId));
  return row ?? null;
}

/**
 * Stores the athlete's settings object and time zone, but only when the row still
 * holds `expected` (the settings the change was computed from): two PATCHes racing
 * cannot silently undo each other. Returns false when the row changed meanwhile.
 * `timezoneChosen` marks the zone as the athlete's choice (it is never unmarked).
 */
export async function saveSettings(
  db: Executor,
  athleteId: number,
  next: { timezone: string; settings: Record<string, unknown>; timezoneChosen?: boolean },
  expected: { timezone: string; settings: Record<string, unknown> },
): Promise<boolean> {
  const rows = await db
    .update(athletes)
    .set({
      timezone: next.timezone,
      settings: next.settings,
      ...(next.timezoneChosen ? { timezoneChosen: true } : {}),
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(athletes.id, athleteId),
        eq(athletes.timezone, expected.timezone),
        sql`${athletes.settings} = ${JSON.stringify(expected.settings)}::jsonb`,
      ),
    )
    .returning({ id: athletes.id });
  return rows.length > 0;
}

/** A page of athletes by id, with what their schedules depend on. */
export async function athletesForSchedules(
  db: Executor,
  afterId: number,
  limit: number,
): Promise<
  { id: number; timezone: string; runningPlanIcsUrl: string | null; busyCalendarIcsUrl: string | null }[]
> {
  return db
    .select({
      id: athletes.id,
      timezone: athletes.timezone,
      runningPlanIcsUrl: sql<string | null>`${athletes.settings} ->> 'runningPlanIcsUrl'`,
      busyCalendarIcsUrl: sql<string | null>`${athletes.settings} ->> 'busyCalendarIcsUrl'`,
    })
    .from(athletes)
    .where(gt(athletes.id, afterId))
    .orderBy(asc(athletes.id))
    .limit(limit);
}

/** Sets one settings field only when the athlete has not set it; answers whether it was set now. */
export async function setSettingIfAbsent(
  db: Executor,
  athleteId: number,
  field: string,
  value: unknown,
): Promise<boolean> {
  const rows = await db
    .update(athletes)
    .set({
      settings: sql`${athletes.settings} || jsonb_build_object(${field}::text, ${JSON.stringify(value)}::jsonb)`,
    })
    .where(and(eq(athletes.id, athleteId), sql`not (${athletes.settings} ? ${field})`))
    .returning({ id: athletes.id });
  return rows.length > 0;
}
