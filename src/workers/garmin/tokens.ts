// A usable Garmin access token for a connection, refreshed when it expires within
// ten minutes (Garmin's own advice: at least 600 s early). As for Strava, the
// refresh runs under the connection row's lock (see ../token-refresh.ts), and the
// new pair is stored in the same transaction: Garmin sends a new refresh token
// with every refresh, and the old one may stop working once it has.
import { UnrecoverableError } from "bullmq";
import { type Connection, readTokens, updateTokens } from "../../db/repos/connections.ts";
import { lockConnection } from "../../db/repos/strava-data.ts";
import type { GarminApi } from "../../integrations/garmin/api.ts";
import { GarminAuthError } from "../../integrations/garmin/errors.ts";
import { freshProviderToken, type TokenRefreshDeps } from "../token-refresh.ts";

export const GARMIN_REFRESH_WITHIN_MS = 10 * 60_000;

/** The athlete must connect Garmin again; the connection is marked needs_reauth. */
export class GarminReauthorizationNeeded extends UnrecoverableError {
  override name = "GarminReauthorizationNeeded";
}

export type GarminTokenDeps = TokenRefreshDeps;

/**
 * `rejected`: an access token Garmin just answered 401 to; the refresh then happens
 * whatever the expiry says, unless another job already replaced that token.
 */
export function freshGarminToken(
  deps: GarminTokenDeps,
  api: Pick<GarminApi, "refreshToken">,
  connection: Connection,
  options: { rejected?: string } = {},
): Promise<string> {
  return freshProviderToken(
    deps,
    {
      name: "Garmin",
      refreshWithinMs: GARMIN_REFRESH_WITHIN_MS,
      refresh: (refreshToken) => api.refreshToken(refreshToken),
      refusal: (err) => (err instanceof GarminAuthError ? err : null),
      reauthorizationNeeded: (message) => new GarminReauthorizationNeeded(message),
    },
    connection,
    options,
  );
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
