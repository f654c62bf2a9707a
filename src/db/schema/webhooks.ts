import { sql } from "drizzle-orm";
import {
  bigserial,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import { provider } from "./connections.ts";

export const inboxStatus = pgEnum("inbox_status", ["received", "processed", "ignored", "failed"]);

/**
 * Every webhook event, stored before it is acknowledged. `dedupeKey` is built
 * from the event's own identity (for Strava: object type, id, aspect, event
 * time and the updates), so a repeated delivery lands on the same row.
 */
export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    provider: provider("provider").notNull(),
    dedupeKey: text("dedupe_key").notNull(),
    externalAthleteId: text("external_athlete_id"),
    objectType: text("object_type"),
    objectId: text("object_id"),
    aspectType: text("aspect_type"),
    eventTime: timestamp("event_time", { withTimezone: true }),
    payload: jsonb("payload").notNull(),
    status: inboxStatus("status").notNull().default("received"),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
  },
  (t) => [
    unique("webhook_events_provider_dedupe_uq").on(t.provider, t.dedupeKey),
    index("webhook_events_pending_idx").on(t.receivedAt).where(sql`status = 'received'`),
    index("webhook_events_processed_at_idx").on(t.processedAt),
  ],
);
