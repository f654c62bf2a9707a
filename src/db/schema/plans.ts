import {
  bigint,
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import type { Exercise, Phase, SessionLetter, UnplacedSession } from "../../domain/plan/input.ts";
import type { SessionStatus, StoredCause, StoredChange } from "../columns.ts";
import { athletes } from "./athletes.ts";

/**
 * Each re-plan that changes something stores a new version with its cause
 * (the webhook event, the setting, the nightly roll-forward) and the diff
 * against the previous version, so the athlete can be told what moved and why.
 */
export const planVersions = pgTable(
  "plan_versions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    athleteId: bigint("athlete_id", { mode: "number" })
      .notNull()
      .references(() => athletes.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    windowFrom: date("window_from").notNull(),
    windowTo: date("window_to").notNull(),
    cause: jsonb("cause").$type<StoredCause>().notNull(),
    diff: jsonb("diff").$type<StoredChange[]>().notNull(),
    unplaced: jsonb("unplaced").$type<UnplacedSession[]>().notNull(),
    /** set once the plan-changed job has been handed to destinations and notifications */
    publishedAt: timestamp("published_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("plan_versions_athlete_version_uq").on(t.athleteId, t.version)],
);

/**
 * The sessions of one plan version. `sessionKey` is the session's identity across
 * versions (the iCalendar UID, the Garmin workout, the notification all follow
 * it); `sequence` rises each time the session changes, as iCalendar's SEQUENCE.
 */
export const plannedSessions = pgTable(
  "planned_sessions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    planVersionId: bigint("plan_version_id", { mode: "number" })
      .notNull()
      .references(() => planVersions.id, { onDelete: "cascade" }),
    athleteId: bigint("athlete_id", { mode: "number" })
      .notNull()
      .references(() => athletes.id, { onDelete: "cascade" }),
    sessionKey: uuid("session_key").notNull(),
    session: text("session").$type<SessionLetter>().notNull(),
    phase: text("phase").$type<Phase>().notNull(),
    startAt: timestamp("start_at", { withTimezone: true }).notNull(),
    endAt: timestamp("end_at", { withTimezone: true }).notNull(),
    exercises: jsonb("exercises").$type<Exercise[]>().notNull(),
    reasons: jsonb("reasons").$type<string[]>().notNull(),
    status: text("status").$type<SessionStatus>().notNull().default("planned"),
    pinned: boolean("pinned").notNull().default(false),
    sequence: integer("sequence").notNull().default(0),
  },
  (t) => [
    unique("planned_sessions_version_key_uq").on(t.planVersionId, t.sessionKey),
    index("planned_sessions_athlete_start_idx").on(t.athleteId, t.startAt),
  ],
);
