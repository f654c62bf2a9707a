import { and, eq, sql } from "drizzle-orm";
import { decryptSecret, encryptSecret } from "../../security/crypto.ts";
import type { Executor } from "../client.ts";
import { athletes, providerConnections } from "../schema/index.ts";
import { type Athlete, createAthlete, updateAthleteProfile } from "./athletes.ts";

export type Provider = (typeof providerConnections.provider.enumValues)[number];
export type ConnectionStatus = (typeof providerConnections.status.enumValues)[number];
export type Connection = typeof providerConnections.$inferSelect;

/** Plain tokens: they exist in memory only, and are encrypted before they reach a row. */
export interface ProviderTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
}

export interface ConnectParams {
  provider: Provider;
  externalAthleteId: string;
  displayName: string | null;
  /** the athlete's zone when the provider tells it; new athletes otherwise start on UTC */
  timezone?: string | null;
  tokens: ProviderTokens;
  /** the scopes the athlete actually granted (they can untick some) */
  scopes: string[];
  /**
   * The athlete already signed in on this browser, if any: a first connection
   * of this provider joins them instead of creating a new athlete.
   */
  signedInAthleteId?: number | null;
}

export interface Connected {
  athlete: Athlete;
  connection: Connection;
  /** true when this connect created the athlete */
  created: boolean;
}

function sealed(tokens: ProviderTokens, key: Buffer) {
  return {
    accessTokenEnc: encryptSecret(tokens.accessToken, key),
    refreshTokenEnc: encryptSecret(tokens.refreshToken, key),
    expiresAt: tokens.expiresAt,
  };
}

/**
 * Stores an athlete's connection after OAuth. Keyed on (provider, external
 * athlete id): reconnecting updates the same athlete and connection (new tokens,
 * scopes, status back to active), never a second athlete. Two callbacks racing
 * for the same new athlete are serialized by a transaction-scoped advisory lock.
 */
export async function connectAthlete(db: Executor, key: Buffer, params: ConnectParams): Promise<Connected> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`connect:${params.provider}:${params.externalAthleteId}`}))`,
    );
    const existing = await getConnectionByExternal(tx, params.provider, params.externalAthleteId);
    if (existing) {
      const [connection] = await tx
        .update(providerConnections)
        .set({
          ...sealed(params.tokens, key),
          scopes: params.scopes,
          status: "active",
          statusReason: null,
          connectedAt: sql`now()`,
          updatedAt: sql`now()`,
        })
        .where(eq(providerConnections.id, existing.id))
        .returning();
      // Garmin tells no name: reconnecting it keeps the one Strava gave.
      if (params.displayName !== null)
        await updateAthleteProfile(tx, existing.athleteId, { displayName: params.displayName });
      const [athlete] = await tx.select().from(athletes).where(eq(athletes.id, existing.athleteId));
      if (!connection || !athlete) throw new Error("connection vanished inside its transaction");
      return { athlete, connection, created: false };
    }

    let athlete: Athlete | undefined;
    if (params.signedInAthleteId != null) {
      const other = await getConnectionForAthlete(tx, params.signedInAthleteId, params.provider);
      // A signed-in athlete already linked to another account of this provider keeps it;
      // this account becomes an athlete of its own.
      if (!other)
        [athlete] = await tx.select().from(athletes).where(eq(athletes.id, params.signedInAthleteId));
    }
    const created = !athlete;
    athlete ??= await createAthlete(tx, { displayName: params.displayName, timezone: params.timezone });
    const [connection] = await tx
      .insert(providerConnections)
      .values({
        athleteId: athlete.id,
        provider: params.provider,
        externalAthleteId: params.externalAthleteId,
        ...sealed(params.tokens, key),
        scopes: params.scopes,
        status: "active",
      })
      .returning();
    if (!connection) throw new Error("insert into provider_connections returned no row");
    return { athlete, connection, created };
  });
}

export async function getConnectionByExternal(
  db: Executor,
  provider: Provider,
  externalAthleteId: string,
): Promise<Connection | null> {
  const [row] = await db
    .select()
    .from(providerConnections)
    .where(
      and(
        eq(providerConnections.provider, provider),
        eq(providerConnections.externalAthleteId, externalAthleteId),
      ),
    );
  return row ?? null;
}

export async function getConnectionForAthlete(
  db: Executor,
  athleteId: number,
  provider: Provider,
): Promise<Connection | null> {
  const [row] = await db
    .select()
    .from(providerConnections)
    .where(and(eq(providerConnections.athleteId, athleteId), eq(providerConnections.provider, provider)));
  return row ?? null;
}

/** The plain tokens of a connection, or null when they were deleted (revoked). */
export function readTokens(connection: Connection, key: Buffer): ProviderTokens | null {
  if (!connection.accessTokenEnc || !connection.refreshTokenEnc || !connection.expiresAt) return null;
  return {
    accessToken: decryptSecret(connection.accessTokenEnc, key),
    refreshToken: decryptSecret(connection.refreshTokenEnc, key),
    expiresAt: connection.expiresAt,
  };
}

/**
 * Stores refreshed tokens. Strava invalidates the old refresh token the moment
 * it issues a new one, so the caller must hold the connection's refresh lock.
 */
export async function updateTokens(
  db: Executor,
  key: Buffer,
  connectionId: number,
  tokens: ProviderTokens,
): Promise<void> {
  await db
    .update(providerConnections)
    .set({ ...sealed(tokens, key), updatedAt: sql`now()` })
    .where(eq(providerConnections.id, connectionId));
}

/**
 * Marks a connection active, needing re-authorization (a refused refresh) or
 * revoked (deauthorized). Revoking deletes the tokens too: nothing may call the
 * provider for that athlete any more.
 */
export async function setConnectionStatus(
  db: Executor,
  connectionId: number,
  status: ConnectionStatus,
  reason: string | null,
): Promise<void> {
  await db
    .update(providerConnections)
    .set({
      status,
      statusReason: reason,
      updatedAt: sql`now()`,
      ...(status === "revoked" ? { accessTokenEnc: null, refreshTokenEnc: null, expiresAt: null } : {}),
    })
    .where(eq(providerConnections.id, connectionId));
}
