import { bigint, bigserial, index, jsonb, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { activities } from "./activities.ts";
import { provider } from "./connections.ts";

/**
 * One run, one record: when Strava and Garmin both send the same run, the richer
 * record is the `activities` row and the other source's copy is kept here, linked
 * to it by the source's own id. Planning reads only `activities`; this copy is
 * what takes the row's place when the winning source deletes its record (a
 * Strava deauthorization, a Garmin deregistration, a delete at one source), so
 * one source's delete never takes the other source's run with it.
 */
export const activityLinks = pgTable(
  "activity_links",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    activityId: bigint("activity_id", { mode: "number" })
      .notNull()
      .references(() => activities.id, { onDelete: "cascade" }),
    athleteId: bigint("athlete_id", { mode: "number" }).notNull(),
    provider: provider("provider").notNull(),
    externalId: text("external_id").notNull(),
    /** the copy as upsertActivity would store it: the domain Activity and its classification */
    record: jsonb("record").notNull(),
    linkedAt: timestamp("linked_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("activity_links_provider_external_uq").on(t.provider, t.externalId),
    index("activity_links_activity_idx").on(t.activityId),
  ],
);
