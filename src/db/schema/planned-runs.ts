import { bigint, bigserial, index, integer, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { athletes } from "./athletes.ts";

/**
 * Runs the athlete has planned, imported from their training-plan calendar
 * (`runningPlanIcsUrl`). Each import replaces the athlete's rows of that source;
 * `uid` is the calendar entry's UID (per occurrence for a repeating entry), so
 * the same entry lands on the same row. Where they exist they stand in for the
 * weekly run template on the days they cover.
 */
export const plannedRuns = pgTable(
  "planned_runs",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    athleteId: bigint("athlete_id", { mode: "number" })
      .notNull()
      .references(() => athletes.id, { onDelete: "cascade" }),
    /** where the entry came from: "ics" for the running-plan calendar feed */
    source: text("source").notNull(),
    uid: text("uid").notNull(),
    startAt: timestamp("start_at", { withTimezone: true }).notNull(),
    durationMin: integer("duration_min").notNull(),
    title: text("title").notNull(),
    importedAt: timestamp("imported_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("planned_runs_athlete_source_uid_uq").on(t.athleteId, t.source, t.uid),
    index("planned_runs_athlete_start_idx").on(t.athleteId, t.startAt),
  ],
);
