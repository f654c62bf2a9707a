import { bigint, bigserial, pgEnum, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { athletes } from "./athletes.ts";

export const provider = pgEnum("provider", ["strava", "garmin"]);
export const connectionStatus = pgEnum("connection_status", ["active", "needs_reauth", "revoked"]);

/**
 * One athlete's link to Strava or Garmin. Tokens are stored encrypted
 * (AES-256-GCM, "v1.<iv>.<tag>.<ciphertext>" base64url) and never logged.
 */
export const providerConnections = pgTable(
  "provider_connections",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    athleteId: bigint("athlete_id", { mode: "number" })
      .notNull()
      .references(() => athletes.id, { onDelete: "cascade" }),
    provider: provider("provider").notNull(),
    /** the provider's own athlete/user id, as text */
    externalAthleteId: text("external_athlete_id").notNull(),
    accessTokenEnc: text("access_token_enc"),
    refreshTokenEnc: text("refresh_token_enc"),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    scopes: text("scopes").array().notNull().default([]),
    status: connectionStatus("status").notNull().default("active"),
    statusReason: text("status_reason"),
    connectedAt: timestamp("connected_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("provider_connections_provider_external_uq").on(t.provider, t.externalAthleteId),
    unique("provider_connections_athlete_provider_uq").on(t.athleteId, t.provider),
  ],
);
