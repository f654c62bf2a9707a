import { bigint, bigserial, pgEnum, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { athletes } from "./athletes.ts";
import { destination } from "./outbound.ts";

/** How a linked destination is doing; "off" (not linked, or no connection) is not stored. */
export const destinationState = pgEnum("destination_state", ["ok", "failing", "revoked"]);

/**
 * One athlete's link to a workout destination and how its pushes go. intervals.icu
 * keeps its credentials here (the athlete id there and a sealed API key, set in
 * the settings); Garmin's tokens stay in provider_connections and its row holds
 * only the state, made by the first push.
 */
export const destinationLinks = pgTable(
  "destination_links",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    athleteId: bigint("athlete_id", { mode: "number" })
      .notNull()
      .references(() => athletes.id, { onDelete: "cascade" }),
    destination: destination("destination").notNull(),
    /** the athlete's id at the destination (intervals.icu's "i12345"); null for Garmin */
    externalAthleteId: text("external_athlete_id"),
    /** the sealed API key (intervals.icu), as tokens are sealed: never logged, never answered */
    secretEnc: text("secret_enc"),
    state: destinationState("state").notNull().default("ok"),
    lastError: text("last_error"),
    lastPushAt: timestamp("last_push_at", { withTimezone: true }),
    linkedAt: timestamp("linked_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("destination_links_athlete_destination_uq").on(t.athleteId, t.destination)],
);
