// A usable Strava access token for a connection, refreshed when it expires within
// ten minutes, under the connection row's lock (see ../token-refresh.ts). Strava
// retires the old refresh token the moment it issues a new one, so the new pair is
// written in the same transaction, before anything else happens.
import { UnrecoverableError } from "bullmq";
import {
  type Connection,
  readTokens,
  setConnectionStatus,
  updateTokens,
} from "../../db/repos/connections.ts";
import { lockConnection } from "../../db/repos/strava-data.ts";
import type { StravaApi } from "../../integrations/strava/api.ts";
import { StravaAuthError } from "../../integrations/strava/errors.ts";
import { freshProviderToken, type TokenRefreshDeps } from "../token-refresh.ts";

export const REFRESH_WITHIN_MS = 10 * 60_000;

/** The athlete must connect again; nothing a retry can do. The connection is marked needs_reauth. */
export class ReauthorizationNeeded extends UnrecoverableError {
  override name = "ReauthorizationNeeded";
}

export type TokenDeps = TokenRefreshDeps;

/**
 * `rejected`: an access token Strava just answered 401 to. The refresh then
 * happens whatever the expiry says, unless another job already replaced it.
 */
export function freshAccessToken(
  deps: TokenDeps,
  api: Pick<StravaApi, "refreshToken">,
  connection: Connection,
  options: { rejected?: string } = {},
): Promise<string> {
  return freshProviderToken(
    deps,
    {
      name: "Strava",
      refreshWithinMs: REFRESH_WITHIN_MS,
      refresh: (refreshToken) => api.refreshToken(refreshToken),
      refusal: (err) => (err instanceof StravaAuthError ? err : null),
      reauthorizationNeeded: (message) => new ReauthorizationNeeded(message),
    },
    connection,
    options,
  );
}

/** Strava refused a token that refreshing could not replace: record it so the athlete is asked to reconnect. */
export async function markReauthNeeded(
  deps: TokenDeps,
  connection: Connection,
  reason: string,
): Promise<ReauthorizationNeeded> {
  await setConnectionStatus(deps.db, connection.id, "needs_reauth", reason);
  deps.logger.warn(
    { athleteId: connection.athleteId, connectionId: connection.id },
    "Strava refused a fresh access token; connection needs re-authorization",
  );
  return new ReauthorizationNeeded(reason);
}

export type StravaAuthorization = "authorized" | "revoked";

/**
 * Asks Strava whether the athlete still authorizes runstrong, before anything of
 * theirs is deleted on the word of an (unsigned, so forgeable) deauthorization
 * event. The question is a refresh-token grant, under the connection's refresh
 * lock: Strava's deauthorize revokes every token of the athlete, so a refused
 * refresh confirms it, and a granted one proves the authorization stands (the
 * granted pair is stored, as after any refresh). One call to the token endpoint,
 * which the API rate limits do not count.
 *
 * A connection that holds no tokens any more cannot be asked, and cannot be used
 * either: "revoked". Transient failures (5xx, timeouts, 429) throw so the job
 * retries; a refusal that blames runstrong's own client credentials says nothing
 * about the athlete and fails without deleting.
 */
export async function checkStravaAuthorization(
  deps: TokenDeps,
  api: Pick<StravaApi, "refreshToken">,
  connection: Connection,
): Promise<StravaAuthorization> {
  const log = deps.logger.child({ athleteId: connection.athleteId, connectionId: connection.id });
  return deps.db.transaction(async (tx) => {
    const locked = await lockConnection(tx, connection.id);
    if (!locked) return "revoked";
    const tokens = readTokens(locked, deps.tokenKey);
    if (!tokens) return "revoked";
    try {
      const grant = await api.refreshToken(tokens.refreshToken);
      await updateTokens(tx, deps.tokenKey, locked.id, grant);
      log.info("Strava granted a token refresh: the athlete still authorizes runstrong");
      return "authorized";
    } catch (err) {
      if (!(err instanceof StravaAuthError)) throw err;
      if (err.blamesApplication)
        throw new UnrecoverableError(
          `Strava refused runstrong's client credentials (${err.status}); the athlete's authorization cannot be checked`,
        );
      log.info({ status: err.status }, "Strava refused the athlete's refresh token: authorization revoked");
      return "revoked";
    }
  });
}
