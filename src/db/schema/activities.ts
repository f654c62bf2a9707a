import {
  bigint,
  bigserial,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  real,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import type { Sport } from "../../domain/activity.ts";
import type { ActivityKind, DayKind } from "../../domain/classify/types.ts";
import { athletes } from "./athletes.ts";
import { provider } from "./connections.ts";

/**
 * Imported activities: the normalized columns planning reads, the domain's
 * Activity object (`summary`, with laps) and, for a limited time, the raw
 * provider payload. Strava's API agreement caps how long raw data is cached,
 * so `raw` is purged after STRAVA_RAW_RETENTION_DAYS and `summary` keeps only
 * what planning needs.
 */
export const activities = pgTable(
  "activities",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    athleteId: bigint("athlete_id", { mode: "number" })
      .notNull()
      .references(() => athletes.id, { onDelete: "cascade" }),
    provider: provider("provider").notNull(),
    externalId: text("external_id").notNull(),
    name: text("name").notNull(),
    sport: text("sport").$type<Sport>().notNull(),
    sportType: text("sport_type").notNull(),
    startAt: timestamp("start_at", { withTimezone: true }).notNull(),
    localDate: date("local_date").notNull(),
    timezone: text("timezone"),
    movingS: integer("moving_s").notNull(),
    elapsedS: integer("elapsed_s").notNull(),
    distanceM: real("distance_m").notNull(),
    avgHr: real("avg_hr"),
    maxHr: real("max_hr"),
    /** "easy" | "quality" | "strength" | "other", with the evidence behind it */
    kind: text("kind").$type<ActivityKind>(),
    subtype: text("subtype"),
    confidence: real("confidence"),
    reasons: jsonb("reasons").$type<string[]>(),
    /** the athlete's own verdict on this run, which beats every signal */
    kindOverride: text("kind_override"),
    summary: jsonb("summary").notNull(),
    raw: jsonb("raw"),
    rawFetchedAt: timestamp("raw_fetched_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("activities_provider_external_uq").on(t.provider, t.externalId),
    index("activities_athlete_start_idx").on(t.athleteId, t.startAt),
    index("activities_raw_fetched_idx").on(t.rawFetchedAt),
  ],
);

/** The verdict on each athlete-local day, recomputed by every re-plan. */
export const dayClassifications = pgTable(
  "day_classifications",
  {
    athleteId: bigint("athlete_id", { mode: "number" })
      .notNull()
      .references(() => athletes.id, { onDelete: "cascade" }),
    date: date("date").notNull(),
    kind: text("kind").$type<DayKind>().notNull(),
    confidence: real("confidence").notNull(),
    reasons: jsonb("reasons").$type<string[]>().notNull(),
    computedAt: timestamp("computed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("day_classifications_athlete_date_uq").on(t.athleteId, t.date)],
);
