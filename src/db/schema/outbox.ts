import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { athletes } from "./athletes.ts";

/**
 * Follow-up work (a re-plan, an athlete's schedules brought in line with their
 * settings) written in the same transaction as the change that calls for it, so
 * a change stored while Redis is away is never left without its follow-up. The
 * writer queues it right after commit and marks it done; a sweep queues what
 * Redis did not take. Done rows are kept a day, then pruned.
 */
export const outbox = pgTable(
  "outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /**
     * Names the jobs this row queues. Random, not the sequence: a restored or
     * recreated database restarts its ids while Redis still keeps jobs named by them.
     */
    key: uuid("key").notNull().defaultRandom().unique(),
    athleteId: bigint("athlete_id", { mode: "number" })
      .notNull()
      .references(() => athletes.id, { onDelete: "cascade" }),
    /** the payload's `type`, for reading the table by hand */
    kind: text("kind").notNull(),
    /** the follow-up as src/workers/outbox.ts's schema reads it */
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    /** failed sweeps so far; each pushes nextAttemptAt further out */
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    doneAt: timestamp("done_at", { withTimezone: true }),
  },
  (t) => [
    index("outbox_pending_idx").on(t.id).where(sql`done_at is null`),
    index("outbox_done_at_idx").on(t.doneAt),
  ],
);
