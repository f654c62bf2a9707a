// A usable access token for a connection, refreshed when it expires within ten
// minutes. The refresh runs under the connection row's lock (SELECT ... FOR
// UPDATE), so of several jobs that find the token expiring at once only the first
// calls Strava; the others wait on the lock and then read the token it stored.
// Strava retires the old refresh token the moment it issues a new one, so the new
// pair is written in the same transaction, before anything else happens.
import { UnrecoverableError } from "bullmq";
import type { Database } from "../../db/client.ts";
import {
  type Connection,
  readTokens,
  setConnectionStatus,
  updateTokens,
} from "../../db/repos/connections.ts";
import { lockConnection } from "../../db/repos/strava-data.ts";
import type { StravaApi } from "../../integrations/strava/api.ts";
import { StravaAuthError } from "../../integrations/strava/errors.ts";
import type { Logger } from "../../observability/logger.ts";

export const REFRESH_WITHIN_MS = 10 * 60_000;

/** The athlete must connect again; nothing a retry can do. The connection is marked needs_reauth. */
export class ReauthorizationNeeded extends UnrecoverableError {
  override name = "ReauthorizationNeeded";
}

export interface TokenDeps {
  db: Database;
  tokenKey: Buffer;
  now: () => Date;
  logger: Logger;
}

function unusable(connection: Connection): string | null {
  if (connection.status !== "active") return `the Strava connection is ${connection.status}`;
  if (!connection.accessTokenEnc || !connection.refreshTokenEnc) return "the Strava connection has no tokens";
  return null;
}

/**
 * `rejected`: an access token Strava just answered 401 to. The refresh then
 * happens whatever the expiry says, unless another job already replaced it.
 */
export async function freshAccessToken(
  deps: TokenDeps,
  api: Pick<StravaApi, "refreshToken">,
  connection: Connection,
  options: { rejected?: string } = {},
): Promise<string> {
  const log = deps.logger.child({ athleteId: connection.athleteId, connectionId: connection.id });
  const needsRefresh = (c: Connection) => {
    const tokens = readTokens(c, deps.tokenKey);
    if (!tokens) return { tokens, refresh: true };
    const expiring = tokens.expiresAt.getTime() - deps.now().getTime() <= REFRESH_WITHIN_MS;
    const refused = options.rejected !== undefined && tokens.accessToken === options.rejected;
    return { tokens, refresh: expiring || refused };
  };

  const bad = unusable(connection);
  if (bad) throw new UnrecoverableError(bad);
  const quick = needsRefresh(connection);
  if (quick.tokens && !quick.refresh) return quick.tokens.accessToken;

  const outcome = await deps.db.transaction(async (tx) => {
    const locked = await lockConnection(tx, connection.id);
    if (!locked) return { kind: "error", message: "the Strava connection is gone" } as const;
    const why = unusable(locked);
    if (why) return { kind: "error", message: why } as const;
    const { tokens, refresh } = needsRefresh(locked);
    if (!tokens) return { kind: "error", message: "the Strava connection has no tokens" } as const;
    if (!refresh) return { kind: "token", token: tokens.accessToken } as const;
    try {
      const grant = await api.refreshToken(tokens.refreshToken);
      await updateTokens(tx, deps.tokenKey, locked.id, grant);
      log.info({ expiresAt: grant.expiresAt.toISOString() }, "Strava access token refreshed");
      return { kind: "token", token: grant.accessToken } as const;
    } catch (err) {
      if (!(err instanceof StravaAuthError)) throw err;
      const reason = `Strava refused the token refresh (${err.status}): the athlete must connect Strava again`;
      await setConnectionStatus(tx, locked.id, "needs_reauth", reason);
      log.warn({ status: err.status }, "Strava refused the refresh token; connection needs re-authorization");
      return { kind: "reauth", message: reason } as const;
    }
  });
  if (outcome.kind === "token") return outcome.token;
  if (outcome.kind === "reauth") throw new ReauthorizationNeeded(outcome.message);
  throw new UnrecoverableError(outcome.message);
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
