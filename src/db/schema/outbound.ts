import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { athletes } from "./athletes.ts";
import { planVersions } from "./plans.ts";

export const destination = pgEnum("destination", ["garmin", "intervals_icu"]);
/** "skipped": a notification decided not to be sent (nothing visible changed, channel off), kept as a record */
export const deliveryStatus = pgEnum("delivery_status", ["pending", "sent", "failed", "deleted", "skipped"]);
export const notificationChannel = pgEnum("notification_channel", ["email", "webpush"]);

/** A planned session as it exists in an outside calendar or device, by its id there. */
export const workoutPushes = pgTable(
  "workout_pushes",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    athleteId: bigint("athlete_id", { mode: "number" })
      .notNull()
      .references(() => athletes.id, { onDelete: "cascade" }),
    sessionKey: uuid("session_key").notNull(),
    destination: destination("destination").notNull(),
    externalId: text("external_id"),
    /** the planned_sessions.sequence last pushed, so a retry pushes nothing twice */
    pushedSequence: integer("pushed_sequence"),
    status: deliveryStatus("status").notNull().default("pending"),
    error: text("error"),
    /** Garmin's schedule entry for the workout (externalId is the workout; intervals.icu needs none) */
    scheduleId: text("schedule_id"),
    /** when the pushed session starts: a dropped session is deleted only while it is still ahead */
    startAt: timestamp("start_at", { withTimezone: true }),
    /** a hash of what was sent (date, name, steps, loads): unchanged content is not pushed again */
    contentHash: text("content_hash"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("workout_pushes_destination_session_uq").on(t.destination, t.sessionKey)],
);

/** One row per plan change and channel: a retried notify job sends nothing twice. */
export const notifications = pgTable(
  "notifications",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    athleteId: bigint("athlete_id", { mode: "number" })
      .notNull()
      .references(() => athletes.id, { onDelete: "cascade" }),
    planVersionId: bigint("plan_version_id", { mode: "number" })
      .notNull()
      .references(() => planVersions.id, { onDelete: "cascade" }),
    channel: notificationChannel("channel").notNull(),
    status: deliveryStatus("status").notNull().default("pending"),
    error: text("error"),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /**
     * One message covers the plan versions firstVersion..the version of planVersionId
     * (changes within NOTIFY_COALESCE_MS, or held by quiet hours, go out together).
     */
    firstVersion: integer("first_version"),
    attempts: integer("attempts").notNull().default(0),
    /** web_push_subscriptions ids that took this message: a retry sends to the others only */
    deliveredTo: jsonb("delivered_to").$type<number[]>().notNull().default(sql`'[]'::jsonb`),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("notifications_version_channel_uq").on(t.planVersionId, t.channel),
    index("notifications_athlete_status_idx").on(t.athleteId, t.status),
  ],
);

/** A browser's Web Push subscription (endpoint + keys), as PushManager.subscribe() gives it. */
export const webPushSubscriptions = pgTable("web_push_subscriptions", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  athleteId: bigint("athlete_id", { mode: "number" })
    .notNull()
    .references(() => athletes.id, { onDelete: "cascade" }),
  endpoint: text("endpoint").notNull().unique(),
  p256dh: text("p256dh").notNull(),
  auth: text("auth").notNull(),
  failureCount: integer("failure_count").notNull().default(0),
  lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
