import { sql } from "drizzle-orm";
import { bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * An athlete and their planning settings. The settings object is the `athlete`
 * object of `runstrong plan` (docs/cli.md) plus the run template
 * and notification preferences; it is validated by zod where it is written.
 * The time zone is a column of its own because scheduling queries read it.
 */
export const athletes = pgTable(
  "athletes",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    displayName: text("display_name"),
    email: text("email"),
    /** when the athlete confirmed `email` by its signed link; null: no plan mail goes there */
    emailConfirmedAt: timestamp("email_confirmed_at", { withTimezone: true }),
    timezone: text("timezone").notNull().default("UTC"),
    /** the athlete chose `timezone` in their settings (UTC included): an activity's zone never replaces it */
    timezoneChosen: boolean("timezone_chosen").notNull().default(false),
    /** heart-rate zones as Strava's GET /athlete/zones gives them ({min,max}[], top max -1) */
    hrZones: jsonb("hr_zones").$type<{ min: number; max: number }[]>(),
    maxHr: integer("max_hr"),
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    /** unguessable token of the athlete's iCalendar feed; rotating it retires the old URL */
    calendarToken: text("calendar_token").notNull().unique(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("athletes_timezone_idx").on(t.timezone)],
);

/**
 * Small facts about this installation that are not configuration, e.g. the id of
 * the Strava push subscription `runstrong strava subscribe` created.
 */
export const appState = pgTable("app_state", {
  key: text("key").primaryKey(),
  value: jsonb("value").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
