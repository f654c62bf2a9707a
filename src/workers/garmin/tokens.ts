// A usable Garmin access token for a connection, refreshed when it expires within
// ten minutes (Garmin's own advice: at least 600 s early). As for Strava, the
// refresh runs under the connection row's lock, and the new pair is stored in the
// same transaction: Garmin sends a new refresh token with every refresh, and the
// old one may stop working once it has.
import { UnrecoverableError } from "bullmq";
import type { Database } from "../../db/client.ts";
import {
  type Connection,
  readTokens,
  setConnectionStatus,
  updateTokens,
} from "../../db/repos/connections.ts";
import { lockConnection } from "../../db/repos/strava-data.ts";
import type { GarminApi } from "../../integrations/garmin/api.ts";
import { GarminAuthError } from "../../integrations/garmin/errors.ts";
import type { Logger } from "../../observability/logger.ts";

export const GARMIN_REFRESH_WITHIN_MS = 10 * 60_000;

/** The athlete must connect Garmin again; the connection is marked needs_reauth. */
export class GarminReauthorizationNeeded extends UnrecoverableError {
  override name = "GarminReauthorizationNeeded";
}

export interface GarminTokenDeps {
  db: Database;
  tokenKey: Buffer;
  now: () => Date;
  logger: Logger;
}

function unusable(connection: Connection): string | null {
  if (connection.status !== "active") return `the Garmin connection is ${connection.status}`;
  if (!connection.accessTokenEnc || !connection.refreshTokenEnc) return "the Garmin connection has no tokens";
  return null;
}

/**
 * `rejected`: an access token Garmin just answered 401 to; the refresh then happens
 * whatever the expiry says, unless another job already replaced that token.
 */
export async function freshGarminToken(
  deps: GarminTokenDeps,
  api: Pick<GarminApi, "refreshToken">,
  connection: Connection,
  options: { rejected?: string } = {},
): Promise<string> {
  const log = deps.logger.child({ athleteId: connection.athleteId, connectionId: connection.id });
  const needsRefresh = (c: Connection) => {
    const tokens = readTokens(c, deps.tokenKey);
    if (!tokens) return { tokens, refresh: true };
    const expiring = tokens.expiresAt.getTime() - deps.now().getTime() <= GARMIN_REFRESH_WITHIN_MS;
    const refused = options.rejected !== undefined && tokens.accessToken === options.rejected;
    return { tokens, refresh: expiring || refused };
  };

  const bad = unusable(connection);
  if (bad) throw new UnrecoverableError(bad);
  const quick = needsRefresh(connection);
  if (quick.tokens && !quick.refresh) return quick.tokens.accessToken;

  const outcome = await deps.db.transaction(async (tx) => {
    const locked = await lockConnection(tx, connection.id);
    if (!locked) return { kind: "error", message: "the Garmin connection is gone" } as const;
    const why = unusable(locked);
    if (why) return { kind: "error", message: why } as const;
    const { tokens, refresh } = needsRefresh(locked);
    if (!tokens) return { kind: "error", message: "the Garmin connection has no tokens" } as const;
    if (!refresh) return { kind: "token", token: tokens.accessToken } as const;
    try {
      const grant = await api.refreshToken(tokens.refreshToken);
      await updateTokens(tx, deps.tokenKey, locked.id, grant);
      log.info({ expiresAt: grant.expiresAt.toISOString() }, "Garmin access token refreshed");
      return { kind: "token", token: grant.accessToken } as const;
    } catch (err) {
      if (!(err instanceof GarminAuthError)) throw err;
      const reason = `Garmin refused the token refresh (${err.status}): the athlete must connect Garmin again`;
      await setConnectionStatus(tx, locked.id, "needs_reauth", reason);
      log.warn({ status: err.status }, "Garmin refused the refresh token; connection needs re-authorization");
      return { kind: "reauth", message: reason } as const;
    }
  });
  if (outcome.kind === "token") return outcome.token;
  if (outcome.kind === "reauth") throw new GarminReauthorizationNeeded(outcome.message);
  throw new UnrecoverableError(outcome.message);
}

export type GarminAuthorization = "authorized" | "revoked";

/**
 * Asks Garmin whether the user still authorizes runstrong, before anything of
 * theirs is deleted on the word of an unsigned deregistration: a refresh-token
 * grant under the connection's lock, then GET /user/id with the new token. A
 * refused refresh or a 401/403 on /user/id confirms the deregistration; the
 * user id Garmin returns proves the authorization stands (the granted pair is
 * stored, as after any refresh). Transient failures (5xx, 429, timeouts) throw
 * so the job retries; they are never taken for a yes.
 */
export async function checkGarminAuthorization(
  deps: GarminTokenDeps,
  api: Pick<GarminApi, "refreshToken" | "userId">,
  connection: Connection,
): Promise<GarminAuthorization> {
  const log = deps.logger.child({ athleteId: connection.athleteId, connectionId: connection.id });
  const token = await deps.db.transaction(async (tx) => {
    const locked = await lockConnection(tx, connection.id);
    if (!locked) return null;
    const tokens = readTokens(locked, deps.tokenKey);
    if (!tokens) return null;
    try {
      const grant = await api.refreshToken(tokens.refreshToken);
      await updateTokens(tx, deps.tokenKey, locked.id, grant);
      return grant.accessToken;
    } catch (err) {
      if (!(err instanceof GarminAuthError)) throw err;
      log.info({ status: err.status }, "Garmin refused the user's refresh token: authorization revoked");
      return null;
    }
  });
  if (token === null) return "revoked";
  try {
    const userId = await api.userId(token);
    if (userId !== connection.externalAthleteId) {
      log.warn("Garmin names another user for this connection's token: treated as revoked");
      return "revoked";
    }
  } catch (err) {
    if (!(err instanceof GarminAuthError)) throw err;
    log.info({ status: err.status }, "Garmin refused a fresh access token: authorization revoked");
    return "revoked";
  }
  log.info("Garmin answered for the user: the authorization stands");
  return "authorized";
}
