import {
  bigint,
  bigserial,
  date,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import type { SessionLetter } from "../../domain/plan/input.ts";
import { athletes } from "./athletes.ts";

/** One logged exercise as the planner's strengthLog takes it: weights in kilograms. */
export interface StoredLoggedExercise {
  name: string;
  sets: Array<{ reps: number; weightKg: number; repsInReserve?: number }>;
}

/**
 * The sets an athlete did in a planned session, one row per session: typed in
 * (POST /api/sessions/{key}/log) or read from a Garmin / .FIT strength activity's
 * set messages. A later log of the same session replaces the earlier one.
 */
export const strengthLogs = pgTable(
  "strength_logs",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    athleteId: bigint("athlete_id", { mode: "number" })
      .notNull()
      .references(() => athletes.id, { onDelete: "cascade" }),
    /** the planned session it logs (planned_sessions.session_key) */
    sessionKey: uuid("session_key").notNull(),
    /** athlete-local date of the session */
    date: date("date").notNull(),
    session: text("session").$type<SessionLetter>(),
    /** "api" (typed in), "garmin" or "fit" */
    source: text("source").$type<"api" | "garmin" | "fit">().notNull(),
    exercises: jsonb("exercises").$type<StoredLoggedExercise[]>().notNull(),
    loggedAt: timestamp("logged_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("strength_logs_athlete_session_uq").on(t.athleteId, t.sessionKey),
    index("strength_logs_athlete_date_idx").on(t.athleteId, t.date),
  ],
);

/**
 * Times the athlete is busy, from their own calendar (`busyCalendarIcsUrl`): only
 * start and end. Titles, places and attendees are never stored; free
 * (TRANSP:TRANSPARENT) and cancelled events are not imported at all. Each import
 * replaces the athlete's rows.
 */
export const busyIntervals = pgTable(
  "busy_intervals",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    athleteId: bigint("athlete_id", { mode: "number" })
      .notNull()
      .references(() => athletes.id, { onDelete: "cascade" }),
    startAt: timestamp("start_at", { withTimezone: true }).notNull(),
    endAt: timestamp("end_at", { withTimezone: true }).notNull(),
    importedAt: timestamp("imported_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("busy_intervals_athlete_start_idx").on(t.athleteId, t.startAt)],
);
